"""The sandbox in which a worker executes a submitted configuration.

A configuration is data (an estimator name from the registry and validated hyperparameters),
never code, so the sandbox guards against resource exhaustion and leaked secrets, not against
a hostile program: the process that fits the model gets a memory limit (RLIMIT_AS), a
wall-clock limit (SIGKILL), a CPU limit (RLIMIT_CPU), an output limit (RLIMIT_FSIZE), no core
dumps, one thread (OpenMP and BLAS included), and neither the database, the broker, the
credentials nor the environment of the worker.

Design: one *zygote* per worker process. `Sandbox` starts `python -m runs.sandbox` once, with
a minimal environment (no DATABASE_URL, TUNEBENCH_SECRET_KEY, CELERY_BROKER_URL, ...; see
`_zygote_environment`) and the repository root as its working directory. The zygote never
imports Django; it imports numpy, pandas, pyarrow, scipy, scikit-learn and the registry's
estimators once, then serves requests, one JSON line in on stdin and one JSON line out on
stdout. For each run it forks a child, which is therefore warm (no interpreter start, no
imports: the platform's overhead per run is a fork, far below our 0.3 s target) and clean
(the memory it inherits never held a credential, because the zygote never had one). The
child starts a new session, closes every inherited descriptor, sets its limits, reads the
job directory, fits and predicts every fold with `execute_configuration`, writes its outputs
and `os._exit`s. The zygote waits on a pidfd with the wall-clock deadline (no polling),
kills the child's process group when it expires, reaps it with `os.wait4` (peak memory and
CPU time) and replies with an `Outcome`. The zygote exits when its stdin reaches end of file,
i.e. when the worker is gone, and a child dies with its zygote (PR_SET_PDEATHSIG).

    limits = Limits(memory_mb=2048, wall_seconds=3600, cpu_seconds=3600)
    outcome = get_sandbox().execute(job_dir, limits)   # job.json, data.parquet, splits.npz in
    if outcome.status == "ok": ...                     # predictions.parquet, result.json out

The job directory holds `job.json` ({"estimator", "parameters", "seed", "task_type",
"class_labels", "target"}), `data.parquet` (the features and the target column) and
`splits.npz` (`assignment`, int32, repeats by rows, and `folds`), written by the caller. The
child writes `predictions.parquet` and `result.json` ({"timings", "environment"}) and its
output to `child.log`; on failure the zygote leaves `error.json` ({"code", "message"}).

Outcome codes: "memory_limit", "timeout" (wall clock or CPU), "estimator_error" (the
configuration raised; scikit-learn's message) and the retryable ones, "crashed" (killed by a
signal we did not send) and "sandbox_error" (the platform failed, not the configuration).

This module imports nothing outside the standard library at import time, and never Django.
Keep a `Sandbox` in the process that uses it: a process forked after the zygote started keeps
a copy of its pipes, and the zygote then sees end of file only when both are gone
(`get_sandbox` starts a fresh one in a forked process).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import json
import logging
import math
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent

OUTCOME_CODES = frozenset(
    {"memory_limit", "timeout", "crashed", "estimator_error", "sandbox_error"}
)
RETRYABLE_CODES = frozenset({"crashed", "sandbox_error"})

# The worker waits this much longer than the wall-clock limit for the zygote's reply (it
# covers starting the zygote and reaping the child) before it gives the zygote up.
REPLY_GRACE_SECONDS = 60.0

# Files of the job directory.
JOB, DATA, SPLITS = "job.json", "data.parquet", "splits.npz"
PREDICTIONS, RESULT, ERROR, CHILD_LOG = (
    "predictions.parquet",
    "result.json",
    "error.json",
    "child.log",
)

# How the child exits; the zygote also reads error.json, these are the fallback.
_EXIT_OK, _EXIT_MEMORY, _EXIT_ESTIMATOR, _EXIT_SANDBOX = 0, 3, 4, 5

# What the zygote imports before it forks, so a child never pays for an import.

# Libraries whose versions a run reports (distribution names).
_LIBRARIES = ("scikit-learn", "numpy", "pandas", "pyarrow", "scipy", "threadpoolctl")

# A child killed by one of these without saying why may have hit the memory limit inside C
# code (or the kernel's OOM killer): it counts as "memory_limit" when its resident memory
# grew by at least this share of the budget.
_MEMORY_SIGNALS = frozenset({signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS})
_MEMORY_SHARE = 0.9


@dataclass(frozen=True)
class Limits:
    """What one execution may use."""

    memory_mb: int  # address space above the zygote's own (RLIMIT_AS = its VmSize + this)
    wall_seconds: float  # the zygote SIGKILLs the child past this
    cpu_seconds: int  # RLIMIT_CPU (SIGXCPU)
    output_mb: int = 1024  # RLIMIT_FSIZE: the largest file the child may write

    def __post_init__(self) -> None:
        assert self.memory_mb > 0, "memory_mb must be positive"
        assert math.isfinite(self.wall_seconds), "wall_seconds must be finite"
        assert self.wall_seconds > 0, "wall_seconds must be positive"
        assert self.cpu_seconds > 0, "cpu_seconds must be positive"
        assert self.output_mb > 0, "output_mb must be positive"


@dataclass
class Outcome:
    """How an execution ended. `code` is "" when `status` is "ok", else one of
    OUTCOME_CODES; `message` is written for the run's owner. `retryable` is true only for
    "crashed" and "sandbox_error", where running the same job again may succeed."""

    status: str
    code: str
    message: str
    timings: list[dict] = field(default_factory=list)  # per fold, when ok
    environment: dict = field(default_factory=dict)  # python, libraries, platform, threads
    peak_memory_mb: float = 0.0  # the child's ru_maxrss
    cpu_seconds: float = 0.0  # the child's user + system time
    wall_seconds: float = 0.0
    retryable: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def failed(cls, code: str, message: str, **measured: Any) -> Outcome:
        assert code in OUTCOME_CODES, f"unknown outcome code {code!r}"
        return cls(
            status="failed",
            code=code,
            message=message,
            retryable=code in RETRYABLE_CODES,
            **measured,
        )


class SandboxError(Exception):
    """The zygote failed to answer (internal: `execute` turns it into a sandbox_error)."""


class Sandbox:
    """A worker's handle on its zygote, started on first use and restarted when it dies.

    Not for use from several processes: see the module docstring and `get_sandbox`. Calls
    from several threads of one process are serialised.
    """

    def __init__(self, *, testing: bool = False, user: str = "") -> None:
        self.testing = testing
        self.user = user  # drop to this user in the child when the worker runs as root
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None  # the zygote's stderr, an anonymous temporary file
        self._buffer = b""
        self._lock = threading.Lock()
        self._owner = os.getpid()

    @property
    def pid(self) -> int | None:
        """The zygote's pid while it runs."""
        process = self._process
        if process is None or process.poll() is not None:
            return None
        return process.pid

    def start(self) -> None:
        """Start the zygote now rather than on the first `execute` (idempotent)."""
        with self._lock:
            self._ensure_started()

    def execute(self, job_dir: Path, limits: Limits) -> Outcome:
        """Execute the job in `job_dir` under `limits`; never raises for a run's failure."""
        request = {
            "op": "execute",
            "job_dir": str(Path(job_dir).resolve()),
            "limits": asdict(limits),
            "user": self.user,
        }
        started = time.monotonic()
        with self._lock:
            try:
                reply = self._request(request, timeout=limits.wall_seconds + REPLY_GRACE_SECONDS)
                return Outcome(**{f.name: reply[f.name] for f in fields(Outcome)})
            except (SandboxError, OSError, KeyError, TypeError) as exc:
                logger.warning("sandbox: %s; restarting the zygote on next use", exc)
                self._stop()
                return Outcome.failed(
                    "sandbox_error",
                    f"The sandbox failed ({exc}); the run can be retried.",
                    wall_seconds=time.monotonic() - started,
                )

    def status(self) -> dict[str, Any]:
        """The zygote's pid, whether it loaded Django and its environment's keys (for tests)."""
        with self._lock:
            return self._request({"op": "status"}, timeout=REPLY_GRACE_SECONDS)

    def close(self) -> None:
        """Stop the zygote: end of file on its stdin (it kills a running child and exits),
        SIGKILL if it has not exited within 5 s."""
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            if os.getpid() != self._owner:  # a forked copy: the zygote is not ours to stop
                _close_quietly(process.stdin, process.stdout)
                return
            _close_quietly(process.stdin)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            _close_quietly(process.stdout, self._log)
            self._log = None

    # --- the worker's side of the protocol ----------------------------------------------------

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        self._log = tempfile.TemporaryFile(prefix="tunebench-zygote-")  # noqa: SIM115
        self._process = subprocess.Popen(
            [sys.executable, "-m", "runs.sandbox"],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=_zygote_environment(testing=self.testing),
            bufsize=0,
            close_fds=True,
            start_new_session=True,  # a Ctrl-C meant for the worker does not reach it
        )
        self._buffer = b""
        return self._process

    def _stop(self) -> None:
        """Kill the zygote (its child dies with it) and forget it."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            _close_quietly(process.stdin, process.stdout)
        if self._log is not None:
            _close_quietly(self._log)
            self._log = None

    def _request(self, request: dict[str, Any], *, timeout: float) -> dict[str, Any]:
        process = self._ensure_started()
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            _write_all(process.stdin.fileno(), json.dumps(request).encode() + b"\n")
        except OSError as exc:
            raise SandboxError(f"cannot reach the zygote: {exc}") from None
        line = self._read_line(process.stdout.fileno(), time.monotonic() + timeout)
        try:
            reply = json.loads(line)
        except ValueError:
            raise SandboxError(f"the zygote replied {line[:200]!r}") from None
        if not isinstance(reply, dict) or "error" in reply:
            raise SandboxError(f"the zygote refused the request: {reply!r:.500}")
        return reply

    def _read_line(self, fd: int, deadline: float) -> bytes:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxError("the zygote did not reply in time")
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise SandboxError(f"the zygote exited{self._log_tail()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(0, os.SEEK_END)
            self._log.seek(max(0, self._log.tell() - 2000))
            tail = self._log.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return f"; its last output: {tail}" if tail else ""


_instance: Sandbox | None = None
_instance_lock = threading.Lock()


def get_sandbox(*, testing: bool = False, user: str = "") -> Sandbox:
    """This process's sandbox, created on first use (and again in a forked process, or when
    asked for other settings). It is closed when the process exits."""
    global _instance
    with _instance_lock:
        if _instance is not None and _instance._owner != os.getpid():
            _instance.close()  # only drops this process's copy of the parent's pipes
            _instance = None
        if _instance is not None and (_instance.testing, _instance.user) != (testing, user):
            _instance.close()
            _instance = None
        if _instance is None:
            _instance = Sandbox(testing=testing, user=user)
        return _instance


@atexit.register
def _close_at_exit() -> None:
    if _instance is not None and _instance._owner == os.getpid():
        _instance.close()


def _zygote_environment(*, testing: bool) -> dict[str, str]:
    """The zygote's whole environment: nothing of the worker's but PATH (and PYTHONPATH when
    the worker needs one to import), so no secret can reach a run."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": "/nonexistent",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "BLIS_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        # Arrow's mimalloc/jemalloc reserve large address ranges up front, which RLIMIT_AS
        # counts; the system allocator asks for what it uses.
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        # Arrow's bundled jemalloc would start a background thread in the zygote.
        "JE_ARROW_MALLOC_CONF": "background_thread:false",
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if testing:
        env["TUNEBENCH_SANDBOX_TESTING"] = "1"
    return env


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _close_quietly(*files: Any) -> None:
    for file in files:
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()


