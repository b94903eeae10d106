"""Writes for datasets: upload, ingestion, edits, lifecycle.

The upload service stores the file and creates the version in one transaction, checking
what is cheap to check at once (format by content, the declared columns exist), and
enqueues ingestion on commit. Ingestion (a worker job) parses and describes the file with
the engine, the same code the client runs, writes the canonical Parquet and the CSV and
ARFF downloads, and replaces the features and qualities in one transaction. Either an
upload leaves a complete version behind, or nothing: no rows, no files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import Membership, Team, User
from datasets import storage
from datasets.exceptions import (
    ChecksumMismatch,
    DatasetInUse,
    DatasetNotOwned,
    DatasetStateConflict,
    DatasetVersionFrozen,
    InvalidDatasetFile,
    InvalidDatasetName,
    InvalidVisibility,
    NotATeamMember,
    TooManyTags,
    UnknownColumn,
)
from datasets.models import Dataset, DatasetFile, DatasetTag, Feature, Quality

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
MAX_TAGS = 50
MAX_VERSION_RETRIES = 5
MAX_COLUMN_NAME = 255  # Feature.name's length
MAX_DELIVERIES = 3


# --- Upload -----------------------------------------------------------------------------


def _check_visibility(*, uploader: User, visibility: str, team: Team | None) -> None:
    if (visibility == Dataset.Visibility.TEAM) != (team is not None):
        raise InvalidVisibility(field="team_id" if team is None else "visibility")
    if team is not None and not Membership.objects.filter(team=team, user=uploader).exists():
        raise NotATeamMember(field="team_id")


def _check_columns(
    columns: Sequence[str], *, target: str, row_id: str, ignore: Sequence[str]
) -> None:
    known = set(columns)
    for field, names in (
        ("default_target_attribute", [target] if target else []),
        ("row_id_attribute", [row_id] if row_id else []),
        ("ignore_attributes", list(ignore)),
    ):
        for name in names:
            if name not in known:
                raise UnknownColumn(f"The file has no column named {name!r}.", field=field)
    if target and (target == row_id or target in ignore):
        raise UnknownColumn(
            "The target cannot also be the row id or ignored.", field="default_target_attribute"
        )


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = sorted({t.strip() for t in tags if t and t.strip()})
    if len(cleaned) > MAX_TAGS:
        raise TooManyTags(f"At most {MAX_TAGS} tags.", field="tags")
    return cleaned


def upload_dataset(
    *,
    uploader: User,
    chunks: Iterable[bytes],
    filename: str = "",
    name: str,
    description: str = "",
    licence: str = "",
    citation: str = "",
    collection_date: str = "",
    original_data_url: str = "",
    paper_url: str = "",
    default_target_attribute: str = "",
    row_id_attribute: str = "",
    ignore_attributes: Sequence[str] = (),
    tags: Iterable[str] = (),
    visibility: str = Dataset.Visibility.PUBLIC,
    team: Team | None = None,
    md5_checksum: str | None = None,
    sha256_checksum: str | None = None,
) -> Dataset:
    """Store an uploaded table as the next version of ``name`` and enqueue its ingestion.

    ``chunks`` is the file's content, streamed (never held whole in memory). Raises a
    DomainError, leaving no row and no file, when the file is not a table we read, the
    checksums differ, a declared column is missing, or the visibility is not allowed.
    """
    from tunebench import engine

    _check_visibility(uploader=uploader, visibility=visibility, team=team)
    tag_list = _clean_tags(tags)
    name_key = name_key_for(name)
    namespace = namespace_for(uploader=uploader, visibility=visibility, team=team)
    staged = storage.staging_dir() / f"{timezone.now():%Y%m%d%H%M%S}-{uploader.pk}.upload"
    staged = storage.temp_path_beside(staged)
    final: Path | None = None
    try:
        size, md5, sha256 = storage.copy_with_checksums(chunks, staged)
        if md5_checksum and md5_checksum.lower() != md5:
            raise ChecksumMismatch(f"The file's MD5 is {md5}.", field="md5_checksum")
        if sha256_checksum and sha256_checksum.lower() != sha256:
            raise ChecksumMismatch(f"The file's SHA-256 is {sha256}.", field="sha256_checksum")
        try:
            file_format = engine.sniff_format(staged)
            columns = engine.read_column_names(staged, file_format)
        except engine.DataFormatError as exc:
            raise InvalidDatasetFile(_describe_error(exc), code=exc.code) from None
        too_long = next((c for c in columns if len(c) > MAX_COLUMN_NAME), None)
        if too_long is not None:
            raise InvalidDatasetFile(
                f"Column names are limited to {MAX_COLUMN_NAME} characters "
                f"(one starts {too_long[:40]!r}).",
                code="column_name_too_long",
            )
        _check_columns(
            columns,
            target=default_target_attribute,
            row_id=row_id_attribute,
            ignore=ignore_attributes,
        )
        for _ in range(MAX_VERSION_RETRIES):
            try:
                with transaction.atomic():
                    dataset = Dataset(
                        name=name.strip(),
                        name_key=name_key,
                        namespace=namespace,
                        version=_next_version(namespace, name_key),
                        description=description,
                        licence=licence,
                        citation=citation,
                        collection_date=collection_date,
                        original_data_url=original_data_url,
                        paper_url=paper_url,
                        default_target_attribute=default_target_attribute,
                        row_id_attribute=row_id_attribute,
                        ignore_attributes=list(ignore_attributes),
                        visibility=visibility,
                        team=team,
                        uploader=uploader,
                        format=file_format,
                        original_filename=filename[:255],
                    )
                    dataset.full_clean(exclude=["name_key", "namespace", "version"])
                    dataset.save()
                    DatasetFile.objects.create(
                        dataset=dataset, kind="original", size=size, md5=md5, sha256=sha256
                    )
                    DatasetTag.objects.bulk_create(
                        [DatasetTag(dataset=dataset, tag=t) for t in tag_list],
                        ignore_conflicts=True,  # "ML" and "ml" are one tag under MySQL
                    )
                    final = storage.file_path(dataset.pk, "original")
                    storage.move_into_place(staged, final)
                    _enqueue_ingestion(dataset)
                break
            except IntegrityError:
                # Two uploads of one name raced for the same version: take the next one.
                if final is not None:
                    final.unlink(missing_ok=True)
                    final = None
                continue
        else:
            raise DatasetStateConflict("Too many concurrent uploads of this name; try again.")
    except BaseException:
        staged.unlink(missing_ok=True)
        if final is not None:
            storage.remove_dataset_files(int(final.parent.name))
        raise
    logger.info(
        "dataset uploaded id=%s version=%s format=%s", dataset.pk, dataset.version, file_format
    )
    return dataset


def _next_version(namespace: str, name_key: str) -> int:
    latest = Dataset.objects.filter(namespace=namespace, name_key=name_key).aggregate(
        v=Max("version")
    )["v"]
    return (latest or 0) + 1


def namespace_for(*, uploader: User, visibility: str, team: Team | None) -> str:
    if visibility == Dataset.Visibility.TEAM and team is not None:
        return f"team-{team.pk}"
    if visibility == Dataset.Visibility.PRIVATE:
        return f"user-{uploader.pk}"
    return "public"


def name_key_for(name: str) -> str:
    """The case-insensitive key of a name; refused if case folding makes it too long."""
    key = name.strip().casefold()
    if not key:
        raise InvalidDatasetName("A dataset needs a name.", field="name")
    if len(key) > Dataset._meta.get_field("name_key").max_length:
        raise InvalidDatasetName(field="name")
    return key


def _enqueue_ingestion(dataset: Dataset) -> None:
    from datasets.jobs import ingest_dataset_job

    dataset_id, attempt = dataset.pk, dataset.attempt
    # robust: a broker that is down must not fail an upload already committed (the
    # sweeper sends the job again).
    transaction.on_commit(lambda: ingest_dataset_job.delay(dataset_id, attempt), robust=True)


def _describe_error(exc) -> str:
    return str(exc)  # the engine's message already names the line and column


# --- Ingestion --------------------------------------------------------------------------


def ingest_dataset(*, dataset_id: int, attempt: int) -> None:
    """Parse, describe and convert one attempt of a dataset. Idempotent.

    A delivery for another attempt, or for a dataset no longer processing, is a logged
    no-op; running the same attempt twice writes the same files and the same rows.
    """
    from tunebench import engine

    claimed = Dataset.objects.filter(
        pk=dataset_id, status=Dataset.Status.PROCESSING, attempt=attempt
    ).update(
        processing_started_at=timezone.now(),
        updated_at=timezone.now(),
        deliveries=F("deliveries") + 1,
    )
    if not claimed:
        logger.info("ingest skipped dataset=%s attempt=%s: not processing", dataset_id, attempt)
        return
    dataset = Dataset.objects.get(pk=dataset_id)
    if dataset.deliveries > MAX_DELIVERIES:
        # Earlier deliveries of this attempt never finished: the worker died reading it.
        fail_ingestion(
            dataset_id=dataset_id,
            attempt=attempt,
            code="ingestion_crashed",
            message=(
                f"Reading this file stopped the worker {dataset.deliveries - 1} times "
                "(too large for the worker's memory?)."
            ),
        )
        return
    original = storage.file_path(dataset_id, "original")
    try:
        raw = engine.read_table(original, dataset.format)
        description = engine.describe_table(
            raw,
            target=dataset.default_target_attribute or None,
            row_id=dataset.row_id_attribute or None,
            ignore=dataset.ignore_attributes,
        )
    except engine.DataFormatError as exc:
        fail_ingestion(
            dataset_id=dataset_id, attempt=attempt, code=exc.code, message=_describe_error(exc)
        )
        return

    writers = {
        "parquet": lambda path: engine.write_parquet(description.table, path),
        "csv": lambda path: engine.write_csv(description.table, path),
        "arff": lambda path: engine.write_arff(
            description.table, description.features, path, relation=dataset.name
        ),
    }
    try:
        stored = storage.write_all(
            {storage.file_path(dataset_id, kind): write for kind, write in writers.items()}
        )
    except Exception as exc:
        # Not the uploader's fault (a full disk, a bug): record it; write_all has removed
        # what this attempt wrote, so no derived file exists without its row.
        logger.exception("writing derived files failed dataset=%s", dataset_id)
        fail_ingestion(
            dataset_id=dataset_id,
            attempt=attempt,
            code="internal_error",
            message=f"The server could not write the converted files ({type(exc).__name__}).",
        )
        return

    with transaction.atomic():
        still_ours = Dataset.objects.filter(
            pk=dataset_id, status=Dataset.Status.PROCESSING, attempt=attempt
        ).update(
            status=Dataset.Status.ACTIVE,
            format=raw.format,
            processed_at=timezone.now(),
            error_code="",
            error_message="",
        )
        if not still_ours:
            logger.info(
                "ingest result dropped dataset=%s attempt=%s: superseded", dataset_id, attempt
            )
            transaction.set_rollback(True)
            return
        Feature.objects.filter(dataset_id=dataset_id).delete()
        Feature.objects.bulk_create(
            [
                Feature(
                    dataset_id=dataset_id,
                    index=f.index,
                    name=f.name,
                    data_type=f.data_type,
                    nominal_values=f.nominal_values,
                    missing_count=f.missing_count,
                    distinct_count=f.distinct_count,
                    is_target=f.is_target,
                    is_row_id=f.is_row_id,
                    is_ignored=f.is_ignored,
                    stats=f.stats,
                )
                for f in description.features
            ]
        )
        Quality.objects.filter(dataset_id=dataset_id).delete()
        Quality.objects.bulk_create(
            [
                Quality(dataset_id=dataset_id, name=name, value=value)
                for name, value in sorted(description.qualities.items())
            ]
        )
        written = {kind: stored[storage.file_path(dataset_id, kind)] for kind in writers}
        for kind, sums in written.items():
            DatasetFile.objects.update_or_create(
                dataset_id=dataset_id,
                kind=kind,
                defaults={"size": sums.size, "md5": sums.md5, "sha256": sums.sha256},
            )
    logger.info("dataset ingested id=%s features=%s", dataset_id, len(description.features))


def fail_ingestion(*, dataset_id: int, attempt: int, code: str, message: str) -> None:
    """Record why a dataset could not be ingested; the uploader sees it wherever it shows."""
    Dataset.objects.filter(pk=dataset_id, status=Dataset.Status.PROCESSING, attempt=attempt).update(
        status=Dataset.Status.ERROR,
        error_code=code[:64],
        error_message=message,
        processed_at=timezone.now(),
    )
    logger.info("dataset failed id=%s code=%s", dataset_id, code)


def requeue_stuck_datasets(*, max_attempts: int = 3) -> int:
    """Re-enqueue datasets whose ingestion stalled (lost message, killed worker).

    A dataset processing for longer than the hard job limit plus a margin gets a new
    attempt, up to ``max_attempts``; after that it fails with ``ingestion_stalled``.
    Returns how many were re-enqueued.
    """
    deadline = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stuck = Dataset.objects.filter(status=Dataset.Status.PROCESSING, updated_at__lt=deadline)
    requeued = 0
    for dataset in stuck:
        if dataset.attempt >= max_attempts:
            fail_ingestion(
                dataset_id=dataset.pk,
                attempt=dataset.attempt,
                code="ingestion_stalled",
                message=f"Ingestion did not finish after {dataset.attempt} attempts.",
            )
            continue
        with transaction.atomic():
            bumped = Dataset.objects.filter(
                pk=dataset.pk, status=Dataset.Status.PROCESSING, attempt=dataset.attempt
            ).update(attempt=dataset.attempt + 1, deliveries=0, updated_at=timezone.now())
            if bumped:
                dataset.attempt += 1
                _enqueue_ingestion(dataset)
                requeued += 1
    remove_stale_files()
    return requeued


def remove_stale_files(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete staging uploads and temp files an interrupted process left behind (I1).

    Only files older than a day go, far beyond any upload or job in progress.
    """
    cutoff = (timezone.now() - older_than).timestamp()
    removed = 0
    root = Path(settings.MEDIA_ROOT)
    candidates = list(storage.staging_dir().iterdir())
    if (root / "datasets").exists():
        candidates += list((root / "datasets").glob("*/.*.tmp"))
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


