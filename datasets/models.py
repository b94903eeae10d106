"""Datasets and what ingestion derives from them (features, qualities, stored files).

A dataset version is immutable: its files never change once written, and the columns that
define learning problems on it (target, row id, ignored) are frozen once a task uses it.
Names and meanings follow OpenML (reference/openml-api.md 5.4, 5.5).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dataset(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        ACTIVE = "active", "Active"
        ERROR = "error", "Error"
        DEACTIVATED = "deactivated", "Deactivated"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        TEAM = "team", "Team"
        PRIVATE = "private", "Private"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        ARFF = "arff", "ARFF"
        SPARSE_ARFF = "sparse_arff", "Sparse ARFF"
        PARQUET = "parquet", "Parquet"

    name = models.CharField(max_length=128)
    # Versions are counted per name regardless of case ("Iris" and "iris" are one dataset
    # on every database; MySQL's collation would say so anyway, SQLite would not) ...
    name_key = models.CharField(max_length=128, editable=False)
    # ... within a name space: "public" for public datasets, "user-<id>" for one person's
    # private ones and "team-<id>" for a team's. A private or team version never takes a
    # number in the public sequence, so a version number cannot reveal that it exists.
    namespace = models.CharField(max_length=32, editable=False, default="public")
    version = models.PositiveIntegerField()
    description = models.TextField(blank=True, max_length=100_000)
    licence = models.CharField(max_length=128, blank=True)
    citation = models.TextField(blank=True, max_length=10_000)
    collection_date = models.CharField(max_length=64, blank=True)
    original_data_url = models.URLField(max_length=500, blank=True)
    paper_url = models.URLField(max_length=500, blank=True)
    default_target_attribute = models.CharField(max_length=255, blank=True)
    row_id_attribute = models.CharField(max_length=255, blank=True)
    ignore_attributes = models.JSONField(default=list, blank=True)

    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="datasets"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="datasets"
    )

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    # Bumped whenever ingestion is (re)started; a job carries the attempt it was sent for,
    # so a late or duplicate delivery for an older attempt changes nothing.
    attempt = models.PositiveIntegerField(default=1)
    # Deliveries of the current attempt's job: a file that kills the worker every time is
    # redelivered (acks_late + reject_on_worker_lost), so a cap ends the loop.
    deliveries = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    format = models.CharField(max_length=16, choices=Format.choices)
    # The client's file name, kept only as (escaped) metadata; storage names are ours.
    original_filename = models.CharField(max_length=255, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "name_key", "version"], name="datasets_name_version"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(visibility="team", team__isnull=False)
                    | (~models.Q(visibility="team") & models.Q(team__isnull=True))
                ),
                name="datasets_team_iff_team_visibility",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility"], name="datasets_status_visibility"),
            models.Index(fields=["created_at"], name="datasets_created_at"),
            models.Index(fields=["name"], name="datasets_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class DatasetFile(models.Model):
    """One stored file of a dataset: the upload as sent, and the formats derived from it."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Original upload"
        PARQUET = "parquet", "Parquet"
        CSV = "csv", "CSV"
        ARFF = "arff", "ARFF"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["dataset_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "kind"], name="datasets_file_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.kind}"


class DatasetTag(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=64)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["dataset", "tag"], name="datasets_tag")]
        indexes = [models.Index(fields=["tag", "dataset"], name="datasets_tag_lookup")]

    def __str__(self) -> str:
        return self.tag


class Feature(models.Model):
    """One column, as ingestion described it. Never edited by hand."""

    class DataType(models.TextChoices):
        NUMERIC = "numeric", "Numeric"
        NOMINAL = "nominal", "Nominal"
        BOOLEAN = "boolean", "Boolean"
        STRING = "string", "String"
        DATETIME = "datetime", "Datetime"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="features")
    index = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    data_type = models.CharField(max_length=16, choices=DataType.choices)
    nominal_values = models.JSONField(null=True, blank=True)
    missing_count = models.PositiveBigIntegerField()
    distinct_count = models.PositiveBigIntegerField()
    is_target = models.BooleanField(default=False)
    is_row_id = models.BooleanField(default=False)
    is_ignored = models.BooleanField(default=False)
    stats = models.JSONField(default=dict)

    class Meta:
        ordering = ["dataset_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "index"], name="datasets_feature_index"),
        ]

    def __str__(self) -> str:
        return self.name


class Quality(models.Model):
    """A named meta-feature of a dataset, with OpenML's name where OpenML has one."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="qualities")
    name = models.CharField(max_length=64)
    value = models.FloatField(null=True)

    class Meta:
        ordering = ["dataset_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="datasets_quality_name"),
        ]
        # Range filters ("NumberOfInstances 1000..10000") walk this index, not the table.
        indexes = [models.Index(fields=["name", "value", "dataset"], name="datasets_quality_range")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
