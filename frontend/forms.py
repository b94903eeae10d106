"""The website's forms: they check the shape of what a person typed, nothing more.

Every rule (unique names, password strength, who may do what, what a dataset file may be,
whether predictions fit a task) lives in the services (accounts/services.py,
datasets/services.py, runs/services.py); a view passes the cleaned data on and shows the
service's error on the form with :func:`show_error`.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.exceptions import TeamNotFound
from accounts.models import Membership, Team, User
from accounts.selectors import get_team, list_teams
from config import strictjson
from config.errors import DomainError
from datasets.models import Dataset
from datasets.selectors import QualityRange
from frontend.rendering import format_number
from runs.models import Run
from tasks.models import Task, TaskType


class SignupForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Shown on leaderboards.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        required=False,
        help_text="Only used to tell you about your account.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters; not a common password, not only digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class TeamForm(forms.Form):
    """Create a team, or rename it and change its description."""

    name = forms.CharField(max_length=100, help_text="Shown on leaderboards.")
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=100,
        help_text="What the key is for, such as “laptop” or “CI”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


# --- Datasets ---------------------------------------------------------------------------

# The qualities a list can be narrowed by, with a min and a max box each:
# (query-string prefix, OpenML quality name, label).
QUALITY_FILTERS = (
    ("instances", "NumberOfInstances", "Instances"),
    ("features", "NumberOfFeatures", "Features"),
    ("classes", "NumberOfClasses", "Classes"),
    ("missing", "NumberOfMissingValues", "Missing values"),
)

STATUS_FILTERS = [
    (Dataset.Status.ACTIVE, "Active"),
    (Dataset.Status.PROCESSING, "Processing"),
    (Dataset.Status.ERROR, "Failed"),
    (Dataset.Status.DEACTIVATED, "Deactivated"),
    ("all", "Any status"),
]

# The first choice is the default (a select shows it when the query string has none).
ORDERINGS = [
    ("name", "Name"),
    ("-created_at", "Newest first"),
    ("created_at", "Oldest first"),
    ("-NumberOfInstances", "Most instances"),
    ("NumberOfInstances", "Fewest instances"),
    ("-NumberOfFeatures", "Most features"),
    ("NumberOfFeatures", "Fewest features"),
]


class DatasetFilterForm(forms.Form):
    """The list's filters, read from the query string; every field may be left empty."""

    name = forms.CharField(
        max_length=128, required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    tag = forms.CharField(max_length=64, required=False)
    uploader = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocapitalize": "none"})
    )
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False)
    format = forms.ChoiceField(
        choices=[("", "Any format"), *Dataset.Format.choices], required=False
    )
    ordering = forms.ChoiceField(label="Sort by", choices=ORDERINGS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for prefix, _, label in QUALITY_FILTERS:
            for bound in ("min", "max"):
                self.fields[f"{prefix}_{bound}"] = forms.FloatField(
                    label=f"{label}, {bound}",
                    required=False,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                )

    def quality_fields(self):
        """(label, min box, max box) per quality, for the template's range rows."""
        return [
            (label, self[f"{prefix}_min"], self[f"{prefix}_max"])
            for prefix, _, label in QUALITY_FILTERS
        ]

    def clean(self):
        cleaned = super().clean()
        for prefix, _, label in QUALITY_FILTERS:
            low, high = cleaned.get(f"{prefix}_min"), cleaned.get(f"{prefix}_max")
            if low is not None and high is not None and low > high:
                self.add_error(f"{prefix}_max", f"{label}: the maximum is below the minimum.")
        return cleaned

    def selector_filters(self) -> dict:
        """The cleaned filters as keyword arguments of ``list_datasets``."""
        data = self.cleaned_data
        status = data.get("status") or Dataset.Status.ACTIVE
        ranges = []
        for prefix, quality, _ in QUALITY_FILTERS:
            low, high = data.get(f"{prefix}_min"), data.get(f"{prefix}_max")
            if low is not None or high is not None:
                ranges.append(QualityRange(quality, low, high))
        return {
            "status": None if status == "all" else status,
            "name": data.get("name") or None,
            "tag": data.get("tag") or None,
            "uploader": data.get("uploader") or None,
            "format": data.get("format") or None,
            "quality_ranges": tuple(ranges),
            "ordering": data.get("ordering") or ORDERINGS[0][0],
        }


class CommaSeparatedField(forms.CharField):
    """``a, b,c`` → ``["a", "b", "c"]``; empty parts are dropped."""

    def __init__(self, *, item_max_length: int, **kwargs):
        self.item_max_length = item_max_length
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]

    def validate(self, value):
        super().validate(value)
        for item in value:
            if len(item) > self.item_max_length:
                raise ValidationError(
                    f"“{item[:20]}…” is too long: at most {self.item_max_length} characters each."
                )

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


