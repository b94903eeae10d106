"""Browser tests: Chromium through Playwright against a live stack."""