# --- the zygote ---------------------------------------------------------------------------------


class _WorkerGone(Exception):
    """The zygote's stdin reached end of file: the worker exited."""


class _LineReader:
    """Lines from a descriptor, without Python's buffering (so poll() tells the truth)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def fill(self) -> None:
        chunk = os.read(self.fd, 65536)
        if not chunk:
            raise _WorkerGone
        self.buffer += chunk

    def readline(self) -> bytes:
        while b"\n" not in self.buffer:
            self.fill()
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


def _zygote_main() -> None:
    """Serve requests until the worker goes away."""
    # Replies get a private descriptor; anything a library prints goes to stderr instead of
    # corrupting the protocol.
    replies = os.dup(1)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    testing = os.environ.get("TUNEBENCH_SANDBOX_TESTING") == "1"
    environment = _preload()
    # A clean import path for runs: the repository root holds `datasets/`, `tasks/`, ... that
    # would shadow libraries of those names.
    here = {"", ".", str(REPO_ROOT), os.getcwd()}
    sys.path[:] = [entry for entry in sys.path if entry not in here]
    import gc

    gc.freeze()  # the preloaded heap stays shared with the children (no copy on write by gc)
    reader = _LineReader(0)
    try:
        while True:
            line = reader.readline()
            try:
                request = json.loads(line)
                if request.get("op") == "status":
                    reply: dict[str, Any] = {
                        "pid": os.getpid(),
                        "django_loaded": "django" in sys.modules,
                        "environ_keys": sorted(os.environ),
                    }
                elif request.get("op") == "execute":
                    reply = asdict(_execute(request, reader, testing, environment))
                else:
                    reply = {"error": f"unknown request {request!r:.200}"}
            except _WorkerGone:
                raise
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            _write_all(replies, json.dumps(reply, allow_nan=False).encode() + b"\n")
    except (_WorkerGone, BrokenPipeError):
        pass
    os._exit(0)


def _preload() -> dict[str, Any]:
    """Import everything a run needs, so a forked child starts warm; return what every run
    reports as its environment."""
    import ctypes
    import importlib.metadata
    import platform

    # Explicit statements, as everywhere (no import by name: tests/config/test_no_code_...).
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow
    import pyarrow.parquet  # noqa: F401
    import scipy  # noqa: F401
    import sklearn
    import sklearn.compose
    import sklearn.impute
    import sklearn.pipeline
    import sklearn.preprocessing  # noqa: F401
    import threadpoolctl  # noqa: F401

    import tunebench.engine
    import tunebench.engine.execute  # noqa: F401
    from runs.testing_estimators import _classes as testing_classes
    from tunebench.engine.registry import _classes

    _classes()  # every registry estimator's module
    testing_classes()
    global _LIBC
    _LIBC = ctypes.CDLL(None, use_errno=True)
    return {
        "python": platform.python_version(),
        "libraries": {name: importlib.metadata.version(name) for name in _LIBRARIES},
        "platform": platform.platform(),
    }


_LIBC: Any = None


def _execute(
    request: dict[str, Any], reader: _LineReader, testing: bool, environment: dict[str, Any]
) -> Outcome:
    """Fork a child for one job, wait for it under the wall-clock limit, classify its end."""
    job_dir = Path(request["job_dir"])
    limits = Limits(**request["limits"])
    user = str(request.get("user") or "")
    if not job_dir.is_dir():
        return Outcome.failed("sandbox_error", f"The job directory {job_dir} does not exist.")
    for name in (PREDICTIONS, RESULT, ERROR):  # a previous attempt's outputs
        (job_dir / name).unlink(missing_ok=True)
    resident_kib = _proc_status_kib("VmRSS")
    sys.stdout.flush()
    sys.stderr.flush()
    zygote = os.getpid()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the zygote's loop
        code = _EXIT_SANDBOX
        try:
            code = _child(job_dir, limits, testing, user, environment, zygote)
        finally:
            os._exit(code)
    killed = _wait(pid, started + limits.wall_seconds, reader)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    measured = {
        "peak_memory_mb": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "wall_seconds": wall,
    }
    grown_mb = (usage.ru_maxrss - resident_kib) / 1024
    outcome = _classify(job_dir, limits, status, killed, grown_mb, measured)
    if not outcome.ok:
        for name in (PREDICTIONS, RESULT):
            (job_dir / name).unlink(missing_ok=True)
        error = {"code": outcome.code, "message": outcome.message}
        (job_dir / ERROR).write_text(json.dumps(error))
    elif (job_dir / ERROR).is_file() and not (job_dir / ERROR).stat().st_size:
        (job_dir / ERROR).unlink()
    return outcome


def _wait(pid: int, deadline: float, reader: _LineReader) -> bool:
    """Wait until the child exits (not reaped yet), SIGKILLing its process group at the
    deadline; True if we killed it. End of file on stdin kills it and raises _WorkerGone."""
    try:
        pidfd: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None  # no pidfd (old kernel): poll the child every 10 ms
    poller = select.poll()
    poller.register(reader.fd, select.POLLIN)
    if pidfd is not None:
        poller.register(pidfd, select.POLLIN)
    killed = False
    try:
        while not _exited(pid):
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not killed:
                _kill_group(pid)
                killed = True
            if killed:
                timeout = None if pidfd is not None else 10
            else:
                timeout = remaining * 1000 if pidfd is not None else min(remaining * 1000, 10)
            for fd, _ in poller.poll(timeout):
                if fd == reader.fd:
                    try:
                        reader.fill()
                    except _WorkerGone:
                        _kill_group(pid)
                        os.waitpid(pid, 0)
                        raise
    finally:
        if pidfd is not None:
            os.close(pidfd)
    _kill_group(pid)  # whatever the child left in its group (it is a zombie, so no pid reuse)
    return killed


def _exited(pid: int) -> bool:
    result = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return result is not None


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _classify(
    job_dir: Path,
    limits: Limits,
    status: int,
    killed: bool,
    grown_mb: float,
    measured: dict[str, Any],
) -> Outcome:
    memory = f"The configuration used more than {limits.memory_mb} MiB of memory and was stopped."
    if killed:
        return Outcome.failed(
            "timeout",
            f"The configuration ran longer than {limits.wall_seconds:g} s and was stopped.",
            **measured,
        )
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU or (
            number == signal.SIGKILL and measured["cpu_seconds"] >= limits.cpu_seconds
        ):
            return Outcome.failed(
                "timeout",
                f"The configuration used more than {limits.cpu_seconds} s of CPU time and "
                "was stopped.",
                **measured,
            )
        if number in _MEMORY_SIGNALS and grown_mb >= _MEMORY_SHARE * limits.memory_mb:
            return Outcome.failed("memory_limit", memory, **measured)
        return Outcome.failed(
            "crashed",
            f"The process executing the configuration was killed by signal {number} "
            f"({_signal_name(number)}).",
            **measured,
        )
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == _EXIT_OK:
        result = _read_json(job_dir / RESULT)
        if (
            isinstance(result, dict)
            and isinstance(result.get("timings"), list)
            and (job_dir / PREDICTIONS).is_file()
            and (job_dir / PREDICTIONS).stat().st_size
        ):
            return Outcome(
                status="ok",
                code="",
                message="",
                timings=result["timings"],
                environment=result.get("environment", {}),
                **measured,
            )
        return Outcome.failed(
            "sandbox_error", "The configuration ended without writing its results.", **measured
        )
    error = _read_json(job_dir / ERROR)
    reported = error.get("code") if isinstance(error, dict) else None
    if code == _EXIT_MEMORY or reported == "memory_limit":
        return Outcome.failed("memory_limit", memory, **measured)
    if code in (_EXIT_ESTIMATOR, _EXIT_SANDBOX):
        kind = "estimator_error" if code == _EXIT_ESTIMATOR else "sandbox_error"
        message = error.get("message") if isinstance(error, dict) else None
        if not isinstance(message, str) or not message:
            message = f"The configuration failed (exit status {code}); see {CHILD_LOG}."
        return Outcome.failed(kind, message, **measured)
    return Outcome.failed(
        "sandbox_error",
        f"The process executing the configuration exited with status {code}.",
        **measured,
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _proc_status_kib(key: str) -> int:
    """A `kB` line of /proc/self/status (VmSize, VmRSS), in KiB."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(key.encode() + b":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {key}")


