import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_brute_force_login_is_locked_out(client):
    UserFactory(username="htx")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "htx", "password": "sai-mat-khau"})
    response = client.post(reverse("login"), {"username": "htx", "password": "mat-khau-an-toan-123"})
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_right_password_logs_in(client):
    UserFactory(username="htx")
    response = client.post(reverse("login"), {"username": "htx", "password": "mat-khau-an-toan-123"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "<script>" not in response.content.decode()


def test_argon2_hashes_passwords_outside_tests():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_production_settings_pass_the_deployment_checks():
    env = production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
