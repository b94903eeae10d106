"""Benchmark: server-side execution (issue 6) through a real stack, against floors measured in
the same run.

Starts throwaway stacks with `tests.stack.Stack` (gunicorn + a real celery worker on every
queue, own database and broker key prefix): the embedded default (SQLite + the filesystem
broker) and/or MySQL + Redis (`--database-url`, `--broker-url`, default the environment's
DATABASE_URL / CELERY_BROKER_URL or mysql://root@127.0.0.1:3306/tunebench and
redis://127.0.0.1:6379/0; the Stack creates and drops a database of its own on that server).
Everything goes through HTTP as a client would: a Parquet dataset uploaded, a task defined
(ingested and split by the worker), configurations submitted to `POST /api/v1/submissions/`;
a run's figures come from `GET /api/v1/runs/{id}/` (`created_at`, `started_at` = the scoring
claim, `finished_at`, `fold_timings`, `resources`) and its `enqueued_at` from the stack's
database. The bench waits for runs by polling the stack's database (`SELECT status` on one
autocommit connection) every 20 ms in (a), 100 ms in (b) and (c), not the API, so waiting
costs the 2 cores next to nothing; the figures are the runs' own timestamps, the
client-observed ones are printed beside them. The stacks run with TUNEBENCH_DEBUG=0 (as in
production; the e2e tests keep Django's debug mode), TUNEBENCH_EXECUTE_CONCURRENCY=4 and
TUNEBENCH_EXECUTE_SLOTS=8 (the defaults, set explicitly: one user's runs are never capped
below 2 in flight).

(a) Fixed overhead per run, on every stack asked for (`--stack`): a 100-row, 4-feature,
    3-class task with 4-fold stratified CV (procedure 25), `DecisionTreeClassifier` with its
    defaults, one seed per submission, one run at a time: `--runs` (default 20) measured
    after a warm-up of 2 submissions at once (so both gunicorn workers and both pool
    processes have served one; the slower POST is printed as the cold-start figure) and
    `--warmup` (default 3) one at a time. Overhead = (finished_at - created_at) - the sum over
    folds of (fit_seconds + predict_seconds): the floor is the fit itself, timed by the sandbox
    in the same run. Target: median <= 0.3 s, judged on MySQL + Redis (the embedded default's
    figure is reported beside it). Also printed: p90s, the client-observed submit -> done
    (POST sent until the poll sees "done"), the POST's latency, total / fit, and where the
    time goes, per phase (medians over the runs), from the run's timestamps and the worker
    log's ("Task runs.* received" and "succeeded", milliseconds):
      submit -> dispatched    created_at -> enqueued_at (the commit, then dispatch_runs in the
                              web process: its queries and the claim)
      broker hop              enqueued_at -> the execute_run job received (the filesystem
                              broker polls every 0.1 s)
      job before/after sandbox  the job received -> the scoring claim, minus the sandbox's
                              wall time (claim, the job directory: data Parquet, splits,
                              job.json; then the predictions' validation, checked copy,
                              checksums, file rows)
      sandbox beyond fit      the child's wall time (fork -> reaped) - sum(fit + predict):
                              read the job, prepare the features, write the predictions
      scoring                 the scoring claim -> finished_at (runs.services.score_run)
      after done              finished_at -> the job's end (re-verification check,
                              dispatch_runs): not in the figure, but the worker is busy
    and the CPU the stack's processes used per run.
(b) Platform against raw scikit-learn: a 20,000-row `make_classification` dataset (20 numeric
    features, 3 classes; `--rows-b`), 10-fold stratified CV (procedure 1),
    `HistGradientBoostingClassifier` with its defaults, seed 0. Raw: in this process, while
    the stack is idle, `sklearn.model_selection.cross_validate(pipeline, X, y, cv=<the task's
    splits, downloaded>, n_jobs=1, scoring=("accuracy", "neg_log_loss"))` (so predict and
    predict_proba, as the platform does), with the registry's pipeline
    (`tunebench.engine.build_pipeline`: median imputation + scaling + the estimator,
    random_state=seed) on the dataset Parquet the server stores (downloaded, prepared with
    `prepare_features` / `task_target` as the sandbox does), under
    `threadpoolctl.threadpool_limits(1)`: the sandbox runs single-threaded, so the baseline
    does too. Platform: finished_at - created_at of the server run. Best of `--repeat-b`
    (default 2) interleaved pairs (raw, then platform; each platform run by another user, so
    the same seed is executed again). Target: platform / raw <= 1.10. Printed beside it:
    the CPU seconds of the raw side and of the sandbox child, and both accuracies (same
    pipeline, seed and splits: they must agree).
(c) Throughput: `--runs-c` (default 40) runs of `RandomForestClassifier` n_estimators=50 on
    a 2,000-row task (`--rows-c`) with 4-fold CV, submitted as submissions of 20 seeds,
    after a warm-up of 2 submissions of 2 seeds at once; first on the stack of (a) and (b),
    which has 2 worker processes, then on a new one with 1. Wall time = last finished_at -
    first created_at. Target: t(1) / t(2) >= 1.8. Floor, measured just before, with the
    stack idle: the same fit work (`cross_validate` of the same pipeline on the same data,
    4 folds; 10 runs' worth) in a fork pool of 1, then of 2 plain processes, i.e. how far
    this machine scales from 1 to 2 processes at that moment without the platform.

Every measured window also prints where the machine's CPU went (core-seconds from
/proc/stat, and per process from /proc/<pid>/stat): the stack's process trees (web, worker,
zygotes, runs), the MySQL and Redis servers (shared with any other session), this bench,
everything else (other sessions' processes; those alive throughout the window are named),
and steal time: on a shared 2-core machine, that line says whether a figure is worth
anything. (b) and (c) run on MySQL + Redis (on the embedded stack with `--stack embedded`).
Prints a table per part and every target with PASS or MISS; exits 0 either way (it is a
measurement), 1 when something fails (a run not done, a stack that did not start), 130 on
Ctrl-C or SIGTERM. Every process it starts is stopped at the end, on an error or Ctrl-C too.
Usage:

    .venv/bin/python bench/execute.py                   # full run, about 3 minutes
    .venv/bin/python bench/execute.py --quick           # smoke run, about 1.5 minutes
    .venv/bin/python bench/execute.py --stack mysql --parts a,b --keep   # keep the logs
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # tests.stack

from tests.stack import Stack  # noqa: E402 - after the path is set

OVERHEAD_TARGET_S = 0.3
RAW_RATIO_TARGET = 1.10
SPEEDUP_TARGET = 1.8

DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/tunebench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"

TREE = "sklearn.tree.DecisionTreeClassifier"
HGB = "sklearn.ensemble.HistGradientBoostingClassifier"
FOREST = "sklearn.ensemble.RandomForestClassifier"
TEN_FOLD = 1  # 10-fold stratified cross-validation
FOUR_FOLD = 25  # 4-fold stratified cross-validation
MAX_SEEDS_PER_SUBMISSION = 20  # the server takes up to 25

STACK_ENV = {
    "TUNEBENCH_EXECUTE_CONCURRENCY": "4",
    "TUNEBENCH_EXECUTE_SLOTS": "8",
    "TUNEBENCH_DEBUG": "0",
    "TUNEBENCH_LOG_LEVEL": "INFO",
}
LABELS = {"embedded": "embedded (SQLite + filesystem)", "mysql": "MySQL + Redis"}


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def p90(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# -- the stack -------------------------------------------------------------------------------


@contextlib.contextmanager
def running_stack(
    kind: str, root: Path, *, concurrency: int, urls: dict[str, str]
) -> Iterator[Stack]:
    """A started Stack on the embedded default or on MySQL + Redis, stopped on the way out
    (whatever happens, Ctrl-C included)."""
    saved = {name: os.environ.get(name) for name in urls}
    try:
        for name, value in urls.items():
            if kind == "mysql":
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        stack = Stack(root, env=STACK_ENV, concurrency=concurrency)  # reads the environment
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    progress(f"starting a {LABELS[kind]} stack, {concurrency} worker process(es), in {root}")
    try:
        stack.start()
        progress(f"stack up in {time.perf_counter() - started:.1f} s at {stack.url}")
        yield stack
    finally:
        stack.stop()
        progress(f"{LABELS[kind]} stack stopped")


class Database:
    """One autocommit connection to the stack's database: polling it costs next to nothing."""

    def __init__(self, stack: Stack) -> None:
        if stack.mysql_db:
            import MySQLdb

            parts = urlsplit(stack.database_url)
            self.conn = MySQLdb.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 3306,
                user=parts.username or "root",
                password=parts.password or "",
                database=stack.mysql_db,
                autocommit=True,
            )
            self.placeholder = "%s"
        else:
            self.conn = sqlite3.connect(
                stack.root / "var" / "db.sqlite3", timeout=30, isolation_level=None
            )
            self.placeholder = "?"

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql.replace("%s", self.placeholder), tuple(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def runs(self, ids: Sequence[int], columns: str) -> list[tuple]:
        marks = ", ".join(["%s"] * len(ids))
        return self.rows(f"SELECT {columns} FROM runs_run WHERE id IN ({marks})", ids)  # noqa: S608 - placeholders only

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


def timestamp(value: Any) -> datetime:
    """An aware UTC datetime from the API (ISO, "Z") or the database (naive UTC)."""
    if value is None:
        raise ValueError("no timestamp")
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace(" ", "T"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def json_column(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


# -- the client ------------------------------------------------------------------------------


class Client:
    """An API client as one user (a key made with manage.py create_api_key)."""

    def __init__(self, stack: Stack, username: str) -> None:
        import requests

        created = stack.manage("create_api_key", username, "--create-user")
        if created.returncode != 0:
            raise RuntimeError(f"create_api_key failed: {created.stderr}")
        self.url = stack.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {created.stdout.split()[-1]}"

    def get(self, path: str) -> Any:
        response = self.session.get(f"{self.url}{path}", timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:2000]}")
        return response

    def post(self, path: str, expect: Sequence[int], **kwargs: Any) -> dict:
        response = self.session.post(f"{self.url}{path}", timeout=300, **kwargs)
        if response.status_code not in expect:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:2000]}")
        return response.json()

    def submit(self, task_id: int, estimator: str, parameters: dict, seeds: list[int]) -> list[int]:
        body = self.post(
            "/api/v1/submissions/",
            (201,),
            json={
                "task": task_id,
                "estimator": estimator,
                "parameters": parameters,
                "seeds": seeds,
            },
        )
        return [run["id"] for run in body["runs"]]

    def submit_together(
        self, task_id: int, estimator: str, parameters: dict, seed_groups: list[list[int]]
    ) -> tuple[list[float], list[int]]:
        """One submission per seed group, all at once (one thread each): every gunicorn
        worker takes one while another is busy, so each pays its first-submission cost here
        (and the runs reach every pool process). Returns each POST's seconds and the runs."""
        import threading

        results: list[Any] = [None] * len(seed_groups)

        def post(index: int) -> None:
            try:
                begin = time.perf_counter()
                runs = Client.submit(
                    self.clone(), task_id, estimator, parameters, seed_groups[index]
                )
                results[index] = (time.perf_counter() - begin, runs)
            except Exception as exc:  # reported below
                results[index] = exc

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(seed_groups))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result in results:
            if isinstance(result, Exception):
                raise result
        return [seconds for seconds, _ in results], [run for _, runs in results for run in runs]

    def clone(self) -> Client:
        """The same user with a session of its own (a session is not for several threads)."""
        import requests

        other = object.__new__(Client)
        other.url = self.url
        other.session = requests.Session()
        other.session.headers.update(self.session.headers)
        return other

    def wait_while_processing(self, path: str, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.get(path).json()
            if body["status"] != "processing":
                return body
            time.sleep(0.3)
        raise RuntimeError(f"{path} still processing after {timeout} s")


def make_task(client: Client, table, *, name: str, procedure: int) -> dict:
    """Upload `table` as Parquet (target "class"), define its classification task, wait for
    the worker to ingest the dataset and generate the splits; returns the task's JSON."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    uploaded = client.post(
        "/api/v1/datasets/",
        (202,),
        data={"name": name, "default_target_attribute": "class"},
        files={"file": (f"{name}.parquet", buffer.getvalue())},
    )
    dataset = client.wait_while_processing(f"/api/v1/datasets/{uploaded['id']}/")
    if dataset["status"] != "active":
        raise RuntimeError(f"dataset {name} not ingested: {dataset}")
    created = client.post(
        "/api/v1/tasks/",
        (201,),
        json={
            "dataset_id": dataset["id"],
            "task_type": "classification",
            "target": "class",
            "estimation_procedure": procedure,
            "seed": 1,
        },
    )
    task = client.wait_while_processing(f"/api/v1/tasks/{created['id']}/")
    if task["status"] != "active":
        raise RuntimeError(f"task on {name} not active: {task}")
    return task


def classification_table(rows: int, features: int, *, informative: int, seed: int):
    import numpy as np
    import pyarrow as pa
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=rows,
        n_features=features,
        n_informative=informative,
        n_redundant=min(4, features - informative),
        n_classes=3,
        random_state=seed,
    )
    labels = np.array(["c0", "c1", "c2"])
    return pa.table({**{f"x{j}": X[:, j] for j in range(features)}, "class": labels[y]})


def wait_finished(db: Database, run_ids: Sequence[int], *, every: float, timeout: float) -> None:
    """Until every run is done or failed (raises on a failure or a timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = db.runs(run_ids, "id, status, error_code")
        finished = [row for row in rows if row[1] in ("done", "failed")]
        if len(finished) == len(run_ids):
            failed = [row for row in finished if row[1] == "failed"]
            if failed:
                raise RuntimeError(f"runs failed (id, status, error): {failed}")
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"runs unfinished after {timeout} s: {rows}")
        time.sleep(every)


# -- CPU accounting --------------------------------------------------------------------------

SERVER_NAMES = frozenset({"mysqld", "mariadbd", "redis-server"})


def _proc_stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds of it and its reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        rest = text[text.rindex(")") + 2 :].split()
        cpu = sum(int(value) for value in rest[11:15]) / tick  # utime stime cutime cstime
        found[int(entry.name)] = (int(rest[1]), name, cpu)
    return found


@dataclass
class CpuSample:
    machine: float  # busy core-seconds since boot, every process on the machine
    steal: float  # core-seconds the hypervisor gave to others while we wanted to run
    stack: float  # the stack's web and worker process trees (zygotes and runs included)
    servers: float  # the MySQL and Redis servers (shared with other sessions)
    bench: float  # this process and its children that ended (the floor's pool, manage.py)
    at: float
    others: dict[int, tuple[str, float]]  # every other process: pid -> (name, CPU seconds)


def cpu_sample(stack: Stack | None) -> CpuSample:
    tick = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    machine = (sum(values[:7]) - values[3] - values[4]) / tick
    stats = _proc_stats()
    roots = {process.pid for process in stack.processes.values()} if stack else set()
    children: dict[int, list[int]] = {}
    for pid, (parent, _name, _cpu) in stats.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = set(), [pid for pid in roots if pid in stats]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(children.get(pid, ()))
    own = os.times()
    me = os.getpid()
    return CpuSample(
        machine=machine,
        steal=values[7] / tick,
        stack=sum(stats[pid][2] for pid in tree),
        servers=sum(cpu for _p, name, cpu in stats.values() if name in SERVER_NAMES),
        bench=own.user + own.system + own.children_user + own.children_system,
        at=time.perf_counter(),
        others={
            pid: (name, cpu)
            for pid, (parent, name, cpu) in stats.items()
            if pid not in tree and name not in SERVER_NAMES and me not in (pid, parent)
        },
    )


def cpu_window(before: CpuSample, after: CpuSample) -> str:
    """Where the machine's CPU went between two samples, in core-seconds."""
    wall = after.at - before.at
    machine = after.machine - before.machine
    stack = after.stack - before.stack
    servers = after.servers - before.servers
    bench = after.bench - before.bench
    others = machine - stack - servers - bench
    named = sorted(
        (
            (cpu - before.others[pid][1], name)
            for pid, (name, cpu) in after.others.items()
            if pid in before.others
        ),
        reverse=True,
    )
    top = ", ".join(f"{name} {cpu:.1f}" for cpu, name in named[:3] if cpu >= 0.1)
    top = f"alive throughout: {top}" if top else "none alive throughout above 0.1"
    return (
        f"CPU in {wall:.1f} s ({os.cpu_count()} cores): machine busy {machine:.1f} core-s = "
        f"stack {stack:.1f} + MySQL/Redis servers {servers:.1f} + bench {bench:.1f} + "
        f"everything else {others:.1f} ({top}); "
        f"steal {after.steal - before.steal:.1f}"
    )


# -- the worker log --------------------------------------------------------------------------

LOG_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO \S+ Task (runs\.\w+)\[([0-9a-f-]+)\] "
    r"(?:(received)|succeeded in ([0-9.e-]+)s)"
)


