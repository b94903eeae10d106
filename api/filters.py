"""Filter building blocks shared by the API's FilterSets."""

import django_filters
from django import forms
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

# The largest id a BIGINT primary key holds; larger numbers are input errors, not lookups.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number in 1..2^63-1, else 400 naming the parameter.

    django-filter's NumberFilter parses a Decimal, so ``1.5`` would match id 1 and a huge
    number would overflow SQLite's integers (a 500); an IntegerField rejects both.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def id_param(params, name: str) -> int | None:
    """An optional id in the query string, or a 400 naming the parameter."""
    if not params.get(name):
        return None
    field = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    try:
        return field.run_validation(params[name])
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


def choice_param(params, name: str, choices) -> str | None:
    """An optional value of a fixed set in the query string, or a 400 naming the parameter."""
    value = params.get(name)
    if not value:
        return None
    if value not in choices:
        raise ValidationError({name: [f"One of {', '.join(choices)}."]})
    return value