class DatasetMetadataForm(forms.Form):
    """What a dataset's uploader can change after the upload."""

    description = forms.CharField(
        max_length=100_000,
        required=False,
        help_text="Markdown: **bold**, _italic_, [links](https://example.org), lists, tables.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    licence = forms.CharField(
        max_length=128, required=False, help_text="Such as CC-BY-4.0 or Public domain."
    )
    citation = forms.CharField(
        max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    original_data_url = forms.URLField(
        label="Original data URL", max_length=500, required=False, assume_scheme="https"
    )
    paper_url = forms.URLField(
        label="Paper URL", max_length=500, required=False, assume_scheme="https"
    )
    tags = CommaSeparatedField(
        item_max_length=64,
        max_length=5_000,
        required=False,
        help_text="Separated by commas, such as: botany, classification.",
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )


class DatasetUploadForm(DatasetMetadataForm):
    file = forms.FileField(
        help_text="CSV, ARFF or Parquet. Tunebench reads the type from the content.",
        widget=forms.FileInput(attrs={"accept": ".csv,.arff,.parquet,.pq"}),
    )
    name = forms.CharField(
        max_length=128, help_text="Uploading under an existing name adds a new version of it."
    )
    default_target_attribute = forms.CharField(
        label="Target column",
        max_length=255,
        required=False,
        help_text="The column a model predicts, for the tasks made from this dataset.",
    )
    row_id_attribute = forms.CharField(
        label="Row id column",
        max_length=255,
        required=False,
        help_text="A column that only identifies rows; it is never used to learn from.",
    )
    ignore_attributes = CommaSeparatedField(
        item_max_length=255,
        label="Ignored columns",
        max_length=10_000,
        required=False,
        help_text="Separated by commas; kept in the file but not used to learn from.",
    )
    visibility = forms.ChoiceField(
        choices=[
            (Dataset.Visibility.PUBLIC, "Public: everyone"),
            (Dataset.Visibility.TEAM, "Team: members of one of your teams"),
            (Dataset.Visibility.PRIVATE, "Private: only you"),
        ],
        initial=Dataset.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    team_id = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="—",
        help_text="Who sees it when the visibility is Team.",
    )

    field_order = [
        "file",
        "name",
        "description",
        "default_target_attribute",
        "row_id_attribute",
        "ignore_attributes",
        "tags",
        "visibility",
        "team_id",
        "licence",
        "citation",
        "original_data_url",
        "paper_url",
    ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_id"].queryset = list_teams(member=user)
        if not self.fields["team_id"].queryset.exists():
            self.fields["team_id"].help_text = "You are in no team yet: create or join one first."

    def clean(self):
        cleaned = super().clean()
        # The team select only matters for team visibility: a team left selected while
        # choosing "public" is not a mistake worth an error.
        if cleaned.get("visibility") != Dataset.Visibility.TEAM:
            cleaned["team_id"] = None
        return cleaned


# Services name fields the way the models do; a form may call the same thing otherwise.
_FIELD_ALIASES = {"password": "password1"}


def show_error(form: forms.Form, exc: DomainError | ValidationError) -> bool:
    """Attach a service's error to the form field it concerns.

    Returns False, attaching nothing, for a domain error about no field of this form: the
    caller shows that one as a message instead.
    """
    if isinstance(exc, DomainError):
        field = _FIELD_ALIASES.get(exc.field, exc.field)
        # A path into a structured value ("parameters.max_depth") is that field's error.
        if field not in form.fields and field:
            field = field.split(".", 1)[0]
        if field not in form.fields:
            return False
        form.add_error(field, exc.detail)
        return True
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = _FIELD_ALIASES.get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
    return True


# --- Tasks ------------------------------------------------------------------------------

TASK_STATUS_FILTERS = [
    ("", "Active"),
    (Task.Status.PROCESSING, "Generating splits"),
    (Task.Status.ERROR, "Failed"),
    ("all", "All statuses"),
]
MAX_SEED = 2**63 - 1


def _procedure_choices(procedures) -> list:
    """Estimation procedures grouped by task type (an <optgroup> each)."""
    groups: dict[int, list] = {}
    for procedure in procedures:
        groups.setdefault(procedure.task_type, []).append((procedure.pk, procedure.name))
    return [(TaskType(task_type).label, items) for task_type, items in sorted(groups.items())]


class TaskFilterForm(forms.Form):
    """The task list's filters, read from the query string; every field may be left empty."""

    dataset = forms.IntegerField(
        label="Dataset id",
        min_value=1,
        max_value=MAX_SEED,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    task_type = forms.TypedChoiceField(
        label="Task type",
        choices=[("", "Any type"), *TaskType.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    estimation_procedure = forms.TypedChoiceField(
        label="Estimation procedure", coerce=int, empty_value=None, required=False
    )
    target = forms.CharField(
        max_length=255, required=False, widget=forms.TextInput(attrs={"autocapitalize": "none"})
    )
    tag = forms.CharField(max_length=64, required=False)
    status = forms.ChoiceField(choices=TASK_STATUS_FILTERS, required=False)

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estimation_procedure"].choices = [
            ("", "Any procedure"),
            *_procedure_choices(procedures),
        ]

    def selector_filters(self) -> dict:
        """The cleaned filters as keyword arguments of ``list_tasks``."""
        data = self.cleaned_data
        status = data.get("status") or Task.Status.ACTIVE
        return {
            "dataset_id": data.get("dataset"),
            "task_type": data.get("task_type"),
            "estimation_procedure_id": data.get("estimation_procedure"),
            "target": data.get("target") or None,
            "tag": data.get("tag") or None,
            "status": None if status == "all" else status,
        }


class TaskCreateForm(forms.Form):
    """Define a task on one dataset; the service checks that the data supports it."""

    dataset_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_SEED)
    task_type = forms.TypedChoiceField(
        label="Task type", choices=TaskType.choices, coerce=int, initial=TaskType.CLASSIFICATION
    )
    target = forms.ChoiceField(
        label="Target column",
        help_text="Classification needs a nominal column, regression a numeric one.",
    )
    estimation_procedure = forms.TypedChoiceField(
        label="Estimation procedure",
        coerce=int,
        help_text="Pick one listed under the chosen task type.",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=MAX_SEED,
        initial=0,
        help_text="Part of the task: another seed gives other splits, and another task.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, dataset: Dataset, features, procedures, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "dataset_id": dataset.pk,
            "target": dataset.default_target_attribute,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (f.name, f"{f.name} ({f.get_data_type_display().lower()})")
            for f in features
            if not (f.is_row_id or f.is_ignored)
        ]
        self.fields["estimation_procedure"].choices = _procedure_choices(procedures)
        self.fields["task_type"].widget.attrs["data-task-type"] = ""
        self.fields["estimation_procedure"].widget.attrs["data-procedure-for"] = "task_type"


# --- Flows and runs ---------------------------------------------------------------------


class FlowFilterForm(forms.Form):
    """The flow list's filters, read from the query string; every field may be left empty."""

    name = forms.CharField(
        max_length=255,
        required=False,
        help_text="Any part of it, such as “RandomForest”.",
        widget=forms.TextInput(attrs={"type": "search", "autocapitalize": "none"}),
    )
    tag = forms.CharField(max_length=64, required=False)
    uploader = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocapitalize": "none"})
    )

    def selector_filters(self) -> dict:
        """The cleaned filters as keyword arguments of ``list_flows``."""
        data = self.cleaned_data
        return {
            "name": data.get("name") or None,
            "tag": data.get("tag") or None,
            "uploader": data.get("uploader") or None,
        }


RUN_STATUS_FILTERS = [("", "Any status"), *Run.Status.choices]


def _id_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_SEED,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


class RunFilterForm(forms.Form):
    """The run list's filters, read from the query string; every field may be left empty."""

    task = _id_field("Task id", required=False)
    flow = _id_field("Flow id", required=False)
    configuration = _id_field("Configuration id", required=False)
    uploader = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocapitalize": "none"})
    )
    team = forms.CharField(
        max_length=100,
        required=False,
        help_text="Its short name, as in the team page's address.",
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )
    status = forms.ChoiceField(choices=RUN_STATUS_FILTERS, required=False)
    tag = forms.CharField(max_length=64, required=False)

    def clean_team(self) -> Team | None:
        slug = self.cleaned_data.get("team")
        if not slug:
            return None
        try:
            return get_team(slug=slug)
        except TeamNotFound:
            raise ValidationError("There is no team with this short name.") from None

    def selector_filters(self) -> dict:
        """The cleaned filters as keyword arguments of ``list_runs``."""
        data = self.cleaned_data
        team = data.get("team")
        return {
            "task_id": data.get("task"),
            "flow_id": data.get("flow"),
            "configuration_id": data.get("configuration"),
            "uploader": data.get("uploader") or None,
            "team_id": team.pk if team else None,
            "status": data.get("status") or None,
            "tag": data.get("tag") or None,
        }


def is_id(raw: str) -> bool:
    """ASCII digits that fit an id, for ids in query strings ("²".isdigit() is true, but
    int("²") fails)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 18


class JSONObjectField(forms.CharField):
    """A JSON object typed into a text box; empty is ``None``. Its values are the service's.

    Strict, as the API's parser is: a key given twice, NaN and Infinity are refused rather
    than silently collapsed or passed on.
    """

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            parsed = strictjson.loads(text)
        except strictjson.JSONError as exc:
            raise ValidationError(f"This is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise ValidationError('Write a JSON object, such as {"max_depth": 3}.')
        return parsed

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2)
        return value


class _RunCreditForm(forms.Form):
    """The fields a run upload and a submission share: the team it counts for, tags and a
    description. Subclasses set the texts and call ``offer_teams``."""

    team_id = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), required=False, empty_label="— Only me —"
    )
    tags = CommaSeparatedField(
        item_max_length=64,
        max_length=5_000,
        required=False,
        help_text="Separated by commas, such as: baseline, tuned.",
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )
    description = forms.CharField(
        max_length=100_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    team_help = description_help = alone_help = ""

    def offer_teams(self, user: User) -> None:
        self.fields["team_id"].help_text = self.team_help
        self.fields["description"].help_text = self.description_help
        self.fields["team_id"].queryset = list_teams(member=user)
        if not self.fields["team_id"].queryset.exists():
            self.fields["team_id"].help_text = self.alone_help


class RunUploadForm(_RunCreditForm):
    """Upload the predictions of a run made elsewhere, for the server to score."""

    team_help = "The run also counts on the task's team leaderboard for this team."
    description_help = "Markdown: how the model was trained, links to code or a paper."
    alone_help = "You are in no team yet: the run is yours alone."

    predictions = forms.FileField(
        label="Predictions file",
        help_text=(
            "CSV, ARFF or Parquet with the columns repeat, fold, row_id and prediction "
            "(and confidence.<class> for classification), one row for every test row of "
            "every fold."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.arff,.parquet,.pq"}),
    )
    task = _id_field("Task id", help_text="The task whose splits the predictions follow.")
    flow = forms.TypedChoiceField(
        label="Flow",
        coerce=int,
        empty_value=None,
        help_text="The algorithm that made the predictions.",
        error_messages={"required": "Choose the flow, or give its id below."},
    )
    flow_id = _id_field(
        "Or the flow's id",
        required=False,
        help_text="For a flow not in the list; it wins over the list.",
    )
    parameters = JSONObjectField(
        label="Parameter values",
        max_length=100_000,
        required=False,
        help_text=(
            'A JSON object, such as {"max_depth": 3}. Parameters left out take the flow\'s '
            "defaults."
        ),
        widget=forms.Textarea(
            attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "none", "class": "mono"}
        ),
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text="The random seed the model was trained with, if any.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, user: User, flows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].choices = [
            ("", "— Choose a flow —"),
            *((flow.pk, f"{flow.name} (version {flow.version}, id {flow.pk})") for flow in flows),
        ]
        if self.data.get("flow_id"):  # the id box stands in for the list
            self.fields["flow"].required = False
        self.offer_teams(user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("flow_id") is not None:
            cleaned["flow"] = cleaned["flow_id"]
        return cleaned


# --- Running a configuration on the server ----------------------------------------------
#
# The hyperparameters are not Django fields: an estimator's space (the registry's, from
# ``tunebench.engine.list_estimators``) decides them, and the page switches estimators
# without a reload. Each hyperparameter is one input named ``param-<name>``; what it holds
# depends on its kind (``parameter_widget``). Whether a value fits the space is the
# registry's business (``runs.execution.submit_configuration``): these functions only read
# what was typed, and keep out the parameters whose condition does not hold.

PARAM_PREFIX = "param-"
NUMBER_SUFFIX = "-number"
# The option of a named-values select that means "the number in the box beside it".
NUMBER_CHOICE = "__number__"


class SubmissionForm(_RunCreditForm):
    """Everything of a submission but the hyperparameters (see ``read_parameters``)."""

    team_help = "The runs also count on the task's team leaderboard, and on its quota."
    description_help = "Markdown: why this configuration, links to a paper."
    alone_help = "You are in no team yet: the runs are yours alone."

    estimator = forms.ChoiceField(
        error_messages={
            "required": "Choose an estimator.",
            "invalid_choice": "Choose one of the estimators offered for this task's type.",
        }
    )
    seeds = forms.CharField(
        max_length=2_000,
        initial="0, 1, 2, 3, 4",
        error_messages={"required": "Give at least one seed."},
        help_text=(
            "One run per seed, separated by commas: the seed of the estimator's random state. "
            "Five seeds give a mean with a 95% interval."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, user: User, estimators: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estimator"].choices = [
            ("", "— Choose an estimator —"),
            *((e["name"], estimator_label(e)) for e in estimators),
        ]
        self.offer_teams(user)

    def clean_seeds(self) -> list:
        """``"0, 1, 2"`` → ``[0, 1, 2]``; a part that is not an integer stays text, so the
        service names it (``seeds.<i>``) with the rest of the problems."""
        parts = [p for p in re.split(r"[\s,;]+", self.cleaned_data["seeds"]) if p]
        return [int(p) if re.fullmatch(r"[+-]?\d{1,30}", p) else p for p in parts]


def estimator_label(estimator: dict) -> str:
    """``RandomForestClassifier (sklearn.ensemble)``."""
    module = estimator["name"].rsplit(".", 1)[0]
    return f"{estimator['class_name']} ({module})"


def parameter_widget(hp: dict) -> str:
    """How a hyperparameter is typed: a checkbox (bool), a select (categorical), a number
    box (int, float), or a select of the named values and None beside a number box (an int
    or float that also takes "sqrt" or None)."""
    if hp["kind"] == "bool":
        return "checkbox"
    if hp["kind"] == "categorical":
        return "select"
    if hp["choices"] or hp["nullable"]:
        return "mixed"
    return "number"


def choice_text(value) -> str:
    """A value as an option's value: its JSON text (``"rbf"``, ``true``, ``null``, ``[50,50]``)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def value_label(value) -> str:
    """A value as people read it in scikit-learn's terms: ``rbf``, ``True``, ``None``."""
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value)