@dataclass
class Job:
    name: str
    received: datetime
    succeeded: datetime | None = None
    runtime: float | None = None


def worker_jobs(stack: Stack) -> list[Job]:
    """The runs.* jobs of the worker log, in the order received (log times are local)."""
    jobs: dict[str, Job] = {}
    path = stack.root / "worker.log"
    for line in path.read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if not match:
            continue
        when = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").astimezone(UTC)
        if match[4]:
            jobs.setdefault(match[3], Job(match[2], when))
        elif match[3] in jobs:
            jobs[match[3]].succeeded = when
            jobs[match[3]].runtime = float(match[5])
    return sorted(jobs.values(), key=lambda job: job.received)


def first_job(jobs: list[Job], name: str, after: datetime, before: datetime) -> Job | None:
    slack = 0.002  # the log has milliseconds
    for job in jobs:
        if job.name == name and after.timestamp() - slack <= job.received.timestamp():
            return job if job.received.timestamp() <= before.timestamp() + slack else None
    return None


# -- (a) fixed overhead per run --------------------------------------------------------------

PHASES = (
    "submit -> dispatched",
    "broker hop",
    "job before/after sandbox",
    "sandbox beyond fit",
    "fit + predict",
    "scoring",
)


@dataclass
class RunFigures:
    created: datetime  # created_at: the submission's transaction
    enqueued: datetime  # enqueued_at: the dispatcher sent its message
    scoring: datetime  # started_at of a finished run: the scoring claim
    total: float  # finished_at - created_at
    fit: float  # sum of fit + predict seconds over the folds
    sandbox: float  # the sandbox child's wall seconds
    observed: float = 0.0  # POST sent -> the poll sees done
    post: float = 0.0  # the POST's own latency
    phases: dict[str, float] = field(default_factory=dict)  # filled by attach_phases

    @property
    def overhead(self) -> float:
        return self.total - self.fit


