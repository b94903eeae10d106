"""Serializers per resource: read-only output serializers and strict input serializers."""
