"""``manage.py requeue_stuck_runs [--loop] [--interval SECONDS]``: run the runs sweeper.

Once by default: re-sends the scoring message of runs queued for longer than
``TUNEBENCH_RUN_RESEND_AFTER_S`` and gives runs scoring for longer than
``TUNEBENCH_RUN_SCORE_DEADLINE_S`` a new attempt (``runs.services.requeue_stuck_runs``),
then prints the counts. With ``--loop`` it sweeps every ``--interval`` seconds until it is
stopped (SIGTERM or Ctrl-C), printing the counts of every sweep that changed something:
what beat's ``runs.requeue_stuck_runs`` does, for a stack that runs no beat (the
end-to-end kill test) or an operator who wants a sweep now.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections

from runs.services import requeue_stuck_runs


def _line(counts: dict[str, int]) -> str:
    return " ".join(f"{name}={counts[name]}" for name in ("resent", "retried", "failed", "orphans"))


class Command(BaseCommand):
    help = "Re-send lost scoring messages and retry stalled runs, once or in a loop."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Sweep again every --interval seconds."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="Seconds between sweeps with --loop (default 60).",
        )

    def handle(self, *args, loop: bool, interval: float, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive.")
        if not loop:
            self.stdout.write(_line(requeue_stuck_runs()))
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"sweeping every {interval:g} s")
        self.stdout.flush()
        try:
            while not stopping:
                close_old_connections()
                try:
                    counts = requeue_stuck_runs()
                except (OperationalError, InterfaceError) as exc:
                    # A database hiccup: the next sweep tries again.
                    self.stderr.write(f"sweep failed: {type(exc).__name__}: {exc}")
                else:
                    if any(counts.values()):
                        self.stdout.write(_line(counts))
                        self.stdout.flush()
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(0.2, interval))
        except KeyboardInterrupt:
            pass
        self.stdout.write("stopped")
