"""Re-verification: an uploaded run of an executable flow is executed again by the server, and
the uploaded run records whether the predictions match and the difference in every measure."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from datasets import storage
from flows.services import create_flow, executable_flow
from runs import execution, services
from runs.exceptions import NotExecutable
from runs.models import Evaluation, Run
from tasks.services import load_splits
from tests.runs.conftest import as_csv, as_parquet, predictions
from tests.runs.test_api import client_for

pytestmark = pytest.mark.django_db

TREE = "sklearn.tree.DecisionTreeClassifier"
PARAMETERS = {"max_depth": 3, "splitter": "random"}


def local_predictions(task, seed: int) -> pd.DataFrame:
    """What `tunebench.run_estimator_on_task` computes on a laptop: the registry's pipeline."""
    from tunebench import engine
    from tunebench.engine.execute import execute_configuration, prepare_features, task_target

    table = pq.read_table(storage.file_path(task.dataset_id, "parquet"))
    frame = engine.table_to_dataframe(table)
    predicted, _ = execute_configuration(
        TREE,
        PARAMETERS,
        seed=seed,
        X=prepare_features(frame.drop(columns=[task.target_name])),
        y=task_target(table.column(task.target_name), task_type=1, class_labels=task.class_labels),
        splits=load_splits(task.pk),
        task_type=1,
        class_labels=task.class_labels,
    )
    return predicted


def upload(user, task, body: bytes, *, seed=0, flow=None, parameters=PARAMETERS):
    flow = flow or executable_flow(TREE)
    return services.upload_run(
        uploader=user,
        task_id=task.pk,
        flow_id=flow.pk,
        parameters=parameters,
        seed=seed,
        chunks=iter([body]),
    )


def test_a_faithful_upload_is_verified_as_matching(user, task, ingest):
    # Through CSV text, as many people upload: the confidences keep every digit that matters.
    uploaded = ingest(upload, user, task, as_csv(local_predictions(task, seed=5)), seed=5)
    assert uploaded.status == Run.Status.DONE, uploaded.error_message
    server_run = ingest(execution.reverify_run, requester=user, run_id=uploaded.pk)
    assert (server_run.origin, server_run.seed, server_run.verifies_id) == (
        "server",
        5,
        uploaded.pk,
    )
    assert server_run.configuration_id == uploaded.configuration_id
    assert server_run.status == Run.Status.DONE, server_run.error_message
    uploaded.refresh_from_db()
    verification = uploaded.verification
    assert verification["run"] == server_run.pk
    assert verification["status"] == "match"
    assert verification["predictions_match"] is True
    assert verification["mismatched_rows"] == 0
    assert verification["differences"]["predictive_accuracy"] == pytest.approx(0.0, abs=1e-12)

    # Asking again returns the same re-execution.
    assert ingest(execution.reverify_run, requester=user, run_id=uploaded.pk).pk == server_run.pk


def test_an_upload_that_differs_is_a_mismatch_with_the_difference_in_every_measure(
    user, task, ingest
):
    frame = local_predictions(task, seed=1)
    # Claim a perfect score: every prediction the true label, with full confidence.
    perfect = predictions(task)
    frame["prediction"] = perfect["prediction"].to_numpy()
    for label in ("a", "b", "c"):
        frame[f"confidence.{label}"] = perfect[f"confidence.{label}"].to_numpy()
    uploaded = ingest(upload, user, task, as_parquet(frame), seed=1)
    server_run = ingest(execution.reverify_run, requester=user, run_id=uploaded.pk)
    uploaded.refresh_from_db()
    verification = uploaded.verification
    assert verification["status"] == "mismatch"
    assert verification["predictions_match"] is False
    assert verification["mismatched_rows"] > 0
    values = {
        run_id: dict(Evaluation.objects.filter(run_id=run_id).values_list("measure", "value"))
        for run_id in (uploaded.pk, server_run.pk)
    }
    assert values[uploaded.pk]["predictive_accuracy"] == 1.0
    assert values[server_run.pk]["predictive_accuracy"] < 1.0
    for measure, difference in verification["differences"].items():
        assert difference == pytest.approx(
            values[server_run.pk][measure] - values[uploaded.pk][measure]
        )
    assert server_run.pk == verification["run"]


