"""``/api/v1/datasets/``: upload (multipart), list and filter, describe, edit, download.

Filters map to :func:`datasets.selectors.list_datasets`; visibility is the selector's
business, so every action below sees only what the caller may see.
"""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.exceptions import TeamNotFound
from accounts.selectors import get_team
from api.files import stored_file_response
from api.parsers import StrictJSONParser
from api.schema import problems
from api.serializers.datasets import (
    DatasetDefinitionSerializer,
    DatasetSerializer,
    DatasetUpdateSerializer,
    DatasetUploadSerializer,
    FeatureSerializer,
)
from datasets import services, storage
from datasets.exceptions import DatasetFileMissing, UploadTooLarge
from datasets.models import Dataset
from datasets.selectors import (
    QUALITY_NAME,
    QualityRange,
    features_of,
    file_of,
    get_dataset,
    list_datasets,
    qualities_of,
    versions_of,
)

ORDERINGS = {"id", "name", "version", "created_at"}
KNOWN_PARAMS = {
    "limit",
    "offset",
    "status",
    "name",
    "tag",
    "uploader",
    "format",
    "visibility",
    "team",
    "ordering",
}


def _number(text: str, param: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValidationError({param: [f"{text!r} is not a number."]}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError({param: ["Must be a finite number."]})
    return value


def parse_quality_range(param: str, text: str) -> QualityRange:
    """``1000..10000``, ``1000..``, ``..10000`` or ``2`` (exactly)."""
    if ".." in text:
        low, _, high = text.partition("..")
        low, high = low.strip(), high.strip()
        if not low and not high:
            raise ValidationError({param: ["Give a bound: min..max, min.. or ..max."]})
        return QualityRange(
            param, _number(low, param) if low else None, _number(high, param) if high else None
        )
    value = _number(text.strip(), param)
    return QualityRange(param, value, value)


LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        enum=[*Dataset.Status.values, "all"],
        description="Default `active`; `all` for every status.",
    ),
    OpenApiParameter("name", description="Part of the name, any case."),
    OpenApiParameter("tag", description="Exact tag."),
    OpenApiParameter("uploader", description="Username."),
    OpenApiParameter("format", enum=Dataset.Format.values),
    OpenApiParameter("visibility", enum=Dataset.Visibility.values),
    OpenApiParameter("team", int, description="Team id."),
    OpenApiParameter(
        "ordering",
        description=(
            "`id` (default), `name`, `version`, `created_at`, or a quality name such as "
            "`NumberOfInstances`; prefix `-` for descending."
        ),
    ),
    OpenApiParameter(
        "<QualityName>",
        description=(
            "Any quality as a filter: `NumberOfInstances=1000..10000`, `NumberOfClasses=2`, "
            "`NumberOfMissingValues=..0`, `NumberOfFeatures=10..`."
        ),
    ),
]


