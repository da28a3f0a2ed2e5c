"""Settings of the processes the reliability tests start (gunicorn, Celery workers).

The test settings, except that:
- tasks go through the broker (no eager mode), on a queue of the test's own (OCOP_TEST_QUEUE), so
  no other worker on the same Redis (the session worker of tests/integration/conftest.py, another
  engineer's test run) takes them;
- marketplace rate limits are high and backoff short: these tests prove "nothing lost, nothing
  duplicated" in seconds, not the rate limiter (tests/listings covers it) or hour-long backoffs.
"""
from config.settings.test import *  # noqa: F401,F403
from config.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env("OCOP_TEST_QUEUE", default="celery")
CELERY_TASK_ROUTES = {}
MARKETPLACE_RATE_LIMITS = dict.fromkeys(("default", "shopee", "lazada", "tiki", "sandbox"), (1000.0, 2000))
LISTING_RETRY_BASE_SECONDS = env.float("LISTING_RETRY_BASE_SECONDS", default=1.0)
LISTING_RETRY_MAX_SECONDS = env.float("LISTING_RETRY_MAX_SECONDS", default=8.0)
