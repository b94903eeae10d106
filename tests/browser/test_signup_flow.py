"""A person's first visit, in Chromium against a live stack: sign up, make a team, get an
API key, and use that key from the ``tunebench`` Python client.

Needs /usr/bin/chromium: skips without it on a developer's machine, fails under CI=true.
With ``TUNEBENCH_SCREENSHOTS=1`` it also writes the documentation's screenshots (home,
account and team pages at desktop and phone widths) to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD, VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot_pages(browser, base_url: str, storage_state: dict, pages: dict[str, str]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, storage_state=storage_state)
        page = context.new_page()
        for name, path in pages.items():
            page.goto(base_url + path)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)
        context.close()


def test_sign_up_create_team_and_api_key_then_use_the_key_from_python(chromium, live_stack):
    username = f"ada{secrets.token_hex(3)}"
    team_name = f"Analytical Engines {username}"
    context = chromium.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)

    # Sign up: the account page greets the new user, who is signed in.
    page.goto(f"{live_stack.url}/accounts/signup/")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_stack.url}/account/")
    assert f"Welcome to Tunebench, {username}!" in page.inner_text(".messages")
    assert page.inner_text(".session-user") == username

    # Create a team: it opens on its own page, with the creator as its owner.
    page.goto(f"{live_stack.url}/teams/")
    page.fill("#id_name", team_name)
    page.fill("#id_description", "Benchmarks of gradient boosting on tabular data.")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/teams/[-a-z0-9]+/$"))
    team_path = page.url.removeprefix(live_stack.url)
    team_slug = team_path.strip("/").split("/")[-1]
    assert page.inner_text("h1") == team_name
    assert page.locator("table.members tbody tr").count() == 1

    # Create an API key: htmx swaps the keys section, so the address stays /account/.
    page.goto(f"{live_stack.url}/account/")
    page.fill("#id_name", "laptop")
    page.click("#api-keys form button[type=submit]")
    page.wait_for_selector("#new-api-key")
    key = page.inner_text("#new-api-key").strip()
    assert re.fullmatch(r"tb_[0-9a-f]{10}_[A-Za-z0-9_-]+", key), key
    assert page.url == f"{live_stack.url}/account/"
    assert "it will not be shown again" in page.inner_text("#api-keys")

    # Shown once: reloading the account page does not show it again.
    page.reload()
    assert page.locator("#new-api-key").count() == 0
    assert key not in page.content()
    assert page.locator("#api-keys tbody tr").count() == 1

    # The key works from the Python client.
    import tunebench

    client = tunebench.connect(url=live_stack.url, api_key=key)
    me = client.whoami()
    assert me.username == username
    assert [(team.slug, team.name, team.role) for team in me.teams] == [
        (team_slug, team_name, "owner")
    ]
    assert team_slug in [team.slug for team in client.list_teams()]

    if os.environ.get("TUNEBENCH_SCREENSHOTS") == "1":
        screenshot_pages(
            chromium,
            live_stack.url,
            context.storage_state(),
            {"home": "/", "account": "/account/", "team": team_path},
        )
    context.close()
