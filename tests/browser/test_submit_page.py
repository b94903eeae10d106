"""Running a configuration on the server through the website, executed by the live stack's
real worker.

Sign in, open an active task's page, follow "Run on the server", choose SVC: its inputs are
built in the page without a reload, and ``degree`` shows only while the kernel is "poly"
(``gamma``'s number box only for "A number"). Submit two seeds, land on the configuration's
page, and watch it turn, polling every 2 s, from queued runs to a summary across the seeds
once the worker has executed and scored them. No page logs a console error.

The dataset and task are made in the stack's own process through the services (``manage.py
shell``), as in test_run_upload.py. With ``TUNEBENCH_SCREENSHOTS=1`` the test also writes
the documentation's screenshots of the form and of the configuration page, at desktop and
phone widths, to docs/screenshots/.
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
SVC = "sklearn.svm.SVC"

# A user and the 40 flowers as an active 10-fold task (conftest.FLOWERS_TASK).
SETUP = (
    FLOWERS_TASK
    + """
print(json.dumps({{"task": task.pk}}))
"""
)


def setup_in_stack(live_stack, script: str) -> str:
    done = live_stack.manage("shell", "-c", script)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{live_stack.logs()}"
    return done.stdout


def watch_console(page, problems: list[str]) -> None:
    page.on(
        "console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))


def test_run_a_configuration_on_the_server_then_see_it_summarised_across_seeds(
    chromium, live_stack
):
    username = f"ada{secrets.token_hex(3)}"
    out = setup_in_stack(
        live_stack,
        SETUP.format(
            username=username,
            password=PASSWORD,
            dataset=f"flowers-{username}",
            seed=int(secrets.token_hex(3), 16),
        ),
    )
    ids = json.loads(out.strip().splitlines()[-1])
    task_url = f"{live_stack.url}/tasks/{ids['task']}/"

    context = chromium.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    watch_console(page, problems)

    page.goto(f"{live_stack.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_stack.url}/account/")

    # The task page offers it; the form starts without an estimator.
    page.goto(task_url)
    page.click("#leaderboard a:has-text('Run on the server')")
    page.wait_for_url(re.compile(r".*/tasks/\d+/submit/$"))
    assert page.locator("[data-param]").count() == 0
    assert page.locator("[data-choose]").is_hidden()  # no reload needed with JavaScript

    # Choosing SVC builds its inputs in place, at their defaults.
    page.select_option("#id_estimator", SVC)
    page.wait_for_selector("[data-param=kernel]")
    assert page.url.endswith(f"/submit/?estimator={SVC}")
    assert page.input_value("input[name=estimator]") == SVC
    assert page.inner_text("[data-estimator-label]") == "SVC (sklearn.svm)"
    assert page.input_value("#id_param-C") == "1.0"
    assert page.is_checked("#id_param-shrinking")

    # degree applies only to the poly kernel: hidden and disabled otherwise.
    degree = page.locator("[data-param=degree]")
    assert degree.is_hidden()
    assert page.is_disabled("#id_param-degree")
    page.select_option("#id_param-kernel", '"poly"')
    assert degree.is_visible()
    assert page.is_enabled("#id_param-degree")
    page.select_option("#id_param-kernel", '"linear"')
    assert degree.is_hidden()
    assert page.locator("[data-param=gamma]").is_hidden()
    page.select_option("#id_param-kernel", '"poly"')
    page.fill("#id_param-degree", "2")

    # gamma's number box appears only for "A number".
    assert page.locator("#id_param-gamma-number").is_hidden()
    page.select_option("#id_param-gamma", "__number__")
    assert page.locator("#id_param-gamma-number").is_visible()
    page.fill("#id_param-gamma-number", "0.5")
    page.fill("#id_seeds", "0, 1")
    page.fill("#id_tags", "browser")

    # Another estimator and back: its own inputs, then SVC's again at their defaults.
    page.select_option("#id_estimator", "sklearn.tree.DecisionTreeClassifier")
    page.wait_for_selector("[data-param=splitter]")
    assert page.locator("[data-param=kernel]").count() == 0
    page.select_option("#id_estimator", SVC)
    page.select_option("#id_param-kernel", '"poly"')
    page.fill("#id_param-degree", "2")
    page.select_option("#id_param-gamma", "__number__")
    page.fill("#id_param-gamma-number", "0.5")
    if os.environ.get("TUNEBENCH_SCREENSHOTS") == "1":
        screenshot(chromium, context.storage_state(), page.url, "submit")

    page.click("#submit-form button[type=submit]")

    # The configuration's page: two queued runs, then executed and scored by the worker,
    # the page polling until the summary across seeds is there.
    page.wait_for_url(re.compile(r".*/configurations/\d+/\?task=\d+$"))
    configuration_url = page.url
    message = page.inner_text(".messages")
    assert re.fullmatch(
        r"Queued 2 runs on the server: run \d+ \(seed 0\), run \d+ \(seed 1\)\.", message
    ), message
    parameters = page.inner_text("table.parameters")
    assert re.search(r"degree\s+int\s+2", parameters), parameters
    assert re.search(r"gamma\s+any\s+0\.5", parameters), parameters
    assert re.search(r'kernel\s+any\s+"poly"', parameters), parameters
    page.wait_for_selector(".seed-table", timeout=120_000)
    page.wait_for_selector("#configuration-tasks:not([hx-trigger])")
    accuracy = page.locator(".seed-table tbody tr").first.inner_text()
    assert "predictive_accuracy" in accuracy
    assert re.search(r"\b2\b", accuracy), accuracy  # two seeds
    assert page.locator(".config-runs .badge:has-text('done')").count() == 2
    assert page.locator(".config-runs .badge-verified").count() == 2

    # The run's page says it was executed by the server.
    page.locator(".config-runs tbody tr").first.locator("a", has_text="Run").click()
    page.wait_for_url(re.compile(r".*/runs/\d+/$"))
    assert page.locator("h1 .badge-verified").is_visible()
    assert "Peak memory" in page.inner_text("#resources-heading + dl")
    assert "scikit-learn" in page.inner_text("table.environment")

    # The task's leaderboard: the verified entry with its seeds.
    page.goto(task_url)
    seeds = page.inner_text("table[data-board=person] [data-testid=seeds]")
    assert re.fullmatch(r"[\d.]+ ± [\d.]+ \(n=2\),\s+95% \[[\d.]+, [\d.]+\]", seeds), seeds

    assert problems == []
    storage_state = context.storage_state()
    context.close()
    if os.environ.get("TUNEBENCH_SCREENSHOTS") == "1":
        screenshot(chromium, storage_state, configuration_url, "configuration")


def screenshot(browser, storage_state: dict, url: str, name: str) -> None:
    """The page at ``url`` at desktop and phone widths, as docs/screenshots/<name>-*.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, storage_state=storage_state)
        page = context.new_page()
        problems: list[str] = []
        watch_console(page, problems)
        page.goto(url)
        if name == "submit":
            # The state the test reached: SVC with the poly kernel and gamma as a number.
            page.select_option("#id_param-kernel", '"poly"')
            page.fill("#id_param-degree", "2")
            page.select_option("#id_param-gamma", "__number__")
            page.fill("#id_param-gamma-number", "0.5")
            page.fill("#id_seeds", "0, 1")
            page.evaluate("document.activeElement.blur()")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)
        assert problems == [], (url, device, problems)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (url, device, width)
        context.close()
