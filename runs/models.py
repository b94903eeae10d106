"""Runs (a configuration evaluated on a task) and their evaluations.

The run row is the truth about its job (reliability-checklist.md INV-2): ``status`` moves
queued → scoring → done, or to failed with a reason code; ``attempt`` is the token the
current job message carries (every send of a new message takes a new one), so a stale
copy changes nothing; ``deliveries`` counts how often the current message reached a
worker, so a run that kills its worker every time ends ``failed`` instead of looping, and
``stalls`` how many attempts died silently, which the sweeper caps.

Evaluations are computed only by the server's scorer, one row per (run, measure) with the
per-fold values beside the aggregate; the task is copied onto each row so a leaderboard
is one indexed range scan of (task, measure, value).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SCORING = "scoring", "Scoring"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Origin(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded predictions"
        SERVER = "server", "Executed on the server"

    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="runs")
    flow = models.ForeignKey("flows.Flow", on_delete=models.PROTECT, related_name="runs")
    configuration = models.ForeignKey(
        "flows.Configuration", on_delete=models.PROTECT, related_name="runs"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="runs"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.UPLOADED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    attempt = models.PositiveIntegerField(default=1)
    deliveries = models.PositiveIntegerField(default=0)
    # Attempts whose worker went silent mid-job (the sweeper's count, capped).
    stalls = models.PositiveIntegerField(default=0)
    seed = models.PositiveBigIntegerField(null=True, blank=True)
    environment = models.JSONField(default=dict, blank=True)
    fold_timings = models.JSONField(default=list, blank=True)
    # A server run's measured resources: peak_memory_mb, cpu_seconds, wall_seconds.
    resources = models.JSONField(default=dict, blank=True)
    # A server run that re-executes an uploaded run, and on the uploaded run the outcome
    # (whether the predictions match, the difference in every measure).
    verifies = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="verifications"
    )
    verification = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    # When the current attempt's message was last sent, and when a worker last claimed it:
    # the sweeper re-sends what waited or ran past its deadline.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["task", "status"], name="runs_task_status"),
            models.Index(fields=["status", "updated_at"], name="runs_status_updated"),
            models.Index(fields=["uploader", "task"], name="runs_uploader_task"),
            # The dispatcher's waiting line and the quota counts of server runs.
            models.Index(fields=["origin", "status", "enqueued_at"], name="runs_dispatch"),
            models.Index(fields=["origin", "created_at"], name="runs_origin_created"),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def resources_or_none(self) -> dict | None:
        return self.resources or None

    @property
    def is_server_run(self) -> bool:
        """Executed (or to be executed) by the server's workers."""
        return self.origin == self.Origin.SERVER

    @property
    def is_waiting(self) -> bool:
        """A server run in the waiting line: queued, not yet sent to a worker."""
        return self.is_server_run and self.status == self.Status.QUEUED and self.enqueued_at is None

    @property
    def is_verified(self) -> bool:
        """Executed by the server's own workers on the task's splits, and scored."""
        return self.origin == self.Origin.SERVER and self.status == self.Status.DONE


class RunFile(models.Model):
    """A stored file of a run: the predictions exactly as uploaded (never changed)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=16)  # predictions
    format = models.CharField(max_length=16)  # parquet | csv | arff
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["run_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["run", "kind"], name="runs_file_kind")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.kind}"


class RunTag(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=64)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["run", "tag"], name="runs_tag")]
        indexes = [models.Index(fields=["tag", "run"], name="runs_tag_lookup")]

    def __str__(self) -> str:
        return self.tag


class Evaluation(models.Model):
    """One measure of one run: the mean over folds, its std, and every fold's value.

    ``value`` and ``std`` are null where the measure is undefined on every fold (an AUC on
    folds with one class). ``per_fold`` is ``[[repeat, fold, value], ...]`` in order.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="evaluations")
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="evaluations")
    measure = models.CharField(max_length=64)
    value = models.FloatField(null=True, blank=True)
    std = models.FloatField(null=True, blank=True)
    per_fold = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_id", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["run", "measure"], name="runs_one_evaluation"),
        ]
        indexes = [
            models.Index(fields=["task", "measure", "value"], name="runs_leaderboard"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}={self.value} (run {self.run_id})"