# --- the child ------------------------------------------------------------------------------------


def _child(
    job_dir: Path,
    limits: Limits,
    testing: bool,
    user: str,
    environment: dict[str, Any],
    zygote: int,
) -> int:
    """Run one job in the forked child; return its exit status. Everything that goes wrong
    before the configuration starts is the platform's fault (sandbox_error), everything
    after is the configuration's (estimator_error), except running out of memory."""
    os.setsid()
    _LIBC.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the zygote
    if os.getppid() != zygote:
        return _EXIT_SANDBOX
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(job_dir / CHILD_LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the protocol pipes, the pidfd, any socket
    error_file = None
    stage = "setup"
    try:
        os.chdir(job_dir)
        _set_limits(limits)
        predictions_file = open(PREDICTIONS, "wb")  # noqa: SIM115 (opened before dropping privileges)
        result_file = open(RESULT, "w")  # noqa: SIM115
        error_file = open(ERROR, "w")  # noqa: SIM115
        stage = "input"
        job, X, y, splits = _read_job()
        stage = "estimator"
        model = None
        if testing:
            from runs.testing_estimators import TESTING_ESTIMATORS, make_testing_model

            if job["estimator"] in TESTING_ESTIMATORS:
                model = make_testing_model(job["estimator"], job["parameters"], job["task_type"])
        from threadpoolctl import threadpool_info, threadpool_limits

        threadpool_limits(limits=1)
        if user and os.geteuid() == 0:
            stage = "setup"
            _drop_privileges(user)
            stage = "estimator"
        # OS threads before fitting and after each fold: a library that ignored the limit
        # would leave its thread pool behind (OpenMP and BLAS keep theirs alive).
        threads_before = _thread_count()
        threads_peak = [threads_before]

        def on_fold(repeat: int, fold: int) -> None:
            threads_peak.append(_thread_count())

        from tunebench.engine import dataframe_to_table
        from tunebench.engine.execute import execute_configuration

        predictions, timings = execute_configuration(
            job["estimator"],
            job["parameters"],
            seed=job["seed"],
            X=X,
            y=y,
            splits=splits,
            task_type=job["task_type"],
            class_labels=job["class_labels"],
            model=model,
            on_fold=on_fold,
        )
        import pyarrow.parquet as pq

        pq.write_table(dataframe_to_table(predictions), predictions_file)
        predictions_file.close()
        threads = {
            "pools": [
                {key: pool.get(key) for key in ("user_api", "internal_api", "num_threads")}
                for pool in threadpool_info()
            ],
            "os_threads": {"before_fit": threads_before, "peak": max(threads_peak)},
        }
        json.dump(
            {"timings": timings, "environment": {**environment, "threads": threads}},
            result_file,
            allow_nan=False,
        )
        result_file.close()
        return _EXIT_OK
    except MemoryError:
        _report(error_file, "memory_limit", "The configuration ran out of memory.")
        return _EXIT_MEMORY
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
            message = f"The configuration's output exceeded {limits.output_mb} MiB."
        else:
            message = f"{type(exc).__name__}: {exc}"[:2000]
        if stage == "estimator":
            _report(error_file, "estimator_error", message)
            return _EXIT_ESTIMATOR
        _report(error_file, "sandbox_error", f"Preparing the run failed: {message}")
        return _EXIT_SANDBOX


def _set_limits(limits: Limits) -> None:
    import resource

    # The budget counts from the address space the child inherits from the zygote.
    baseline = _proc_status_kib("VmSize") * 1024
    address_space = baseline + limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    # SIGXCPU at the soft limit; the kernel's SIGKILL at the hard one if that is ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 2))
    output = limits.output_mb * 2**20
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read_job() -> tuple[dict[str, Any], Any, Any, Any]:
    """The job's configuration, features, target and splits, from the working directory."""
    import numpy as np
    import pyarrow.parquet as pq

    from tunebench.engine import Splits, table_to_dataframe
    from tunebench.engine.execute import prepare_features, task_target

    with open(JOB, "rb") as file:
        job = json.load(file)
    # Not pq.read_table: its dataset reader starts Arrow's I/O threads.
    with pq.ParquetFile(DATA, pre_buffer=False) as file:
        table = file.read(use_threads=False)
    target = job["target"]
    X = prepare_features(table_to_dataframe(table.drop_columns([target])))
    y = task_target(
        table.column(target), task_type=job["task_type"], class_labels=job["class_labels"]
    )
    with np.load(SPLITS, allow_pickle=False) as arrays:
        assignment = arrays["assignment"]
        folds = int(arrays["folds"])
    splits = Splits(repeats=assignment.shape[0], folds=folds, assignment=assignment)
    return job, X, y, splits


def _drop_privileges(user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def _thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def _report(error_file: Any, code: str, message: str) -> None:
    if error_file is None:
        return
    try:
        error_file.seek(0)
        error_file.truncate()
        json.dump({"code": code, "message": message}, error_file)
        error_file.flush()
    except (OSError, MemoryError):
        pass


if __name__ == "__main__":
    _zygote_main()
