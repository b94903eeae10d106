"""Flows: describing scikit-learn estimators as JSON, and the flow calls against the fake server.

The descriptions are checked without a server: names with the component structure, parameters
with JSON defaults and inferred types, components for estimator-valued parameters and steps,
and that everything is JSON (`allow_nan=False`) and deterministic. The API tests install flow
routes on conftest's fake server (`FakeFlows`), which stores flows as the server would: 201 for a
new one, 200 for an identical one, 409 `flow_conflict` for another definition.
"""

import copy
import json
import re

import numpy as np
import pytest
import sklearn
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

import tunebench
from tunebench import TunebenchError
from tunebench.flows import MAX_NAME_LENGTH, Flow, FlowParameter, FlowRef, flow_from_sklearn

SK = f"sklearn=={sklearn.__version__}"
TREE = "sklearn.tree._classes.DecisionTreeClassifier"
SCALER = "sklearn.preprocessing._data.StandardScaler"
ENCODER = "sklearn.preprocessing._encoders.OneHotEncoder"
COLUMNS = "sklearn.compose._column_transformer.ColumnTransformer"
BAGGING = "sklearn.ensemble._bagging.BaggingClassifier"


def as_json(value):
    """The value through JSON, refusing NaN and anything JSON cannot hold."""
    return json.loads(json.dumps(value, allow_nan=False))


def params(flow):
    return {p.name: p for p in flow.parameters}


def components(flow):
    return {c.identifier: c.flow for c in flow.components}


def column_pipeline():
    return Pipeline(
        [
            (
                "ct",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["x1", "value"]),
                        ("cat", OneHotEncoder(handle_unknown="ignore"), [1]),
                        ("skip", "drop", ["junk"]),
                    ],
                    remainder="passthrough",
                ),
            ),
            ("clf", DecisionTreeClassifier(max_depth=3)),
        ]
    )


# -- flow_from_sklearn -----------------------------------------------------------------------------


def test_plain_estimator_parameters_defaults_and_types():
    flow = flow_from_sklearn(DecisionTreeClassifier(max_depth=3, criterion="entropy"))
    assert flow.name == TREE
    assert flow.class_name == TREE
    assert flow.external_version == SK
    assert flow.language == "Python"
    assert flow.description == "A decision tree classifier."
    assert flow.dependencies.splitlines()[0] == SK
    assert [line.split("==")[0] for line in flow.dependencies.splitlines()] == [
        "sklearn",
        "numpy",
        "scipy",
    ]
    assert flow.components == []
    assert (flow.id, flow.version) == (None, None)
    found = params(flow)
    assert list(found) == sorted(DecisionTreeClassifier().get_params())
    # defaults come from the signature, never from the current values
    # "gini", or (scikit-learn's hidden constraint) a Criterion object: not declared str
    assert (found["criterion"].data_type, found["criterion"].default) == ("any", "gini")
    assert (found["max_depth"].data_type, found["max_depth"].default) == ("any", None)
    assert (found["splitter"].data_type, found["splitter"].default) == ("str", "best")
    # 2 rows, or a fraction such as 0.1 (scikit-learn's constraints): not declared int
    assert (found["min_samples_split"].data_type, found["min_samples_split"].default) == ("any", 2)
    assert (found["ccp_alpha"].data_type, found["ccp_alpha"].default) == ("float", 0.0)
    assert found["max_depth"].description.startswith("The maximum depth of the tree.")
    assert as_json(flow.to_json()) == flow.to_json()


def test_parameter_values_are_the_current_values():
    model = DecisionTreeClassifier(max_depth=3, criterion="entropy", class_weight={"a": 2})
    values = flow_from_sklearn(model).parameter_values(model)
    assert values == model.get_params()
    assert as_json(values) == values


def test_pipeline_steps_become_components_named_in_the_flow_name():
    model = Pipeline([("scale", StandardScaler()), ("clf", DecisionTreeClassifier())])
    flow = flow_from_sklearn(model)
    assert flow.name == f"sklearn.pipeline.Pipeline(scale={SCALER},clf={TREE})"
    assert flow.class_name == "sklearn.pipeline.Pipeline"
    assert list(components(flow)) == ["scale", "clf"]
    assert components(flow)["clf"].name == TREE
    steps = params(flow)["steps"]
    assert (steps.data_type, steps.default) == (
        "list",
        [["scale", {"component": "scale"}], ["clf", {"component": "clf"}]],
    )
    assert params(flow)["memory"].data_type == "any"
    assert params(flow)["verbose"] == FlowParameter(
        "verbose", "bool", False, params(flow)["verbose"].description
    )
    body = flow.to_json()
    assert as_json(body) == body
    assert body["components"][1]["identifier"] == "clf"
    assert body["components"][1]["flow"]["name"] == TREE
    assert body["components"][1]["flow"]["components"] == []

    values = flow.parameter_values(model)
    deep = model.get_params(deep=True)
    # every key is scikit-learn's own, with the estimators (the components) left out
    assert set(values) == {k for k, v in deep.items() if not hasattr(v, "fit")}
    assert values["clf__max_depth"] is None
    assert values["scale__with_mean"] is True
    assert values["steps"] == steps.default


