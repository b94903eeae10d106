"""The run and flow pages: the run list and its filters, a run's page (polled while it is
scored), the upload form, the flow list and a flow's page, and the task page's leaderboard.

Datasets, tasks, flows and runs are made the way people make them, through the services
(tests/runs/conftest.py); scoring is the Celery job ``upload_run`` enqueues on commit
(eager in tests), run by the ``ingest`` fixture. A run uploaded outside it stays "queued",
as it does until a worker picks it up. Every test that posts asserts the database after.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from accounts.services import add_member, create_team, register_user
from flows.models import Configuration
from flows.services import create_flow
from runs import services
from runs.models import Evaluation, Run, RunFile
from tasks.models import Task
from tasks.services import create_task
from tests.datasets.conftest import upload
from tests.runs import conftest as runs_fixtures
from tests.runs.conftest import (
    FLOW_SPEC,
    FLOWERS,
    PIPELINE_SPEC,
    as_csv,
    predictions,
    regression_predictions,
)

pytestmark = pytest.mark.django_db

# The runs tests' fixtures (an active classification task, a regression task, a flow),
# offered to this module under their own names.
task = runs_fixtures.task
regression_task = runs_fixtures.regression_task
flow = runs_fixtures.flow

PASSWORD = "correct-horse-battery"
ENVIRONMENT = {
    "python": "3.12.4",
    "platform": "Linux-6.8-x86_64",
    "host": "lab-7",
    "libraries": {"scikit-learn": "1.5.2", "numpy": "2.0.1"},
}


def make_user(username: str) -> User:
    return register_user(username=username, password=PASSWORD)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def html_of(response) -> str:
    """The page's HTML without the <wbr> hints that let long flow names wrap."""
    return unescape(response.content.decode()).replace("<wbr>", "")


def publish(user, task, flow, body: bytes, **kwargs) -> Run:
    """Upload a run through the service, as the API and the upload form do."""
    return services.upload_run(
        uploader=user, task_id=task.pk, flow_id=flow.pk, chunks=iter([body]), **kwargs
    )


def run_ids_on(response) -> list[int]:
    return [row["run"].pk for row in response.context["rows"]]


def plot_specs(html: str) -> dict:
    found = re.search(r'<script id="plot-specs" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1)) if found else {}


@pytest.fixture
def ada(db) -> User:
    return make_user("ada")


@pytest.fixture
def grace(db) -> User:
    return make_user("grace")


@pytest.fixture
def runs_rate(monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "runs", "600/hour")


@pytest.fixture
def catalogue(user, ada, grace, task, flow, ingest):
    """Four runs on one task: done (ada, for a team, tagged), failed, queued and done."""
    team = create_team(creator=ada, name="Botanists")
    best = ingest(
        publish,
        ada,
        task,
        flow,
        as_csv(predictions(task, correct=0.75)),
        team=team,
        tags=["baseline"],
        parameters={"max_depth": 3},
    )
    failed = publish(grace, task, flow, as_csv(predictions(task)))
    services.fail_run(
        run_id=failed.pk, attempt=failed.attempt, code="worker_lost_repeatedly", message="Gone."
    )
    queued = publish(grace, task, flow, as_csv(predictions(task)))
    other, _ = create_flow(uploader=user, spec={**FLOW_SPEC, "external_version": "sklearn==9"})
    second = ingest(publish, user, task, other, as_csv(predictions(task, correct=0.5)))
    return {
        "team": team,
        "best": best,
        "failed": failed,
        "queued": queued,
        "second": second,
        "other_flow": other,
    }


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_status_badges_reason_codes_and_the_tasks_measure(client, catalogue):
    response = client.get(reverse("runs"))

    assert response.status_code == 200
    html = html_of(response)
    best, failed, queued = catalogue["best"], catalogue["failed"], catalogue["queued"]
    assert run_ids_on(response) == [catalogue["second"].pk, queued.pk, failed.pk, best.pk]
    assert "4 runs" in html
    assert f'href="{reverse("run_detail", args=[best.pk])}">Run {best.pk}</a>' in html
    assert f'href="{reverse("task_detail", args=[best.task_id])}">Task {best.task_id}</a>' in html
    assert f'href="{reverse("flow_detail", args=[best.flow_id])}"' in html
    assert 'badge-ok">done' in html
    assert 'badge-warn">queued' in html
    assert 'badge-off">failed</span> <code class="reason-code"' in html
    assert ">worker_lost_repeatedly</code>" in html
    # Done runs show their task's measure, the others a dash.
    score = Evaluation.objects.get(run=best, measure="predictive_accuracy")
    row = response.context["rows"][3]
    assert row["score"].pk == score.pk
    assert response.context["rows"][1]["score"] is None
    assert f"{score.value:.4g} <span" in html
    assert "predictive_accuracy" in html
    assert '<a href="/teams/botanists/">Botanists</a>' in html
    assert '?tag=baseline">baseline</a>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "failed"}, ["failed"]),
        ({"status": "done"}, ["second", "best"]),
        ({"uploader": "GRACE"}, ["queued", "failed"]),
        ({"team": "botanists"}, ["best"]),
        ({"tag": "baseline"}, ["best"]),
        ({"flow": "other_flow"}, ["second"]),
        ({"configuration": "best"}, ["best"]),
    ],
)
def test_the_list_filters_by_task_flow_configuration_uploader_team_status_and_tag(
    client, catalogue, query, expected
):
    ids = {
        "flow": lambda name: catalogue[name].pk,
        "configuration": lambda name: catalogue[name].configuration_id,
    }
    params = {key: ids[key](value) if key in ids else value for key, value in query.items()}
    response = client.get(reverse("runs"), params)
    assert run_ids_on(response) == [catalogue[name].pk for name in expected]


