"""The browser shared by the browser tests (one Playwright session per test run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "correct-horse-battery"

# A script run in the stack's process (``setup_in_stack``, formatted with username,
# password, dataset and seed): a user and the 40 flowers of tests/runs/conftest.py as an
# active 10-fold task, in ``user`` and ``task``. Tests append what else they need.
FLOWERS_TASK = """
import json, time
from accounts.services import register_user
from datasets.models import Dataset
from datasets.services import upload_dataset
from tasks.models import Task
from tasks.services import create_task
from tests.runs.conftest import FLOWERS

def wait(model, pk, status):
    for _ in range(300):
        obj = model.objects.get(pk=pk)
        if obj.status != "processing":
            assert obj.status == status, (obj.status, obj.error_message)
            return obj
        time.sleep(0.2)
    raise TimeoutError(f"{{model.__name__}} {{pk}} still processing")

user = register_user(username={username!r}, password={password!r})
dataset = upload_dataset(
    uploader=user, chunks=iter([FLOWERS.encode()]), filename="flowers.csv",
    name={dataset!r}, default_target_attribute="kind",
)
wait(Dataset, dataset.pk, "active")
task, _ = create_task(
    creator=user, dataset_id=dataset.pk, task_type=1, target="kind",
    estimation_procedure_id=1, seed={seed},
)
task = wait(Task, task.pk, "active")
"""


@pytest.fixture(scope="session")
def chromium():
    """The browser, checked before the (slow) live stack starts: session-scoped like it."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
