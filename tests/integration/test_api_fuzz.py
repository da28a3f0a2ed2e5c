"""Schemathesis fuzzes every API operation of /api/schema/ on a live server on PostgreSQL:
no 5xx, every answer matches the schema (status, content type, body), bad input is refused."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import OcopProductFactory, make_member

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
])


def _schemathesis():
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if not found:
        pytest.skip("schemathesis is not installed")
    return found


def test_schemathesis_finds_no_failure(live_server, real_worker, tmp_path):
    owner, producer = make_member(username="fuzz-owner")
    OcopProductFactory.create_batch(3, producer=producer)
    token = Token.objects.create(user=owner)
    report = tmp_path / "schemathesis.txt"
    result = subprocess.run(
        [_schemathesis(), "run", f"{live_server.url}/api/schema/",
         "-H", f"Authorization: Token {token.key}",
         "--checks", CHECKS,
         "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "6"), "--workers", "2",
         "--seed", "20251201", "--no-color"],
        capture_output=True, text=True, timeout=900,
    )
    report.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-12000:]