def _number_text(value) -> str:
    """A number as an <input type=number> value: ``3``, ``0.0001``, ``1e-06``."""
    return repr(float(value)) if isinstance(value, float) else str(value)


def same_value(a, b) -> bool:
    """Equal and of the same type, as the registry compares values (``True`` is not ``1``)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def active_parameters(space: dict, values: dict) -> dict[str, bool]:
    """Which hyperparameters apply given ``values`` (the defaults for the others): one does
    when, for every ``parent: allowed`` of its condition, the parent applies and its value
    is one of ``allowed``."""
    by_name = {hp["name"]: hp for hp in space["hyperparameters"]}
    state: dict[str, bool] = {}

    def resolve(name: str, seen: frozenset) -> bool:
        if name in state:
            return state[name]
        result = True
        for parent, allowed in (by_name[name]["condition"] or {}).items():
            if parent not in by_name or parent in seen or not resolve(parent, seen | {name}):
                result = False
                break
            current = values.get(parent, by_name[parent]["default"])
            if not any(same_value(current, v) for v in allowed):
                result = False
                break
        state[name] = result
        return result

    for name in by_name:
        resolve(name, frozenset())
    return state


def _read_number(hp: dict, text: str):
    """The number typed, or the text itself when it is none (the registry says why)."""
    text = text.strip()
    try:
        return int(text) if hp["kind"] == "int" else float(text)
    except ValueError:
        pass
    try:
        return float(text)  # "3.5" for an int: the registry refuses it as a float
    except ValueError:
        return text


def _read_choice(text: str):
    try:
        return strictjson.loads(text)
    except strictjson.JSONError:
        return text  # not one of the options: the registry says "not a choice"


class _Missing:
    pass


MISSING = _Missing()


def read_parameter(hp: dict, data) -> object:
    """One hyperparameter's value from the posted form, or MISSING when it was not sent."""
    name = PARAM_PREFIX + hp["name"]
    if name not in data:
        return MISSING
    widget = parameter_widget(hp)
    if widget == "checkbox":
        # A hidden "false" precedes the checkbox: the last one sent wins.
        return data.getlist(name)[-1] == "true"
    raw = data.get(name, "")
    if widget == "select":
        return _read_choice(raw)
    if widget == "mixed":
        if raw == NUMBER_CHOICE:
            return _read_number(hp, data.get(name + NUMBER_SUFFIX, ""))
        return _read_choice(raw)
    return _read_number(hp, raw)


