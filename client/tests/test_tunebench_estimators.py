"""The server's estimator registry through the client (against the fake server)."""

from __future__ import annotations

import pytest

import tunebench
from tunebench import engine


@pytest.fixture
def client(server):
    return tunebench.Client(server.url, "tb_test_key")


def test_list_estimators_returns_the_registry_as_the_server_sends_it(server, client):
    registry = engine.list_estimators()
    server.respond("GET", "/api/v1/estimators/", body=registry)
    assert client.list_estimators() == registry
    assert server.requests[-1].path.startswith("/api/v1/estimators/")


def test_get_estimator_asks_for_one_name(server, client):
    ridge = next(e for e in engine.list_estimators() if e["name"].endswith(".Ridge"))
    server.respond("GET", "/api/v1/estimators/sklearn.linear_model.Ridge/", body=ridge)
    assert client.get_estimator("sklearn.linear_model.Ridge")["task_types"] == [2]


@pytest.mark.parametrize("name", ["../tasks", "os.system()", "", 3])
def test_names_that_are_not_names_are_refused_before_any_request(server, client, name):
    with pytest.raises(ValueError, match="not an estimator name"):
        client.get_estimator(name)
    assert server.requests == []
