"""Serializers for runs, evaluations, leaderboards and measures.

The run upload is multipart (a predictions file beside form fields), so the structured
fields ``parameters``, ``environment`` and ``fold_timings`` arrive as JSON text and are
read with the API's strict JSON rules (:func:`api.parsers.loads_strict`).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from accounts.exceptions import TeamNotFound
from accounts.selectors import get_team
from api.filters import MAX_ID
from api.parsers import loads_strict
from api.serializers.accounts import TeamRefSerializer, UserRefSerializer
from api.serializers.base import InputSerializer, ProblemSerializer
from api.serializers.datasets import StringListField
from api.serializers.flows import FlowRefSerializer
from flows.models import Configuration, Flow
from runs.models import Evaluation, Run
from tasks.models import Task

# -- in --------------------------------------------------------------------------------------

JSON_TEXT_FIELDS = ("parameters", "environment", "fold_timings")


class RunUploadSerializer(InputSerializer):
    """A run: predictions for a task, made by a configuration (or a flow and values)."""

    # Empty files reach the engine, which answers with its own code (empty_file).
    predictions = serializers.FileField(
        allow_empty_file=True,
        help_text=(
            "Columns repeat, fold, row_id, prediction and, for classification, optionally "
            "confidence.<label> for every class; Parquet, CSV or ARFF (read by content)."
        ),
    )
    task = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    flow = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The flow, with parameters; or give a configuration instead.",
    )
    configuration = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    parameters = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="JSON text of an object: values by parameter name (defaults fill the rest).",
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=2**63 - 1, required=False, allow_null=True, default=None
    )
    environment = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text='JSON text of an object, e.g. {"python": "3.11.9", "libraries": {...}}.',
    )
    fold_timings = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text=(
            'JSON text of a list: [{"repeat": 0, "fold": 0, "fit_seconds": 0.12, '
            '"predict_seconds": 0.01}, ...].'
        ),
    )
    team_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="A team you belong to: the run counts for it on team leaderboards.",
    )
    tags = StringListField(required=False, default=list, child=serializers.CharField(max_length=64))
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )

    def validate(self, attrs):
        errors = {}
        for name in JSON_TEXT_FIELDS:
            text = attrs[name]
            try:
                attrs[name] = loads_strict(text, name) if text.strip() else None
            except serializers.ValidationError as exc:
                errors.update(exc.detail)
        team_id = attrs.pop("team_id")
        attrs["team"] = None
        if team_id is not None:
            # A reference in the body that does not resolve is a field error (400).
            try:
                attrs["team"] = get_team(team_id=team_id)
            except TeamNotFound as exc:
                errors["team_id"] = [ErrorDetail(exc.detail, code=exc.code)]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# -- out -------------------------------------------------------------------------------------


class PredictionProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    row = serializers.IntegerField(
        allow_null=True, help_text="1-based data row of the file (header excluded), or null."
    )
    column = serializers.CharField(allow_null=True)


class RunUploadProblemSerializer(ProblemSerializer):
    """A refused run upload; for predictions that do not fit, also which rows and why."""

    problems = PredictionProblemSerializer(
        many=True,
        required=False,
        help_text="The first problems of the predictions file, in report order.",
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="How many problems of each code the file has in all.",
    )


class RunDatasetRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RunTaskSerializer(serializers.ModelSerializer):
    dataset = RunDatasetRefSerializer(read_only=True)
    target = serializers.CharField(source="target_name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "dataset", "target", "evaluation_measure"]
        read_only_fields = fields


class RunConfigurationRefSerializer(serializers.ModelSerializer):
    parameters = serializers.DictField(child=serializers.JSONField(allow_null=True), read_only=True)

    class Meta:
        model = Configuration
        fields = ["id", "parameters"]
        read_only_fields = fields


class RunErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PredictionsFileSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["parquet", "csv", "arff", "sparse_arff"])
    size = serializers.IntegerField()
    md5 = serializers.CharField()
    sha256 = serializers.CharField()
    url = serializers.CharField(help_text="Download address: the file exactly as uploaded.")


class FoldTimingSerializer(serializers.Serializer):
    repeat = serializers.IntegerField()
    fold = serializers.IntegerField()
    fit_seconds = serializers.FloatField(allow_null=True)
    predict_seconds = serializers.FloatField(allow_null=True)


class FoldValueSerializer(serializers.Serializer):
    repeat = serializers.IntegerField()
    fold = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="Null where undefined on the fold.")


class RunResourcesSerializer(serializers.Serializer):
    peak_memory_mb = serializers.FloatField(
        help_text="Peak resident memory of the process that executed the run, MiB."
    )
    cpu_seconds = serializers.FloatField()
    wall_seconds = serializers.FloatField()
    memory_limit_mb = serializers.IntegerField()
    wall_limit_seconds = serializers.FloatField()


class RunVerificationSerializer(serializers.Serializer):
    """On an uploaded run: its re-execution by the server and how the two compare. On the
    server's run: which uploaded run it verifies."""

    verifies = serializers.IntegerField(required=False, help_text="The uploaded run (server run).")
    run = serializers.IntegerField(required=False, help_text="The server's re-execution.")
    status = serializers.ChoiceField(
        choices=["pending", "match", "mismatch", "failed"], required=False
    )
    predictions_match = serializers.BooleanField(required=False, allow_null=True)
    mismatched_rows = serializers.IntegerField(
        required=False, help_text="Test rows whose predictions differ (confidences to 1e-9)."
    )
    error = serializers.CharField(required=False, help_text="The re-execution's error code.")
    differences = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        required=False,
        help_text="Per measure: the server's value minus the uploaded run's.",
    )


