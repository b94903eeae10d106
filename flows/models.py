"""Flows (algorithms and pipelines) and configurations (a flow with hyperparameter values).

A flow is what OpenML calls a flow: a named, versioned description of an algorithm with
its declared parameters (name, type, default) and its components (sub-flows, for
pipelines and meta-estimators). Flows are public, as on OpenML; the same
(name, external_version) is the same flow. A configuration is OpenML's *setup*: a flow
plus a complete set of parameter values, stored as canonical JSON and deduplicated by
the hash of that text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Flow(models.Model):
    name = models.CharField(max_length=255)
    # Numbered per name, 1, 2, ... in the order new external versions arrive.
    version = models.PositiveIntegerField()
    external_version = models.CharField(max_length=255)
    class_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    language = models.CharField(max_length=64, default="Python")
    dependencies = models.TextField(blank=True)
    # The registry estimator this flow executes (tunebench.engine.registry); blank for a
    # flow someone described. Executable flows are made by the server, never uploaded.
    estimator = models.CharField(max_length=255, blank=True, default="")
    # None for the server's own (executable) flows.
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "external_version"], name="flows_one_per_external_version"
            ),
            models.UniqueConstraint(fields=["name", "version"], name="flows_version_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def is_executable(self) -> bool:
        return bool(self.estimator)


class FlowParameter(models.Model):
    class DataType(models.TextChoices):
        INT = "int"
        FLOAT = "float"
        BOOL = "bool"
        STR = "str"
        LIST = "list"
        DICT = "dict"
        ANY = "any"

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="parameters")
    index = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    data_type = models.CharField(max_length=8, choices=DataType.choices, default=DataType.ANY)
    default = models.JSONField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["flow_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "name"], name="flows_parameter_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FlowComponent(models.Model):
    """A sub-flow of a pipeline or meta-estimator, under its identifier (the step name)."""

    parent = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="components")
    index = models.PositiveIntegerField()
    identifier = models.CharField(max_length=255)
    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="used_in")

    class Meta:
        ordering = ["parent_id", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "identifier"], name="flows_component_identifier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}={self.flow_id}"


class FlowTag(models.Model):
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=64)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["flow", "tag"], name="flows_tag")]
        indexes = [models.Index(fields=["tag", "flow"], name="flows_tag_lookup")]

    def __str__(self) -> str:
        return self.tag


class Configuration(models.Model):
    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="configurations")
    # Every parameter of the flow and its components, "<identifier>__<name>" for a
    # component's, defaults filled in; ``hash`` is the sha256 of the canonical JSON text.
    parameters = models.JSONField()
    hash = models.CharField(max_length=64)
    # Stored through /configurations/ (public, like flows) rather than only as the setup of
    # runs: a run-only configuration is seen exactly by those who see one of its runs, as
    # its values (a ColumnTransformer's column names, say) may describe a private dataset.
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "hash"], name="flows_one_configuration"),
        ]

    def __str__(self) -> str:
        return f"Configuration {self.pk} of flow {self.flow_id}"
