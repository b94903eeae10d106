"""A throwaway Tunebench stack in real processes: web server, celery worker, own database.

The end-to-end and browser tests use it to exercise what production runs: HTTP through a
real server, jobs through the real broker to a real ``celery worker`` process. It runs on
whatever the environment selects: SQLite + the filesystem broker by default, or MySQL +
Redis when DATABASE_URL / CELERY_BROKER_URL say so (CI's second leg), each stack with its
own database and broker key prefix so nothing leaks between runs.

The chaos tests (tests/e2e/test_runs_kill.py) start their own stack with extra settings
(``env``) and a given worker concurrency, then SIGKILL a pool child
(:meth:`Stack.kill_pool_child`) or the worker's whole process group
(:meth:`Stack.kill_worker`) and start a new worker (:meth:`Stack.start_worker`); they read
the stack's database directly with :meth:`Stack.query`.
"""

from __future__ import annotations

import contextlib
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
    def __init__(
        self, root: Path, *, env: dict[str, str] | None = None, concurrency: int = 2
    ) -> None:
        self.root = root
        self.concurrency = concurrency
        self.worker_starts = 0
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
        self.env.update(env or {})
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
        self.start_worker(wait=False)
        self._wait_for_web()
        ping = self.manage("ping_workers", "--wait", "60")
        if ping.returncode != 0:
            raise RuntimeError(f"worker did not answer:\n{ping.stdout}{ping.stderr}\n{self.logs()}")
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if name == "worker":
                self._kill_group(process)
        if self.mysql_db:
            _mysql(self.database_url, f"DROP DATABASE IF EXISTS `{self.mysql_db}`")

    # -- the worker -----------------------------------------------------------------------

    def start_worker(self, *, wait: bool = True, timeout: float = 60) -> subprocess.Popen:
        """Start a ``celery worker`` on every queue, in its own process group.

        With ``wait``, return once its log says it is ready (a heartbeat through
        ``ping_workers`` could queue behind a backlog on "score").
        """
        previous = self.processes.get("worker")
        if previous is not None and previous.poll() is None:
            raise RuntimeError("a worker is already running; kill it first")
        self.worker_starts += 1
        name = f"e2e-{self.port}" + (f"-r{self.worker_starts}" if self.worker_starts > 1 else "")
        bin_dir = Path(sys.executable).parent
        process = self._spawn(
            "worker",
            [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "default,score,execute",
                "-c",
                str(self.concurrency),
                "-n",
                f"{name}@%h",
                "-l",
                "info",
            ],
            new_group=True,
        )
        if wait:
            deadline = time.monotonic() + timeout
            marker = f"{name}@"
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    break
                lines = (self.root / "worker.log").read_text(errors="replace").splitlines()
                if any(marker in line and line.rstrip().endswith("ready.") for line in lines):
                    return process
                time.sleep(0.2)
            raise RuntimeError(f"worker did not become ready\n{self.logs()}")
        return process

    def worker_pool_children(self) -> list[int]:
        """Process ids of the running worker's pool children (Linux /proc)."""
        worker = self.processes["worker"]
        path = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_pool_child(self) -> int:
        """SIGKILL one pool child of the worker (the main process respawns it)."""
        children = self.worker_pool_children()
        if not children:
            raise RuntimeError(f"the worker has no pool child\n{self.logs()}")
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def kill_worker(self) -> None:
        """SIGKILL the worker's main process and all its children at once."""
        worker = self.processes["worker"]
        self._kill_group(worker)
        worker.wait(timeout=30)

    # -- the database ---------------------------------------------------------------------

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of one read-only SQL statement on the stack's database (``%s`` placeholders)."""
        if self.mysql_db:
            import MySQLdb

            parts = urlsplit(self.database_url)
            conn = MySQLdb.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 3306,
                user=parts.username or "root",
                password=parts.password or "",
                database=self.mysql_db,
            )
        else:
            import sqlite3

            conn = sqlite3.connect(self.root / "var" / "db.sqlite3", timeout=30)
            sql = sql.replace("%s", "?")
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    # -- helpers --------------------------------------------------------------------------

    def manage(
        self, *args: str, check: bool = False, timeout: float = 180
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def logs(self) -> str:
        out = []
        for name in self.processes:
            path = self.root / f"{name}.log"
            if path.exists():
                out.append(f"--- {name}.log (tail) ---\n" + path.read_text()[-4000:])
        return "\n".join(out)

    def spawn(self, name: str, argv: list[str], *, new_group: bool = False) -> subprocess.Popen:
        """Start a process of the stack (stopped by :meth:`stop`), logging to <name>.log."""
        return self._spawn(name, argv, new_group=new_group)

    def _spawn(self, name: str, argv: list[str], *, new_group: bool = False) -> subprocess.Popen:
        # Appends: a restarted process keeps the log of the one before it.
        log = open(self.root / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0 if new_group else None,
        )
        log.close()  # the child has its own copy of the descriptor
        self.processes[name] = process
        return process

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

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
