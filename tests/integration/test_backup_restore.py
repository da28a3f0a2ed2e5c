"""The restore drill of docs/deployment.md: back up the test database, restore it elsewhere, compare."""
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.factories import OcopProductFactory

ROOT = Path(__file__).resolve().parents[2]


def _url(name):
    settings = connection.settings_dict
    return f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_backup_then_restore_into_a_scratch_database(real_worker, tmp_path):
    OcopProductFactory.create_batch(3)
    media = tmp_path / "media"
    (media / "products").mkdir(parents=True)
    (media / "products" / "photo.jpg").write_bytes(b"jpeg")
    env = dict(os.environ, DATABASE_URL=_url(connection.settings_dict["NAME"]),
               BACKUP_DIR=str(tmp_path / "backups"), MEDIA_ROOT=str(media))
    backup = subprocess.run([str(ROOT / "deploy/backup.sh")], env=env, capture_output=True, text=True, check=True)
    folder = backup.stdout.strip().splitlines()[-1]

    drill = f"ocop_drill_{os.getpid()}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{drill}"')
        admin.execute(f'CREATE DATABASE "{drill}"')
    try:
        restored_media = tmp_path / "restored-media"
        subprocess.run([str(ROOT / "deploy/restore.sh"), folder], check=True, capture_output=True, text=True,
                       env=dict(os.environ, TARGET_DATABASE_URL=_url(drill), TARGET_MEDIA_ROOT=str(restored_media)))
        with psycopg.connect(_url(drill)) as restored:
            count = restored.execute("SELECT count(*) FROM producers_ocopproduct").fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM producers_ocopproduct")
            assert count == cursor.fetchone()[0] == 3
        assert (restored_media / "products" / "photo.jpg").read_bytes() == b"jpeg"
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{drill}"')


def test_restore_refuses_a_corrupted_backup(real_worker, tmp_path):
    env = dict(os.environ, DATABASE_URL=_url(connection.settings_dict["NAME"]), BACKUP_DIR=str(tmp_path))
    folder = Path(subprocess.run([str(ROOT / "deploy/backup.sh")], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip().splitlines()[-1])
    with open(folder / "database.dump", "ab") as dump:
        dump.write(b"tampered")
    result = subprocess.run([str(ROOT / "deploy/restore.sh"), str(folder)], capture_output=True, text=True,
                            env=dict(os.environ, TARGET_DATABASE_URL=_url("postgres")))
    assert result.returncode != 0