def run_figures(run: dict, enqueued: Any, observed: float = 0.0, post: float = 0.0) -> RunFigures:
    """A finished run's figures from its API JSON (and enqueued_at from the database)."""
    created, scoring, finished = (
        timestamp(run[key]) for key in ("created_at", "started_at", "finished_at")
    )
    return RunFigures(
        created=created,
        enqueued=timestamp(enqueued),
        scoring=scoring,
        total=(finished - created).total_seconds(),
        fit=sum(t["fit_seconds"] + t["predict_seconds"] for t in run["fold_timings"]),
        sandbox=run["resources"]["wall_seconds"],
        observed=observed,
        post=post,
    )


def attach_phases(figures: list[RunFigures], jobs: list[Job]) -> None:
    """Each run's phases, from its timestamps and its two jobs in the worker log (runs one
    at a time: the first execute_run received after enqueued_at). A run not found in the log
    is left out of the breakdown."""
    for run in figures:
        created, enqueued, scoring = (
            run.created.timestamp(),
            run.enqueued.timestamp(),
            run.scoring.timestamp(),
        )
        finished = created + run.total
        execute = first_job(
            jobs, "runs.execute_run", run.enqueued, datetime.fromtimestamp(finished, UTC)
        )
        if execute is None:
            continue
        run.phases = {
            "submit -> dispatched": enqueued - created,
            "broker hop": execute.received.timestamp() - enqueued,
            "job before/after sandbox": scoring - execute.received.timestamp() - run.sandbox,
            "sandbox beyond fit": run.sandbox - run.fit,
            "fit + predict": run.fit,
            "scoring": finished - scoring,
        }
        if execute.succeeded is not None:
            run.phases["_after done"] = execute.succeeded.timestamp() - finished