def read_parameters(space: dict, data) -> tuple[dict, list[str]]:
    """The values to submit: every posted hyperparameter that applies, given the others
    (one that does not is left out: the registry refuses it), and, as typed, any
    ``param-<name>`` the space does not have, for the registry to name. Also the names
    of the number boxes left empty."""
    by_name = {hp["name"]: hp for hp in space["hyperparameters"]}
    given = {}
    for hp in space["hyperparameters"]:
        value = read_parameter(hp, data)
        if value is not MISSING:
            given[hp["name"]] = value
    active = active_parameters(space, given)
    values = {name: value for name, value in given.items() if active[name]}
    empty = [name for name, value in values.items() if value == "" and name in by_name]
    for key in data:
        if not key.startswith(PARAM_PREFIX):
            continue
        name = key[len(PARAM_PREFIX) :]
        if name in by_name:
            continue
        if name.endswith(NUMBER_SUFFIX) and name[: -len(NUMBER_SUFFIX)] in by_name:
            continue
        values[name] = data.get(key)
    return values, empty


def describe_range(hp: dict) -> str:
    """``An integer from 0 to 10`` / ``A number from 1e-06 to 1,000,000 (log scale)``, with
    the named values and None it also takes."""
    if hp["kind"] == "bool":
        return "True or False"
    if hp["kind"] == "categorical":
        return "One of " + ", ".join(value_label(c) for c in hp["choices"])
    noun = "An integer" if hp["kind"] == "int" else "A number"
    text = f"{noun} from {format_number(hp['low'])} to {format_number(hp['high'])}"
    if hp["log"]:
        text += " (log scale)"
    named = [value_label(c) for c in hp["choices"]] + (["None"] if hp["nullable"] else [])
    if named:
        text += ", or " + " or ".join(named)
    return text


