"""Domain errors of datasets (rendered by api/errors.py and shown by the website)."""

from config.errors import Conflict, DomainError, NotFound, PermissionDenied


class DatasetNotFound(NotFound):
    code = "dataset_not_found"
    title = "Dataset not found."


class DatasetNotOwned(PermissionDenied):
    code = "dataset_not_owned"
    title = "Only the dataset's uploader (or a moderator) can do this."


class InvalidDatasetFile(DomainError):
    """The uploaded bytes are not a table we read; ``code`` is the engine's code."""

    code = "invalid_file"
    title = "The file is not a readable table."

    def __init__(self, detail: str, *, code: str, field: str = "file") -> None:
        super().__init__(detail, field=field)
        self.code = code


class UnknownColumn(DomainError):
    code = "unknown_column"
    title = "There is no such column in the file."


class ChecksumMismatch(DomainError):
    code = "checksum_mismatch"
    title = "The file's checksum does not match the one sent with it."


class UploadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"
    title = "The upload is larger than this server accepts."


class NotATeamMember(PermissionDenied):
    code = "not_team_member"
    title = "Only members of the team can share a dataset with it."


class InvalidVisibility(DomainError):
    code = "invalid_visibility"
    title = "A dataset shared with a team needs that team; other visibilities take none."


class DatasetStateConflict(Conflict):
    code = "dataset_state_conflict"
    title = "The dataset is not in a state that allows this."


class DatasetInUse(Conflict):
    code = "dataset_in_use"
    title = "Something refers to this dataset version; deactivate it instead."


class DatasetFileMissing(NotFound):
    code = "dataset_file_missing"
    title = "That file of the dataset is not available (is the dataset active?)."


class InvalidDatasetName(DomainError):
    code = "invalid_name"
    title = "Dataset names are 1 to 128 characters (also when lower-cased)."


class TooManyTags(DomainError):
    code = "too_many_tags"
    title = "Too many tags."


class DatasetVersionFrozen(Conflict):
    code = "dataset_version_frozen"
    title = (
        "A processed version's target, row id and ignored columns are part of its files, "
        "which never change: make a new version with the new definition instead."
    )
