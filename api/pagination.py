"""Limit/offset pagination with OpenML's numbers: 100 by default, at most 1,000."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000