def part_a(stack: Stack, db: Database, *, runs: int, warmup: int) -> tuple[list[RunFigures], str]:
    import numpy as np
    import pyarrow as pa

    client = Client(stack, "bench-a")
    rng = np.random.default_rng(0)
    rows = 100
    table = pa.table(
        {
            **{f"x{j}": rng.normal(0, 1, rows) for j in range(4)},
            "class": np.array(["a", "b", "c"])[np.arange(rows) % 3],
        }
    )
    task = make_task(client, table, name="bench-execute-tiny", procedure=FOUR_FOLD)
    progress(f"(a) load {load()}; {warmup} warm-up + {runs} runs, one at a time")
    cold, warm = client.submit_together(task["id"], TREE, {}, [[10_000], [10_001]])
    wait_finished(db, warm, every=0.02, timeout=300)
    figures = []
    before = cpu_sample(stack)
    for seed in range(warmup + runs):
        if seed == warmup:
            before = cpu_sample(stack)
        begin = time.perf_counter()
        (run_id,) = client.submit(task["id"], TREE, {}, [seed])
        posted = time.perf_counter()
        wait_finished(db, [run_id], every=0.02, timeout=300)
        observed = time.perf_counter() - begin
        run = client.get(f"/api/v1/runs/{run_id}/").json()
        ((enqueued,),) = db.runs([run_id], "enqueued_at")
        if seed >= warmup:
            figures.append(run_figures(run, enqueued, observed, posted - begin))
    after = cpu_sample(stack)
    attach_phases(figures, worker_jobs(stack))
    per_run = (after.stack - before.stack) / runs
    return figures, (
        f"{cpu_window(before, after)}; the stack's CPU per run (its POST and one GET "
        f"included) {per_run:.3f} s; first "
        f"submission on each fresh web worker (2 at once): POST {max(cold):.2f} s"
    )


