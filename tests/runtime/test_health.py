import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(databases="__all__")

ROOT = Path(__file__).resolve().parents[2]


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


def _compose_healthcheck(service: str) -> list[str]:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"][service]["healthcheck"]["test"]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_docker_compose_web_health_check_asks_readyz_and_passes_when_ready(live_server):
    command = _compose_healthcheck("web")
    assert command[0] == "CMD" and "/readyz" in command[-1]
    argv = [sys.executable if part == "python" else part for part in command[1:]]
    argv[-1] = argv[-1].replace("http://127.0.0.1:8000", live_server.url)
    assert subprocess.run(argv, timeout=30).returncode == 0  # noqa: S603 (compose's own)


def test_docker_compose_worker_health_check_pings_the_worker():
    assert "inspect ping" in " ".join(_compose_healthcheck("worker"))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_check_runtime_worker_pings_a_worker_through_the_broker(capsys):
    """In CI a real worker answers; without REDIS_URL tasks run in-process."""
    call_command("check_runtime", "--worker")
    out = capsys.readouterr().out
    assert "worker" in out and "Ready." in out


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_task_runs_with_the_request_id_of_the_request_that_queued_it():
    from runtime.logs import request_id
    from runtime.tasks import ping

    token = request_id.set("req-0123456789")
    try:
        answer = ping.apply_async().get(timeout=30)
    finally:
        request_id.reset(token)
    assert answer == {"pong": True, "request_id": "req-0123456789"}