# --- Edits and lifecycle ----------------------------------------------------------------

EDITABLE_FIELDS = (
    "description",
    "licence",
    "citation",
    "collection_date",
    "original_data_url",
    "paper_url",
)
DEFINING_FIELDS = ("default_target_attribute", "row_id_attribute", "ignore_attributes")


def _require_owner(*, dataset: Dataset, actor: User) -> None:
    if not (actor.is_authenticated and (actor.pk == dataset.uploader_id or actor.is_staff)):
        raise DatasetNotOwned()


def references_to(dataset: Dataset) -> list[str]:
    """What refers to this dataset version and so pins it (tasks defined on it)."""
    return [f"task {pk}" for pk in dataset.tasks.order_by("pk").values_list("pk", flat=True)]


@transaction.atomic
def update_dataset(
    *, dataset: Dataset, actor: User, tags: Iterable[str] | None = None, **changes
) -> Dataset:
    """Edit the metadata of a version. Uploader or moderator only.

    Description, licence, citation, dates, links and tags change in place. The defining
    columns (target, row id, ignored) decide how the files are written (a text target is
    nominal, a row id becomes integers), and a published version's files never change: so
    they can be corrected only while ingestion has failed (there are no files yet). For a
    processed version, :func:`derive_version` makes the next version with the new ones.
    """
    from tunebench import engine

    _require_owner(dataset=dataset, actor=actor)
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(DEFINING_FIELDS)
    if unknown:
        raise AssertionError(f"update_dataset got unknown fields: {sorted(unknown)}")
    redefine = {
        k: v for k, v in changes.items() if k in DEFINING_FIELDS and getattr(dataset, k) != v
    }
    if redefine:
        if dataset.status != Dataset.Status.ERROR:
            raise DatasetVersionFrozen(field=next(iter(redefine)))
        try:
            columns = engine.read_column_names(
                storage.file_path(dataset.pk, "original"), dataset.format
            )
        except engine.DataFormatError as exc:
            raise InvalidDatasetFile(str(exc), code=exc.code) from None
        _check_columns(
            columns,
            target=redefine.get("default_target_attribute", dataset.default_target_attribute),
            row_id=redefine.get("row_id_attribute", dataset.row_id_attribute),
            ignore=redefine.get("ignore_attributes", dataset.ignore_attributes),
        )
    for key, value in changes.items():
        setattr(dataset, key, value)
    dataset.full_clean(exclude=["name_key", "namespace", "version"])
    if redefine:
        dataset.status = Dataset.Status.PROCESSING
        dataset.attempt += 1
        dataset.deliveries = 0
        dataset.error_code = dataset.error_message = ""
    dataset.save()
    if tags is not None:
        wanted = _clean_tags(tags)
        DatasetTag.objects.filter(dataset=dataset).exclude(tag__in=wanted).delete()
        existing = set(DatasetTag.objects.filter(dataset=dataset).values_list("tag", flat=True))
        DatasetTag.objects.bulk_create(
            [DatasetTag(dataset=dataset, tag=t) for t in wanted if t not in existing],
            ignore_conflicts=True,
        )
    if redefine:
        _enqueue_ingestion(dataset)
    return dataset


