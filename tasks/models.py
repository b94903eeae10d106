"""Tasks and their estimation procedures (OpenML's ids and names, openml-api.md 5.1, 5.2).

A task fixes what is compared: a dataset version, a target, a task type, an estimation
procedure and a seed. Its splits are a pure function of those and are stored once; the
same definition asked for twice is the same task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TaskType(models.IntegerChoices):
    CLASSIFICATION = 1, "Supervised Classification"
    REGRESSION = 2, "Supervised Regression"


class EstimationProcedure(models.Model):
    """One of OpenML's estimation procedures that the engine can generate splits for."""

    id = models.PositiveIntegerField(primary_key=True)  # OpenML's id
    task_type = models.PositiveSmallIntegerField(choices=TaskType.choices)
    name = models.CharField(max_length=128)
    kind = models.CharField(max_length=32)  # crossvalidation | holdout | leaveoneout
    repeats = models.PositiveIntegerField()
    folds = models.PositiveIntegerField()
    percentage = models.FloatField(null=True, blank=True)
    stratified = models.BooleanField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id}: {self.name}"


class Task(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Generating splits"
        ACTIVE = "active", "Active"
        ERROR = "error", "Error"

    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.PROTECT, related_name="tasks")
    task_type = models.PositiveSmallIntegerField(choices=TaskType.choices)
    target_name = models.CharField(max_length=255)
    estimation_procedure = models.ForeignKey(
        EstimationProcedure, on_delete=models.PROTECT, related_name="tasks"
    )
    seed = models.PositiveBigIntegerField(default=0)
    evaluation_measure = models.CharField(max_length=64)
    # Classification: the class labels in the order class codes (and confidence columns)
    # use; taken from the target feature's nominal values.
    class_labels = models.JSONField(null=True, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    attempt = models.PositiveIntegerField(default=1)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "task_type", "target_name", "estimation_procedure", "seed"],
                name="tasks_one_task_per_definition",
            ),
        ]
        indexes = [models.Index(fields=["task_type", "status"], name="tasks_type_status")]

    def __str__(self) -> str:
        return f"Task {self.pk}: {self.target_name} on {self.dataset}"


class TaskTag(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=64)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["task", "tag"], name="tasks_tag")]
        indexes = [models.Index(fields=["tag", "task"], name="tasks_tag_lookup")]

    def __str__(self) -> str:
        return self.tag


class TaskSplitsFile(models.Model):
    """The stored splits of a task in one format; written once, never regenerated."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="split_files")
    kind = models.CharField(max_length=16)  # parquet | csv | arff
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["task_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind"], name="tasks_splits_file_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.kind}"
