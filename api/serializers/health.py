"""The health endpoint's body."""

from rest_framework import serializers


class QueueStatusSerializer(serializers.Serializer):
    queue = serializers.CharField()
    hostname = serializers.CharField(allow_null=True)
    seen_at = serializers.DateTimeField(allow_null=True)
    is_online = serializers.BooleanField()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "degraded", "down"])
    database = serializers.BooleanField()
    queues = QueueStatusSerializer(many=True)