def test_column_transformer_inside_a_pipeline():
    model = column_pipeline()
    flow = flow_from_sklearn(model)
    ct_name = f"{COLUMNS}(num={SCALER},cat={ENCODER},skip=drop)"
    assert flow.name == f"sklearn.pipeline.Pipeline(ct={ct_name},clf={TREE})"
    ct = components(flow)["ct"]
    assert list(components(ct)) == ["num", "cat"]
    assert params(ct)["transformers"].default == [
        ["num", {"component": "num"}, ["x1", "value"]],
        ["cat", {"component": "cat"}, [1]],
        ["skip", "drop", ["junk"]],
    ]
    assert params(ct)["remainder"].default == "drop"  # the signature's default
    assert params(ct)["sparse_threshold"].data_type == "float"
    encoder = components(ct)["cat"]
    assert params(encoder)["dtype"].default == "<class numpy.float64>"
    assert params(encoder)["dtype"].data_type == "any"

    values = flow.parameter_values(model)
    assert values["ct__remainder"] == "passthrough"  # the current value
    assert values["ct__cat__handle_unknown"] == "ignore"
    assert values["clf__max_depth"] == 3
    assert values["ct__transformers"] == params(ct)["transformers"].default
    assert as_json(values) == values
    assert as_json(flow.to_json()) == flow.to_json()


def test_meta_estimator_with_an_estimator_parameter():
    model = BaggingClassifier(estimator=DecisionTreeClassifier(max_depth=2), n_estimators=3)
    flow = flow_from_sklearn(model)
    assert flow.name == f"{BAGGING}(estimator={TREE})"
    assert "estimator" not in params(flow)  # a component, not a parameter
    assert components(flow)["estimator"].name == TREE
    assert (params(flow)["n_estimators"].data_type, params(flow)["n_estimators"].default) == (
        "int",
        10,
    )
    # a count (1) or a share (1.0) of the features: typed by neither
    assert (params(flow)["max_features"].data_type, params(flow)["max_features"].default) == (
        "any",
        1.0,
    )
    values = flow.parameter_values(model)
    assert values["n_estimators"] == 3
    assert values["estimator__max_depth"] == 2
    assert "estimator" not in values
    # without an estimator, `estimator` is a plain parameter (default None) and no component
    bare = flow_from_sklearn(BaggingClassifier())
    assert bare.name == BAGGING
    assert (params(bare)["estimator"].data_type, params(bare)["estimator"].default) == ("any", None)
    assert bare.components == []


def test_values_json_cannot_hold_are_described_deterministically():
    model = Pipeline(
        [
            ("impute", SimpleImputer()),  # missing_values=np.nan
            ("log", FunctionTransformer(np.log1p)),
            (
                "union",
                FeatureUnion(
                    [
                        ("a", StandardScaler()),
                        (
                            "b",
                            ColumnTransformer(
                                [
                                    (
                                        "n",
                                        "passthrough",
                                        make_column_selector(dtype_include=np.number),
                                    )
                                ]
                            ),
                        ),
                    ]
                ),
            ),
            ("clf", RandomForestClassifier(random_state=np.random.RandomState(0))),
        ]
    )
    flow = flow_from_sklearn(model)
    impute = components(flow)["impute"]
    assert (
        params(impute)["missing_values"].data_type,
        params(impute)["missing_values"].default,
    ) == (
        "any",
        "nan",
    )
    union = components(flow)["union"]
    assert params(union)["transformer_list"].default == [
        ["a", {"component": "a"}],
        ["b", {"component": "b"}],
    ]
    inner = components(union)["b"]
    assert inner.components == []  # "passthrough" is no component
    selector = params(inner)["transformers"].default[0][2]
    assert selector.startswith("sklearn.compose._column_transformer.make_column_selector(")
    assert "dtype_include=<class numpy.number>" in selector

    values = flow.parameter_values(model)
    assert values["log__func"] == "<function numpy.log1p>"
    assert values["impute__missing_values"] == "nan"
    assert values["clf__random_state"] == "<numpy.random.mtrand.RandomState>"
    assert as_json(values) == values
    assert as_json(flow.to_json()) == flow.to_json()
    # no memory address anywhere: the same estimator, built again, gives the same flow
    text = json.dumps(flow.to_json()) + json.dumps(values)
    assert not re.search(r"0x[0-9a-f]{6,}", text)
    again = copy.deepcopy(model)
    assert flow_from_sklearn(again).to_json() == flow.to_json()
    assert flow_from_sklearn(again).parameter_values(again) == values


