"""docs/deployment.md, sections 3 and 4, run as written, without root: the environment file
deploy/ocop.env.example (filled in like an administrator would), the setup commands, then the very
ExecStart lines of deploy/systemd (web, one worker per queue, beat) with production settings.

What systemd and nginx would add is played here: the units' environment is the file alone (no
variable of the test leaks in), %i / %%h are expanded as systemd does, and requests carry
`X-Forwarded-Proto: https` as the proxy sets it. Then the service must answer its health check,
serve hashed static files, render the login page, accept a signed bank notification and process
it in the `events` worker, and beat must write its schedule."""
import configparser
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
QUEUES = ("publishing", "events", "celery")
BROKER_DB = int(os.environ.get("OCOP_DRILL_REDIS_BROKER_DB", "8"))
CACHE_DB = int(os.environ.get("OCOP_DRILL_REDIS_CACHE_DB", "7"))
SEPAY_KEY = "drill-sepay-key-" + secrets.token_hex(8)


def exec_start(unit, instance=""):
    """The unit's ExecStart as argv, with systemd's specifiers expanded and the paths of a server
    (/opt/ocop/app, /var/lib/ocop) mapped to this checkout and a scratch folder."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(UNITS / unit)
    service = parser["Service"]
    line = service["ExecStart"].replace("%i", instance).replace("%%", "%")
    return shlex.split(line), service.get("WorkingDirectory", "/opt/ocop/app"), service["EnvironmentFile"]


def env_file():
    values = {}
    for raw in (ROOT / "deploy" / "ocop.env.example").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def _admin_url(database="postgres"):
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}"


@pytest.fixture
def server(tmp_path):
    """A 'server': a fresh database, two Redis databases, /var/lib/ocop in tmp_path."""
    from cryptography.fernet import Fernet

    name = f"ocop_drill_{os.getpid()}"
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    import redis

    for db in (BROKER_DB, CACHE_DB):
        redis.Redis(host="127.0.0.1", port=6379, db=db).flushdb()
    var = tmp_path / "var-lib-ocop"
    (var / "media").mkdir(parents=True)
    with socket_port() as port:
        pass
    values = env_file()
    assert values["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    values.update(
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1", CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        DATABASE_URL=_admin_url(name).replace("postgresql://", "postgres://"),
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{BROKER_DB}", REDIS_URL=f"redis://127.0.0.1:6379/{CACHE_DB}",
        MEDIA_ROOT=str(var / "media"), STATIC_ROOT=str(var / "static"),
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(), SEPAY_API_KEY=SEPAY_KEY,
        GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2",
    )
    # what systemd gives a unit: its EnvironmentFile, a PATH and nothing of ours
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           **values}
    try:
        yield {"env": env, "var": var, "port": port, "database": name}
    finally:
        with psycopg.connect(_admin_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for db in (BROKER_DB, CACHE_DB):
            redis.Redis(host="127.0.0.1", port=6379, db=db).flushdb()


class socket_port:
    def __enter__(self):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def __exit__(self, *exc):
        return False


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def https_get(port, path, **headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_deployment_guide_brings_up_a_working_service(server):
    env, var, port = server["env"], server["var"], server["port"]
    # section 3: the application's setup commands
    manage(env, "migrate", "--noinput")
    manage(env, "load_units")
    manage(env, "collectstatic", "--noinput")
    manage(env, "check", "--deploy", "--fail-level", "WARNING")

    # section 4: the units' own commands
    commands = [("web", *exec_start("ocop-web.service"))]
    commands += [(f"worker@{queue}", *exec_start("ocop-worker@.service", queue)) for queue in QUEUES]
    commands.append(("beat", *exec_start("ocop-beat.service")))
    processes, logs = [], {}
    try:
        for name, argv, workdir, environment_file in commands:
            assert environment_file == "/etc/ocop/ocop.env"
            argv = [part.replace("/opt/ocop/app/.venv/bin/", f"{Path(sys.executable).parent}/")
                    .replace("/opt/ocop/app", str(ROOT)).replace("/var/lib/ocop", str(var)) for part in argv]
            workdir = workdir.replace("/opt/ocop/app", str(ROOT)).replace("/var/lib/ocop", str(var))
            log = open(var / f"{name}.log", "wb")  # noqa: SIM115 - closed below
            logs[name] = (var / f"{name}.log", log)
            processes.append((name, subprocess.Popen(argv, cwd=workdir, env=env, stdout=log,
                                                     stderr=subprocess.STDOUT, start_new_session=True)))

        def log_of(name):
            return logs[name][0].read_text(errors="replace")

        # the web answers its health check through the proxy's scheme, and plain http is sent to https
        status, _, body = wait_for(lambda: _health(port), 60, "the web to answer /healthz")
        assert status == 200 and json.loads(body) == {"status": "ok", "database": "ok", "broker": "ok"}
        plain = urllib.request.Request(f"http://127.0.0.1:{port}/healthz")
        with pytest.raises(urllib.error.HTTPError) as redirect:
            urllib.request.build_opener(_NoRedirect).open(plain, timeout=10)
        assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")
        # hashed static files, cached for ever (whitenoise over collectstatic's manifest)
        manifest = json.loads((var / "static" / "staticfiles.json").read_text())["paths"]
        css = next(hashed for source, hashed in manifest.items() if source.endswith(".css"))
        status, headers, body = https_get(port, f"/static/{css}")
        assert status == 200 and body and "immutable" in headers.get("Cache-Control", "")
        # the portal's login page, in Vietnamese, with the security headers of production
        status, headers, body = https_get(port, "/dang-nhap/")
        assert status == 200 and "Đăng nhập" in body.decode()
        assert "max-age=31536000" in headers.get("Strict-Transport-Security", "")
        assert "default-src 'self'" in headers.get("Content-Security-Policy", "")
        # every worker is up on its queue, and beat writes its schedule
        for queue in QUEUES:
            wait_for(lambda q=queue: "ready." in log_of(f"worker@{q}"), 90, f"the {queue} worker")
        wait_for(lambda: list(var.glob("celerybeat-schedule*")), 60, "beat's schedule file")
        # a signed bank notification is stored, answered, and processed by the events worker
        event_id = int(time.time() * 1000) % 10**9
        notification = json.dumps({
            "id": event_id, "gateway": "Vietcombank", "transactionDate": time.strftime("%Y-%m-%d %H:%M:%S"),
            "accountNumber": "0011004123456", "subAccount": None, "code": None,
            "content": "OCOP K7P2QX chuyen tien", "transferType": "in", "transferAmount": 150000,
            "accumulated": 19077000, "referenceCode": f"FT{event_id}", "description": "OCOP K7P2QX"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/sepay/", data=notification, headers={
            "Content-Type": "application/json", "Authorization": f"Apikey {SEPAY_KEY}", "X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and json.loads(response.read()) == {"success": True}
        state = wait_for(lambda: _event_state(server["database"], str(event_id)), 60, "the event to be processed")
        assert state == "no_match"  # processed: no payment code matches a reference on a fresh server
        assert "succeeded" in log_of("worker@events")
        for name, process in processes:
            assert process.poll() is None, f"{name} exited:\n{log_of(name)[-3000:]}"
    finally:
        for _name, process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for _path, handle in logs.values():
            handle.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _health(port):
    try:
        status, headers, body = https_get(port, "/healthz")
    except OSError:
        return None
    return (status, headers, body) if status == 200 else None


def _event_state(database, external_id):
    with psycopg.connect(_admin_url(database)) as conn:
        row = conn.execute("SELECT state FROM payments_inboundevent WHERE dedup_key = %s", [external_id]).fetchone()
    return row[0] if row and row[0] != "received" else None
