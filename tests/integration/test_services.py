"""The service against the real PostgreSQL, Redis and a Celery worker (run by .ci/run)."""
from django.db import connection


def test_healthz_sees_postgresql_and_the_redis_broker(client, real_worker, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert connection.vendor == "postgresql"
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_a_broker_that_does_not_answer(client, real_worker, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