def derive_version(*, dataset: Dataset, actor: User, **definition) -> Dataset:
    """The next version of a dataset: the same uploaded file and metadata, with a new
    target, row id or ignored columns. The source version is left exactly as it was."""
    _require_owner(dataset=dataset, actor=actor)
    unknown = set(definition) - set(DEFINING_FIELDS)
    if unknown:
        raise AssertionError(f"derive_version got unknown fields: {sorted(unknown)}")
    original = storage.file_path(dataset.pk, "original")
    with open(original, "rb") as handle:
        return upload_dataset(
            uploader=actor,
            chunks=iter(lambda: handle.read(CHUNK), b""),
            filename=dataset.original_filename,
            name=dataset.name,
            description=dataset.description,
            licence=dataset.licence,
            citation=dataset.citation,
            collection_date=dataset.collection_date,
            original_data_url=dataset.original_data_url,
            paper_url=dataset.paper_url,
            default_target_attribute=definition.get(
                "default_target_attribute", dataset.default_target_attribute
            ),
            row_id_attribute=definition.get("row_id_attribute", dataset.row_id_attribute),
            ignore_attributes=definition.get("ignore_attributes", dataset.ignore_attributes),
            tags=[t.tag for t in dataset.tags.all()],
            visibility=dataset.visibility,
            team=dataset.team,
        )


