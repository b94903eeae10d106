"""Settings come from the environment only; the production profile fails fast and passes
Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "TUNEBENCH_PROFILE": "production",
    "TUNEBENCH_SECRET_KEY": "s3cr3t-" + "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
    "TUNEBENCH_ALLOWED_HOSTS": "tunebench.example.org",
    "DATABASE_URL": "mysql://tunebench:pw@db:3306/tunebench",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
}


def run_django(code: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TUNEBENCH_", "DATABASE_URL", "CELERY_"))
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", "TUNEBENCH_VAR_DIR": str(tmp_path)}
    clean |= env
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_default_needs_nothing_and_puts_everything_under_the_var_dir(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME']); print(s.MEDIA_ROOT); "
        "print(s.CELERY_BROKER_URL); print(s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in']); "
        "print(s.DATABASES['default']['OPTIONS']['transaction_mode'])",
        {},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        str(tmp_path / "db.sqlite3"),
        str(tmp_path / "media"),
        "filesystem://",
        str(tmp_path / "broker" / "queue"),
        "IMMEDIATE",
    ]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("TUNEBENCH_SECRET_KEY", "TUNEBENCH_SECRET_KEY is required"),
        ("TUNEBENCH_ALLOWED_HOSTS", "TUNEBENCH_ALLOWED_HOSTS is required"),
        ("DATABASE_URL", "DATABASE_URL is required"),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL is required"),
    ],
)
def test_production_refuses_to_start_without_each_requirement(missing, message, tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_django("", env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "sqlite:////tmp/x.db", "DATABASE_URL must be a mysql:// URL"),
        ("CELERY_BROKER_URL", "filesystem://", "CELERY_BROKER_URL must be a redis:// URL"),
        ("TUNEBENCH_SECRET_KEY", "short", "at least 50 random characters"),
    ],
)
def test_production_refuses_the_wrong_kind_of_service(name, value, message, tmp_path):
    result = run_django("", {**PRODUCTION_ENV, name: value}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_an_unknown_profile_is_refused(tmp_path):
    result = run_django("", {"TUNEBENCH_PROFILE": "prod"}, tmp_path)
    assert "TUNEBENCH_PROFILE must be 'embedded' or 'production'" in result.stderr


def test_production_passes_check_deploy_at_warning_level(tmp_path):
    pytest.importorskip("MySQLdb", reason="the mysql extra (mysqlclient) is not installed")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TUNEBENCH_", "DATABASE_URL", "CELERY_"))
    }
    env |= PRODUCTION_ENV | {"TUNEBENCH_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_uses_redis_for_the_cache_and_secure_cookies(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['LOCATION']); print(s.SESSION_COOKIE_SECURE, s.DEBUG); "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'] > s.CELERY_TASK_TIME_LIMIT)",
        PRODUCTION_ENV,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://redis:6379/1", "True", "False", "True"]


def test_production_refuses_debug(tmp_path):
    result = run_django("", {**PRODUCTION_ENV, "TUNEBENCH_DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    assert "TUNEBENCH_DEBUG must be off" in result.stderr
