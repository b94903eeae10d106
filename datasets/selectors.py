"""Read queries for datasets, written once for the API and the website.

Visibility lives here and only here: a private dataset is seen by its uploader, a team
dataset by the team's members, and moderators (staff) see everything. Every list, count,
detail and download goes through :func:`visible_datasets`, so nothing leaks through a
path that forgot to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import Membership, User
from datasets.exceptions import DatasetNotFound
from datasets.models import Dataset, DatasetFile, Feature, Quality

# Shown in lists beside each dataset (OpenML's "basic" qualities, a subset).
LIST_QUALITIES = (
    "NumberOfInstances",
    "NumberOfFeatures",
    "NumberOfClasses",
    "NumberOfMissingValues",
)

# Qualities a list can be filtered and sorted by: any name ingestion computes is accepted
# in a filter, but names must look like OpenML's (letters and digits) to reach the query.
QUALITY_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{1,63}$")


def visible_datasets(*, viewer: User) -> QuerySet[Dataset]:
    datasets = Dataset.objects.all()
    if viewer.is_authenticated and viewer.is_staff:
        return datasets
    visible = Q(visibility=Dataset.Visibility.PUBLIC)
    if viewer.is_authenticated:
        teams = Membership.objects.filter(user=viewer).values("team_id")
        visible |= Q(uploader=viewer) | Q(visibility=Dataset.Visibility.TEAM, team_id__in=teams)
    return datasets.filter(visible)


def _with_list_relations(datasets: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return datasets.select_related("uploader", "team").prefetch_related(
        Prefetch(
            "qualities",
            queryset=Quality.objects.filter(name__in=LIST_QUALITIES),
            to_attr="list_qualities",
        ),
        "tags",
    )


@dataclass(frozen=True)
class QualityRange:
    name: str
    low: float | None
    high: float | None


def list_datasets(
    *,
    viewer: User,
    status: str | None = Dataset.Status.ACTIVE,
    name: str | None = None,
    tag: str | None = None,
    uploader: str | None = None,
    format: str | None = None,
    visibility: str | None = None,
    team_id: int | None = None,
    quality_ranges: tuple[QualityRange, ...] = (),
    ordering: str = "id",
) -> QuerySet[Dataset]:
    """Visible datasets, filtered in the database. ``status=None`` means every status."""
    datasets = visible_datasets(viewer=viewer)
    if status:
        datasets = datasets.filter(status=status)
    if name:
        datasets = datasets.filter(name__icontains=name)
    if tag:
        datasets = datasets.filter(tags__tag=tag)
    if uploader:
        datasets = datasets.filter(uploader__username__iexact=uploader)
    if format:
        datasets = datasets.filter(format=format)
    if visibility:
        datasets = datasets.filter(visibility=visibility)
    if team_id:
        datasets = datasets.filter(team_id=team_id)
    for quality in quality_ranges:
        # One indexed subquery per range: (name, value) → dataset ids.
        matching = Quality.objects.filter(name=quality.name)
        if quality.low is not None:
            matching = matching.filter(value__gte=quality.low)
        if quality.high is not None:
            matching = matching.filter(value__lte=quality.high)
        datasets = datasets.filter(id__in=matching.values("dataset_id"))
    return _with_list_relations(_ordered(datasets, ordering))


def _ordered(datasets: QuerySet[Dataset], ordering: str) -> QuerySet[Dataset]:
    descending = ordering.startswith("-")
    key = ordering.lstrip("-")
    if key in {"id", "name", "version", "created_at"}:
        fields = [key] if key == "id" else [key, "id"]
    else:  # a quality name (validated by the caller); datasets without it sort last
        value = Quality.objects.filter(dataset=OuterRef("pk"), name=key).values("value")[:1]
        datasets = datasets.annotate(sort_quality=Subquery(value))
        fields = ["sort_quality", "id"]
    if descending:
        return datasets.order_by(*[f"-{f}" for f in fields])
    return datasets.order_by(*fields)


def get_dataset(*, viewer: User, dataset_id: int) -> Dataset:
    """One visible dataset; an invisible one is reported as not existing."""
    try:
        return (
            visible_datasets(viewer=viewer)
            .select_related("uploader", "team")
            .prefetch_related("tags", "files")
            .get(pk=dataset_id)
        )
    except (Dataset.DoesNotExist, ValueError, TypeError, OverflowError):
        raise DatasetNotFound() from None


def versions_of(*, viewer: User, dataset: Dataset) -> QuerySet[Dataset]:
    return (
        visible_datasets(viewer=viewer)
        .filter(namespace=dataset.namespace, name_key=dataset.name_key)
        .order_by("version")
    )


def features_of(*, dataset: Dataset) -> QuerySet[Feature]:
    return Feature.objects.filter(dataset=dataset).order_by("index")


def qualities_of(*, dataset: Dataset) -> dict[str, float | None]:
    # Sorted here, not by the database: a few dozen rows, and MySQL's case-insensitive
    # collation would order "MinorityClass..." and "MinSkewness..." unlike SQLite.
    return dict(sorted(Quality.objects.filter(dataset=dataset).values_list("name", "value")))


def file_of(*, dataset: Dataset, kind: str) -> DatasetFile | None:
    return DatasetFile.objects.filter(dataset=dataset, kind=kind).first()


def count_datasets(*, viewer: User) -> int:
    return visible_datasets(viewer=viewer).filter(status=Dataset.Status.ACTIVE).count()
