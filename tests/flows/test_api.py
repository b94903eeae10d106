"""``/api/v1/flows/`` and ``/api/v1/configurations/``: idempotent publishing, conflicts,
strict JSON, lookups, and configurations deduplicated by their canonical values."""

from __future__ import annotations

import copy
import json

import pytest

from flows.models import Configuration, Flow, FlowComponent, FlowParameter, FlowTag
from tests.factories import UserFactory
from tests.runs.conftest import FLOW_SPEC, PIPELINE_SPEC

pytestmark = pytest.mark.django_db

TREE = "sklearn.tree.DecisionTreeClassifier"


def publish(client, spec):
    return client.post("/api/v1/flows/", spec, format="json")


def raw_post(client, path: str, text: str):
    return client.generic("POST", path, text, content_type="application/json")


def nothing_stored():
    return not any(
        model.objects.exists()
        for model in (Flow, FlowParameter, FlowComponent, FlowTag, Configuration)
    )


# -- flows ---------------------------------------------------------------------------------------


def test_a_new_flow_is_201_with_its_whole_definition(auth_client, user):
    """The response is the flow as stored: parameters in order, tags, uploader, a version."""
    response = publish(auth_client, {**FLOW_SPEC, "tags": ["trees", " demo "]})
    assert response.status_code == 201, response.json()
    body = response.json()
    flow = Flow.objects.get()
    assert body == {
        "id": flow.pk,
        "url": f"/api/v1/flows/{flow.pk}/",
        "name": TREE,
        "version": 1,
        "external_version": "sklearn==1.5.2",
        "description": "A decision tree.",
        "language": "Python",
        "dependencies": "sklearn==1.5.2",
        "class_name": "",
        "executable": False,
        "estimator": "",
        "uploader": {"id": user.pk, "username": user.username},
        "created_at": body["created_at"],
        "tags": ["demo", "trees"],
        "parameters": [
            {"name": "max_depth", "data_type": "any", "default": None, "description": ""},
            {"name": "min_samples_leaf", "data_type": "int", "default": 1, "description": ""},
            {"name": "ccp_alpha", "data_type": "float", "default": 0.0, "description": ""},
            {"name": "criterion", "data_type": "str", "default": "gini", "description": ""},
        ],
        "components": [],
    }
    assert auth_client.get(body["url"]).json() == body


def test_publishing_the_same_pipeline_again_is_200_with_the_same_flows(auth_client):
    """Components are stored first and reused; a second identical upload creates nothing."""
    first = publish(auth_client, PIPELINE_SPEC)
    assert first.status_code == 201, first.json()
    body = first.json()
    scaler = Flow.objects.get(name="sklearn.preprocessing.StandardScaler")
    tree = Flow.objects.get(name=TREE)
    assert body["components"] == [
        {
            "identifier": "scale",
            "flow": {
                "id": scaler.pk,
                "name": scaler.name,
                "version": 1,
                "external_version": "sklearn==1.5.2",
                "executable": False,
            },
        },
        {
            "identifier": "clf",
            "flow": {
                "id": tree.pk,
                "name": TREE,
                "version": 1,
                "external_version": "sklearn==1.5.2",
                "executable": False,
            },
        },
    ]
    counts = (Flow.objects.count(), FlowParameter.objects.count(), FlowComponent.objects.count())
    again = publish(auth_client, copy.deepcopy(PIPELINE_SPEC))
    assert again.status_code == 200
    assert again.json() == body
    assert counts == (
        Flow.objects.count(),
        FlowParameter.objects.count(),
        FlowComponent.objects.count(),
    )
    # The component alone, sent by itself, is the stored component too.
    assert publish(auth_client, FLOW_SPEC).json()["id"] == tree.pk


def test_a_new_external_version_is_the_next_version_of_the_name(auth_client):
    publish(auth_client, FLOW_SPEC)
    newer = publish(auth_client, {**FLOW_SPEC, "external_version": "sklearn==1.6.0"})
    assert newer.status_code == 201
    assert (newer.json()["version"], newer.json()["external_version"]) == (2, "sklearn==1.6.0")


