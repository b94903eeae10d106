"""The website: server-rendered pages that read through selectors and write through services."""
