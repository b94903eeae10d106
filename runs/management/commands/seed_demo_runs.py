"""``manage.py seed_demo_runs``: demo tasks and runs, so a fresh ``make run`` has leaderboards.

For a few demo datasets it defines a 10-fold cross-validation task, then fits a handful of
scikit-learn models on the task's splits with the same engine code the client's
``run_model_on_task`` runs, describes them with ``flow_from_sklearn`` and publishes their
predictions through ``upload_run``, as the demo users (one of them for the team *Demo
Lab*). Scoring is enqueued as for any run, so the worker scores them when it starts. It
also submits a random forest for the server to execute on five seeds (verified runs).

A demo dataset still waiting for its ingestion is ingested here first (the same service
the worker runs), and the task's splits are generated here too, so the command does not
depend on a worker being up. Idempotent: a task that already has runs is skipped.
Embedded profile only.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team, User
from datasets.models import Dataset
from datasets.services import ingest_dataset
from flows.services import create_flow
from runs.models import Run
from runs.services import upload_run
from tasks.models import Task
from tasks.services import create_task, generate_task_splits, load_splits

# dataset name -> (task type, procedure, [(username, team?, model factory)])
DEMO_RUNS = {
    "iris": (1, 1),
    "wine": (1, 1),
    "diabetes": (2, 7),
}


def _models(task_type: int):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    if task_type == 1:
        return [
            ("demo", False, DecisionTreeClassifier(max_depth=3)),
            ("demo", True, make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))),
            ("ada", True, RandomForestClassifier(n_estimators=50)),
            ("ada", False, KNeighborsClassifier(n_neighbors=7)),
        ]
    return [
        ("demo", False, DecisionTreeRegressor(max_depth=4)),
        ("demo", True, make_pipeline(StandardScaler(), Ridge(alpha=1.0))),
        ("ada", True, RandomForestRegressor(n_estimators=50)),
        ("ada", False, KNeighborsRegressor(n_neighbors=9)),
    ]


class Command(BaseCommand):
    help = "Define demo tasks and publish demo runs on them (embedded profile only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo_runs is for the embedded demo only.")
        users = {u.username: u for u in User.objects.filter(username__in=["demo", "ada"])}
        if len(users) < 2:
            raise CommandError("Run seed_demo first (it creates the demo users).")
        team = Team.objects.filter(name="Demo Lab").first()
        for name, (task_type, procedure) in DEMO_RUNS.items():
            dataset = Dataset.objects.filter(name=name, uploader=users["demo"]).first()
            if dataset is None:
                continue
            if dataset.status == Dataset.Status.PROCESSING:
                ingest_dataset(dataset_id=dataset.pk, attempt=dataset.attempt)
                dataset.refresh_from_db()
            if dataset.status != Dataset.Status.ACTIVE:
                self.stderr.write(f"Dataset {name} is {dataset.status}; no demo runs for it.")
                continue
            task, _ = create_task(
                creator=users["demo"],
                dataset_id=dataset.pk,
                task_type=task_type,
                target=dataset.default_target_attribute,
                estimation_procedure_id=procedure,
                tags=["demo"],
            )
            if task.status == Task.Status.PROCESSING:
                generate_task_splits(task_id=task.pk, attempt=task.attempt)
                task.refresh_from_db()
            if task.status != Task.Status.ACTIVE or Run.objects.filter(task=task).exists():
                continue
            self._publish_runs(task, dataset, users, team)
            self._submit_configuration(task, users["ada"], team)

    def _submit_configuration(self, task: Task, user: User, team: Team | None):
        """A random forest for the server to execute on five seeds: verified runs, ranked
        with their seed interval once the worker has run them."""
        from runs.execution import submit_configuration

        estimator = (
            "sklearn.ensemble.RandomForestClassifier"
            if task.task_type == 1
            else "sklearn.ensemble.RandomForestRegressor"
        )
        submission = submit_configuration(
            submitter=user,
            task_id=task.pk,
            estimator=estimator,
            parameters={"n_estimators": 50, "max_features": "sqrt"},
            seeds=[0, 1, 2, 3, 4],
            team=team,
            tags=["demo"],
            description="A demo submission by `manage.py seed_demo_runs`.",
        )
        self.stdout.write(
            f"Submitted configuration {submission.configuration.pk} ({estimator}) on task "
            f"{task.pk}: runs {', '.join(str(r.pk) for r in submission.runs)} wait for a worker."
        )

    def _publish_runs(self, task: Task, dataset: Dataset, users: dict, team: Team | None):
        import pyarrow.parquet as pq

        from datasets import storage
        from tunebench.engine.folds import fit_predict_folds, seed_model
        from tunebench.flows import flow_from_sklearn
        from tunebench.runs import capture_environment

        frame = pq.read_table(storage.file_path(dataset.pk, "parquet")).to_pandas()
        y = frame.pop(task.target_name)
        if task.task_type == 1:
            y = y.astype(str)
        splits = load_splits(task.pk)
        for seed, (username, for_team, model) in enumerate(_models(task.task_type)):
            seeded = seed_model(model, seed)
            predictions, timings = fit_predict_folds(
                seeded,
                frame,
                y,
                splits,
                task_type=task.task_type,
                class_labels=task.class_labels,
            )
            described = flow_from_sklearn(seeded)
            flow, _ = create_flow(uploader=users[username], spec=described.to_json())
            buffer = io.BytesIO()
            predictions.to_parquet(buffer, index=False)
            run = upload_run(
                uploader=users[username],
                task_id=task.pk,
                chunks=iter([buffer.getvalue()]),
                flow_id=flow.pk,
                parameters=described.parameter_values(seeded),
                seed=seed,
                environment=capture_environment(),
                fold_timings=timings,
                team=team if for_team else None,
                tags=["demo"],
                description="A demo run published by `manage.py seed_demo_runs`.",
            )
            self.stdout.write(
                f"Published run {run.pk} ({flow.name}) on task {task.pk}; scoring queued."
            )
