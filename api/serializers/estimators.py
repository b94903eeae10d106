"""Serializers for the estimator registry (``tunebench.engine.list_estimators``)."""

from __future__ import annotations

from rest_framework import serializers


class HyperparameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["int", "float", "categorical", "bool"])
    default = serializers.JSONField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="Inclusive; null when unbounded.")
    high = serializers.FloatField(allow_null=True, help_text="Inclusive; null when unbounded.")
    log = serializers.BooleanField(help_text="Searched on a log scale.")
    choices = serializers.ListField(child=serializers.JSONField(), help_text="Categorical values.")
    nullable = serializers.BooleanField()
    condition = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        allow_null=True,
        help_text="Applies only when each named parameter has one of the listed values.",
    )


class ForbiddenSerializer(serializers.Serializer):
    when = serializers.DictField(child=serializers.ListField(child=serializers.JSONField()))
    field = serializers.CharField()
    message = serializers.CharField()


class EstimatorSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="The registry name, e.g. sklearn.ensemble.RandomForestClassifier."
    )
    class_name = serializers.CharField()
    task_types = serializers.ListField(child=serializers.IntegerField())
    hyperparameters = HyperparameterSerializer(many=True)
    fixed = serializers.DictField(
        child=serializers.JSONField(allow_null=True), help_text="Set by the server, not by you."
    )
    seeded = serializers.BooleanField(help_text="random_state is the run's seed.")
    excluded = serializers.DictField(
        child=serializers.CharField(), help_text="Parameters not offered, with the reason."
    )
    forbidden = ForbiddenSerializer(many=True)
    sklearn_version = serializers.CharField()
