"""The test suite: SQLite in memory by default, PostgreSQL and Redis when .ci/run sets them."""
from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "vi"
# Tasks run in-process unless a test asks for the real worker (tests/integration/conftest.py turns
# eager mode off for the tests marked `integration`, which .ci/run runs against Redis).
CELERY_TASK_ALWAYS_EAGER = True
