import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/products/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


@pytest.mark.django_db
def test_unrouted_api_urls_answer_the_json_error_shape(client, owner):
    client.force_login(owner)
    response = client.get("/api/products/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Không tìm thấy.", "fields": {}}
    assert "text/html" in client.get("/khong-co-trang-nay/")["Content-Type"]


@pytest.mark.django_db
def test_system_status_for_administrators_only(client, owner, officer):
    assert client.get("/admin/he-thong/").status_code == 302
    client.force_login(owner)
    assert client.get("/admin/he-thong/").status_code == 403
    owner.is_staff = True
    owner.save()
    page = client.get("/admin/he-thong/")
    assert page.status_code == 200
    body = page.content.decode()
    for queue in ("celery", "events", "publishing"):
        assert queue in body
    assert "Không có." in body
