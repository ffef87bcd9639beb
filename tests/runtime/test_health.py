import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(databases="__all__")


def test_healthz_answers_while_the_process_lives(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_names_each_dependency(client, settings):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == body["checks"]["key_store"] == "ok"
    assert set(body["checks"]) == {"database", "key_store", "broker", "outbox"}


def test_readyz_is_503_naming_the_broker_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("unavailable")


def test_check_runtime_prints_the_same_and_exits_1_when_not_ready(settings, capsys):
    call_command("check_runtime")
    assert "Ready." in capsys.readouterr().out
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_runtime")
    assert exit_info.value.code == 1