def report_a(
    results: dict[str, tuple[list[RunFigures], str]],
) -> list[tuple[str, bool | None, str]]:
    print()
    any_runs = next(iter(results.values()))[0]
    print(
        f"(a) fixed overhead per run: 100 rows x 4 features, 3 classes, 4-fold CV, "
        f"DecisionTreeClassifier; {len(any_runs)} runs one at a time after warm-up; "
        "seconds, median / p90"
    )
    print(
        f"{'stack':<32} {'submit->done':>15} {'fit+predict':>12} {'overhead':>15} "
        f"{'client-observed':>16} {'POST':>7} {'total/fit':>9}"
    )
    verdicts = []
    for kind, (runs, _window) in results.items():
        total = [r.total for r in runs]
        fit = [r.fit for r in runs]
        overhead = [r.overhead for r in runs]
        observed = [r.observed for r in runs]
        print(
            f"{LABELS[kind]:<32} {median(total):7.3f} / {p90(total):5.3f} {median(fit):12.3f} "
            f"{median(overhead):7.3f} / {p90(overhead):5.3f} "
            f"{median(observed):8.3f} / {p90(observed):5.3f} {median([r.post for r in runs]):7.3f} "
            f"{median(total) / median(fit):9.1f}"
        )
        judged = kind == "mysql" or "mysql" not in results
        ok = median(overhead) <= OVERHEAD_TARGET_S
        verdicts.append(
            (
                f"(a) overhead median, {LABELS[kind]}: {median(overhead):.3f} s "
                f"(target <= {OVERHEAD_TARGET_S} s)",
                ok if judged else None,
                verdict(ok) if judged else f"report only ({verdict(ok)} against the target)",
            )
        )
    print("where the time goes, median per phase over the runs (s; medians need not add up):")
    print(f"  {'phase':<28}" + "".join(f"{LABELS[kind]:>32}" for kind in results))
    for phase in (*PHASES, "_after done"):
        cells = []
        for runs, _window in results.values():
            values = [r.phases[phase] for r in runs if phase in r.phases]
            cells.append(f"{median(values):32.3f}" if values else f"{'-':>32}")
        name = "after done (not counted)" if phase == "_after done" else phase
        print(f"  {name:<28}" + "".join(cells))
    counted = [sum(1 for r in runs if "scoring" in r.phases) for runs, _ in results.values()]
    print(
        f"  (runs matched in the worker log: {', '.join(map(str, counted))}; the sandbox's "
        "wall time is fork -> reaped in the zygote)"
    )
    for kind, (_runs, window) in results.items():
        print(f"  {LABELS[kind]}: {window}")
    return verdicts


# -- (b) platform against raw scikit-learn ---------------------------------------------------


@dataclass
class PairFigures:
    raw: float
    platform: float
    fit: float
    sandbox: float
    raw_accuracy: float
    platform_accuracy: float
    raw_cpu: float  # this process's CPU seconds during cross_validate
    sandbox_cpu: float  # the sandbox child's
    raw_window: str
    platform_window: str