def test_the_list_filters_by_task_and_reports_bad_filters_on_the_form(client, catalogue, ingest):
    task_id = catalogue["best"].task_id
    assert len(run_ids_on(client.get(reverse("runs"), {"task": task_id}))) == 4
    assert run_ids_on(client.get(reverse("runs"), {"task": task_id + 100})) == []
    assert "No runs match these filters" in html_of(client.get(reverse("runs"), {"tag": "nope"}))

    invalid = client.get(reverse("runs"), {"task": "abc", "team": "nobody"})
    assert invalid.status_code == 200
    assert invalid.context["page"] is None
    html = html_of(invalid)
    assert "Some filters above need correcting" in html
    assert "There is no team with this short name." in html


def test_the_list_query_count_does_not_grow_with_the_rows(
    client, catalogue, task, flow, ada, ingest, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get(reverse("runs"))
    for _ in range(3):
        ingest(publish, ada, task, flow, as_csv(predictions(task, correct=0.9)), tags=["x"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("runs"))
    assert len(run_ids_on(response)) == 7


# --- A run's page -----------------------------------------------------------------------


def test_the_run_page_shows_links_measures_folds_parameters_environment_timings_and_files(
    client, ada, task, flow, ingest
):
    timings = [
        {"repeat": 0, "fold": fold, "fit_seconds": 0.5, "predict_seconds": 0.25}
        for fold in range(10)
    ]
    run = ingest(
        publish,
        ada,
        task,
        flow,
        as_csv(predictions(task, correct=0.75)),
        parameters={"max_depth": 3},
        seed=42,
        environment=ENVIRONMENT,
        fold_timings=timings,
        tags=["baseline", "trees"],
        description="Trained with **care**.<script>alert(1)</script>",
    )
    assert run.status == Run.Status.DONE

    response = client.get(reverse("run_detail", args=[run.pk]))

    assert response.status_code == 200
    html = html_of(response)
    assert f'href="{reverse("task_detail", args=[task.pk])}">Task {task.pk}</a>' in html
    assert f'href="{reverse("dataset_detail", args=[task.dataset_id])}">flowers</a>' in html
    assert f'href="{reverse("flow_detail", args=[flow.pk])}" class="flow-name">{flow.name}</a>' in (
        html
    )
    assert f"?configuration={run.configuration_id}" in html
    assert "<code>42</code>" in html
    # The task's measure first and large, then every measure with its std.
    accuracy = Evaluation.objects.get(run=run, measure="predictive_accuracy")
    assert accuracy.value == pytest.approx(0.75, abs=0.05)
    measures = response.context["measures"]
    assert measures[0]["name"] == "predictive_accuracy"
    assert measures[0]["is_task_measure"]
    assert {m["name"] for m in measures} == set(
        Evaluation.objects.filter(run=run).values_list("measure", flat=True)
    )
    assert f'<dd data-testid="task-score">{accuracy.value:.4g} <span class="std">± ' in html
    assert "log_loss" in html
    assert "lower" in html
    # Per fold: rows are the ten folds, columns the measures.
    table = response.context["fold_table"]
    assert [(row["repeat"], row["fold"]) for row in table["rows"]] == [(0, f) for f in range(10)]
    assert table["measures"][0] == "predictive_accuracy"
    assert [row["values"][0] for row in table["rows"]] == [v for _, _, v in accuracy.per_fold]
    # The configuration: every declared parameter, the defaults marked.
    parameters = {row["name"]: row for row in response.context["parameters"]}
    assert parameters["max_depth"]["value"] == "3"
    assert not parameters["max_depth"]["is_default"]
    assert parameters["criterion"]["value"] == '"gini"'
    assert parameters["criterion"]["is_default"]
    assert '<code class="value">null</code>' not in html  # max_depth was set
    # Environment, timings, files, tags, description.
    for text in ["3.12.4", "lab-7", "Linux-6.8-x86_64", "scikit-learn", "1.5.2", "Libraries"]:
        assert text in html
    assert "5.00 s in all" in html
    assert "2.50 s in all" in html
    stored = RunFile.objects.get(run=run, kind="predictions")
    assert f'href="{reverse("run-predictions", kwargs={"pk": run.pk})}"' in html
    assert stored.sha256 in html
    assert stored.md5 in html
    assert "CSV," in html
    assert '?tag=baseline">baseline</a>' in html
    assert '?tag=trees">trees</a>' in html
    assert "<strong>care</strong>" in html
    assert "<script>alert" not in html
    assert "hx-get" not in html  # a finished run does not poll


def test_the_predictions_link_downloads_the_file_for_a_signed_in_session(
    client, ada, task, flow, ingest
):
    body = as_csv(predictions(task))
    run = ingest(publish, ada, task, flow, body)
    response = signed_in(client, ada).get(reverse("run-predictions", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body


def test_a_queued_run_polls_every_two_seconds_until_it_is_scored(client, ada, task, flow):
    run = publish(ada, task, flow, as_csv(predictions(task)))
    detail = reverse("run_detail", args=[run.pk])
    status = reverse("run_status", args=[run.pk])

    html = html_of(client.get(detail))
    assert f'hx-get="{status}" hx-trigger="every 2s"' in html
    assert "waiting to be scored" in html
    assert 'badge-warn">queued' in html
    assert response_context_measures(client, detail) == []

    polled = client.get(status, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert 'id="run-status"' in html_of(polled)
    assert "HX-Refresh" not in polled

    services.score_run(run_id=run.pk, attempt=run.attempt)  # what the worker does

    finished = client.get(status, HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"
    plain = client.get(status)
    assert plain.status_code == 302
    assert plain["Location"] == detail
    assert "hx-get" not in html_of(client.get(detail))


def response_context_measures(client: Client, url: str) -> list:
    return client.get(url).context["measures"]


def test_a_failed_run_shows_its_reason_code_and_message_prominently(client, ada, task, flow):
    run = publish(ada, task, flow, as_csv(predictions(task)))
    services.fail_run(
        run_id=run.pk,
        attempt=run.attempt,
        code="checksum_mismatch",
        message="The stored predictions file no longer matches its checksum.",
    )

    html = html_of(client.get(reverse("run_detail", args=[run.pk])))

    assert 'class="status-panel status-error" role="alert"' in html
    assert '<code class="reason-code" data-testid="error-code">checksum_mismatch</code>' in html
    assert "no longer matches its checksum" in html
    assert 'badge-off">failed' in html
    assert "hx-get" not in html


def test_an_unknown_run_is_a_404(client, db):
    assert client.get(reverse("run_detail", args=[999])).status_code == 404
    assert client.get(reverse("run_status", args=[999]), HTTP_HX_REQUEST="true").status_code == 404


# --- Upload -----------------------------------------------------------------------------


def upload_form(for_task, with_flow, body: bytes, **overrides) -> dict:
    data = {
        "predictions": SimpleUploadedFile("predictions.csv", body, content_type="text/csv"),
        "task": str(for_task.pk),
        "flow": str(with_flow.pk),
        "flow_id": "",
        "parameters": "",
        "seed": "",
        "team_id": "",
        "tags": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_the_upload_form_needs_sign_in(client, task, flow):
    url = reverse("run_upload")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    response = client.post(url, upload_form(task, flow, as_csv(predictions(task))))
    assert response.status_code == 302
    assert not Run.objects.exists()


def test_the_upload_form_preselects_the_task_and_offers_flows_and_only_my_teams(
    client, ada, grace, task, flow
):
    create_team(creator=ada, name="Botanists")
    create_team(creator=grace, name="Chemists")

    response = signed_in(client, ada).get(reverse("run_upload"), {"task": task.pk})

    assert response.status_code == 200
    html = html_of(response)
    assert f'name="task" value="{task.pk}"' in html
    chosen = html.split('data-testid="chosen-task">')[1].split("</p>")[0]
    assert f"Task {task.pk}</a>: Supervised Classification of <code>kind</code>" in chosen
    assert "ranked by <code>predictive_accuracy</code>" in chosen
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".csv,.arff,.parquet,.pq"' in html
    assert f'<option value="{flow.pk}">{flow.name} (version 1, id {flow.pk})</option>' in html
    assert ">Botanists</option>" in html
    assert "Chemists" not in html
    preselected = html_of(client.get(reverse("run_upload"), {"flow": flow.pk}))
    assert f'<option value="{flow.pk}" selected>' in preselected


def test_an_upload_is_stored_scored_and_leads_to_its_page(
    client, ada, task, flow, runs_rate, django_capture_on_commit_callbacks
):
    team = create_team(creator=ada, name="Botanists")
    form = upload_form(
        task,
        flow,
        as_csv(predictions(task, correct=0.75)),
        parameters='{"max_depth": 4, "criterion": "entropy"}',
        seed="7",
        team_id=str(team.pk),
        tags="baseline, trees,,",
        description="A *small* tree.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, ada).post(reverse("run_upload"), form)

    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("run_detail", args=[run.pk])
    assert (run.task, run.flow, run.uploader, run.team, run.seed) == (task, flow, ada, team, 7)
    assert run.status == Run.Status.DONE, run.error_message
    assert run.configuration.parameters["max_depth"] == 4
    assert run.configuration.parameters["criterion"] == "entropy"
    assert sorted(t.tag for t in run.tags.all()) == ["baseline", "trees"]
    assert run.description == "A *small* tree."
    page = html_of(client.get(response["Location"]))
    assert "Uploaded; the server is scoring the predictions." in page
    assert 'badge-ok">done' in page


def test_a_flow_given_by_its_id_wins_over_the_list(client, ada, task, flow, runs_rate):
    other, _ = create_flow(uploader=ada, spec={"name": "mean", "external_version": "1"})
    signed_in(client, ada).post(
        reverse("run_upload"),
        upload_form(task, flow, as_csv(predictions(task)), flow_id=str(other.pk)),
    )
    assert Run.objects.get().flow == other


def test_invalid_predictions_show_their_first_problems_with_rows_and_store_nothing(
    client, ada, task, flow, runs_rate, settings
):
    frame = predictions(task)
    frame.loc[2, "prediction"] = "z"  # an unknown label on data row 3
    frame = frame.iloc[1:]  # and the first test row missing

    response = signed_in(client, ada).post(
        reverse("run_upload"), upload_form(task, flow, as_csv(frame))
    )

    assert response.status_code == 200
    html = html_of(response)
    form = response.context["form"]
    assert form.errors["predictions"]
    problems = response.context["problems"]
    assert problems
    assert {p["code"] for p in problems} >= {"unknown_label", "missing_rows"}
    unknown = next(p for p in problems if p["code"] == "unknown_label")
    assert unknown["row"] == 2  # the file's second data row (the first was dropped)
    assert "What is wrong with the predictions" in html
    assert f'<td data-label="Row" class="num">{unknown["row"]}</td>' in html
    assert "<code>unknown_label</code>" in html
    assert "<code>missing_rows</code> \u00d7 1" in html
    assert "Nothing was stored." in html
    assert not Run.objects.exists()
    assert not Configuration.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not any(p.is_file() for p in media.rglob("*") if "runs" in p.parts)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"parameters": '{"max_dept": 3}'}, "parameters", "declares no parameter 'max_dept'"),
        ({"parameters": "[1, 2]"}, "parameters", "Write a JSON object"),
        ({"parameters": "{max_depth: 3}"}, "parameters", "This is not valid JSON"),
        ({"parameters": '{"ccp_alpha": NaN}'}, "parameters", "NaN is not a JSON number"),
        ({"parameters": '{"a": 1, "a": 2}'}, "parameters", "The key 'a' appears twice"),
        ({"parameters": "[" * 50_000 + "]" * 50_000}, "parameters", "This is not valid JSON"),
        ({"task": "999"}, "task", "There is no task 999 you can see."),
        ({"flow": ""}, "flow", "Choose the flow, or give its id below."),
        ({"flow_id": "999"}, "flow_id", "There is no flow 999."),
        ({"predictions": ""}, "predictions", "This field is required."),
        ({"seed": "-1"}, "seed", "greater than or equal to 0"),
    ],
)
def test_a_bad_upload_shows_the_error_on_its_field_and_stores_nothing(
    client, ada, task, flow, runs_rate, overrides, field, message
):
    form = upload_form(task, flow, as_csv(predictions(task)), **overrides)
    if overrides.get("predictions") == "":
        form.pop("predictions")

    response = signed_in(client, ada).post(reverse("run_upload"), form)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert "field-invalid" in html_of(response)
    assert not Run.objects.exists()


def test_a_run_for_a_task_still_generating_its_splits_is_refused_on_the_task_field(
    client, ada, flow, runs_rate, ingest
):
    dataset = ingest(upload, ada, text=FLOWERS, name="late", default_target_attribute="kind")
    pending, _ = create_task(
        creator=ada, dataset_id=dataset.pk, task_type=1, target="kind", estimation_procedure_id=1
    )
    assert pending.status == Task.Status.PROCESSING
    response = signed_in(client, ada).post(
        reverse("run_upload"), upload_form(pending, flow, b"repeat,fold,row_id,prediction\n")
    )
    assert "runs need an active task" in " ".join(response.context["form"].errors["task"])
    assert not Run.objects.exists()


def test_uploads_beyond_the_rate_are_refused_with_429(client, ada, task, flow, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "runs", "2/hour")
    signed_in(client, ada)
    for _ in range(2):
        assert client.post(reverse("run_upload"), {}).status_code == 200  # invalid, still counted

    response = client.post(reverse("run_upload"), upload_form(task, flow, b""))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not Run.objects.exists()
    assert client.get(reverse("run_upload")).status_code == 200


# --- Flows ------------------------------------------------------------------------------


def test_the_flow_list_links_every_flow_and_filters_by_name_and_tag(client, user):
    tree, _ = create_flow(uploader=user, spec={**FLOW_SPEC, "tags": ["trees"]})
    pipeline, _ = create_flow(uploader=user, spec=PIPELINE_SPEC)

    response = client.get(reverse("flows"))

    assert response.status_code == 200
    html = html_of(response)
    names = [f.name for f in response.context["page"].object_list]
    assert names == [tree.name, "sklearn.preprocessing.StandardScaler", pipeline.name]
    assert f'href="{reverse("flow_detail", args=[tree.pk])}">{tree.name}</a>' in html
    assert "<code>sklearn==1.5.2</code>" in html
    filtered = client.get(reverse("flows"), {"name": "pipeline"}).context["page"].object_list
    assert [f.pk for f in filtered] == [pipeline.pk]
    tagged = client.get(reverse("flows"), {"tag": "trees"}).context["page"].object_list
    assert [f.pk for f in tagged] == [tree.pk]


def test_the_flow_page_shows_its_facts_parameters_components_usage_and_runs(
    client, user, task, ingest
):
    pipeline, _ = create_flow(
        uploader=user,
        spec={
            **PIPELINE_SPEC,
            "description": "Scale, then a **tree**. <script>alert(1)</script>",
            "dependencies": "sklearn==1.5.2\nnumpy>=1.26",
        },
    )
    tree = pipeline.components.get(identifier="clf").flow
    ingest(publish, user, task, tree, as_csv(predictions(task, correct=0.75)))
    ingest(publish, user, task, tree, as_csv(predictions(task)), parameters={"max_depth": 2})

    tree_page = client.get(reverse("flow_detail", args=[tree.pk]))
    pipeline_page = client.get(reverse("flow_detail", args=[pipeline.pk]))

    assert tree_page.status_code == pipeline_page.status_code == 200
    html = html_of(tree_page)
    assert tree.name in html
    assert "version 1" in html
    assert "<code>sklearn==1.5.2</code>" in html
    for name, data_type, default in [
        ("max_depth", "any", "null"),
        ("min_samples_leaf", "int", "1"),
        ("ccp_alpha", "float", "0.0"),
        ("criterion", "str", '"gini"'),
    ]:
        assert re.search(
            rf"<code>{name}</code></th>\s*<td data-label=\"Type\">{data_type}</td>\s*"
            rf'<td data-label="Default"><code class="value">{re.escape(default)}</code>',
            html,
        ), name
    assert '<dd data-testid="configuration-count">2</dd>' in html
    assert '<dd data-testid="run-count">2</dd>' in html
    assert len(tree_page.context["runs"]) == 2
    assert f'href="{reverse("flow_detail", args=[pipeline.pk])}" class="flow-name">' in html
    assert "Used in" in html

    # A long name wraps after its dots and between words, never inside one.
    assert (
        "sklearn.<wbr>pipeline.<wbr>Pipeline(<wbr>scale=<wbr>sklearn.<wbr>preprocessing.<wbr>"
        "Standard<wbr>Scaler,<wbr>clf=<wbr>"
    ) in pipeline_page.content.decode()
    html = html_of(pipeline_page)
    assert "Scale, then a <strong>tree</strong>." in html
    assert "<script>alert" not in html
    assert "numpy>=1.26" in html
    assert re.search(
        rf'<code>clf</code>.*?<a href="{reverse("flow_detail", args=[tree.pk])}" '
        rf'class="flow-name">{re.escape(tree.name)}</a>',
        html,
        re.S,
    )
    assert "<code>scale</code>" in html
    assert "No other flow uses this one as a component." in html
    assert '<dd data-testid="run-count">0</dd>' in html


def test_an_unknown_flow_is_a_404(client, db):
    assert client.get(reverse("flow_detail", args=[999])).status_code == 404


# --- Visibility -------------------------------------------------------------------------


def test_runs_on_a_private_dataset_are_invisible_to_others_everywhere(
    client, ada, grace, flow, ingest
):
    secret = ingest(
        upload,
        ada,
        text=FLOWERS,
        name="secret",
        visibility="private",
        default_target_attribute="kind",
    )
    hidden_task, _ = ingest(
        create_task,
        creator=ada,
        dataset_id=secret.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    hidden_task.refresh_from_db()
    run = ingest(publish, ada, hidden_task, flow, as_csv(predictions(hidden_task)))
    assert run.status == Run.Status.DONE
    pages = {
        "run": reverse("run_detail", args=[run.pk]),
        "task": reverse("task_detail", args=[hidden_task.pk]),
        "flow": reverse("flow_detail", args=[flow.pk]),
    }

    for viewer in (None, grace):
        if viewer is not None:
            signed_in(client, viewer)
        assert run_ids_on(client.get(reverse("runs"))) == []
        assert run_ids_on(client.get(reverse("runs"), {"task": hidden_task.pk})) == []
        assert client.get(pages["run"]).status_code == 404
        assert (
            client.get(reverse("run_status", args=[run.pk]), HTTP_HX_REQUEST="true").status_code
            == 404
        )
        flow_page = client.get(pages["flow"])
        assert flow_page.context["runs"] == []
        assert flow_page.context["run_count"] == 0
        assert f"Run {run.pk}<" not in html_of(flow_page)
        # The task, and so its leaderboard and its scores, are not there at all.
        assert client.get(pages["task"]).status_code == 404

    signed_in(client, ada)
    assert run_ids_on(client.get(reverse("runs"))) == [run.pk]
    assert client.get(pages["run"]).status_code == 200
    assert client.get(pages["flow"]).context["run_count"] == 1
    board = client.get(pages["task"]).context["people_board"]
    assert [entry.evaluation.run_id for entry in board] == [run.pk]


def test_a_team_datasets_runs_are_on_the_board_for_members_only(client, ada, grace, flow, ingest):
    team = create_team(creator=ada, name="Botanists")
    bob = make_user("bob")
    add_member(team=team, actor=ada, username="bob")
    shared = ingest(
        upload,
        ada,
        text=FLOWERS,
        name="shared",
        visibility="team",
        team=team,
        default_target_attribute="kind",
    )
    shared_task, _ = ingest(
        create_task,
        creator=ada,
        dataset_id=shared.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    shared_task.refresh_from_db()
    run = ingest(publish, bob, shared_task, flow, as_csv(predictions(shared_task)), team=team)

    page = signed_in(client, bob).get(reverse("task_detail", args=[shared_task.pk]))
    assert [e.evaluation.run_id for e in page.context["team_board"]] == [run.pk]
    assert signed_in(client, grace).get(reverse("run_detail", args=[run.pk])).status_code == 404


# --- The task page's leaderboard -------------------------------------------------------


def test_the_leaderboard_ranks_a_lower_is_better_measure_ascending(
    client, user, regression_task, ingest
):
    mean, _ = create_flow(uploader=user, spec={"name": "mean", "external_version": "1"})
    people = {name: make_user(name) for name in ["ada", "grace", "bob"]}
    team = create_team(creator=people["grace"], name="Errors Down")
    runs = {}
    for name, offset, kwargs in [
        ("ada", 2.0, {}),
        ("grace", 0.5, {"team": team}),
        ("bob", 1.0, {}),
        ("ada", 0.25, {}),  # ada's second run is her best, and the best of all
        ("grace", 3.0, {"team": team}),
    ]:
        run = ingest(
            publish,
            people[name],
            regression_task,
            mean,
            as_csv(regression_predictions(regression_task, offset=offset)),
            **kwargs,
        )
        assert run.status == Run.Status.DONE, run.error_message
        runs.setdefault(name, []).append(run)

    response = client.get(reverse("task_detail", args=[regression_task.pk]))

    assert response.status_code == 200
    people_board = response.context["people_board"]
    assert [
        (e.rank, e.evaluation.run.uploader.username, e.evaluation.run_id, e.runs)
        for e in people_board
    ] == [
        (1, "ada", runs["ada"][1].pk, 2),
        (2, "grace", runs["grace"][0].pk, 2),
        (3, "bob", runs["bob"][0].pk, 1),
    ]
    assert [e.evaluation.value for e in people_board] == pytest.approx([0.25, 0.5, 1.0])
    team_board = response.context["team_board"]
    assert [(e.rank, e.evaluation.run.team.name, e.runs) for e in team_board] == [
        (1, "Errors Down", 2)
    ]
    html = html_of(response)
    assert "Ranked by <code>root_mean_squared_error</code>, lower is better" in html
    people_table = html.split('data-board="person"')[1].split("</table>")[0]
    assert people_table.index(">ada<") < people_table.index(">grace<") < people_table.index(">bob<")
    assert f'href="{reverse("run_detail", args=[runs["ada"][1].pk])}">Run' in people_table
    assert f"?task={regression_task.pk}&status=done&uploader=ada" in people_table
    assert '<a href="/teams/errors-down/">Errors Down</a>' in html

    # Every score over time, and the best so far falling as a lower-is-better line does.
    scores = plot_specs(html)["scores"]
    assert scores["kind"] == "scores"
    assert not scores["higher_is_better"]
    assert scores["runs"] == [r.pk for r in sorted(Run.objects.all(), key=lambda r: r.pk)]
    assert scores["y"] == pytest.approx([2.0, 0.5, 1.0, 0.25, 3.0])
    assert scores["best"] == pytest.approx([2.0, 0.5, 0.5, 0.25, 0.25])
    assert scores["links"][0] == reverse("run_detail", args=[scores["runs"][0]])
    assert 'data-plot="scores"' in html
    assert f'data-plotly-src="{reverse("plotly_js")}"' in html


def test_the_task_page_links_to_upload_and_to_its_runs_and_counts_them_by_status(
    client, catalogue, ada
):
    task_id = catalogue["best"].task_id
    url = reverse("task_detail", args=[task_id])

    anonymous = html_of(client.get(url))
    assert "to upload predictions" in anonymous
    assert f'href="{reverse("runs")}?task={task_id}">All 4 runs</a>' in anonymous
    assert f'?task={task_id}&status=done">2 done</a>' in anonymous
    assert f'?task={task_id}&status=failed">1 failed</a>' in anonymous

    html = html_of(signed_in(client, ada).get(url))
    assert f'href="{reverse("run_upload")}?task={task_id}">Upload predictions</a>' in html
    board = [e.evaluation.run_id for e in client.get(url).context["people_board"]]
    assert board == [catalogue["best"].pk, catalogue["second"].pk]  # 0.75 above 0.5
    specs = plot_specs(html)
    assert specs["scores"]["higher_is_better"] is True
    first = Evaluation.objects.get(run=catalogue["best"], measure="predictive_accuracy").value
    assert first > specs["scores"]["y"][1]
    assert specs["scores"]["best"] == pytest.approx([first, first])
    assert "balance" in specs


def test_a_task_without_runs_says_so(client, task):
    response = client.get(reverse("task_detail", args=[task.pk]))
    html = html_of(response)
    assert response.context["people_board"] == []
    assert response.context["scores"] is None
    assert "No scored runs yet." in html
    assert 'data-plot="scores"' not in html


def test_the_task_page_query_count_does_not_grow_with_the_runs(
    client, catalogue, task, flow, ingest, django_assert_max_num_queries
):
    url = reverse("task_detail", args=[task.pk])
    with django_assert_max_num_queries(16):
        client.get(url)
    for index in range(3):
        ingest(publish, make_user(f"p{index}"), task, flow, as_csv(predictions(task)))
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["people_board"]) == 5  # ada, user and three newcomers


# --- Navigation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "current"),
    [("runs", [], "Runs"), ("flows", [], "Flows"), ("run_upload", [], "Runs")],
)
def test_navigation_marks_runs_and_flows_current(client, ada, name, args, current):
    html = html_of(signed_in(client, ada).get(reverse(name, args=args)))
    assert f'aria-current="page">{current}</a>' in html
