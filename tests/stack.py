"""A throwaway Tunebench stack in real processes: web server, celery worker, own database.

The end-to-end and browser tests use it to exercise what production runs: HTTP through a
real server, jobs through the real broker to a real ``celery worker`` process. It runs on
whatever the environment selects: SQLite + the filesystem broker by default, or MySQL +
Redis when DATABASE_URL / CELERY_BROKER_URL say so (CI's second leg), each stack with its
own database and broker key prefix so nothing leaks between runs.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mysql(url: str, statement: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    conn = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
    )
    try:
        conn.cursor().execute(statement)
    finally:
        conn.close()


class Stack:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TUNEBENCH_VAR_DIR": str(root / "var"),
            "TUNEBENCH_SITE_URL": self.url,
            "TUNEBENCH_BROKER_PREFIX": f"e2e-{secrets.token_hex(4)}:",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("TUNEBENCH_PROFILE", None)
        self.database_url = os.environ.get("DATABASE_URL", "")
        self.mysql_db = None
        if self.database_url.startswith("mysql://"):
            self.mysql_db = f"tunebench_e2e_{secrets.token_hex(4)}"
            parts = urlsplit(self.database_url)
            self.env["DATABASE_URL"] = urlunsplit(
                (parts.scheme, parts.netloc, f"/{self.mysql_db}", parts.query, "")
            )

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Stack:
        if self.mysql_db:
            _mysql(
                self.database_url,
                f"CREATE DATABASE `{self.mysql_db}` CHARACTER SET utf8mb4 "
                "COLLATE utf8mb4_unicode_ci",
            )
        self.manage("migrate", "--noinput", check=True)
        bin_dir = Path(sys.executable).parent
        self._spawn(
            "web",
            [
                str(bin_dir / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "2",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
        )
        self._spawn(
            "worker",
            [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "default,score,execute",
                "-c",
                "2",
                "-n",
                f"e2e-{self.port}@%h",
                "-l",
                "info",
            ],
        )
        self._wait_for_web()
        ping = self.manage("ping_workers", "--wait", "60")
        if ping.returncode != 0:
            raise RuntimeError(f"worker did not answer:\n{ping.stdout}{ping.stderr}\n{self.logs()}")
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.mysql_db:
            _mysql(self.database_url, f"DROP DATABASE IF EXISTS `{self.mysql_db}`")

    # -- helpers --------------------------------------------------------------------------

    def manage(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=check,
        )

    def logs(self) -> str:
        out = []
        for name in self.processes:
            path = self.root / f"{name}.log"
            if path.exists():
                out.append(f"--- {name}.log (tail) ---\n" + path.read_text()[-4000:])
        return "\n".join(out)

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.root / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def _wait_for_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes["web"].poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/health/", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"web server did not come up at {self.url}\n{self.logs()}")
