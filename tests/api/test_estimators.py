"""``/api/v1/estimators/``: the registry of executable estimators, as the engine defines it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_registry_is_listed_with_every_space(api_client):
    from tunebench import engine

    response = api_client.get("/api/v1/estimators/")
    assert response.status_code == 200
    listed = response.json()
    assert [e["name"] for e in listed] == [e["name"] for e in engine.list_estimators()]
    forest = next(e for e in listed if e["name"] == "sklearn.ensemble.RandomForestClassifier")
    n_estimators = next(h for h in forest["hyperparameters"] if h["name"] == "n_estimators")
    assert (n_estimators["kind"], n_estimators["default"]) == ("int", 100)
    assert forest["fixed"]["n_jobs"] == 1
    assert forest["seeded"] is True


def test_the_registry_filters_by_task_type(api_client):
    regression = api_client.get("/api/v1/estimators/", {"task_type": "regression"}).json()
    assert regression
    assert all(2 in e["task_types"] for e in regression)
    bad = api_client.get("/api/v1/estimators/", {"task_type": "clustering"})
    assert bad.status_code == 400
    assert "task_type" in bad.json()["errors"]


@pytest.mark.parametrize(
    "name", ["os.system", "sklearn.preprocessing.FunctionTransformer", "sklearn"]
)
def test_names_outside_the_registry_are_404(api_client, name):
    response = api_client.get(f"/api/v1/estimators/{name}/")
    assert (response.status_code, response.json()["code"]) == (404, "estimator_not_found")


def test_one_estimator(api_client):
    response = api_client.get("/api/v1/estimators/sklearn.linear_model.Ridge/")
    assert response.status_code == 200
    assert response.json()["task_types"] == [2]