@transaction.atomic
def deactivate_dataset(*, dataset: Dataset, actor: User) -> Dataset:
    _require_owner(dataset=dataset, actor=actor)
    if dataset.status != Dataset.Status.ACTIVE:
        raise DatasetStateConflict("Only an active dataset can be deactivated.")
    dataset.status = Dataset.Status.DEACTIVATED
    dataset.save(update_fields=["status", "updated_at"])
    return dataset


@transaction.atomic
def reactivate_dataset(*, dataset: Dataset, actor: User) -> Dataset:
    _require_owner(dataset=dataset, actor=actor)
    if dataset.status != Dataset.Status.DEACTIVATED:
        raise DatasetStateConflict("Only a deactivated dataset can be reactivated.")
    dataset.status = Dataset.Status.ACTIVE
    dataset.save(update_fields=["status", "updated_at"])
    return dataset


@transaction.atomic
def delete_dataset(*, dataset: Dataset, actor: User) -> None:
    """Delete a version and its files, only while nothing refers to it."""
    _require_owner(dataset=dataset, actor=actor)
    if dataset.status == Dataset.Status.PROCESSING:
        raise DatasetStateConflict("Wait until the dataset has been processed.")
    if references_to(dataset):
        raise DatasetInUse()
    dataset_id = dataset.pk
    dataset.delete()
    transaction.on_commit(lambda: storage.remove_dataset_files(dataset_id))
    logger.info("dataset deleted id=%s by user=%s", dataset_id, actor.pk)
