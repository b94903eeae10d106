"""Benchmark: scoring an uploaded run through the scoring job, against a floor in the same run.

Builds, in a throwaway var directory (its own SQLite database, media and filesystem broker;
nothing consumes the broker, so every job is called in-process), through the real services:
a `--rows` dataset (default 1,000,000 rows, 2 float features and a `--classes`-class target,
default 5) uploaded and ingested, its 10-fold cross-validation task with its splits (10
million lines in OpenML's long format), a flow, and a predictions Parquet for every test row
(repeat, fold, row_id, prediction, one confidence column per class; written fold after fold,
as openml-python writes them). Then it times, best of `--repeat` (default 3), interleaved:

- job: `runs.services.score_run(run_id, attempt)` on a stored run, whatever it does today
  (now: claim the run, verify the checksum of the predictions the upload validated and
  stored in canonical form, read them, read the target, every measure per fold, write the
  evaluation rows; the run is put back to queued between repeats);
- floor: `pyarrow.parquet.read_table` of the same predictions + the target column of the
  dataset's Parquet + `tunebench.engine.evaluate_folds` in-process (no validation, no
  database): reading the file and computing the measures cannot be avoided.

Target: job <= 1.5x the floor, judged from 1,000,000 rows (smaller runs print the ratio
only: there the database and file-opening costs weigh on it). Also reported:
`runs.services.upload_run` of the same file (what POST /api/v1/runs/ waits for: copy with
checksums, validation against the splits, the stored files and the run's rows), best of
`--repeat`; the peak RSS of the job, the floor and the upload, each in a fresh child
process, above that child's peak after imports and Django's setup; a breakdown
of one job and one upload by step (cumulative times of the engine and storage calls in a
cProfile of one call); with `--profile`, the top 25 of that job's profile. Exits 1 on a
miss. Usage:

    .venv/bin/python bench/score.py                 # full size, about 40 s
    .venv/bin/python bench/score.py --rows 100000   # smoke run, about 15 s
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIME_TARGET = 1.5
JUDGED_ROWS = 1_000_000  # below, fixed costs (database, file opening) weigh on the ratio
CHUNK = 1 << 20


def configure(var_dir: str) -> None:
    """Django on a throwaway var directory: embedded settings, SQLite, quiet logs."""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "TUNEBENCH_PROFILE"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["TUNEBENCH_VAR_DIR"] = var_dir
    os.environ["TUNEBENCH_LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def chunks(path: Path):
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            yield block


# -- building the data through the services -------------------------------------------------


def build(rows: int, classes: int, work: Path) -> dict:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.core.management import call_command

    from accounts.models import User
    from datasets.models import Dataset
    from datasets.services import ingest_dataset, upload_dataset
    from flows.services import create_flow
    from tasks.models import Task
    from tasks.services import create_task, generate_task_splits, splits_path
    from tunebench import engine

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench")
    rng = np.random.default_rng(0)
    labels = np.array([f"c{k}" for k in range(classes)])
    truth = rng.integers(0, classes, rows)
    data = work / "data.parquet"
    pq.write_table(
        pa.table(
            {
                "x1": rng.normal(0, 1, rows),
                "x2": rng.uniform(-5, 5, rows),
                "class": pa.array(labels[truth]),
            }
        ),
        data,
    )
    dataset = upload_dataset(
        uploader=user,
        chunks=chunks(data),
        filename="data.parquet",
        name="bench-score",
        default_target_attribute="class",
    )
    ingest_dataset(dataset_id=dataset.pk, attempt=dataset.attempt)
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.ACTIVE, (dataset.error_code, dataset.error_message)

    task, _ = create_task(
        creator=user,
        dataset_id=dataset.pk,
        task_type=1,
        target="class",
        estimation_procedure_id=1,
        seed=1,
    )
    generate_task_splits(task_id=task.pk, attempt=task.attempt)
    task.refresh_from_db()
    assert task.status == Task.Status.ACTIVE, (task.error_code, task.error_message)
    task_labels = list(task.class_labels)

    splits = engine.read_splits_parquet(splits_path(task.pk, "parquet"))
    blocks = [(r, f, test) for r, f, _train, test in splits.iter_folds()]
    row_id = np.concatenate([test for _, _, test in blocks])
    repeat = np.concatenate([np.full(len(test), r, np.int32) for r, _, test in blocks])
    fold = np.concatenate([np.full(len(test), f, np.int32) for _, f, test in blocks])
    codes = np.searchsorted(task_labels, labels[truth[row_id]])  # the truth in task order
    raw = np.round(rng.random((len(row_id), classes)), 3)
    raw[np.arange(len(row_id)), codes] += 0.3  # informative confidences
    proba = raw / raw.sum(axis=1, keepdims=True)
    predictions = work / "predictions.parquet"
    pq.write_table(
        pa.table(
            {
                "repeat": repeat,
                "fold": fold,
                "row_id": row_id,
                "prediction": pa.array(np.array(task_labels)[proba.argmax(axis=1)]),
                **{f"confidence.{label}": proba[:, k] for k, label in enumerate(task_labels)},
            }
        ),
        predictions,
    )
    flow, _ = create_flow(
        uploader=user,
        spec={"name": "bench.InformativeGuess", "external_version": "bench==1", "parameters": []},
    )
    return {
        "user_id": user.pk,
        "task_id": task.pk,
        "flow_id": flow.pk,
        "dataset_id": dataset.pk,
        "predictions": str(predictions),
        "predictions_bytes": predictions.stat().st_size,
        "splits_bytes": splits_path(task.pk, "parquet").stat().st_size,
        "lines": int(splits.repeats * splits.folds * rows),
    }


# -- what is timed -----------------------------------------------------------------------


def upload(info: dict):
    from accounts.models import User
    from runs.services import upload_run

    return upload_run(
        uploader=User.objects.get(pk=info["user_id"]),
        task_id=info["task_id"],
        flow_id=info["flow_id"],
        chunks=chunks(Path(info["predictions"])),
    )


def job(run_id: int) -> None:
    from runs.models import Run
    from runs.services import score_run

    run = Run.objects.get(pk=run_id)
    Run.objects.filter(pk=run_id).update(status=Run.Status.QUEUED, deliveries=0)
    score_run(run_id=run_id, attempt=run.attempt)


def floor(info: dict, target_path: str, labels: list[str]):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from tunebench import engine

    table = pq.read_table(info["predictions"])
    y_true = engine.target_values(
        pq.read_table(target_path, columns=["class"]).column(0), task_type=1, class_labels=labels
    )
    row_id = table["row_id"].to_numpy()
    y_pred = pc.index_in(table["prediction"], value_set=pa.array(labels)).to_numpy()
    proba = np.column_stack([table[f"confidence.{label}"].to_numpy() for label in labels])
    return engine.evaluate_folds(
        1,
        y_true[row_id],
        y_pred.astype(np.int64),
        proba,
        repeat=table["repeat"].to_numpy(),
        fold=table["fold"].to_numpy(),
        n_classes=len(labels),
    )


# Functions whose cumulative time the breakdown reports, when the timed call makes them
# (found by name in a cProfile of one call, so the breakdown follows the services' code).
JOB_STEPS = (
    "file_checksums",
    "read_checked_predictions",
    "read_predictions",
    "load_splits",
    "read_splits_parquet",
    "validate_predictions",
    "_target_column",
    "target_values",
    "score_predictions",
    "bulk_create",
)
UPLOAD_STEPS = (
    "copy_with_checksums",
    "sniff_format",
    "read_predictions",
    "load_splits",
    "read_splits_parquet",
    "validate_predictions",
    "write_checked_predictions",
    "file_checksums",
    "move_into_place",
    "get_or_create_configuration",
)


def breakdown(call, names: tuple[str, ...]) -> tuple[float, list[tuple[str, int, float]]]:
    """(total, [(function, calls, cumulative seconds)]) of one profiled ``call()``."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(call)
    total = time.perf_counter() - started
    found: dict[str, list[float]] = {}
    for (filename, _line, function), (_cc, calls, _tt, cumulative, _callers) in (
        pstats.Stats(profiler).stats.items()  # type: ignore[attr-defined]
    ):
        first_party = "site-packages" not in filename or function == "bulk_create"
        if function in names and first_party:
            entry = found.setdefault(function, [0, 0.0])
            entry[0] += calls
            entry[1] = max(entry[1], cumulative)
    return total, [(name, int(found[name][0]), found[name][1]) for name in names if name in found]


