import os
import subprocess
import sys

from django.urls import path

from flywheel_audit.settings import BASE_DIR


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_passes_the_deployment_checks_when_configured():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x7Qp2" * 10,
        DJANGO_ALLOWED_HOSTS="audit.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def settings_value(expression: str, **environment: str) -> str:
    """Evaluate `expression` on the settings of a fresh process with `environment` (and no DATABASE_URL)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_") and key != "DATABASE_URL"}
    env.update(environment, DJANGO_SETTINGS_MODULE="flywheel_audit.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; print({expression})"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_tunes_the_default_sqlite_database_for_simultaneous_workshop_users():
    options = settings_value("settings.DATABASES['default']['OPTIONS']")
    assert "journal_mode=WAL" in options
    assert "'transaction_mode': 'IMMEDIATE'" in options
    assert "'timeout': 20" in options


def test_it_reads_the_database_from_database_url():
    engine = settings_value(
        "settings.DATABASES['default']['ENGINE']", DATABASE_URL="postgres://someone@db.example.com:5432/flywheel"
    )
    assert engine == "django.db.backends.postgresql"


def broken_view(request):
    raise RuntimeError("a secret detail of the failure")


urlpatterns = [path("broken/", broken_view)]


def test_a_server_error_shows_no_traceback(client, settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/broken/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "a secret detail of the failure" not in body
    assert "Traceback" not in body


def test_each_process_of_a_parallel_test_run_empties_a_redis_database_of_its_own(monkeypatch, settings):
    """tests/conftest.py: the second process of `make test-postgres` (REDIS_URL …/15) uses database 14."""
    from .conftest import own_redis_database_per_process

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://h:6379/15"}
    }
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    own_redis_database_per_process()
    assert settings.CACHES["default"]["LOCATION"] == "redis://h:6379/14"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    settings.CACHES["default"]["LOCATION"] = "redis://h:6379/15"
    own_redis_database_per_process()
    assert settings.CACHES["default"]["LOCATION"] == "redis://h:6379/15"
    settings.CACHES["default"]["LOCATION"] = "redis://h:6379/0"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    own_redis_database_per_process()
    assert settings.CACHES["default"]["LOCATION"] == "redis://h:6379/15"
