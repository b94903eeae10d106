"""Filter building blocks shared by the API's FilterSets."""

import django_filters
from django import forms

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