class RunEvaluationSerializer(serializers.ModelSerializer):
    per_fold = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = ["measure", "value", "std", "per_fold"]
        read_only_fields = fields

    @extend_schema_field(FoldValueSerializer(many=True))
    def get_per_fold(self, evaluation):
        return [
            {"repeat": repeat, "fold": fold, "value": value}
            for repeat, fold, value in evaluation.per_fold
        ]


class RunSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    task = RunTaskSerializer(read_only=True)
    flow = FlowRefSerializer(read_only=True)
    configuration = RunConfigurationRefSerializer(read_only=True)
    uploader = UserRefSerializer(read_only=True)
    team = TeamRefSerializer(read_only=True, allow_null=True)
    error = serializers.SerializerMethodField()
    environment = serializers.DictField(
        child=serializers.JSONField(allow_null=True), read_only=True
    )
    fold_timings = FoldTimingSerializer(many=True, read_only=True)
    tags = serializers.SerializerMethodField()
    predictions = serializers.SerializerMethodField()
    evaluations = RunEvaluationSerializer(
        many=True,
        read_only=True,
        help_text="Computed by the server once the run is done; empty before.",
    )
    verified = serializers.BooleanField(
        source="is_verified",
        read_only=True,
        help_text=(
            "Executed by the server's workers on the task's splits and scored "
            "(origin server, status done)."
        ),
    )
    queue_position = serializers.SerializerMethodField(
        help_text=(
            "For a server run waiting to be dispatched: its 1-based place in the fair "
            "waiting line (round-robin across teams). Null otherwise."
        )
    )
    resources = RunResourcesSerializer(read_only=True, allow_null=True, source="resources_or_none")
    verification = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "url",
            "task",
            "flow",
            "configuration",
            "uploader",
            "team",
            "origin",
            "verified",
            "status",
            "queue_position",
            "error",
            "seed",
            "environment",
            "fold_timings",
            "resources",
            "verification",
            "tags",
            "description",
            "created_at",
            "started_at",
            "finished_at",
            "predictions",
            "evaluations",
        ]
        read_only_fields = fields

    def get_queue_position(self, run) -> int | None:
        return self.context.get("queue_positions", {}).get(run.pk)

    @extend_schema_field(RunVerificationSerializer(allow_null=True))
    def get_verification(self, run):
        if run.origin == Run.Origin.SERVER and run.verifies_id:
            return {"verifies": run.verifies_id}
        return run.verification or None

    def get_url(self, run) -> str:
        return reverse("run-detail", kwargs={"pk": run.pk})

    def get_tags(self, run) -> list[str]:
        return sorted(t.tag for t in run.tags.all())

    @extend_schema_field(RunErrorSerializer(allow_null=True))
    def get_error(self, run):
        if run.status != Run.Status.FAILED:
            return None
        return {"code": run.error_code, "message": run.error_message}

    @extend_schema_field(PredictionsFileSerializer(allow_null=True))
    def get_predictions(self, run):
        stored = next((f for f in run.files.all() if f.kind == "predictions"), None)
        if stored is None:
            return None
        return {
            "format": stored.format,
            "size": stored.size,
            "md5": stored.md5,
            "sha256": stored.sha256,
            "url": reverse("run-predictions", kwargs={"pk": run.pk}),
        }


class RunEvaluationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["measure", "value", "std"]
        read_only_fields = fields


