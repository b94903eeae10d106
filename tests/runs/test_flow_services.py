"""Flows and configurations through the services: dedupe, conflicts, canonical values."""

from __future__ import annotations

import copy

import pytest

from flows.exceptions import FlowConflict, InvalidFlow, InvalidParameters
from flows.models import Configuration, Flow, FlowComponent
from flows.services import (
    canonical_json,
    configuration_hash,
    create_flow,
    get_or_create_configuration,
)
from tests.runs.conftest import FLOW_SPEC, PIPELINE_SPEC

pytestmark = pytest.mark.django_db


def test_a_flow_is_stored_once_per_name_and_external_version(user):
    first, created = create_flow(uploader=user, spec=FLOW_SPEC)
    again, created_again = create_flow(uploader=user, spec=copy.deepcopy(FLOW_SPEC))
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert first.version == 1
    newer = create_flow(uploader=user, spec={**FLOW_SPEC, "external_version": "sklearn==1.6.0"})[0]
    assert newer.version == 2


def test_a_different_definition_under_the_same_version_is_a_conflict(user):
    create_flow(uploader=user, spec=FLOW_SPEC)
    changed = copy.deepcopy(FLOW_SPEC)
    changed["parameters"][1]["default"] = 2
    with pytest.raises(FlowConflict):
        create_flow(uploader=user, spec=changed)
    assert Flow.objects.count() == 1


def test_a_pipeline_stores_its_components_and_reuses_known_ones(user):
    tree, _ = create_flow(uploader=user, spec=FLOW_SPEC)
    pipeline, created = create_flow(uploader=user, spec=PIPELINE_SPEC)
    assert created
    components = dict(
        FlowComponent.objects.filter(parent=pipeline).values_list("identifier", "flow_id")
    )
    assert components["clf"] == tree.pk
    assert Flow.objects.count() == 3


@pytest.mark.parametrize(
    ("spec", "field", "code"),
    [
        ({**FLOW_SPEC, "name": ""}, "name", "required"),
        ({**FLOW_SPEC, "parameters": [{"name": "a__b"}]}, "parameters.0.name", "invalid_name"),
        (
            {**FLOW_SPEC, "parameters": [{"name": "a"}, {"name": "a"}]},
            "parameters.1.name",
            "duplicate_parameter",
        ),
        (
            {**FLOW_SPEC, "parameters": [{"name": "a", "data_type": "object"}]},
            "parameters.0.data_type",
            "invalid_data_type",
        ),
        (
            {**FLOW_SPEC, "parameters": [{"name": "a", "data_type": "int", "default": "x"}]},
            "parameters.0.default",
            "bad_type",
        ),
        ({**FLOW_SPEC, "code": "import os"}, "code", "unknown_field"),
    ],
)
def test_bad_flows_name_the_field(user, spec, field, code):
    with pytest.raises(InvalidFlow) as caught:
        create_flow(uploader=user, spec=spec)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert not Flow.objects.exists()


def test_nesting_beyond_the_cap_is_refused(user):
    spec: dict = {"name": "leaf", "external_version": "1"}
    for depth in range(12):
        spec = {
            "name": f"n{depth}",
            "external_version": "1",
            "components": [{"identifier": "inner", "flow": spec}],
        }
    with pytest.raises(InvalidFlow) as caught:
        create_flow(uploader=user, spec=spec)
    assert caught.value.code == "too_deep"
    assert not Flow.objects.exists()


def test_configurations_are_canonical_and_deduplicated(user, flow):
    a, created = get_or_create_configuration(
        flow=flow, parameters={"min_samples_leaf": 2, "ccp_alpha": 1}
    )
    b, created_b = get_or_create_configuration(
        flow=flow, parameters={"ccp_alpha": 1.0, "min_samples_leaf": 2.0, "criterion": "gini"}
    )
    assert created
    assert not created_b
    assert a.pk == b.pk
    assert a.parameters["ccp_alpha"] == 1.0
    assert isinstance(a.parameters["ccp_alpha"], float)
    assert a.hash == configuration_hash(a.parameters)
    assert canonical_json(a.parameters).startswith('{"ccp_alpha":1.0,')
    # An undeclared ("any") parameter keeps 1 and 1.0 apart, as scikit-learn does.
    one, _ = get_or_create_configuration(flow=flow, parameters={"max_depth": 1})
    one_float, _ = get_or_create_configuration(flow=flow, parameters={"max_depth": 1.0})
    assert one.pk != one_float.pk


def test_component_parameters_use_the_double_underscore_path(user):
    pipeline, _ = create_flow(uploader=user, spec=PIPELINE_SPEC)
    config, _ = get_or_create_configuration(
        flow=pipeline, parameters={"clf__min_samples_leaf": 5, "scale__with_mean": False}
    )
    assert config.parameters["clf__min_samples_leaf"] == 5
    assert config.parameters["scale__with_mean"] is False
    assert config.parameters["memory"] is None


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"max_dept": 3}, "parameters.max_dept", "unknown_parameter"),
        ({"min_samples_leaf": True}, "parameters.min_samples_leaf", "bad_type"),
        ({"min_samples_leaf": 1.5}, "parameters.min_samples_leaf", "bad_type"),
        ({"ccp_alpha": float("nan")}, "parameters.ccp_alpha", "non_finite"),
        ({"criterion": ["gini"]}, "parameters.criterion", "bad_type"),
        ({"__class__": "x"}, "parameters.__class__", "unknown_parameter"),
        (
            {"max_depth": [[[[[[[[[[1]]]]]]]]]]},
            "parameters.max_depth.0.0.0.0.0.0.0.0.0",
            "too_deep",
        ),
    ],
)
def test_bad_values_name_the_parameter(flow, values, field, code):
    with pytest.raises(InvalidParameters) as caught:
        get_or_create_configuration(flow=flow, parameters=values)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert not Configuration.objects.exists()