def part_b(stack: Stack, db: Database, *, rows: int, repeat: int, work: Path) -> list[PairFigures]:
    import numpy as np
    import pyarrow.parquet as pq
    from sklearn.model_selection import cross_validate
    from threadpoolctl import threadpool_limits

    from tunebench import engine
    from tunebench.engine.execute import feature_columns, prepare_features, task_target

    clients = [Client(stack, f"bench-b{k}") for k in range(repeat)]
    table = classification_table(rows, 20, informative=10, seed=0)
    task = make_task(clients[0], table, name="bench-execute-hgb", procedure=TEN_FOLD)
    # What the sandbox reads: the dataset Parquet as the server stores it, the task's splits.
    dataset_file = work / "hgb-data.parquet"
    dataset_file.write_bytes(
        clients[0].get(f"/api/v1/datasets/{task['dataset']['id']}/download/parquet").content
    )
    splits_file = work / "hgb-splits.parquet"
    splits_file.write_bytes(clients[0].get(task["splits"]["parquet"]["url"]).content)
    stored = pq.read_table(dataset_file)
    splits = engine.read_splits_parquet(splits_file)
    X = prepare_features(engine.table_to_dataframe(stored.drop_columns(["class"])))
    y = task_target(stored.column("class"), task_type=1, class_labels=task["class_labels"])
    y_text = np.asarray(y.astype(object))  # classifiers are fitted on the label text
    cv = [(train, test) for _repeat, _fold, train, test in splits.iter_folds()]
    nominal, numeric, _ = feature_columns(X)

    pairs = []
    for k, client in enumerate(clients):
        progress(f"(b) pair {k + 1}/{repeat}: raw cross_validate, load {load()}")
        pipeline = engine.build_pipeline(
            HGB, {}, seed=0, nominal_columns=nominal, numeric_columns=numeric
        )
        with threadpool_limits(limits=1):
            before = cpu_sample(stack)
            begin = time.perf_counter()
            scores = cross_validate(
                pipeline, X, y_text, cv=cv, n_jobs=1, scoring=("accuracy", "neg_log_loss")
            )
            raw = time.perf_counter() - begin
            after = cpu_sample(stack)
        raw_window = cpu_window(before, after)
        raw_cpu = after.bench - before.bench
        progress(f"(b) pair {k + 1}/{repeat}: platform run, load {load()}")
        before = cpu_sample(stack)
        (run_id,) = client.submit(task["id"], HGB, {}, [0])
        wait_finished(db, [run_id], every=0.1, timeout=1800)
        platform_window = cpu_window(before, cpu_sample(stack))
        run = client.get(f"/api/v1/runs/{run_id}/").json()
        ((enqueued,),) = db.runs([run_id], "enqueued_at")
        figures = run_figures(run, enqueued)
        accuracy = {e["measure"]: e["value"] for e in run["evaluations"]}["predictive_accuracy"]
        pairs.append(
            PairFigures(
                raw=raw,
                platform=figures.total,
                fit=figures.fit,
                sandbox=figures.sandbox,
                raw_accuracy=float(np.mean(scores["test_accuracy"])),
                platform_accuracy=accuracy,
                raw_cpu=raw_cpu,
                sandbox_cpu=run["resources"]["cpu_seconds"],
                raw_window=raw_window,
                platform_window=platform_window,
            )
        )
    return pairs


def report_b(kind: str, rows: int, pairs: list[PairFigures]) -> list[tuple[str, bool, str]]:
    print()
    print(
        f"(b) platform vs raw scikit-learn on {LABELS[kind]}: {rows:,} rows x 20 features, "
        "3 classes, 10-fold CV, HistGradientBoostingClassifier (defaults), seed 0; raw = "
        "cross_validate in one process, 1 thread, stack idle"
    )
    print(
        f"{'pair':<6} {'raw':>8} {'platform':>9} {'ratio':>6} {'sandbox fit+predict':>20} "
        f"{'sandbox wall':>13} {'accuracy raw / platform':>24}"
    )
    for k, pair in enumerate(pairs, start=1):
        print(
            f"{k:<6} {pair.raw:8.2f} {pair.platform:9.2f} {pair.platform / pair.raw:6.3f} "
            f"{pair.fit:20.2f} {pair.sandbox:13.2f} "
            f"{pair.raw_accuracy:11.5f} / {pair.platform_accuracy:.5f}"
        )
        print(f"       CPU seconds: raw {pair.raw_cpu:.2f}, sandbox child {pair.sandbox_cpu:.2f}")
        print(f"       raw:      {pair.raw_window}")
        print(f"       platform: {pair.platform_window}")
    raw = min(p.raw for p in pairs)
    platform_s = min(p.platform for p in pairs)
    ratio = platform_s / raw
    ok = ratio <= RAW_RATIO_TARGET
    print(
        f"best of {len(pairs)}: raw {raw:.2f} s, platform {platform_s:.2f} s, ratio {ratio:.3f} "
        f"(target <= {RAW_RATIO_TARGET}) {verdict(ok)}; max |accuracy difference| "
        f"{max(abs(p.raw_accuracy - p.platform_accuracy) for p in pairs):.1e}"
    )
    return [
        (
            f"(b) platform / raw, {LABELS[kind]}: {ratio:.3f} (target <= {RAW_RATIO_TARGET})",
            ok,
            verdict(ok),
        )
    ]


# -- (c) throughput --------------------------------------------------------------------------


@dataclass
class Throughput:
    processes: int
    runs: int
    wall: float  # last finished_at - first created_at
    observed: float  # first POST sent -> the poll sees the last done
    sandbox: list[float]
    fit: list[float]
    jobs: list[float]  # the execute_run jobs' runtimes (worker log)
    window: str