class RunListSerializer(RunSerializer):
    """A run in a list: aggregated evaluations only (per-fold values on the run itself)."""

    evaluations = RunEvaluationSummarySerializer(many=True, read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [f for f in RunSerializer.Meta.fields if f != "fold_timings"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    """One aggregated evaluation; every reference is the value its list filter takes."""

    run = serializers.IntegerField(source="run_id", read_only=True)
    task = serializers.IntegerField(source="task_id", read_only=True)
    flow = serializers.IntegerField(source="run.flow_id", read_only=True)
    flow_name = serializers.CharField(source="run.flow.name", read_only=True)
    configuration = serializers.IntegerField(source="run.configuration_id", read_only=True)
    uploader = serializers.CharField(
        source="run.uploader.username", read_only=True, help_text="Username."
    )
    team = serializers.IntegerField(
        source="run.team_id", read_only=True, allow_null=True, help_text="Team id, or null."
    )

    class Meta:
        model = Evaluation
        fields = [
            "run",
            "task",
            "flow",
            "flow_name",
            "configuration",
            "uploader",
            "team",
            "measure",
            "value",
            "std",
            "created_at",
        ]
        read_only_fields = fields


class SeedIntervalSerializer(serializers.Serializer):
    """A :class:`runs.selectors.SeedInterval`."""

    measure = serializers.CharField()
    n = serializers.IntegerField(help_text="Seeds (one verified run each).")
    mean = serializers.FloatField()
    std = serializers.FloatField(
        allow_null=True, help_text="Sample std (ddof=1); null for one seed."
    )
    low = serializers.FloatField(allow_null=True, help_text="95% t-interval of the mean.")
    high = serializers.FloatField(allow_null=True)


class SeedSummarySerializer(serializers.Serializer):
    """A :class:`runs.selectors.SeedSummary`: a configuration on one task across seeds."""

    task = serializers.IntegerField(source="task_id")
    configuration = serializers.IntegerField(source="configuration_id")
    seeds = serializers.ListField(child=serializers.IntegerField())
    runs = serializers.ListField(child=serializers.IntegerField())
    measures = SeedIntervalSerializer(many=True)


class LeaderboardFlowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flow
        fields = ["id", "name", "version"]
        read_only_fields = fields


class LeaderboardEntrySerializer(serializers.Serializer):
    """A :class:`runs.selectors.LeaderboardEntry`: the entrant's best run on the task."""

    rank = serializers.IntegerField()
    person = serializers.SerializerMethodField(help_text="The entrant on a board by person.")
    team = serializers.SerializerMethodField(help_text="The entrant on a board by team.")
    run = serializers.IntegerField(source="evaluation.run_id")
    flow = LeaderboardFlowSerializer(source="evaluation.run.flow")
    configuration = serializers.IntegerField(source="evaluation.run.configuration_id")
    value = serializers.FloatField(source="evaluation.value")
    std = serializers.FloatField(source="evaluation.std", allow_null=True)
    created_at = serializers.DateTimeField(
        source="evaluation.run.created_at", help_text="When the run was uploaded (ties go first)."
    )
    runs = serializers.IntegerField(help_text="How many scored runs the entrant has on the task.")
    verified = serializers.BooleanField(source="evaluation.run.is_verified")
    seeds = SeedIntervalSerializer(
        allow_null=True,
        help_text="For a verified run: its configuration's interval across seeds on the task.",
    )

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_person(self, entry):
        if self.context.get("by") != "person":
            return None
        return UserRefSerializer(entry.evaluation.run.uploader).data

    @extend_schema_field(TeamRefSerializer(allow_null=True))
    def get_team(self, entry):
        if self.context.get("by") != "team":
            return None
        return TeamRefSerializer(entry.evaluation.run.team).data


class LeaderboardSerializer(serializers.Serializer):
    measure = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    by = serializers.ChoiceField(choices=["person", "team"])
    entries = LeaderboardEntrySerializer(many=True)


class MeasureSerializer(serializers.Serializer):
    name = serializers.CharField()
    task_type = serializers.IntegerField(help_text="1 classification, 2 regression (OpenML's).")
    higher_is_better = serializers.BooleanField()
    needs_probabilities = serializers.BooleanField()
    description = serializers.CharField()


# -- submissions -----------------------------------------------------------------------------


class SubmissionSerializer(InputSerializer):
    """A configuration for the server to execute: a registry estimator, values, seeds."""

    task = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    estimator = serializers.CharField(
        max_length=500,
        trim_whitespace=False,
        help_text="A name from /api/v1/estimators/, e.g. sklearn.ensemble.RandomForestClassifier.",
    )
    parameters = serializers.JSONField(
        required=False,
        default=dict,
        help_text="Values by hyperparameter name; the others take the space's defaults.",
    )
    seeds = serializers.JSONField(
        required=False,
        default=list,
        help_text="1 to 25 distinct integers in 0..2**32-1; [0, 1, 2, 3, 4] when omitted.",
    )
    team_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    tags = StringListField(required=False, default=list, child=serializers.CharField(max_length=64))
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )

    def validate(self, attrs):
        if attrs["seeds"] == []:
            attrs["seeds"] = None  # the default seeds
        team_id = attrs.pop("team_id")
        attrs["team"] = None
        if team_id is not None:
            try:
                attrs["team"] = get_team(team_id=team_id)
            except TeamNotFound as exc:
                raise serializers.ValidationError(
                    {"team_id": [ErrorDetail(exc.detail, code=exc.code)]}
                ) from None
        return attrs


class QuotaSerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Server runs counted in the last 24 hours.")
    limit = serializers.IntegerField()
    remaining = serializers.IntegerField()


class SubmissionConfigurationSerializer(serializers.ModelSerializer):
    parameters = serializers.DictField(child=serializers.JSONField(allow_null=True), read_only=True)

    class Meta:
        model = Configuration
        fields = ["id", "hash", "parameters"]
        read_only_fields = fields


class SubmissionResultSerializer(serializers.Serializer):
    task = serializers.IntegerField(source="task.pk")
    flow = FlowRefSerializer()
    configuration = SubmissionConfigurationSerializer()
    runs = RunListSerializer(many=True)
    reused = serializers.ListField(
        child=serializers.BooleanField(),
        help_text="Per run: true when that seed already had a run (it is not run again).",
    )
    quota = QuotaSerializer()