def profile_text(call) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


# -- memory, in fresh children ------------------------------------------------------------


def peak_rss() -> int:
    """Bytes: this process's peak RSS since its exec (VmHWM on Linux).

    Not ru_maxrss: Linux carries the parent's peak across fork and exec into the child's
    ru_maxrss, and the parent here holds the whole data set.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(kind: str, var_dir: str, info: dict) -> None:
    configure(var_dir)
    import pyarrow.parquet  # noqa: F401 - part of the baseline, as in a worker

    from datasets import storage
    from runs.models import Run
    from tasks.models import Task
    from tunebench import engine  # noqa: F401

    run_id = info["run_id"]
    Run.objects.filter(pk=run_id).exists()  # the database connection is part of the baseline
    baseline = peak_rss()
    if kind == "job":
        job(run_id)
        assert Run.objects.get(pk=run_id).status == Run.Status.DONE
    elif kind == "floor":
        task = Task.objects.get(pk=info["task_id"])
        floor(info, str(storage.file_path(info["dataset_id"], "parquet")), task.class_labels)
    else:
        upload(info)
    print(json.dumps({"baseline": baseline, "peak": peak_rss()}))


def measure_memory(kind: str, var_dir: str, info: dict) -> dict:
    command = [sys.executable, __file__, "--child", kind, var_dir, json.dumps(info)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 (our own script)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one job (top 25)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, var_dir, info = args.child
        child(kind, var_dir, json.loads(info))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-score-") as directory:
        var_dir = str(Path(directory) / "var")
        configure(var_dir)
        started = time.perf_counter()
        info = build(args.rows, args.classes, Path(directory))
        built = time.perf_counter() - started

        import numpy as np

        from datasets import storage
        from runs.models import Evaluation, Run
        from tasks.models import Task

        task = Task.objects.get(pk=info["task_id"])
        labels = task.class_labels
        target_path = str(storage.file_path(info["dataset_id"], "parquet"))

        upload_best = job_best = floor_best = float("inf")
        run = None
        for _ in range(args.repeat):
            begin = time.perf_counter()
            uploaded = upload(info)
            upload_best = min(upload_best, time.perf_counter() - begin)
            run = run or uploaded
        info["run_id"] = run.pk
        for _ in range(args.repeat):
            begin = time.perf_counter()
            job(run.pk)
            job_best = min(job_best, time.perf_counter() - begin)
            begin = time.perf_counter()
            reference = floor(info, target_path, labels)
            floor_best = min(floor_best, time.perf_counter() - begin)

        run.refresh_from_db()
        assert run.status == Run.Status.DONE, (run.error_code, run.error_message)
        stored = dict(Evaluation.objects.filter(run=run).values_list("measure", "value"))
        assert stored.keys() == reference.mean.keys(), (stored.keys(), reference.mean.keys())
        max_diff = max(
            abs(stored[name] - value)
            for name, value in reference.mean.items()
            if np.isfinite(value)
        )

        job_steps = breakdown(lambda: job(run.pk), JOB_STEPS)
        upload_steps = breakdown(lambda: upload(info), UPLOAD_STEPS)
        memory = {kind: measure_memory(kind, var_dir, info) for kind in ("job", "floor", "upload")}

        profile = profile_text(lambda: job(run.pk)) if args.profile else None

    ratio = job_best / floor_best
    judged = args.rows >= JUDGED_ROWS
    ok = ratio <= TIME_TARGET or not judged
    verdict = ("PASS" if ok else "FAIL") if judged else "(not judged below 1,000,000 rows)"
    print(
        f"{args.rows:,} rows, {args.classes} classes, 10-fold CV ({info['lines']:,} split lines, "
        f"{info['splits_bytes'] / 1e6:.1f} MB); predictions Parquet "
        f"{info['predictions_bytes'] / 1e6:.1f} MB; best of {args.repeat}; set-up {built:.0f} s"
    )
    print(f"job (runs.services.score_run):  {job_best:8.3f} s")
    print(f"floor (read_table + evaluate):  {floor_best:8.3f} s")
    print(f"ratio job / floor:              {ratio:8.3f}  (target <= {TIME_TARGET})  {verdict}")
    print(f"upload_run (validation + store):{upload_best:8.3f} s")
    print(f"max |job - floor| over measures: {max_diff:.1e}")
    print("peak RSS above baseline (fresh child, after imports + Django):")
    for kind, figures in memory.items():
        above = (figures["peak"] - figures["baseline"]) / 1e6
        print(f"  {kind:<7} {above:7.0f} MB  (peak {figures['peak'] / 1e6:.0f} MB)")
    for title, (total, steps) in (("job", job_steps), ("upload_run", upload_steps)):
        print(f"{title} breakdown (one call under cProfile, {total:.3f} s; cumulative s):")
        for name, calls, seconds in steps:
            print(f"  {name:<28} x{calls:<3} {seconds:7.3f} s")
    if profile:
        print(profile)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
