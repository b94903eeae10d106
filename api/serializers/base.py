"""Base classes shared by every resource's serializers."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


class InputSerializer(serializers.Serializer):
    """Validates a request body; never saves. Unknown fields are an error, not ignored.

    A typo such as ``{"nmae": ...}`` silently dropped would create something the caller
    did not ask for, so every field the serializer does not declare is reported.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            ErrorDetail("This field is not accepted here.", code="unknown_field")
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)

    def create(self, validated_data):  # pragma: no cover - input serializers never save
        raise AssertionError("Input serializers never save: call a service instead.")

    def update(self, instance, validated_data):  # pragma: no cover
        raise AssertionError("Input serializers never save: call a service instead.")


class ProblemFieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, the body of every error response."""

    type = serializers.CharField(help_text="urn:tunebench:problem:<code>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    instance = serializers.CharField(required=False, help_text="The request path.")
    errors = serializers.DictField(
        child=ProblemFieldErrorSerializer(many=True),
        required=False,
        help_text="Problems per input field (dotted paths for nested fields).",
    )