def test_another_definition_under_a_stored_version_is_409_and_stores_nothing(auth_client):
    publish(auth_client, PIPELINE_SPEC)
    before = (Flow.objects.count(), FlowParameter.objects.count(), FlowComponent.objects.count())
    changed = copy.deepcopy(FLOW_SPEC)
    changed["parameters"][1]["default"] = 2
    response = publish(auth_client, changed)
    assert response.status_code == 409
    assert response.json()["code"] == "flow_conflict"
    assert response.json()["errors"]["external_version"][0]["code"] == "flow_conflict"
    # A pipeline whose component conflicts stores nothing of itself either.
    pipeline = copy.deepcopy(PIPELINE_SPEC)
    pipeline["external_version"] = "sklearn==1.5.2+local"
    pipeline["components"][1]["flow"] = changed
    response = publish(auth_client, pipeline)
    assert response.status_code == 409
    assert response.json()["errors"]["components.1.flow.external_version"][0]["code"] == (
        "flow_conflict"
    )
    after = (Flow.objects.count(), FlowParameter.objects.count(), FlowComponent.objects.count())
    assert after == before


def nested(depth: int) -> dict:
    """A flow with components ``depth`` levels deep."""
    spec: dict = {"name": "leaf", "external_version": "1"}
    for level in range(depth):
        spec = {
            "name": f"wrapper{level}",
            "external_version": "1",
            "components": [{"identifier": "inner", "flow": spec}],
        }
    return spec


def with_parameters(*parameters) -> dict:
    return {"name": "f", "external_version": "1", "parameters": list(parameters)}


@pytest.mark.parametrize(
    ("spec", "field", "code"),
    [
        ({**FLOW_SPEC, "name": ""}, "name", "blank"),
        ({"external_version": "1"}, "name", "required"),
        ({**FLOW_SPEC, "name": "x" * 256}, "name", "invalid_flow"),
        (with_parameters({"name": "max depth"}), "parameters.0.name", "invalid_name"),
        (with_parameters({"name": "1st"}), "parameters.0.name", "invalid_name"),
        (with_parameters({"name": "a__b"}), "parameters.0.name", "invalid_name"),
        (
            with_parameters({"name": "alpha"}, {"name": "alpha"}),
            "parameters.1.name",
            "duplicate_parameter",
        ),
        (
            with_parameters({"name": "alpha", "data_type": "complex"}),
            "parameters.0.data_type",
            "invalid_data_type",
        ),
        (
            with_parameters({"name": "alpha", "data_type": "int", "default": "three"}),
            "parameters.0.default",
            "bad_type",
        ),
        (
            with_parameters({"name": "alpha", "default": [[[[[[[[[[1]]]]]]]]]]}),
            "parameters.0.default" + ".0" * 9,
            "too_deep",
        ),
        (with_parameters({"name": "alpha", "type": "int"}), "parameters.0.type", "unknown_field"),
        ({**FLOW_SPEC, "version": 3}, "version", "unknown_field"),
        (
            {
                "name": "p",
                "external_version": "1",
                "components": [
                    {"identifier": "clf", "flow": FLOW_SPEC},
                    {"identifier": "clf", "flow": FLOW_SPEC},
                ],
            },
            "components.1.identifier",
            "duplicate_component",
        ),
        (
            {
                "name": "p",
                "external_version": "1",
                "components": [{"identifier": "clf", "flow": {"name": "x"}}],
            },
            "components.0.flow.external_version",
            "required",
        ),
        ({**FLOW_SPEC, "tags": "trees"}, "tags", "not_a_list"),
    ],
)
def test_an_invalid_flow_is_400_naming_the_field_and_stores_nothing(auth_client, spec, field, code):
    response = publish(auth_client, spec)
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][field][0]["code"] == code
    assert nothing_stored()


def test_components_nested_too_deep_are_refused(auth_client):
    """Ten levels of components are fine; eleven are not."""
    assert publish(auth_client, nested(10)).status_code == 201
    assert Flow.objects.count() == 11
    response = publish(auth_client, nested(11))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_deep"
    assert [error["code"] for error in next(iter(body["errors"].values()))] == ["too_deep"]
    assert Flow.objects.count() == 11


FLOW_START = '{"name": "f", "external_version": "1", '
PARAMETER_DEFAULT = FLOW_START + '"parameters": [{"name": "a", "default": %s}]}'


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"name": "f", "external_version": "1", "name": "g"}', "appears twice"),
        (PARAMETER_DEFAULT % "NaN", "NaN"),
        (PARAMETER_DEFAULT % "-Infinity", "-Infinity"),
        (PARAMETER_DEFAULT % "1e999", "too large for a 64-bit float"),  # overflows to inf
        (FLOW_START + '"description": ' + "[" * 65 + "]" * 65 + "}", "nested"),
        ("[" * 100_000 + "]" * 100_000, "nested"),
        ('{"name": "f", "external_version": ', "parse error"),
        (PARAMETER_DEFAULT % ("9" * 5000), "parse error"),  # more digits than Python converts
    ],
)
def test_json_that_is_not_strict_is_a_parse_error(auth_client, text, why):
    """Duplicate keys, NaN/Infinity and deep nesting never reach a serializer (or a 500)."""
    response = raw_post(auth_client, "/api/v1/flows/", text)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["title"] == "Malformed request body."
    assert why in body["detail"]
    assert nothing_stored()