def describe_condition(condition: dict | None) -> str:
    if not condition:
        return ""
    parts = [
        f"{parent} is " + " or ".join(value_label(v) for v in allowed)
        for parent, allowed in condition.items()
    ]
    return "Applies only when " + " and ".join(parts) + "."


def parameter_rows(
    space: dict, *, data=None, initial: dict | None = None, errors: dict | None = None
) -> list[dict]:
    """What the page shows for each hyperparameter (the template and submit.js render
    the same markup from it): its input, pre-filled with what was posted, else with
    ``initial``, else the default; its range, default, condition and errors."""
    errors = errors or {}
    current: dict = {}
    for hp in space["hyperparameters"]:
        value = read_parameter(hp, data) if data is not None else MISSING
        if value is MISSING:
            value = (initial or {}).get(hp["name"], hp["default"])
        current[hp["name"]] = value
    active = active_parameters(space, current)
    rows = []
    for hp in space["hyperparameters"]:
        name, widget, value = hp["name"], parameter_widget(hp), current[hp["name"]]
        input_name = PARAM_PREFIX + name
        posted = data is not None and input_name in data
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if widget == "mixed" and posted:
            is_number = data.get(input_name) == NUMBER_CHOICE
        number = _number_text(value) if is_number and value != "" else ""
        if posted and widget == "number":
            number = data.get(input_name)  # as typed, even when it is not a number
        elif posted and widget == "mixed":
            number = data.get(input_name + NUMBER_SUFFIX, "")
        options = []
        if widget in ("select", "mixed"):
            named = list(hp["choices"]) + ([None] if hp["nullable"] else [])
            options = [
                {
                    "value": choice_text(choice),
                    "label": value_label(choice),
                    "selected": not (widget == "mixed" and is_number) and same_value(choice, value),
                }
                for choice in named
            ]
            if widget == "mixed":
                options.append({"value": NUMBER_CHOICE, "label": "A number", "selected": is_number})
        rows.append(
            {
                "name": name,
                "kind": hp["kind"],
                "widget": widget,
                "id": f"id_{input_name}",
                "input_name": input_name,
                "number_name": input_name + NUMBER_SUFFIX,
                "number_id": f"id_{input_name}{NUMBER_SUFFIX}",
                "low": _number_text(hp["low"]) if hp["low"] is not None else "",
                "high": _number_text(hp["high"]) if hp["high"] is not None else "",
                "step": "1" if hp["kind"] == "int" else "any",
                "number": number,
                "options": options,
                "checked": value is True,
                "range": describe_range(hp),
                "default": value_label(hp["default"]),
                "condition": hp["condition"],
                "condition_json": json.dumps(hp["condition"]) if hp["condition"] else "",
                "condition_text": describe_condition(hp["condition"]),
                "active": active[name],
                "errors": errors.get(name, []),
            }
        )
    return rows