def part_c(stack: Stack, db: Database, *, runs: int, rows: int) -> Throughput:
    client = Client(stack, "bench-c")
    table = classification_table(rows, 20, informative=10, seed=1)
    task = make_task(client, table, name="bench-execute-forest", procedure=FOUR_FOLD)
    parameters = {"n_estimators": 50}
    _cold, warm = client.submit_together(
        task["id"], FOREST, parameters, [[10_000 + 2 * k, 10_001 + 2 * k] for k in range(2)]
    )
    wait_finished(db, warm, every=0.1, timeout=600)
    progress(f"(c) {stack.concurrency} worker process(es): {runs} runs, load {load()}")
    seeds = list(range(runs))
    before = cpu_sample(stack)
    begin = time.perf_counter()
    ids: list[int] = []
    for start in range(0, runs, MAX_SEEDS_PER_SUBMISSION):
        ids += client.submit(
            task["id"], FOREST, parameters, seeds[start : start + MAX_SEEDS_PER_SUBMISSION]
        )
    wait_finished(db, ids, every=0.1, timeout=1800)
    observed = time.perf_counter() - begin
    window = cpu_window(before, cpu_sample(stack))
    rows_ = db.runs(ids, "created_at, finished_at, resources, fold_timings")
    created = min(timestamp(row[0]) for row in rows_)
    finished = max(timestamp(row[1]) for row in rows_)
    jobs = [
        job
        for job in worker_jobs(stack)
        if job.name == "runs.execute_run" and job.received >= created and job.runtime is not None
    ]
    return Throughput(
        processes=stack.concurrency,
        runs=runs,
        wall=(finished - created).total_seconds(),
        observed=observed,
        sandbox=[json_column(row[2])["wall_seconds"] for row in rows_],
        fit=[
            sum(t["fit_seconds"] + t["predict_seconds"] for t in json_column(row[3]))
            for row in rows_
        ],
        jobs=[job.runtime or 0.0 for job in jobs],
        window=window,
    )


_PROBE: dict[str, Any] = {}


def _probe_worker() -> None:
    """A pool process: default SIGTERM (the pool's terminate), Ctrl-C left to the bench."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _probe_unit(seed: int) -> None:
    """One (c) run's fit work, in a plain forked process: the registry's pipeline, 4 folds."""
    from sklearn.model_selection import cross_validate
    from threadpoolctl import threadpool_limits

    from tunebench import engine

    with threadpool_limits(limits=1):
        pipeline = engine.build_pipeline(
            FOREST,
            {"n_estimators": 50},
            seed=seed,
            nominal_columns=[],
            numeric_columns=_PROBE["numeric"],
        )
        cross_validate(
            pipeline,
            _PROBE["X"],
            _PROBE["y"],
            cv=_PROBE["cv"],
            n_jobs=1,
            scoring=("accuracy", "neg_log_loss"),
        )


@dataclass
class Scaling:
    units: int
    one: float
    two: float
    window: str

    @property
    def speedup(self) -> float:
        return self.one / self.two


def machine_scaling(stack: Stack, *, rows: int, units: int) -> Scaling:
    """The floor of (c): how the same fit work scales from 1 to 2 processes on this machine
    now, without the platform (`units` runs' fits in a fork pool of 1, then of 2)."""
    import multiprocessing

    import numpy as np
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    from tunebench import engine
    from tunebench.engine.execute import feature_columns, prepare_features

    table = classification_table(rows, 20, informative=10, seed=1)
    X = prepare_features(engine.table_to_dataframe(table.drop_columns(["class"])))
    y = np.asarray(table.column("class").to_pylist(), dtype=object)
    _PROBE.update(
        X=X,
        y=y,
        numeric=feature_columns(X)[1],
        cv=list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)),
    )
    progress(f"(c) machine floor: {units} runs' fits in 1 then 2 plain processes, load {load()}")
    context = multiprocessing.get_context("fork")
    times = {}
    before = cpu_sample(stack)
    with threadpool_limits(limits=1):
        for processes in (1, 2):
            with context.Pool(processes, initializer=_probe_worker) as pool:
                pool.map(_probe_unit, range(processes), chunksize=1)  # warm: first fit
                begin = time.perf_counter()
                pool.map(_probe_unit, range(units), chunksize=1)
                times[processes] = time.perf_counter() - begin
    return Scaling(units, times[1], times[2], cpu_window(before, cpu_sample(stack)))


def report_c(
    kind: str, rows: int, results: list[Throughput], scaling: Scaling | None
) -> list[tuple[str, bool, str]]:
    print()
    print(
        f"(c) throughput on {LABELS[kind]}: {results[0].runs} runs of RandomForestClassifier "
        f"n_estimators=50, {rows:,} rows x 20 features, 4-fold CV (submissions of at most "
        f"{MAX_SEEDS_PER_SUBMISSION} seeds); per run: medians, s"
    )
    print(
        f"{'processes':<10} {'wall':>8} {'observed':>9} {'runs/s':>7} {'fit+predict':>12} "
        f"{'sandbox':>8} {'job':>6} {'pool busy':>10}"
    )
    for result in results:
        busy = sum(result.jobs) / (result.wall * result.processes)
        print(
            f"{result.processes:<10} {result.wall:8.2f} {result.observed:9.2f} "
            f"{result.runs / result.wall:7.2f} {median(result.fit):12.3f} "
            f"{median(result.sandbox):8.3f} {median(result.jobs):6.3f} {busy:10.0%}"
        )
    for result in results:
        print(f"  {result.processes} process(es): {result.window}")
    by = {result.processes: result for result in results}
    if 1 not in by or 2 not in by:
        return []
    speedup = by[1].wall / by[2].wall
    ok = speedup >= SPEEDUP_TARGET
    print(
        f"speed-up t(1) / t(2): {speedup:.2f} (target >= {SPEEDUP_TARGET}) {verdict(ok)}; "
        f"a run's sandbox wall time went from {median(by[1].sandbox):.3f} s to "
        f"{median(by[2].sandbox):.3f} s with two at once"
    )
    if scaling is not None:
        print(
            f"floor, the machine itself: the same fits of {scaling.units} runs in plain "
            f"processes (no platform), 1 process {scaling.one:.2f} s, 2 processes "
            f"{scaling.two:.2f} s: {scaling.speedup:.2f}x; the platform reached "
            f"{speedup / scaling.speedup:.0%} of it"
        )
        print(f"  floor: {scaling.window}")
    return [
        (
            f"(c) throughput 2 vs 1 processes, {LABELS[kind]}: {speedup:.2f}x "
            f"(target >= {SPEEDUP_TARGET})",
            ok,
            verdict(ok),
        )
    ]


