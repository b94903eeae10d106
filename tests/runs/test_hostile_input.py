"""Input crafted to break things: it gets a 4xx naming the field, stores nothing, and a run
already stored survives a broker that is down. (Found in review; each was a 500 or a leak.)"""

from __future__ import annotations

import json

import pytest

from flows.models import Configuration, Flow
from runs.models import Run, RunTag
from tests.factories import UserFactory
from tests.runs.conftest import FLOW_SPEC, as_csv, predictions
from tests.runs.test_api import client_for, post_run

pytestmark = pytest.mark.django_db

SURROGATE = '"\\ud800"'  # a JSON escape of half a surrogate pair: not text


@pytest.mark.parametrize("field", ["environment", "parameters"])
def test_a_lone_surrogate_in_a_json_field_is_refused(user, task, flow, field):
    body = f'{{"max_depth": {SURROGATE}}}' if field == "parameters" else f'{{"a": {SURROGATE}}}'
    response = post_run(
        client_for(user), task, as_csv(predictions(task)), flow=flow.pk, **{field: body}
    )
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][field][0]["code"] == "invalid_text"
    assert not Run.objects.exists()
    assert client_for(None).get("/api/v1/runs/").status_code == 200


def test_a_lone_surrogate_in_a_flow_body_is_refused(user):
    spec = json.dumps({**FLOW_SPEC, "description": "x"}).replace('"x"', SURROGATE)
    response = client_for(user).post("/api/v1/flows/", spec, content_type="application/json")
    assert response.status_code == 400
    assert not Flow.objects.exists()
    assert client_for(None).get("/api/v1/flows/").status_code == 200


def test_integers_beyond_64_bits_are_refused(user, task, flow):
    huge = "1" + "0" * 400
    for field, text in (
        ("parameters", f'{{"ccp_alpha": {huge}}}'),
        ("fold_timings", f'[{{"repeat": 0, "fold": 0, "fit_seconds": {huge}}}]'),
    ):
        response = post_run(
            client_for(user), task, as_csv(predictions(task)), flow=flow.pk, **{field: text}
        )
        assert response.status_code == 400, (field, response.json())
        assert response.json()["errors"][field][0]["code"] == "out_of_range"
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("field", "text"),
    [("parameters", "0"), ("parameters", "[]"), ("environment", "[]"), ("fold_timings", "{}")],
)
def test_json_of_the_wrong_shape_is_refused_not_ignored(user, task, flow, field, text):
    response = post_run(
        client_for(user), task, as_csv(predictions(task)), flow=flow.pk, **{field: text}
    )
    assert response.status_code == 400, response.json()
    assert not Run.objects.exists()


def test_configurations_of_private_runs_are_seen_only_through_their_runs(user, ingest, flow):
    from datasets.models import Dataset
    from tasks.services import create_task
    from tests.datasets.conftest import upload
    from tests.runs.conftest import FLOWERS

    dataset = ingest(
        upload,
        user,
        text=FLOWERS,
        name="secret",
        default_target_attribute="kind",
        visibility=Dataset.Visibility.PRIVATE,
    )
    task, _ = ingest(
        create_task,
        creator=user,
        dataset_id=dataset.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    task.refresh_from_db()
    response = ingest(
        post_run,
        client_for(user),
        task,
        as_csv(predictions(task)),
        flow=flow.pk,
        parameters='{"max_depth": 12345}',
    )
    assert response.status_code == 201, response.json()
    configuration = Configuration.objects.get()
    stranger = client_for(UserFactory())
    assert stranger.get(f"/api/v1/configurations/{configuration.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/configurations/?flow={flow.pk}").json()["count"] == 0
    page = stranger.get(f"/flows/{flow.pk}/").content.decode()
    assert '<dd data-testid="configuration-count">0</dd>' in page
    owner = client_for(user)
    assert owner.get(f"/api/v1/configurations/{configuration.pk}/").status_code == 200
    # Published through the configurations API, the same values are public.
    published = owner.post(
        "/api/v1/configurations/",
        {"flow": flow.pk, "parameters": {"max_depth": 12345}},
        format="json",
    )
    assert published.status_code == 200
    assert stranger.get(f"/api/v1/configurations/{configuration.pk}/").status_code == 200


def test_tags_differing_only_in_case_are_one_tag(user, task, flow, ingest):
    response = ingest(
        post_run, client_for(user), task, as_csv(predictions(task)), flow=flow.pk, tags="ML,ml, Ml"
    )
    assert response.status_code == 201, response.json()
    assert list(RunTag.objects.values_list("tag", flat=True)) == ["ML"]


def test_unicode_digits_in_a_page_address_are_not_an_id(user, client):
    client.force_login(user)
    assert client.get("/runs/upload/?task=²&flow=①").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_keeps_the_stored_run(user, task, flow, monkeypatch):
    from kombu.exceptions import OperationalError

    from runs import jobs, services

    def down(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(jobs.score_run_job, "delay", down)
    response = post_run(client_for(user), task, as_csv(predictions(task)), flow=flow.pk)
    assert response.status_code == 201, response.json()
    run = Run.objects.get()
    assert run.status == Run.Status.QUEUED
    assert services.checked_path(run.pk).exists()  # the sweeper sends the job later