def test_anonymous_cannot_publish(api_client):
    assert publish(api_client, FLOW_SPEC).status_code == 401
    assert nothing_stored()


def test_exists_finds_a_flow_by_name_and_external_version(auth_client, api_client):
    flow_id = publish(auth_client, FLOW_SPEC).json()["id"]
    query = {"name": TREE, "external_version": "sklearn==1.5.2"}
    response = api_client.get("/api/v1/flows/exists/", query)
    assert (response.status_code, response.json()) == (200, {"id": flow_id})

    response = api_client.get("/api/v1/flows/exists/", {**query, "external_version": "0.1"})
    assert response.status_code == 404
    assert response.json()["code"] == "flow_not_found"
    # The name is exact here (the list filter is a substring search).
    assert api_client.get("/api/v1/flows/exists/", {**query, "name": "Tree"}).status_code == 404

    response = api_client.get("/api/v1/flows/exists/", {"name": TREE})
    assert response.status_code == 400
    assert response.json()["errors"]["external_version"][0]["code"] == "required"


def test_list_filters_and_query_count(auth_client, api_client, django_assert_max_num_queries):
    other = UserFactory()
    publish(auth_client, {**PIPELINE_SPEC, "tags": ["pipelines"]})
    publish(auth_client, {**FLOW_SPEC, "external_version": "sklearn==1.6.0"})
    from flows.services import create_flow

    create_flow(uploader=other, spec={"name": "mine", "external_version": "0"})

    def names(**params):
        results = api_client.get("/api/v1/flows/", params).json()["results"]
        return [(f["name"], f["external_version"]) for f in results]

    assert len(names()) == 5
    assert names(name="decisiontree") == [  # a substring, any case: the pipeline too
        (TREE, "sklearn==1.5.2"),
        (PIPELINE_SPEC["name"], "sklearn==1.5.2"),
        (TREE, "sklearn==1.6.0"),
    ]
    assert names(external_version="0") == [("mine", "0")]
    assert names(uploader=other.username) == [("mine", "0")]
    assert names(tag="pipelines") == [(PIPELINE_SPEC["name"], "sklearn==1.5.2")]
    with django_assert_max_num_queries(6):
        listed = api_client.get("/api/v1/flows/").json()
    pipeline = next(f for f in listed["results"] if f["name"] == PIPELINE_SPEC["name"])
    assert [c["identifier"] for c in pipeline["components"]] == ["scale", "clf"]
    assert pipeline["parameters"][0]["name"] == "memory"


def test_an_unknown_flow_is_404(api_client):
    response = api_client.get("/api/v1/flows/12345/")
    assert (response.status_code, response.json()["code"]) == (404, "flow_not_found")
    assert api_client.get("/api/v1/flows/abc/").status_code == 404


# -- configurations ------------------------------------------------------------------------------


@pytest.fixture
def tree(auth_client):
    return publish(auth_client, FLOW_SPEC).json()


def configure(client, flow_id, parameters=None):
    body = {"flow": flow_id}
    if parameters is not None:
        body["parameters"] = parameters
    return client.post("/api/v1/configurations/", body, format="json")


def test_a_configuration_is_complete_and_canonical(auth_client, tree):
    response = configure(auth_client, tree["id"], {"max_depth": 3, "ccp_alpha": 1})
    assert response.status_code == 201, response.json()
    body = response.json()
    configuration = Configuration.objects.get()
    assert body == {
        "id": configuration.pk,
        "url": f"/api/v1/configurations/{configuration.pk}/",
        "flow": {
            "id": tree["id"],
            "name": TREE,
            "version": 1,
            "external_version": "sklearn==1.5.2",
            "executable": False,
        },
        "parameters": {
            "max_depth": 3,
            "min_samples_leaf": 1,
            "ccp_alpha": 1.0,
            "criterion": "gini",
        },
        "hash": configuration.hash,
        "created_at": body["created_at"],
    }
    assert auth_client.get(body["url"]).json() == body