# -- main ------------------------------------------------------------------------------------


def machine() -> str:
    import numpy
    import sklearn

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, scikit-learn "
        f"{sklearn.__version__}, numpy {numpy.__version__}"
    )


def _terminate(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every stack's stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--stack", choices=("embedded", "mysql", "both"), default="both")
    parser.add_argument("--parts", default="a,b,c", help="comma-separated, of a, b, c")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--runs", type=int, help="(a) measured runs (default 20, quick 5)")
    parser.add_argument("--warmup", type=int, help="(a) warm-up runs (default 3, quick 1)")
    parser.add_argument("--rows-b", type=int, help="(b) rows (default 20,000, quick 5,000)")
    parser.add_argument("--repeat-b", type=int, help="(b) interleaved pairs (default 2, quick 1)")
    parser.add_argument("--runs-c", type=int, help="(c) runs (default 40, quick 10)")
    parser.add_argument("--rows-c", type=int, default=2000, help="(c) rows (default 2,000)")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument(
        "--broker-url", default=os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    )
    parser.add_argument("--keep", action="store_true", help="keep the stacks' logs and files")
    args = parser.parse_args()
    parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    if not parts <= {"a", "b", "c"}:
        parser.error("--parts takes a, b and c")
    runs_a = args.runs or (5 if args.quick else 20)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    rows_b = args.rows_b or (5000 if args.quick else 20_000)
    repeat_b = args.repeat_b or (1 if args.quick else 2)
    runs_c = args.runs_c or (10 if args.quick else 40)
    units_c = 4 if args.quick else 10
    kinds = ["embedded", "mysql"] if args.stack == "both" else [args.stack]
    main_kind = kinds[-1]  # (b) and (c) on MySQL + Redis when it is asked for
    urls = {"DATABASE_URL": args.database_url, "CELERY_BROKER_URL": args.broker_url}

    signal.signal(signal.SIGTERM, _terminate)
    os.environ.pop("TUNEBENCH_PROFILE", None)
    work = Path(tempfile.mkdtemp(prefix="bench-execute-"))
    started = time.perf_counter()
    print(f"Server-side execution, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}")
    print(f"load average before: {load()}")
    results_a: dict[str, tuple[list[RunFigures], str]] = {}
    results_b: list[PairFigures] = []
    results_c: list[Throughput] = []
    scaling: Scaling | None = None
    try:
        for kind in kinds:
            todo = {"a"} & parts if kind != main_kind else parts
            if todo:
                with running_stack(kind, work / f"{kind}-2", concurrency=2, urls=urls) as stack:
                    db = Database(stack)
                    try:
                        if "a" in todo:
                            results_a[kind] = part_a(stack, db, runs=runs_a, warmup=warmup)
                        if "b" in todo:
                            results_b = part_b(stack, db, rows=rows_b, repeat=repeat_b, work=work)
                        if "c" in todo:
                            scaling = machine_scaling(stack, rows=args.rows_c, units=units_c)
                            results_c.append(part_c(stack, db, runs=runs_c, rows=args.rows_c))
                    finally:
                        db.close()
            if "c" in todo:
                with running_stack(kind, work / f"{kind}-1", concurrency=1, urls=urls) as stack:
                    db = Database(stack)
                    try:
                        results_c.insert(0, part_c(stack, db, runs=runs_c, rows=args.rows_c))
                    finally:
                        db.close()
    except KeyboardInterrupt:
        print("interrupted; every process started was stopped", file=sys.stderr)
        return 130
    except Exception:
        # What was measured before the error is still worth reading.
        report(results_a, results_b, results_c, scaling, main_kind, rows_b, args.rows_c, started)
        raise
    finally:
        if args.keep:
            print(f"stacks' files and logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(results_a, results_b, results_c, scaling, main_kind, rows_b, args.rows_c, started)
    return 0


def report(
    results_a: dict[str, tuple[list[RunFigures], str]],
    results_b: list[PairFigures],
    results_c: list[Throughput],
    scaling: Scaling | None,
    main_kind: str,
    rows_b: int,
    rows_c: int,
    started: float,
) -> None:
    verdicts: list[tuple[str, bool | None, str]] = []
    if results_a:
        verdicts += report_a(results_a)
    if results_b:
        verdicts += report_b(main_kind, rows_b, results_b)
    if results_c:
        verdicts += report_c(main_kind, rows_c, results_c, scaling)
    print()
    print(f"targets (load average after: {load()}; {time.perf_counter() - started:.0f} s in all):")
    for text, _ok, word in verdicts:
        print(f"  {text}: {word}")


if __name__ == "__main__":
    sys.exit(main())