def test_a_long_name_is_cut_with_a_hash_of_the_full_name():
    def wide(n):
        return Pipeline(
            [(f"scale{i}", StandardScaler()) for i in range(n)]
            + [("clf", DecisionTreeClassifier())]
        )

    first, second = flow_from_sklearn(wide(8)), flow_from_sklearn(wide(9))
    assert len(first.name) == len(second.name) == MAX_NAME_LENGTH
    assert first.name != second.name
    assert re.search(r"#[0-9a-f]{16}$", first.name)
    assert flow_from_sklearn(wide(8)).name == first.name


def test_parameter_values_refuse_an_estimator_of_another_structure():
    flow = flow_from_sklearn(Pipeline([("clf", DecisionTreeClassifier())]))
    with pytest.raises(ValueError, match=r"not a sklearn\.pipeline\.Pipeline"):
        flow.parameter_values(Pipeline([("scale", StandardScaler())]))
    with pytest.raises(TypeError, match="scikit-learn estimator"):
        flow_from_sklearn(DecisionTreeClassifier)  # the class, not an instance


# -- the flow API ----------------------------------------------------------------------------------


class FakeFlows:
    """Flow routes on the fake server: POST (nested components stored first), GET, list, exists."""

    def __init__(self, server):
        self.flows = {}
        self.posts = []
        self.next_id = 1
        fallback = server.dataset_route

        def route(method, path, query, body, content_type):
            return self.route(method, path, query, body) or fallback(
                method, path, query, body, content_type
            )

        server.dataset_route = route

    def route(self, method, path, query, body):
        if (method, path) == ("POST", "/api/v1/flows/"):
            payload = json.loads(body)
            self.posts.append(payload)
            return self.store(payload)
        if (method, path) == ("GET", "/api/v1/flows/"):
            listed = [
                flow
                for flow in self.flows.values()
                if all(
                    flow[key] == query[key][0]
                    for key in ("name", "external_version")
                    if key in query
                )
                and ("tag" not in query or query["tag"][0] in flow["tags"])
            ]
            return (
                200,
                {"count": len(listed), "next": None, "previous": None, "results": listed},
                {},
            )
        if (method, path) == ("GET", "/api/v1/flows/exists/"):
            for flow in self.flows.values():
                if (flow["name"], flow["external_version"]) == (
                    query["name"][0],
                    query["external_version"][0],
                ):
                    return 200, {"id": flow["id"]}, {}
            return 404, problem(404, "flow_not_found", "No such flow."), {}
        match = re.fullmatch(r"/api/v1/flows/(\d+)/", path)
        if method == "GET" and match and int(match.group(1)) in self.flows:
            return 200, self.flows[int(match.group(1))], {}
        return None

    def store(self, payload):
        refs = []
        for component in payload["components"]:
            status, stored, _ = self.store(component["flow"])
            if status >= 400:
                return status, stored, {}
            refs.append({"identifier": component["identifier"], "flow": ref(stored)})
        definition = {"parameters": payload["parameters"], "components": refs}
        same_name = [f for f in self.flows.values() if f["name"] == payload["name"]]
        for flow in same_name:
            if flow["external_version"] == payload["external_version"]:
                if {
                    "parameters": flow["parameters"],
                    "components": flow["components"],
                } == definition:
                    return 200, flow, {}
                return 409, problem(409, "flow_conflict", "Another flow has this name."), {}
        flow_id, self.next_id = self.next_id, self.next_id + 1
        self.flows[flow_id] = {
            **{k: payload[k] for k in ("name", "external_version", "description", "dependencies")},
            "id": flow_id,
            "url": f"/api/v1/flows/{flow_id}/",
            "version": len(same_name) + 1,
            "language": payload.get("language", "Python"),
            "class_name": payload.get("class_name", ""),
            "uploader": {"id": 1, "username": "ada"},
            "created_at": "2026-12-03T10:00:00Z",
            "tags": payload.get("tags", []),
            **definition,
        }
        return 201, self.flows[flow_id], {}


