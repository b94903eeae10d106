"""Read queries for flows and configurations. Flows are public, as on OpenML."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User
from flows.exceptions import ConfigurationNotFound, FlowNotFound
from flows.models import Configuration, Flow

_NOT_FOUND = (ValueError, TypeError, OverflowError)


def list_flows(
    *,
    name: str | None = None,
    external_version: str | None = None,
    uploader: str | None = None,
    tag: str | None = None,
) -> QuerySet[Flow]:
    flows = Flow.objects.all()
    if name:
        # Lower() on both sides: on MySQL the name column compares byte for byte (migration
        # 0002), where icontains would be case-sensitive.
        flows = flows.annotate(name_lower=Lower("name")).filter(name_lower__contains=name.lower())
    if external_version:
        flows = flows.filter(external_version=external_version)
    if uploader:
        flows = flows.filter(uploader__username__iexact=uploader)
    if tag:
        flows = flows.filter(tags__tag=tag)
    return flows.select_related("uploader").prefetch_related("tags").order_by("id")


def get_flow(*, flow_id: int) -> Flow:
    try:
        return (
            Flow.objects.select_related("uploader")
            .prefetch_related("parameters", "tags", "components__flow")
            .get(pk=flow_id)
        )
    except (Flow.DoesNotExist, *_NOT_FOUND):
        raise FlowNotFound() from None


def find_flow(*, name: str, external_version: str) -> Flow | None:
    return Flow.objects.filter(name=name, external_version=external_version).first()


def visible_configurations(*, viewer: User) -> QuerySet[Configuration]:
    """Published configurations, and those of runs the viewer can see."""
    from runs.selectors import visible_runs

    return Configuration.objects.filter(
        Q(published=True) | Q(pk__in=visible_runs(viewer=viewer).values("configuration_id"))
    )


def list_configurations(*, viewer: User, flow_id: int | None = None) -> QuerySet[Configuration]:
    configurations = visible_configurations(viewer=viewer)
    if flow_id is not None:
        configurations = configurations.filter(flow_id=flow_id)
    return configurations.select_related("flow").order_by("id")


def get_configuration(*, viewer: User, configuration_id: int) -> Configuration:
    try:
        return visible_configurations(viewer=viewer).select_related("flow").get(pk=configuration_id)
    except (Configuration.DoesNotExist, *_NOT_FOUND):
        raise ConfigurationNotFound() from None


def flows_used_by(*, flow: Flow) -> QuerySet[Flow]:
    """The flows this one is a component of."""
    return Flow.objects.filter(components__flow=flow).distinct().order_by("id")
