"""The environment production settings need, for tests that run `manage.py` as a deployment would."""
import os

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "ocop.laocai.gov.vn",
    "DATABASE_URL": "postgres://ocop@127.0.0.1:5432/ocop",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "FIELD_ENCRYPTION_KEY": "0" * 43 + "=",
}


def production_env(**overrides):
    """This process's environment without its test settings, plus production's required settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION_ENV, **overrides)
    return env