def ref(flow):
    return {k: flow[k] for k in ("id", "name", "version", "external_version")}


def problem(status, code, detail):
    return {
        "type": "about:blank",
        "title": detail,
        "status": status,
        "detail": detail,
        "code": code,
    }


@pytest.fixture
def flows(server):
    return FakeFlows(server)


def test_publish_posts_the_nested_flow_and_sets_ids(flows, client):
    model = Pipeline([("scale", StandardScaler()), ("clf", DecisionTreeClassifier())])
    flow = flow_from_sklearn(model)
    flow.client = client
    assert flow.publish() is flow
    assert flows.posts == [flow.to_json()]  # one request: the components are nested
    assert (flow.id, flow.version, flow.url) == (3, 1, "/api/v1/flows/3/")
    assert flow.uploader.username == "ada"
    assert [(c.identifier, c.flow.id, c.flow.version) for c in flow.components] == [
        ("scale", 1, 1),
        ("clf", 2, 1),
    ]
    assert "parameters" not in repr(flow)
    # the same definition again: 200, the same ids, nothing new stored
    again = client.publish_flow(flow_from_sklearn(model))
    assert (again.id, again.version) == (3, 1)
    assert len(flows.flows) == 3


def test_publish_of_another_definition_raises_flow_conflict(flows, client):
    client.publish_flow(flow_from_sklearn(DecisionTreeClassifier()))
    other = flow_from_sklearn(DecisionTreeClassifier())
    other.parameters = other.parameters[:-1]
    with pytest.raises(TunebenchError) as excinfo:
        client.publish_flow(other)
    assert (excinfo.value.status, excinfo.value.code) == (409, "flow_conflict")
    assert other.id is None


def test_get_flow_fetches_the_component_tree(flows, client):
    model = column_pipeline()
    published = client.publish_flow(flow_from_sklearn(model))
    fetched = client.get_flow(published.id)
    assert isinstance(fetched, Flow)
    assert fetched.name == published.name
    assert fetched.parameters == published.parameters
    ct = components(fetched)["ct"]
    assert isinstance(ct, Flow)
    assert list(components(ct)) == ["num", "cat"]
    assert components(ct)["num"].name == SCALER
    assert fetched.client is client
    # a fetched flow describes the same estimator's values as the local one
    assert fetched.parameter_values(model) == published.parameter_values(model)
    assert fetched.to_json()["components"][0]["flow"]["name"] == ct.name


def test_flow_exists_returns_the_id_or_none(flows, client):
    flow = client.publish_flow(flow_from_sklearn(DecisionTreeClassifier()))
    assert client.flow_exists(TREE, SK) == flow.id
    assert client.flow_exists(TREE, "sklearn==0.1") is None


def test_flow_exists_raises_other_not_found_errors(server, client):
    server.respond("GET", "/api/v1/flows/exists/", 404, problem(404, "not_found", "Not found."))
    with pytest.raises(tunebench.NotFound):
        client.flow_exists(TREE, SK)


def test_list_flows_frame_and_filters(server, flows, client):
    client.publish_flow(flow_from_sklearn(Pipeline([("clf", DecisionTreeClassifier())])))
    frame = client.list_flows()
    assert list(frame.columns) == [
        "id",
        "name",
        "version",
        "external_version",
        "class_name",
        "language",
        "uploader",
        "tags",
        "created_at",
    ]
    assert frame["name"].tolist() == [TREE, f"sklearn.pipeline.Pipeline(clf={TREE})"]
    only = client.list_flows(name=TREE, external_version=SK, tag="x", uploader="ada")
    assert only.empty
    sent = [r for r in server.requests if r.path == "/api/v1/flows/"][-1].query
    assert sent == {"name": [TREE], "external_version": [SK], "tag": ["x"], "uploader": ["ada"]}


def test_module_functions_use_the_default_connection(server, api_key, flows):
    tunebench.connect(server.url, api_key=api_key)
    flow = tunebench.flow_from_sklearn(DecisionTreeClassifier())
    flow.publish()  # no client: the default connection
    assert tunebench.publish_flow(flow_from_sklearn(DecisionTreeClassifier())).id == flow.id
    assert tunebench.get_flow(flow.id).name == TREE
    assert tunebench.flow_exists(TREE, SK) == flow.id
    assert tunebench.list_flows()["id"].tolist() == [flow.id]


def test_a_reference_component_cannot_be_posted():
    flow = Flow(name="x", external_version=SK)
    flow.components.append(tunebench.FlowComponent("clf", FlowRef(4, TREE, 1, SK)))
    with pytest.raises(TypeError, match="only a reference"):
        flow.to_json()
