"""A FIELD_ENCRYPTION_KEY that is not a Fernet key stops `manage.py check` (and so `--deploy`)."""
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", [
    "generate-with-python-c-from-cryptography.fernet-import-Fernet-print-Fernet.generate_key",
    "short", "0" * 44, Fernet.generate_key().decode() + ",not-a-key",
])
def test_an_invalid_key_fails_the_checks(settings, key):
    settings.FIELD_ENCRYPTION_KEY = key
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "listings.E001" in str(error.value) and "FIELD_ENCRYPTION_KEY" in str(error.value)
    assert key not in str(error.value)  # the secret itself is never printed


@pytest.mark.parametrize("key", ["", " , ", lambda: Fernet.generate_key().decode(),
                                 lambda: f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"])
def test_valid_keys_or_none_pass(settings, key):
    settings.FIELD_ENCRYPTION_KEY = key() if callable(key) else key
    call_command("check")


def test_check_deploy_refuses_the_example_files_placeholder():
    env = production_env(
        FIELD_ENCRYPTION_KEY="generate-with-python-c-from-cryptography.fernet-import-Fernet-print-Fernet.generate_key")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "listings.E001" in result.stderr
