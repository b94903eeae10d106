"""Is the platform alive: worker heartbeats per queue, and the health endpoint's checks."""
