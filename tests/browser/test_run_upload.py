"""Uploading a run's predictions through the website, scored by the live stack's real worker.

Sign in, open an active task's page, follow "Upload predictions", send a predictions CSV
with the form, watch the run's page turn from queued to done on its own (htmx polling every
2 s), and find the run on the task's leaderboard with its score drawn over time (plotly
from the site itself).

The dataset, task, flow and predictions are made in the stack's own process through the
services (``manage.py shell``), and ingestion and split generation go through its worker.
With ``TUNEBENCH_SCREENSHOTS=1`` the test also adds runs of a few more people and teams and
writes the documentation's screenshots of the run page, the flow page and the task's
leaderboard at desktop and phone widths to docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

import pytest

from tests.browser.conftest import FLOWERS_TASK, PASSWORD, VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# A user and the 40 flowers as an active 10-fold task (conftest.FLOWERS_TASK), a pipeline
# flow, and predictions right on 80% of the test rows.
SETUP = (
    FLOWERS_TASK
    + """
from flows.services import create_flow
from tests.runs.conftest import PIPELINE_SPEC, as_csv, predictions

spec = {{
    **PIPELINE_SPEC,
    "description": "Standardise every column, then grow a **decision tree** on them.",
    "dependencies": "sklearn==1.5.2\\nnumpy>=1.26",
    "parameters": [{{"name": "memory", "data_type": "any", "default": None,
                    "description": "Where to cache fitted steps; null caches nothing."}}],
    "tags": ["trees", "pipeline"],
}}
flow, _ = create_flow(uploader=user, spec=spec)
open({path!r}, "wb").write(as_csv(predictions(task, correct=0.8)))
print(json.dumps({{"task": task.pk, "flow": flow.pk}}))
"""
)

# More entrants for the screenshots: people, a team, and a few scores over time.
MORE_RUNS = """
import json, time
from accounts.services import add_member, create_team, register_user
from flows.models import Flow
from runs.models import Run
from runs.services import upload_run
from tasks.models import Task
from tests.runs.conftest import as_csv, predictions

task = Task.objects.get(pk={task})
flow = Flow.objects.get(pk={flow})
tree = flow.components.get(identifier="clf").flow
suffix = {suffix!r}
grace = register_user(username="grace" + suffix, password={password!r})
alan = register_user(username="alan" + suffix, password={password!r})
team = create_team(creator=grace, name="Decision Makers " + suffix)
add_member(team=team, actor=grace, username=alan.username)
runs = []
for who, used, correct, values, for_team in [
    (grace, tree, 0.55, {{"max_depth": 2}}, True),
    (alan, flow, 0.65, {{"clf__max_depth": 4}}, True),
    (grace, tree, 0.7, {{"max_depth": 6, "min_samples_leaf": 2}}, True),
    (alan, tree, 0.9, {{"criterion": "entropy"}}, False),
]:
    runs.append(upload_run(
        uploader=who, task_id=task.pk, flow_id=used.pk, parameters=values,
        chunks=iter([as_csv(predictions(task, correct=correct))]),
        team=team if for_team else None, tags=["sweep"], seed=7,
        environment={{"python": "3.12.4", "platform": "Linux-6.8-x86_64", "host": "lab-7",
                      "libraries": {{"scikit-learn": "1.5.2", "numpy": "2.0.1"}}}},
        fold_timings=[{{"repeat": 0, "fold": f, "fit_seconds": 0.01 * (f + 1),
                       "predict_seconds": 0.002}} for f in range(10)],
    ))
for _ in range(300):
    if all(Run.objects.get(pk=r.pk).is_finished for r in runs):
        break
    time.sleep(0.2)
