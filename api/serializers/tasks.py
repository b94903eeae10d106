"""Serializers for tasks and estimation procedures."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import MAX_ID
from api.serializers.accounts import UserRefSerializer
from api.serializers.base import InputSerializer
from api.serializers.datasets import DatasetErrorSerializer, DatasetFileSerializer
from tasks.models import EstimationProcedure, Task, TaskType

TASK_TYPE_NAMES = {TaskType.CLASSIFICATION: "classification", TaskType.REGRESSION: "regression"}


class EstimationProcedureSerializer(serializers.ModelSerializer):
    task_type = serializers.SerializerMethodField()

    class Meta:
        model = EstimationProcedure
        fields = ["id", "name", "task_type", "kind", "repeats", "folds", "percentage", "stratified"]
        read_only_fields = fields

    def get_task_type(self, procedure) -> str:
        return TASK_TYPE_NAMES[procedure.task_type]


class TaskDatasetRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class TaskSerializer(serializers.ModelSerializer):
    dataset = TaskDatasetRefSerializer(read_only=True)
    task_type = serializers.SerializerMethodField()
    task_type_id = serializers.IntegerField(source="task_type", read_only=True)
    target = serializers.CharField(source="target_name", read_only=True)
    estimation_procedure = EstimationProcedureSerializer(read_only=True)
    creator = UserRefSerializer(read_only=True)
    error = serializers.SerializerMethodField()
    splits = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "dataset",
            "task_type",
            "task_type_id",
            "target",
            "estimation_procedure",
            "seed",
            "evaluation_measure",
            "class_labels",
            "tags",
            "status",
            "error",
            "splits",
            "creator",
            "created_at",
        ]
        read_only_fields = fields

    def get_task_type(self, task) -> str:
        return TASK_TYPE_NAMES[task.task_type]

    def get_tags(self, task) -> list[str]:
        return sorted(t.tag for t in task.tags.all())

    @extend_schema_field(DatasetErrorSerializer(allow_null=True))
    def get_error(self, task):
        if task.status != Task.Status.ERROR:
            return None
        return {"code": task.error_code, "message": task.error_message}

    @extend_schema_field(serializers.DictField(child=DatasetFileSerializer()))
    def get_splits(self, task):
        return {
            f.kind: {
                "size": f.size,
                "md5": f.md5,
                "sha256": f.sha256,
                "url": reverse("task-splits", kwargs={"pk": task.pk, "kind": f.kind}),
            }
            for f in task.split_files.all()
        }


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": ["classification", "regression"]},
            {"type": "integer", "enum": [1, 2]},
        ]
    }
)
class TaskTypeField(serializers.Field):
    """'classification' / 'regression', or OpenML's task type id (1, 2)."""

    default_error_messages = {"invalid": "Use 'classification', 'regression', 1 or 2."}

    def to_internal_value(self, data):
        by_name = {name: value for value, name in TASK_TYPE_NAMES.items()}
        if isinstance(data, str) and data.strip().lower() in by_name:
            return int(by_name[data.strip().lower()])
        if isinstance(data, int | str) and str(data).strip() in {"1", "2"}:
            return int(str(data).strip())
        raise serializers.ValidationError(self.error_messages["invalid"], code="invalid")

    def to_representation(self, value):
        return TASK_TYPE_NAMES[value]


class TaskCreateSerializer(InputSerializer):
    dataset_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    task_type = TaskTypeField(help_text="'classification' or 'regression' (or 1, 2).")
    target = serializers.CharField(max_length=255)
    estimation_procedure = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="OpenML's estimation procedure id."
    )
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, default=0)
    evaluation_measure = serializers.CharField(max_length=64, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=50,
        help_text="Tags for a new task (an existing task of the same definition keeps its own).",
    )