def test_the_same_values_in_another_order_or_spelling_are_the_same_configuration(auth_client, tree):
    """Key order never matters; 1 and 1.0 are one value where the parameter is a float."""
    first = configure(auth_client, tree["id"], {"max_depth": 3, "ccp_alpha": 1})
    text = json.dumps({"flow": tree["id"], "parameters": {"ccp_alpha": 1.0, "max_depth": 3}})
    again = raw_post(auth_client, "/api/v1/configurations/", text)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    # Spelling out a default is the configuration of the defaults.
    defaults = configure(auth_client, tree["id"])
    spelled = configure(auth_client, tree["id"], {"min_samples_leaf": 1.0, "criterion": "gini"})
    assert (defaults.status_code, spelled.status_code) == (201, 200)
    assert spelled.json()["id"] == defaults.json()["id"]
    # An undeclared ("any") parameter keeps 1 and 1.0 apart, as scikit-learn does.
    one = configure(auth_client, tree["id"], {"max_depth": 1})
    one_point_oh = configure(auth_client, tree["id"], {"max_depth": 1.0})
    assert (one.status_code, one_point_oh.status_code) == (201, 201)
    assert Configuration.objects.count() == 4


def test_pipeline_configurations_use_component_keys(auth_client):
    pipeline = publish(auth_client, PIPELINE_SPEC).json()
    response = configure(auth_client, pipeline["id"], {"clf__max_depth": 2})
    assert response.status_code == 201
    assert response.json()["parameters"] == {
        "memory": None,
        "scale__with_mean": True,
        "clf__max_depth": 2,
        "clf__min_samples_leaf": 1,
        "clf__ccp_alpha": 0.0,
        "clf__criterion": "gini",
    }


@pytest.mark.parametrize(
    ("parameters", "field", "code"),
    [
        ({"max_dept": 3}, "parameters.max_dept", "unknown_parameter"),
        ({"clf__max_depth": 3}, "parameters.clf__max_depth", "unknown_parameter"),
        ({"min_samples_leaf": 1.5}, "parameters.min_samples_leaf", "bad_type"),
        ({"min_samples_leaf": True}, "parameters.min_samples_leaf", "bad_type"),
        ({"criterion": 3}, "parameters.criterion", "bad_type"),
        ({"max_depth": [[[[[[[[[[1]]]]]]]]]]}, "parameters.max_depth" + ".0" * 9, "too_deep"),
        ([1, 2], "parameters", "not_a_dict"),
    ],
)
def test_values_the_flow_does_not_take_are_400_naming_the_parameter(
    auth_client, tree, parameters, field, code
):
    response = configure(auth_client, tree["id"], parameters)
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][field][0]["code"] == code
    assert not Configuration.objects.exists()


def test_an_unknown_flow_is_a_field_error(auth_client):
    response = configure(auth_client, 987654)
    assert response.status_code == 400
    assert response.json()["errors"]["flow"][0]["code"] == "flow_not_found"


def test_configuration_list_by_flow(auth_client, api_client, tree):
    pipeline = publish(auth_client, PIPELINE_SPEC).json()
    mine = configure(auth_client, tree["id"], {"max_depth": 4}).json()
    configure(auth_client, pipeline["id"])
    listed = api_client.get("/api/v1/configurations/", {"flow": tree["id"]}).json()
    assert (listed["count"], listed["results"]) == (1, [mine])
    assert api_client.get("/api/v1/configurations/").json()["count"] == 2
    response = api_client.get("/api/v1/configurations/", {"flow": "x"})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["flow"])
    response = api_client.get("/api/v1/configurations/999/")
    assert (response.status_code, response.json()["code"]) == (404, "configuration_not_found")


def test_strict_json_is_the_parser_of_every_json_endpoint(auth_client, user):
    """Not only flows: the default parser and the dataset views' explicit one are strict."""
    from tests.datasets.conftest import upload

    for path in ("/api/v1/teams/", "/api/v1/tasks/", "/api/v1/api-keys/"):
        response = raw_post(auth_client, path, '{"name": "a", "name": "b"}')
        assert (response.status_code, response.json()["code"]) == (400, "parse_error"), path
    dataset = upload(user)
    response = auth_client.generic(
        "PATCH", f"/api/v1/datasets/{dataset.pk}/", '{"licence": NaN}', "application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_flows_and_configurations_share_one_throttle_budget(auth_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "flows", "2/hour")
    flow_id = publish(auth_client, FLOW_SPEC).json()["id"]
    assert configure(auth_client, flow_id).status_code == 201
    response = publish(auth_client, FLOW_SPEC)
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert auth_client.get(f"/api/v1/flows/{flow_id}/").status_code == 200  # reads are not
