"""Serializers for flows and configurations (OpenML's setups).

The flow description a client sends is recursive (a component holds a flow of the same
shape), so :class:`FlowCreateSerializer` adds its ``components`` field when its fields are
built, not when the class is defined. It checks types only; the rules (names, duplicates,
depth, lengths, conflicts) are :func:`flows.services.create_flow`'s, so they hold for every
caller and every level alike.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from api.filters import MAX_ID
from api.serializers.accounts import UserRefSerializer
from api.serializers.base import InputSerializer
from flows.exceptions import FlowNotFound
from flows.models import Configuration, Flow, FlowComponent, FlowParameter
from flows.selectors import get_flow

# -- out -------------------------------------------------------------------------------------


class FlowRefSerializer(serializers.ModelSerializer):
    executable = serializers.BooleanField(source="is_executable", read_only=True)

    class Meta:
        model = Flow
        fields = ["id", "name", "version", "external_version", "executable"]
        read_only_fields = fields


class FlowParameterSerializer(serializers.ModelSerializer):
    default = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = FlowParameter
        fields = ["name", "data_type", "default", "description"]
        read_only_fields = fields


class FlowComponentSerializer(serializers.ModelSerializer):
    flow = FlowRefSerializer(read_only=True)

    class Meta:
        model = FlowComponent
        fields = ["identifier", "flow"]
        read_only_fields = fields


class FlowSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    uploader = UserRefSerializer(
        read_only=True, allow_null=True, help_text="Null for the server's executable flows."
    )
    executable = serializers.BooleanField(
        source="is_executable",
        read_only=True,
        help_text="The server can execute this flow's configurations (POST /submissions/).",
    )
    estimator = serializers.CharField(
        read_only=True, help_text="The registry estimator it executes; empty if not executable."
    )
    tags = serializers.SerializerMethodField()
    parameters = FlowParameterSerializer(many=True, read_only=True)
    components = FlowComponentSerializer(
        many=True,
        read_only=True,
        help_text="Sub-flows by identifier; each one's own parameters are at its url.",
    )

    class Meta:
        model = Flow
        fields = [
            "id",
            "url",
            "name",
            "version",
            "external_version",
            "description",
            "language",
            "dependencies",
            "class_name",
            "executable",
            "estimator",
            "uploader",
            "created_at",
            "tags",
            "parameters",
            "components",
        ]
        read_only_fields = fields

    def get_url(self, flow) -> str:
        return reverse("flow-detail", kwargs={"pk": flow.pk})

    def get_tags(self, flow) -> list[str]:
        return sorted(t.tag for t in flow.tags.all())


class FlowIdSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The flow with this name and external version.")


class ConfigurationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    flow = FlowRefSerializer(read_only=True)
    parameters = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        read_only=True,
        help_text="Every parameter of the flow and its components, defaults filled in.",
    )

    class Meta:
        model = Configuration
        fields = ["id", "url", "flow", "parameters", "hash", "created_at"]
        read_only_fields = fields

    def get_url(self, configuration) -> str:
        return reverse("configuration-detail", kwargs={"pk": configuration.pk})


# -- in --------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": FlowParameter.DataType.values, "default": "any"})
class DataTypeField(serializers.CharField):
    """A parameter's declared type (checked by the service, which names the field)."""


class FlowParameterCreateSerializer(InputSerializer):
    """A declared parameter: its name, type and default (any JSON value)."""

    name = serializers.CharField(trim_whitespace=False, help_text="A Python identifier.")
    data_type = DataTypeField(required=False, allow_null=True)
    default = serializers.JSONField(required=False, allow_null=True)
    description = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )


class FlowCreateSerializer(InputSerializer):
    """A flow: what it is, its parameters and its components, each a flow of this shape."""

    name = serializers.CharField(help_text="E.g. sklearn.tree.DecisionTreeClassifier.")
    external_version = serializers.CharField(
        help_text="The code's own version, e.g. sklearn==1.5.2; with name, the flow's identity."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )
    language = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Default Python."
    )
    dependencies = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        help_text="One requirement per line, e.g. sklearn==1.5.2.",
    )
    class_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    parameters = FlowParameterCreateSerializer(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)

    def get_fields(self):
        # Built when the fields are first needed, so the recursion ends where the data does.
        fields = super().get_fields()
        fields["components"] = FlowComponentCreateSerializer(
            many=True,
            required=False,
            help_text="Sub-flows (pipeline steps, wrapped estimators), each a flow object.",
        )
        return fields


class FlowComponentCreateSerializer(InputSerializer):
    """A sub-flow under its identifier (the pipeline step or the parameter it fills)."""

    identifier = serializers.CharField(
        trim_whitespace=False, help_text="The step or parameter name, e.g. clf."
    )
    flow = FlowCreateSerializer()


class ConfigurationCreateSerializer(InputSerializer):
    """A flow and parameter values; the rest take the flow's declared defaults."""

    flow = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    parameters = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text=(
            "Values by parameter name; a component's as <identifier>__<name>. Missing "
            "parameters take their defaults."
        ),
    )

    def validate(self, attrs):
        # A reference in the body that does not resolve is a field error (400), not a 404.
        try:
            attrs["flow"] = get_flow(flow_id=attrs["flow"])
        except FlowNotFound as exc:
            raise serializers.ValidationError(
                {"flow": [ErrorDetail(exc.detail, code=exc.code)]}
            ) from None
        return attrs
