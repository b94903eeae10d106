"""Serializers for datasets: the upload and edit inputs, and the read-only outputs."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import MAX_ID
from api.serializers.accounts import TeamRefSerializer, UserRefSerializer
from api.serializers.base import InputSerializer
from datasets.models import Dataset, Feature


class StringListField(serializers.ListField):
    """A list of names: repeated form fields, or one comma-separated value (curl -F a,b)."""

    child = serializers.CharField(max_length=255)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [part for part in data.split(",") if part.strip()]
        elif isinstance(data, list) and len(data) == 1 and isinstance(data[0], str):
            data = [part for part in data[0].split(",") if part.strip()]
        return [item.strip() for item in super().to_internal_value(data)]


class DatasetUploadSerializer(InputSerializer):
    # Empty files reach the engine, which answers with its own code (empty_file).
    file = serializers.FileField(
        allow_empty_file=True, help_text="CSV, ARFF or Parquet; the type is read from the content."
    )
    name = serializers.CharField(max_length=128, help_text="An existing name makes a new version.")
    description = serializers.CharField(
        max_length=100_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Markdown.",
    )
    licence = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    citation = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    collection_date = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    original_data_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    paper_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    default_target_attribute = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    row_id_attribute = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    ignore_attributes = StringListField(required=False, default=list)
    tags = StringListField(required=False, default=list, child=serializers.CharField(max_length=64))
    visibility = serializers.ChoiceField(
        choices=Dataset.Visibility.choices, default=Dataset.Visibility.PUBLIC
    )
    team_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when visibility is 'team': a team you belong to.",
    )
    md5_checksum = serializers.RegexField(r"^[0-9a-fA-F]{32}$", required=False, allow_blank=True)
    sha256_checksum = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False, allow_blank=True)


class DatasetUpdateSerializer(InputSerializer):
    description = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    licence = serializers.CharField(max_length=128, required=False, allow_blank=True)
    citation = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    collection_date = serializers.CharField(max_length=64, required=False, allow_blank=True)
    original_data_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    paper_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    default_target_attribute = serializers.CharField(
        max_length=255, required=False, allow_blank=True
    )
    row_id_attribute = serializers.CharField(max_length=255, required=False, allow_blank=True)
    ignore_attributes = StringListField(required=False)
    tags = StringListField(required=False, child=serializers.CharField(max_length=64))


class DatasetDefinitionSerializer(InputSerializer):
    default_target_attribute = serializers.CharField(
        max_length=255, required=False, allow_blank=True
    )
    row_id_attribute = serializers.CharField(max_length=255, required=False, allow_blank=True)
    ignore_attributes = StringListField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Give at least one of default_target_attribute, row_id_attribute, "
                "ignore_attributes."
            )
        return attrs


class DatasetErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class DatasetFileSerializer(serializers.Serializer):
    size = serializers.IntegerField()
    md5 = serializers.CharField()
    sha256 = serializers.CharField()
    url = serializers.CharField(
        allow_null=True, help_text="Download address (null for the original)."
    )


class DatasetSerializer(serializers.ModelSerializer):
    uploader = UserRefSerializer(read_only=True)
    team = TeamRefSerializer(read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    qualities = serializers.SerializerMethodField(
        help_text="In lists, the basic qualities; in a single dataset, all of them."
    )
    files = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "version",
            "status",
            "error",
            "format",
            "visibility",
            "team",
            "uploader",
            "description",
            "licence",
            "citation",
            "collection_date",
            "original_data_url",
            "paper_url",
            "default_target_attribute",
            "row_id_attribute",
            "ignore_attributes",
            "tags",
            "qualities",
            "files",
            "original_filename",
            "created_at",
            "processed_at",
        ]
        read_only_fields = fields

    def get_tags(self, dataset) -> list[str]:
        return sorted(t.tag for t in dataset.tags.all())

    @extend_schema_field(DatasetErrorSerializer(allow_null=True))
    def get_error(self, dataset):
        if dataset.status != Dataset.Status.ERROR:
            return None
        return {"code": dataset.error_code, "message": dataset.error_message}

    def get_qualities(self, dataset) -> dict[str, float | None]:
        if hasattr(dataset, "list_qualities"):
            return {q.name: q.value for q in sorted(dataset.list_qualities, key=lambda q: q.name)}
        return self.context.get("qualities", {})

    @extend_schema_field(serializers.DictField(child=DatasetFileSerializer()))
    def get_files(self, dataset):
        files = self.context.get("files")
        if files is None:
            return {}
        out = {}
        for f in files:
            url = None
            if f.kind != "original":
                url = reverse("dataset-download", kwargs={"pk": dataset.pk, "kind": f.kind})
            out[f.kind] = {"size": f.size, "md5": f.md5, "sha256": f.sha256, "url": url}
        return out


class FeatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feature
        fields = [
            "index",
            "name",
            "data_type",
            "nominal_values",
            "missing_count",
            "distinct_count",
            "is_target",
            "is_row_id",
            "is_ignored",
            "stats",
        ]
        read_only_fields = fields
