"""Uploading a dataset through the website, ingested by the live stack's real worker.

Sign in, upload a CSV with the form, watch the page turn from "processing" to active on
its own (htmx polling), open a feature's distribution plot (plotly from the site itself),
and download the Parquet file with the checksum the page shows.
"""

from __future__ import annotations

import hashlib
import secrets

import pytest

from tests.browser.conftest import PASSWORD, VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CSV = "width,height,kind\n" + "".join(
    f"{i % 7 + 0.5},{(i * 3) % 11},{'tall' if i % 2 else 'short'}\n" for i in range(60)
)


def test_upload_through_the_form_becomes_active_with_plots_and_downloads(
    chromium,
    live_stack,
    tmp_path,
):
    username = f"grace{secrets.token_hex(3)}"
    created = live_stack.manage(
        "shell",
        "-c",
        (
            "from accounts.services import register_user; "
            f"register_user(username='{username}', password='{PASSWORD}')"
        ),
    )
    assert created.returncode == 0, created.stderr
    csv_path = tmp_path / "shapes.csv"
    csv_path.write_text(CSV)

    context = chromium.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url) if "/assets/" in r.url else None)

    page.goto(f"{live_stack.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_stack.url}/account/")

    page.goto(f"{live_stack.url}/datasets/upload/")
    page.set_input_files("input[name=file]", str(csv_path))
    page.fill("input[name=name]", f"shapes-{username}")
    page.fill("input[name=default_target_attribute]", "kind")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")

    # The worker ingests it; the page polls and reloads itself once active.
    page.wait_for_selector(".badge:has-text('active')", timeout=60_000)
    assert "being processed" not in page.content()
    instances = page.locator("tr", has=page.locator("th", has_text="NumberOfInstances"))
    assert instances.first.locator("td").inner_text().strip() == "60"

    # A feature's distribution: plotly comes from the site, never a CDN.
    page.locator("td.plot-cell details summary").first.click()
    page.wait_for_selector(".plot .main-svg", timeout=20_000)
    assert failed == []

    # The Parquet download is the file whose SHA-256 the page shows.
    with page.expect_download() as info:
        page.locator("a[href$='/download/parquet/']").first.click()
    content = info.value.path().read_bytes()
    assert hashlib.sha256(content).hexdigest() in page.content()
    context.close()
