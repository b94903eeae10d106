"""Names that must never collide with the standard library or Celery (STYLE.md section 0)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_platform_folder_is_never_a_python_package():
    assert (REPO / "platform").is_dir()
    assert not (REPO / "platform" / "__init__.py").exists()


def test_no_app_has_a_celery_tasks_module():
    # Celery code lives in <app>/jobs.py: tasks/ is the benchmark-task app.
    offenders = [p for p in REPO.glob("*/tasks.py") if ".venv" not in p.parts]
    assert offenders == []
