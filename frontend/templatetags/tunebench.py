"""Template filters of the website: ``{% load tunebench %}``."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from frontend.rendering import format_number, render_markdown

register = template.Library()


@register.filter
def number(value) -> str:
    return format_number(value)


@register.filter
def markdown(text: str) -> str:
    # Safe because render_markdown sanitises its output with an allowlist.
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just before


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@register.filter
def camel_breaks(name: str) -> str:
    """``MaxNominalAttDistinctValues`` may wrap between its words on a phone, nowhere else."""
    return mark_safe(_CAMEL.sub("<wbr>", conditional_escape(name)))  # noqa: S308 - escaped first


_NAME_BREAK = re.compile(r"(?<=[.,=(])|(?<=[a-z0-9])(?=[A-Z])")


@register.filter
def name_breaks(name: str) -> str:
    """A flow name such as ``sklearn.pipeline.Pipeline(scale=...)`` may wrap after its dots,
    commas, equals signs and brackets, and between camel-case words, instead of mid-word."""
    return mark_safe(_NAME_BREAK.sub("<wbr>", conditional_escape(name)))  # noqa: S308 - escaped first
