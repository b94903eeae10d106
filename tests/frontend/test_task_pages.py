"""The task pages: the list and its filters, a task's page, defining a task on a dataset.

Datasets and tasks are made the way people make them, through the services; ingestion and
split generation are the Celery jobs those enqueue on commit (eager in tests), run by the
``ingest`` fixture. A task created outside it stays "processing", as it does until a worker
picks it up. Every test that posts asserts the database afterwards.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import register_user
from datasets.models import Dataset
from tasks.models import Task, TaskSplitsFile, TaskType
from tasks.services import create_task
from tests.datasets.conftest import upload

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
# 30 flowers, ten of each kind: 10-fold stratified crossvalidation tests 3 rows a fold.
FLOWERS = "width,height,kind\n" + "".join(
    f"{(i * 7) % 13 + 0.5},{(i * 5) % 11},{['a', 'b', 'c'][i % 3]}\n" for i in range(30)
)
# Six rows, two a class: too few for ten folds.
TINY = "x,kind\n" + "".join(f"{i},{['a', 'b', 'c'][i % 3]}\n" for i in range(6))


def make_user(username: str) -> User:
    return register_user(username=username, password=PASSWORD)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html_of(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def ada(db) -> User:
    return make_user("ada")


@pytest.fixture
def grace(db) -> User:
    return make_user("grace")


@pytest.fixture
def flowers(ada, ingest) -> Dataset:
    return ingest(upload, ada, text=FLOWERS, name="flowers", default_target_attribute="kind")


def define(ingest, user, dataset, *, procedure=1, seed=0, target="kind", task_type=1) -> Task:
    task, _ = ingest(
        create_task,
        creator=user,
        dataset_id=dataset.pk,
        task_type=task_type,
        target=target,
        estimation_procedure_id=procedure,
        seed=seed,
    )
    task.refresh_from_db()
    return task


def task_ids_on(response) -> list[int]:
    return [task.pk for task in response.context["page"].object_list]


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_each_tasks_definition_with_links(client, ada, flowers, ingest):
    task = define(ingest, ada, flowers, seed=7)

    response = client.get(reverse("tasks"))

    assert response.status_code == 200
    html = html_of(response)
    assert f'href="{reverse("task_detail", args=[task.pk])}"' in html
    assert f'href="{reverse("dataset_detail", args=[flowers.pk])}">flowers</a>' in html
    assert "v1" in html
    for text in [
        "Supervised Classification",
        "<code>kind</code>",
        "10-fold Crossvalidation",
        ">7</td>",
        "predictive_accuracy",
        'badge-ok">active',
    ]:
        assert text in html
    assert "1 task" in html


def test_the_list_filters_by_dataset_type_procedure_target_and_status(client, ada, flowers, ingest):
    other = ingest(upload, ada, text=FLOWERS, name="others", default_target_attribute="kind")
    cv = define(ingest, ada, flowers)
    twice = define(ingest, ada, flowers, procedure=2)
    regression = define(ingest, ada, flowers, task_type=2, procedure=7, target="width")
    elsewhere = define(ingest, ada, other)
    # Not run by a worker: still generating its splits.
    processing, _ = create_task(
        creator=ada,
        dataset_id=flowers.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
        seed=3,
    )
    url = reverse("tasks")

    assert task_ids_on(client.get(url)) == [cv.pk, twice.pk, regression.pk, elsewhere.pk]
    assert task_ids_on(client.get(url, {"dataset": other.pk})) == [elsewhere.pk]
    assert task_ids_on(client.get(url, {"task_type": TaskType.REGRESSION})) == [regression.pk]
    assert task_ids_on(client.get(url, {"estimation_procedure": 2})) == [twice.pk]
    assert task_ids_on(client.get(url, {"target": "width"})) == [regression.pk]
    assert task_ids_on(client.get(url, {"status": "processing"})) == [processing.pk]
    assert processing.pk in task_ids_on(client.get(url, {"status": "all"}))
    assert len(task_ids_on(client.get(url, {"status": "all"}))) == 5

    nothing = client.get(url, {"target": "nope"})
    assert "No tasks match these filters" in html_of(nothing)

    invalid = client.get(url, {"dataset": "abc", "task_type": "9"})
    assert invalid.status_code == 200
    assert invalid.context["page"] is None
    assert "Some filters above need correcting" in html_of(invalid)


def test_the_list_is_paginated_and_its_query_count_does_not_grow(
    client, ada, flowers, ingest, settings, django_assert_max_num_queries, monkeypatch
):
    from frontend.views import tasks as task_views

    monkeypatch.setattr(task_views, "PER_PAGE", 4)
    for seed in range(9):
        create_task(
            creator=ada,
            dataset_id=flowers.pk,
            task_type=1,
            target="kind",
            estimation_procedure_id=1 + seed % 2,
            seed=seed,
        )
    with django_assert_max_num_queries(4):
        first = client.get(reverse("tasks"), {"status": "all"})
    assert len(task_ids_on(first)) == 4
    assert "Page 1 of 3" in html_of(first)
    assert 'rel="next"' in html_of(first)

    monkeypatch.setattr(task_views, "PER_PAGE", 50)
    with django_assert_max_num_queries(4):
        everything = client.get(reverse("tasks"), {"status": "all"})
    assert len(task_ids_on(everything)) == 9


# --- Visibility -------------------------------------------------------------------------


def test_a_task_on_a_private_dataset_is_seen_only_by_those_who_see_the_dataset(
    client, ada, grace, ingest
):
    secret = ingest(
        upload,
        ada,
        text=FLOWERS,
        name="secret",
        visibility="private",
        default_target_attribute="kind",
    )
    task = define(ingest, ada, secret)
    detail = reverse("task_detail", args=[task.pk])

    assert task_ids_on(client.get(reverse("tasks"))) == []
    assert client.get(detail).status_code == 404
    signed_in(client, grace)
    assert task_ids_on(client.get(reverse("tasks"))) == []
    assert client.get(detail).status_code == 404
    assert (
        client.get(reverse("task_status", args=[task.pk]), HTTP_HX_REQUEST="true").status_code
        == 404
    )

    signed_in(client, ada)
    assert task_ids_on(client.get(reverse("tasks"))) == [task.pk]
    assert client.get(detail).status_code == 200


def test_an_unknown_task_is_a_404(client, db):
    assert client.get(reverse("task_detail", args=[999])).status_code == 404


# --- A task's page ----------------------------------------------------------------------


def test_the_task_page_shows_its_definition_split_summary_and_downloads(
    client, ada, flowers, ingest
):
    task = define(ingest, ada, flowers, seed=42)

    response = client.get(reverse("task_detail", args=[task.pk]))

    assert response.status_code == 200
    html = html_of(response)
    assert '<dd data-testid="seed">42</dd>' in html
    assert f'href="{reverse("dataset_detail", args=[flowers.pk])}">flowers</a>' in html
    assert "10-fold Crossvalidation" in html
    assert "1 repeat, 10 folds, stratified" in html
    assert "predictive_accuracy" in html
    assert "<code>a</code>, <code>b</code>, <code>c</code>" in html
    # Split summary: ten folds of 30 rows, three test rows in every fold.
    summary = response.context["summary"]
    assert (summary["repeats"], summary["folds"], summary["rows"]) == (1, 10, 30)
    assert summary["table"] == [{"repeat": 1, "counts": [3] * 10}]
    assert '<dd data-testid="repeats-folds">1 \u00d7 10</dd>' in html
    assert '<dd data-testid="test-rows">3</dd>' in html
    # Downloads: the API's split files, with their sizes and checksums.
    for kind in ["parquet", "csv", "arff"]:
        stored = TaskSplitsFile.objects.get(task=task, kind=kind)
        assert f'href="{reverse("task-splits", kwargs={"pk": task.pk, "kind": kind})}"' in html
        assert stored.sha256 in html
    # The class balance, drawn lazily by plots.js from the JSON block; plotly is ours.
    specs = json.loads(
        re.search(r'<script id="plot-specs" type="application/json">(.*?)</script>', html).group(1)
    )
    assert specs["balance"]["kind"] == "bars"
    assert dict(zip(specs["balance"]["x"], specs["balance"]["y"], strict=True)) == {
        "a": 10,
        "b": 10,
        "c": 10,
    }
    assert f'data-plotly-src="{reverse("plotly_js")}"' in html
    assert "cdn" not in html.lower()
    assert "Runs and leaderboard" in html
    assert "hx-get" not in html  # an active task does not poll


def test_a_repeated_crossvalidation_counts_every_repeat(client, ada, flowers, ingest):
    task = define(ingest, ada, flowers, procedure=2)  # 5 times 2-fold

    response = client.get(reverse("task_detail", args=[task.pk]))

    assert response.context["summary"]["table"] == [
        {"repeat": r, "counts": [15, 15]} for r in range(1, 6)
    ]
    assert '<dd data-testid="repeats-folds">5 \u00d7 2</dd>' in html_of(response)


def test_a_regression_task_has_no_class_balance(client, ada, flowers, ingest):
    task = define(ingest, ada, flowers, task_type=2, procedure=12, target="width")

    response = client.get(reverse("task_detail", args=[task.pk]))

    html = html_of(response)
    assert "Class balance" not in html
    assert "plots.js" not in html
    assert "33% Holdout set" in html
    assert "33% of the rows held out, not stratified" in html
    assert response.context["summary"]["folds"] == 1


def test_a_task_being_generated_polls_and_then_refreshes(client, ada, flowers, ingest):
    task, _ = create_task(
        creator=ada, dataset_id=flowers.pk, task_type=1, target="kind", estimation_procedure_id=1
    )
    status = reverse("task_status", args=[task.pk])

    html = html_of(client.get(reverse("task_detail", args=[task.pk])))
    assert f'hx-get="{status}"' in html
    assert "being generated" in html
    assert client.get(status).status_code == 302  # the panel alone is no page
    assert b"being generated" in client.get(status, HTTP_HX_REQUEST="true").content

    from tasks.services import generate_task_splits

    generate_task_splits(task_id=task.pk, attempt=task.attempt)
    done = client.get(status, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"


def test_a_failed_task_shows_its_error(client, ada, flowers, ingest):
    task = define(ingest, ada, flowers)
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.ERROR, error_code="too_few_rows", error_message="Only 2 rows."
    )

    html = html_of(client.get(reverse("task_detail", args=[task.pk])))

    assert "<code>too_few_rows</code>" in html
    assert "Only 2 rows." in html
    assert "nothing to download" in html


# --- Defining a task --------------------------------------------------------------------


def form_data(dataset, **fields) -> dict:
    return {
        "dataset_id": dataset.pk,
        "task_type": 1,
        "target": "kind",
        "estimation_procedure": 1,
        "seed": 5,
        **fields,
    }


def test_defining_a_task_creates_it_and_shows_it_then_finds_it_again(client, ada, flowers, ingest):
    signed_in(client, ada)

    response = ingest(client.post, reverse("task_create"), form_data(flowers))

    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    assert (task.seed, task.target_name, task.estimation_procedure_id) == (5, "kind", 1)
    assert task.creator == ada
    assert any(m.startswith("Task created") for m in messages_of(response))
    task.refresh_from_db()
    assert task.status == Task.Status.ACTIVE

    again = client.post(reverse("task_create"), form_data(flowers))
    assert again["Location"] == reverse("task_detail", args=[task.pk])
    assert any(m.startswith("This task already exists") for m in messages_of(again))
    assert Task.objects.count() == 1


def test_too_many_folds_is_shown_on_the_form_and_creates_nothing(client, ada, ingest):
    tiny = ingest(upload, ada, text=TINY, name="tiny", default_target_attribute="kind")
    signed_in(client, ada)

    response = client.post(reverse("task_create"), form_data(tiny))

    assert response.status_code == 200
    assert response.templates[0].name == "frontend/task_create.html"
    form = response.context["form"]
    assert form.errors["estimation_procedure"]
    assert "fold" in " ".join(form.errors["estimation_procedure"]).lower()
    assert "field-invalid" in html_of(response)
    assert Task.objects.count() == 0


def test_a_procedure_of_another_type_and_a_wrong_target_are_refused(client, ada, flowers):
    signed_in(client, ada)

    wrong_type = client.post(reverse("task_create"), form_data(flowers, estimation_procedure=7))
    assert "estimation_procedure" in wrong_type.context["form"].errors
    wrong_target = client.post(reverse("task_create"), form_data(flowers, target="width"))
    assert "must be nominal" in " ".join(wrong_target.context["form"].errors["target"])
    unknown = client.post(reverse("task_create"), form_data(flowers, target="nope"))
    assert "target" in unknown.context["form"].errors
    assert Task.objects.count() == 0


def test_defining_needs_a_signed_in_user_who_sees_an_active_dataset(
    client, ada, grace, flowers, ingest
):
    anonymous = client.post(reverse("task_create"), form_data(flowers))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    secret = ingest(
        upload,
        ada,
        text=FLOWERS,
        name="secret",
        visibility="private",
        default_target_attribute="kind",
    )
    signed_in(client, grace)
    assert client.post(reverse("task_create"), form_data(secret)).status_code == 404
    assert client.post(reverse("task_create"), {"dataset_id": "x"}).status_code == 404

    signed_in(client, ada)
    from datasets.services import deactivate_dataset

    deactivate_dataset(dataset=flowers, actor=ada)
    inactive = client.post(reverse("task_create"), form_data(flowers))
    assert inactive.status_code == 200
    assert "tasks need an active dataset" in " ".join(inactive.context["form"].non_field_errors())
    assert Task.objects.count() == 0


def test_the_form_page_can_be_opened_on_its_own(client, ada, flowers):
    signed_in(client, ada)

    response = client.get(reverse("task_create"), {"dataset": flowers.pk})

    assert response.status_code == 200
    html = html_of(response)
    assert '<option value="kind" selected>kind (nominal)</option>' in html
    assert '<optgroup label="Supervised Regression">' in html


def test_posting_tasks_is_throttled(client, ada, flowers, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "tasks", "1/hour")
    signed_in(client, ada)
    client.post(reverse("task_create"), form_data(flowers, target="nope"))

    limited = client.post(reverse("task_create"), form_data(flowers))

    assert limited.status_code == 429
    assert Task.objects.count() == 0


# --- The dataset page -------------------------------------------------------------------


def test_the_dataset_page_lists_its_tasks_and_offers_the_form_when_signed_in(
    client, ada, flowers, ingest
):
    task = define(ingest, ada, flowers, seed=9)

    anonymous = html_of(client.get(reverse("dataset_detail", args=[flowers.pk])))
    assert f'href="{reverse("task_detail", args=[task.pk])}">Task {task.pk}</a>' in anonymous
    assert "seed 9" in anonymous
    assert f'action="{reverse("task_create")}"' not in anonymous
    assert "to define a task" in anonymous

    signed_in(client, ada)
    html = html_of(client.get(reverse("dataset_detail", args=[flowers.pk])))
    assert f'action="{reverse("task_create")}"' in html
    assert f'name="dataset_id" value="{flowers.pk}"' in html
    assert '<option value="kind" selected>kind (nominal)</option>' in html


def test_the_navigation_links_to_the_tasks(client, db):
    html = html_of(client.get(reverse("tasks")))
    assert f'href="{reverse("tasks")}" aria-current="page">Tasks</a>' in html