print(json.dumps([r.pk for r in runs]))
"""


def setup_in_stack(live_stack, script: str) -> str:
    done = live_stack.manage("shell", "-c", script)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{live_stack.logs()}"
    return done.stdout


def test_upload_predictions_through_the_form_then_see_the_run_scored_and_ranked(
    chromium, live_stack, tmp_path
):
    username = f"ada{secrets.token_hex(3)}"
    predictions_csv = tmp_path / "predictions.csv"
    out = setup_in_stack(
        live_stack,
        SETUP.format(
            username=username,
            password=PASSWORD,
            dataset=f"flowers-{username}",
            seed=int(secrets.token_hex(3), 16),
            path=str(predictions_csv),
        ),
    )
    ids = json.loads(out.strip().splitlines()[-1])
    task_url = f"{live_stack.url}/tasks/{ids['task']}/"

    context = chromium.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url) if "/assets/" in r.url else None)

    page.goto(f"{live_stack.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_stack.url}/account/")

    # The task page offers the upload, which arrives with the task chosen.
    page.goto(task_url)
    assert "No scored runs yet." in page.inner_text("#leaderboard")
    page.click("#leaderboard a:has-text('Upload predictions')")
    page.wait_for_url(re.compile(r".*/runs/upload/\?task=\d+$"))
    assert page.input_value("input[name=task]") == str(ids["task"])
    page.select_option("select[name=flow]", str(ids["flow"]))
    page.fill("textarea[name=parameters]", '{"clf__max_depth": 3}')
    page.fill("input[name=tags]", "first, browser")
    page.set_input_files("input[name=predictions]", str(predictions_csv))
    page.click("form.run-upload button[type=submit]")

    # The run's page: queued or scoring at first, then the worker finishes and the page,
    # polling, reloads itself with the measures.
    page.wait_for_url(re.compile(r".*/runs/\d+/$"))
    run_url = page.url
    run_id = int(run_url.rstrip("/").rsplit("/", 1)[1])
    assert "Uploaded; the server is scoring the predictions." in page.inner_text(".messages")
    page.wait_for_selector("h1 .badge:has-text('done')", timeout=60_000)
    score = page.inner_text("[data-testid=task-score]")
    assert re.fullmatch(r"0\.\d+ ± 0\.\d+", score), score
    assert page.locator("table.measures tbody tr").count() >= 10
    assert page.locator(".fold-table").first.locator("tbody tr").count() == 10
    assert "clf__max_depth" in page.inner_text("table.parameters")
    assert page.locator("#run-status").count() == 0

    # The task's leaderboard: the run is the best, and the only, entry. (plotly.js may have
    # been cut off by leaving the task page the first time: only this visit counts.)
    failed.clear()
    page.goto(task_url)
    board = page.locator("table[data-board=person] tbody tr")
    assert board.count() == 1
    row = board.first.inner_text()
    assert username in row
    assert f"Run {run_id}" in row
    page.locator("#plot-scores").scroll_into_view_if_needed()  # drawn when in view
    page.wait_for_selector("#plot-scores .main-svg")
    assert failed == []
    storage_state = context.storage_state()
    context.close()

    if os.environ.get("TUNEBENCH_SCREENSHOTS") == "1":
        more = setup_in_stack(
            live_stack,
            MORE_RUNS.format(
                task=ids["task"], flow=ids["flow"], suffix=username[3:], password=PASSWORD
            ),
        )
        screenshot_run_pages(
            chromium,
            storage_state,
            # alan's pipeline run for his team, with its environment and timings
            run_url=f"{live_stack.url}/runs/{json.loads(more.strip().splitlines()[-1])[1]}/",
            flow_url=f"{live_stack.url}/flows/{ids['flow']}/",
            task_url=task_url,
        )


def screenshot_run_pages(browser, storage_state: dict, *, run_url, flow_url, task_url) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, storage_state=storage_state)
        page = context.new_page()
        page.goto(run_url)
        page.screenshot(path=str(SCREENSHOTS / f"run-{device}.png"), full_page=True)
        page.goto(flow_url)
        page.screenshot(path=str(SCREENSHOTS / f"flow-{device}.png"), full_page=True)
        page.goto(task_url)
        board = page.locator("#leaderboard")
        page.locator("#plot-scores").scroll_into_view_if_needed()
        page.wait_for_selector("#plot-scores .main-svg", timeout=20_000)
        board.screenshot(path=str(SCREENSHOTS / f"task-leaderboard-{device}.png"))
        context.close()
