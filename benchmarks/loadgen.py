"""A small HTTP load generator (loopback only): keep-alive http.client connections in threads, in a
few forked processes so the client is not held by one GIL.

`run_load(port, make_request, ...)` sends requests for `seconds` (or until `max_requests`), either as
fast as the server answers (closed loop: the throughput) or at a fixed `rate` (open loop: latency at
a given load, measured from the moment each request was due, so a slow server is not flattered).
`make_request(n)` returns (method, path, headers, body) for the n-th request of a connection and
may differ per request (a fresh signed webhook each time).
"""
import http.client
import itertools
import multiprocessing
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .common import percentile

HOST = "127.0.0.1"


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)

    @property
    def rate(self):
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def ok(self):
        return sum(n for status, n in self.statuses.items() if 200 <= int(status) < 300)

    def ms(self, q):
        value = percentile(self.latencies, q)
        return None if value is None else round(value * 1000, 2)


def _connection_loop(port, make_request, deadline, interval, offset, budget, out, lock):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    statuses, errors, latencies = Counter(), Counter(), []
    start = time.perf_counter()
    due = start + offset
    sent = 0
    for n in itertools.count():
        now = time.perf_counter()
        if interval:
            if due > now:
                time.sleep(due - now)
            began = due
            due += interval
        else:
            began = now
        if time.perf_counter() >= deadline or (budget is not None and sent >= budget):
            break
        method, path, headers, body = make_request(n)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[str(response.status)] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            errors[type(exc).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies.append(time.perf_counter() - began)
        sent += 1
    conn.close()
    with lock:
        out.append((statuses, errors, latencies))


def _process(port, make_request, seconds, connections, rate, max_requests, queue):
    out, lock = [], threading.Lock()
    deadline = time.perf_counter() + seconds
    interval = connections / rate if rate else 0.0
    budget = None if max_requests is None else max(1, max_requests // connections)
    threads = [threading.Thread(target=_connection_loop, args=(
        port, make_request, deadline, interval, (i * interval / connections) if interval else 0.0, budget, out, lock))
        for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(out)


def run_load(port, make_request, *, seconds=10.0, connections=8, processes=2, rate=None, max_requests=None):
    """Returns a LoadResult. `connections` per process; `rate` in requests/s for all of them."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    per_process_rate = rate / processes if rate else None
    per_process_max = None if max_requests is None else max(1, max_requests // processes)
    workers = [context.Process(target=_process, args=(port, make_request, seconds, connections, per_process_rate,
                                                      per_process_max, queue), daemon=True)
               for _ in range(processes)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    result = LoadResult()
    for _ in workers:
        for statuses, errors, latencies in queue.get(timeout=seconds + 120):
            result.statuses.update(statuses)
            result.errors.update(errors)
            result.latencies.extend(latencies)
    for worker in workers:
        worker.join(timeout=30)
    result.seconds = time.perf_counter() - started
    result.requests = sum(result.statuses.values()) + sum(result.errors.values())
    return result


def default_processes():
    return max(1, min(4, os.cpu_count() or 1))


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class GunicornServer:
    """gunicorn serving config.wsgi with benchmarks.settings on a free loopback port."""

    def __init__(self, *, database_url, workers=None, threads=1, env=None, base_settings=None, conn_max_age=""):
        import sys

        self.port = free_port()
        self.workers = workers or (os.cpu_count() or 1)
        self.threads = threads
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
        self.env["BENCH_BASE_SETTINGS"] = base_settings or os.environ.get("DJANGO_SETTINGS_MODULE",
                                                                         "config.settings.local")
        if self.env["BENCH_BASE_SETTINGS"] == "benchmarks.settings":
            self.env["BENCH_BASE_SETTINGS"] = "config.settings.local"
        self.env["DATABASE_URL"] = database_url
        self.env["BENCH_CONN_MAX_AGE"] = str(conn_max_age or "")
        self.env.setdefault("LOG_LEVEL", "WARNING")
        self.command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                        f"{HOST}:{self.port}", "--workers", str(self.workers), "--threads", str(self.threads),
                        "--worker-class", "gthread" if self.threads > 1 else "sync", "--log-level", "warning",
                        "--timeout", "60", "--keep-alive", "5"]
        self.process = None

    def __enter__(self):
        import subprocess
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent
        import tempfile

        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(self.command, cwd=root, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn did not start: " + self.output()[-2000:])
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/bench/floor")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.__exit__(None, None, None)
            raise RuntimeError("gunicorn did not answer /bench/floor within 60 s")
        # Every worker imports the project on its first request: warm them all before measuring.
        run_load(self.port, lambda n: ("GET", "/bench/floor", {}, None), seconds=1.0, connections=4, processes=1)
        return self

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except Exception:  # noqa: BLE001
                self.process.kill()
        self.log.close()
        return False