class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DatasetSerializer
    filter_backends: list = []  # the selector filters (see list_filters)
    parser_classes = [StrictJSONParser, MultiPartParser]
    queryset = Dataset.objects.none()  # schema generation only; get_queryset is the truth

    def get_queryset(self):
        return list_datasets(viewer=self.request.user, **self.list_filters())

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "datasets"
        return super().get_throttles()

    def list_filters(self) -> dict:
        params = self.request.query_params
        filters: dict = {}
        status_param = params.get("status", Dataset.Status.ACTIVE)
        if status_param != "all" and status_param not in Dataset.Status.values:
            raise ValidationError({"status": [f"One of {', '.join(Dataset.Status.values)}, all."]})
        filters["status"] = None if status_param == "all" else status_param
        for key in ("name", "tag", "uploader"):
            if params.get(key):
                filters[key] = params[key]
        if params.get("format"):
            if params["format"] not in Dataset.Format.values:
                raise ValidationError({"format": [f"One of {', '.join(Dataset.Format.values)}."]})
            filters["format"] = params["format"]
        if params.get("visibility"):
            if params["visibility"] not in Dataset.Visibility.values:
                raise ValidationError({"visibility": ["One of public, team, private."]})
            filters["visibility"] = params["visibility"]
        if params.get("team"):
            team = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
            try:
                filters["team_id"] = team.run_validation(params["team"])
            except ValidationError as exc:
                raise ValidationError({"team": exc.detail}) from None
        ordering = params.get("ordering", "id")
        key = ordering.lstrip("-")
        if key not in ORDERINGS and not QUALITY_NAME.match(key):
            raise ValidationError({"ordering": [f"Cannot order by {ordering!r}."]})
        filters["ordering"] = ordering
        ranges = []
        for name in params:
            if name in KNOWN_PARAMS:
                continue
            if not QUALITY_NAME.match(name):
                raise ValidationError({name: ["Unknown filter."]})
            ranges.append(parse_quality_range(name, params[name]))
        filters["quality_ranges"] = tuple(ranges)
        return filters

    def get_object(self):
        return get_dataset(viewer=self.request.user, dataset_id=self.kwargs["pk"])

    def _detail(self, dataset: Dataset, *, status_code: int = status.HTTP_200_OK) -> Response:
        context = {
            **self.get_serializer_context(),
            "qualities": qualities_of(dataset=dataset),
            "files": list(dataset.files.all()),
        }
        return Response(DatasetSerializer(dataset, context=context).data, status=status_code)

    @extend_schema(summary="List datasets", parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a dataset", responses={200: DatasetSerializer, **problems(404)})
    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        summary="Upload a dataset (a new version if the name exists)",
        request={"multipart/form-data": DatasetUploadSerializer},
        responses={
            202: OpenApiResponse(DatasetSerializer, description="Stored; ingestion is queued."),
            **problems(400, 401, 403, 409, 429),
            413: OpenApiResponse(description="Over the upload size cap."),
        },
    )
    def create(self, request):
        payload = DatasetUploadSerializer(data=request.data)
        if getattr(request._request, "upload_too_large", False):
            raise UploadTooLarge()
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        upload = data.pop("file")
        team_id = data.pop("team_id")
        team = None
        if team_id is not None:
            try:
                team = get_team(team_id=team_id)
            except TeamNotFound as exc:
                raise ValidationError({"team_id": [exc.detail]}) from None
        dataset = services.upload_dataset(
            uploader=request.user,
            chunks=upload.chunks(),
            filename=upload.name or "",
            team=team,
            md5_checksum=data.pop("md5_checksum", None) or None,
            sha256_checksum=data.pop("sha256_checksum", None) or None,
            **data,
        )
        dataset = get_dataset(viewer=request.user, dataset_id=dataset.pk)
        return self._detail(dataset, status_code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Edit a dataset's metadata (uploader)",
        request=DatasetUpdateSerializer,
        responses={200: DatasetSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        dataset = self.get_object()
        payload = DatasetUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.update_dataset(dataset=dataset, actor=request.user, **payload.validated_data)
        return self._detail(self.get_object())

    @extend_schema(
        summary="Delete a dataset version (uploader; only while nothing refers to it)",
        responses={204: None, **problems(401, 403, 404, 409)},
    )
    def destroy(self, request, pk=None):
        services.delete_dataset(dataset=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The dataset's features (columns)",
        responses={200: FeatureSerializer(many=True), **problems(404)},
    )
    @action(detail=True, methods=["get"])
    def features(self, request, pk=None):
        page = self.paginate_queryset(features_of(dataset=self.get_object()))
        return self.get_paginated_response(FeatureSerializer(page, many=True).data)

    @extend_schema(
        summary="The dataset's qualities (OpenML names)",
        responses={200: OpenApiTypes.OBJECT, **problems(404)},
    )
    @action(detail=True, methods=["get"])
    def qualities(self, request, pk=None):
        return Response(qualities_of(dataset=self.get_object()))

    @extend_schema(
        summary="Every visible version of this dataset's name",
        responses={200: DatasetSerializer(many=True), **problems(404)},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        page = self.paginate_queryset(versions_of(viewer=request.user, dataset=self.get_object()))
        return self.get_paginated_response(DatasetSerializer(page, many=True).data)

    @extend_schema(
        summary="A new version with another target, row id or ignored columns (uploader)",
        description=(
            "A processed version's files never change; this makes the next version from the "
            "same uploaded file and metadata, with the new definition, and queues its ingestion."
        ),
        request=DatasetDefinitionSerializer,
        responses={202: DatasetSerializer, **problems(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        dataset = self.get_object()
        payload = DatasetDefinitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        derived = services.derive_version(
            dataset=dataset, actor=request.user, **payload.validated_data
        )
        return self._detail(
            get_dataset(viewer=request.user, dataset_id=derived.pk),
            status_code=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="Deactivate (uploader or moderator)",
        request=None,
        responses={200: DatasetSerializer, **problems(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        services.deactivate_dataset(dataset=self.get_object(), actor=request.user)
        return self._detail(self.get_object())

    @extend_schema(
        summary="Reactivate (uploader or moderator)",
        request=None,
        responses={200: DatasetSerializer, **problems(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        services.reactivate_dataset(dataset=self.get_object(), actor=request.user)
        return self._detail(self.get_object())

    @extend_schema(
        summary="Download the data as Parquet, CSV or ARFF",
        parameters=[OpenApiParameter("kind", str, "path", enum=["parquet", "csv", "arff"])],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file; `X-Checksum-SHA256` and `ETag` carry its SHA-256.",
            ),
            **problems(404),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"download/(?P<kind>parquet|csv|arff)")
    def download(self, request, pk=None, kind=None):
        dataset = self.get_object()
        stored = file_of(dataset=dataset, kind=kind)
        path = storage.file_path(dataset.pk, kind)
        if (
            stored is None
            or dataset.status not in {Dataset.Status.ACTIVE, Dataset.Status.DEACTIVATED}
            or not path.exists()
        ):
            raise DatasetFileMissing()
        filename = f"{slug_for_file(dataset.name)}-v{dataset.version}.{storage.EXTENSIONS[kind]}"
        return stored_file_response(
            path, kind=kind, filename=filename, md5=stored.md5, sha256=stored.sha256
        )


def slug_for_file(name: str) -> str:
    """A safe file name stem from a dataset name (D12: never the client's file name)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")
    return stem[:100] or "dataset"