def test_only_scored_seeded_runs_of_executable_flows_can_be_reverified(user, task, flow, ingest):
    plain = ingest(
        services.upload_run,
        uploader=user,
        task_id=task.pk,
        flow_id=flow.pk,
        seed=0,
        chunks=iter([as_csv(predictions(task))]),
    )
    with pytest.raises(NotExecutable) as caught:
        execution.reverify_run(requester=user, run_id=plain.pk)
    assert caught.value.code == "not_executable"
    unseeded = ingest(upload, user, task, as_csv(local_predictions(task, seed=0)), seed=None)
    with pytest.raises(NotExecutable) as caught:
        execution.reverify_run(requester=user, run_id=unseeded.pk)
    assert caught.value.code == "no_seed"
    server_run = ingest(
        execution.reverify_run,
        requester=user,
        run_id=ingest(upload, user, task, as_csv(local_predictions(task, seed=2)), seed=2).pk,
    )
    with pytest.raises(NotExecutable) as caught:
        execution.reverify_run(requester=user, run_id=server_run.pk)
    assert caught.value.code == "already_verified"


def test_a_user_flow_cannot_take_the_reserved_name(user):
    from flows.exceptions import InvalidFlow

    with pytest.raises(InvalidFlow) as caught:
        create_flow(
            uploader=user, spec={"name": f"tunebench.{TREE}", "external_version": "sklearn==9"}
        )
    assert (caught.value.code, caught.value.field) == ("reserved_name", "name")
    with pytest.raises(InvalidFlow):
        create_flow(uploader=user, spec={"name": "TuneBench.x", "external_version": "1"})


def test_the_api_reverifies_and_shows_the_outcome_on_the_run(user, task, ingest):
    uploaded = ingest(upload, user, task, as_csv(local_predictions(task, seed=3)), seed=3)
    client = client_for(user)
    response = ingest(client.post, f"/api/v1/runs/{uploaded.pk}/reverify/")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["origin"], body["verified"], body["seed"]) == ("server", False, 3)  # queued
    assert body["verification"] == {"verifies": uploaded.pk}
    shown = client.get(f"/api/v1/runs/{uploaded.pk}/").json()
    assert shown["verification"]["status"] == "match"
    assert shown["verification"]["run"] == body["id"]

    refused = client.post(f"/api/v1/runs/{body['id']}/reverify/")
    assert refused.status_code == 400
    assert refused.json()["code"] == "already_verified"
    missing = client.post("/api/v1/runs/999999/reverify/")
    assert missing.status_code == 404
    flow = client.get(f"/api/v1/estimators/{TREE}/flow/").json()
    assert (flow["name"], flow["executable"], flow["uploader"]) == (f"tunebench.{TREE}", True, None)
    assert client.get("/api/v1/estimators/os.system/flow/").status_code == 404


def test_the_run_page_offers_reverification_and_shows_the_outcome(user, task, ingest):
    from django.test import Client
    from django.urls import reverse

    uploaded = ingest(upload, user, task, as_csv(local_predictions(task, seed=4)), seed=4)
    browser = Client()
    page = reverse("run_detail", args=[uploaded.pk])
    assert "Re-execute on the server to verify" not in browser.get(page).content.decode()
    browser.force_login(user)
    html = browser.get(page).content.decode()
    assert "Re-execute on the server to verify" in html
    response = ingest(browser.post, reverse("run_reverify", args=[uploaded.pk]))
    assert response.status_code == 302
    html = browser.get(page).content.decode()
    assert "reproduced" in html
    assert "made the same predictions on every test row" in html
    assert "Re-execute on the server to verify" not in html
    server_run = Run.objects.get(verifies=uploaded)
    html = browser.get(reverse("run_detail", args=[server_run.pk])).content.decode()
    assert "A re-execution of" in html
    # A server run has nothing to re-verify: the endpoint says why, on the page.
    response = browser.post(reverse("run_reverify", args=[server_run.pk]), follow=True)
    assert "executed by the server already" in response.content.decode()
