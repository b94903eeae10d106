"""The pages of server execution: the "Run on the server" form of a task, a configuration's
page with its runs and their spread across seeds, and what the run, task and flow pages
show of verified (server-executed) runs.

Tasks are made through the services (tests/runs/conftest.py). Submissions go through the
form or ``runs.execution.submit_configuration``; their dispatch job is enqueued on commit,
and these tests do not run it: the runs stay queued, waiting in line, as they do until a
worker is free. A run that has been executed is stated directly (status, evaluations,
resources), since executing one forks the sandbox; tests/runs covers execution itself.
"""

from __future__ import annotations

import json
import re
import statistics
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle
from scipy import stats

from accounts.models import User
from accounts.services import create_team, register_user
from flows.models import Configuration, Flow
from runs.execution import submit_configuration
from runs.models import Evaluation, Run, RunTag
from tasks.services import create_task
from tests.datasets.conftest import upload
from tests.runs import conftest as runs_fixtures
from tests.runs.conftest import FLOWERS

pytestmark = pytest.mark.django_db

task = runs_fixtures.task
regression_task = runs_fixtures.regression_task

PASSWORD = "correct-horse-battery"
SVC = "sklearn.svm.SVC"
ACCURACIES = [0.8, 0.85, 0.9, 0.75, 0.7]


def make_user(username: str) -> User:
    return register_user(username=username, password=PASSWORD)


def html_of(response) -> str:
    return unescape(response.content.decode()).replace("<wbr>", "")


def submit_url(task) -> str:
    return reverse("task_submit", args=[task.pk])


def field_of(html: str, name: str) -> str:
    """The markup of one hyperparameter's field, from its wrapper to its help text."""
    found = re.search(
        rf'<div class="field param-field[^"]*" data-param="{name}".*?'
        rf'id="id_param-{name}_helptext">.*?</div>',
        html,
        re.S,
    )
    assert found, f"no field for {name}"
    return found.group(0)


def errors_of(html: str, element_id: str) -> list[str]:
    found = re.search(rf'<ul class="field-errors" id="{element_id}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def summary_of(html: str) -> list[str]:
    found = re.search(r'id="problems">.*?<ul>(.*?)</ul>', html, re.S)
    if not found:
        return []
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", found.group(1))]


def spaces_of(html: str) -> dict:
    found = re.search(r'<script id="estimator-spaces" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


class FormInputs(HTMLParser):
    """What a browser without JavaScript sends for one <form id=...>: every enabled input,
    the selected option of each select, checked checkboxes only."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.select = form_id, False, None
        self.data: list[tuple[str, str]] = []
        self.first_option: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            if attributes.get("type") == "checkbox" and "checked" not in attributes:
                return
            self.data.append((name, attributes.get("value") or ""))
        elif tag == "textarea" and name:
            self.data.append((name, ""))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select:
            self.first_option.setdefault(self.select, attributes.get("value", ""))
            if "selected" in attributes:
                self.data.append((self.select, attributes.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            if not any(name == self.select for name, _ in self.data):
                self.data.append((self.select, self.first_option.get(self.select, "")))
            self.select = None
        if tag == "form":
            self.inside = False


def posted_as_rendered(response, form_id: str = "submit-form") -> dict[str, list[str]]:
    parser = FormInputs(form_id)
    parser.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def submit(user, task, seeds=(0, 1, 2, 3, 4), **parameters):
    return submit_configuration(
        submitter=user, task_id=task.pk, estimator=SVC, parameters=parameters, seeds=list(seeds)
    )


def finish(run: Run, measures: dict[str, float], **fields) -> None:
    """What executing and scoring a server run leaves behind."""
    Run.objects.filter(pk=run.pk).update(
        status=Run.Status.DONE, finished_at=timezone.now(), **fields
    )
    for measure, value in measures.items():
        Evaluation.objects.create(
            run=run, task=run.task, measure=measure, value=value, std=0.01, per_fold=[]
        )


@pytest.fixture
def ada(db) -> User:
    return make_user("ada")


@pytest.fixture
def grace(db) -> User:
    return make_user("grace")


@pytest.fixture
def signed_in(client, ada):
    client.force_login(ada)
    return client


@pytest.fixture
def runs_rate(monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "runs", "600/hour")


# --- The form ---------------------------------------------------------------------------


def test_the_form_offers_only_classifiers_and_renders_the_chosen_estimators_inputs(signed_in, task):
    from tunebench import engine

    response = signed_in.get(submit_url(task), {"estimator": SVC})

    assert response.status_code == 200
    html = html_of(response)
    classifiers = [e["name"] for e in engine.list_estimators(1)]
    offered = re.findall(r'<option value="(sklearn\.[^"]+)"', html)
    assert offered == classifiers
    assert "sklearn.svm.SVR" not in offered
    assert "sklearn.linear_model.Ridge" not in html
    assert f'<option value="{SVC}" selected>SVC (sklearn.svm)</option>' in html
    assert '<input type="hidden" name="estimator" value="sklearn.svm.SVC">' in html

    kernel = field_of(html, "kernel")
    assert '<select name="param-kernel" id="id_param-kernel"' in kernel
    assert '<option value=""rbf"" selected>rbf</option>' in kernel
    assert "One of linear, poly, rbf, sigmoid. Default <code>rbf</code>." in kernel
    # degree applies only with the poly kernel: shown dimmed, with its condition, and
    # hidden by submit.js.
    degree = field_of(html, "degree")
    assert 'class="field param-field param-inactive"' in degree
    assert 'data-condition="{"kernel": ["poly"]}"' in degree
    assert 'type="number" name="param-degree" id="id_param-degree" value="3" min="0" max="10"' in (
        degree
    )
    assert 'step="1"' in degree
    assert "Applies only when kernel is poly." in degree
    # A float that also takes named values: a select of them and "A number", and a box.
    gamma = field_of(html, "gamma")
    assert '<option value=""scale"" selected>scale</option>' in gamma
    assert '<option value="__number__">A number</option>' in gamma
    assert 'name="param-gamma-number"' in gamma
    assert 'min="1e-06" max="1000.0" step="any"' in gamma
    tol = field_of(html, "tol")
    assert 'name="param-tol" id="id_param-tol" value="0.001" min="1e-10" max="1.0" step="any"' in (
        tol
    )
    # A bool: a checkbox, with a hidden "false" sent when it is unchecked.
    shrinking = field_of(html, "shrinking")
    assert '<input type="hidden" name="param-shrinking" value="false">' in shrinking
    assert (
        'type="checkbox" name="param-shrinking" id="id_param-shrinking" value="true" checked'
        in (shrinking)
    )
    # None or a named value: class_weight.
    assert '<option value="null" selected>None</option>' in field_of(html, "class_weight")

    spaces = spaces_of(html)
    assert list(spaces) == classifiers
    kernel_row = spaces[SVC]["rows"][0]
    assert kernel_row["name"] == "kernel"
    assert kernel_row["widget"] == "select"
    assert spaces[SVC]["url"] == "/api/v1/estimators/sklearn.svm.SVC/"
    assert 'value="0, 1, 2, 3, 4"' in html
    assert "You have started 0 of the 500 server runs" in html
    assert "submit.js" in html


def test_without_an_estimator_the_form_asks_for_one(signed_in, task):
    html = html_of(signed_in.get(submit_url(task)))

    assert "Choose an estimator above to set its hyperparameters." in html
    assert 'name="param-' not in html
    assert '<option value="" selected>— Choose an estimator —</option>' in html
    assert 'id="hyperparameters" hidden' in html


def test_a_regression_task_offers_only_regressors(signed_in, regression_task):
    from tunebench import engine

    html = html_of(signed_in.get(submit_url(regression_task)))

    offered = re.findall(r'<option value="(sklearn\.[^"]+)"', html)
    assert offered == [e["name"] for e in engine.list_estimators(2)]
    assert SVC not in offered


def test_an_estimator_of_another_task_type_is_refused_on_the_chooser(signed_in, task):
    html = html_of(signed_in.get(submit_url(task), {"estimator": "sklearn.svm.SVR"}))

    assert errors_of(html, "id_estimator") == [
        "Choose one of the estimators offered for this task's type."
    ]
    assert 'name="param-' not in html


def test_run_more_seeds_prefills_the_form_from_a_configuration(signed_in, ada, task):
    submission = submit(ada, task, seeds=[0], kernel="poly", degree=5)

    html = html_of(signed_in.get(submit_url(task), {"configuration": submission.configuration.pk}))

    assert f'<option value="{SVC}" selected>' in html
    assert '<option value=""poly"" selected>poly</option>' in field_of(html, "kernel")
    degree = field_of(html, "degree")
    assert 'value="5"' in degree
    assert "param-inactive" not in degree


def test_anonymous_people_are_sent_to_sign_in(client, task):
    url = submit_url(task)

    for response in (client.get(url), client.post(url, {"estimator": SVC, "seeds": "0"})):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert not Run.objects.exists()


def test_an_unknown_task_is_a_404(signed_in, db):
    assert signed_in.get(reverse("task_submit", args=[999])).status_code == 404


# --- Submitting -------------------------------------------------------------------------


def test_a_submission_queues_one_run_per_seed_and_leads_to_the_configuration_page(
    signed_in, ada, task, runs_rate, django_capture_on_commit_callbacks
):
    team = create_team(creator=ada, name="Kernels")
    form = {
        "estimator": SVC,
        "param-kernel": '"poly"',
        "param-degree": "4",
        "param-gamma": "__number__",
        "param-gamma-number": "0.5",
        "param-shrinking": "false",  # the hidden input alone: unchecked
        "param-C": "2.5",
        "param-class_weight": '"balanced"',
        "seeds": "0, 1,2",
        "team_id": str(team.pk),
        "tags": "first, kernels",
        "description": "A *polynomial* kernel.",
    }

    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in.post(submit_url(task), form)

    runs = list(Run.objects.order_by("seed"))
    assert [run.seed for run in runs] == [0, 1, 2]
    assert {run.origin for run in runs} == {Run.Origin.SERVER}
    assert {run.status for run in runs} == {Run.Status.QUEUED}
    assert {run.team_id for run in runs} == {team.pk}
    assert {run.description for run in runs} == {"A *polynomial* kernel."}
    assert sorted(RunTag.objects.filter(run=runs[0]).values_list("tag", flat=True)) == [
        "first",
        "kernels",
    ]
    configuration = Configuration.objects.get()
    assert configuration.flow.estimator == SVC
    assert {
        key: configuration.parameters[key]
        for key in ("kernel", "degree", "gamma", "shrinking", "C", "class_weight")
    } == {
        "kernel": "poly",
        "degree": 4,
        "gamma": 0.5,
        "shrinking": False,
        "C": 2.5,
        "class_weight": "balanced",
    }
    assert len(callbacks) == 1  # the dispatcher, once the runs are committed
    url = reverse("configuration_detail", args=[configuration.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{url}?task={task.pk}"

    page = signed_in.get(response["Location"])
    html = html_of(page)
    ids = [run.pk for run in runs]
    assert (
        f"Queued 3 runs on the server: run {ids[0]} (seed 0), run {ids[1]} (seed 1), "
        f"run {ids[2]} (seed 2)." in html
    )
    rows = page.context["groups"][0]["runs"]
    assert [row["run"].pk for row in rows] == ids
    assert [row["position"] for row in rows] == [1, 2, 3]
    for run_id, place in zip(ids, (1, 2, 3), strict=True):
        assert f'<a href="{reverse("run_detail", args=[run_id])}">Run {run_id}</a>' in html
        assert f"position {place} in the queue" in html
    assert 'badge-warn">queued' in html
    assert "<code>degree</code>" in html
    assert '<code class="value">4</code>' in html


@pytest.mark.parametrize("estimator", [SVC, "sklearn.ensemble.RandomForestClassifier"])
def test_the_form_as_rendered_submits_the_defaults_without_javascript(
    signed_in, task, runs_rate, estimator
):
    """A browser without JavaScript sends every input, those whose condition does not
    hold included (SVC's degree, a forest's max_samples) and the empty number boxes
    beside named values: the view keeps what applies, and the defaults are valid."""
    from tunebench import engine

    page = signed_in.get(submit_url(task), {"estimator": estimator})
    data = posted_as_rendered(page)
    assert data["estimator"] == [estimator]
    assert data["seeds"] == ["0, 1, 2, 3, 4"]

    response = signed_in.post(submit_url(task), data)

    assert response.status_code == 302, summary_of(html_of(response))
    configuration = Configuration.objects.get()
    assert configuration.parameters == engine.validate_parameters(estimator, {})
    assert sorted(Run.objects.values_list("seed", flat=True)) == [0, 1, 2, 3, 4]


def test_no_seeds_is_refused_on_the_seeds_field(signed_in, task, runs_rate):
    response = signed_in.post(submit_url(task), {"estimator": SVC, "seeds": " "})

    assert errors_of(html_of(response), "id_seeds") == ["Give at least one seed."]
    assert not Run.objects.exists()


def test_parameters_whose_condition_does_not_hold_are_left_out(signed_in, task, runs_rate):
    # degree and coef0 apply only to other kernels: sent anyway (no JavaScript), dropped.
    response = signed_in.post(
        submit_url(task),
        {
            "estimator": SVC,
            "param-kernel": '"rbf"',
            "param-degree": "7",
            "param-coef0": "1.5",
            "seeds": "3",
        },
    )

    assert response.status_code == 302
    parameters = Configuration.objects.get().parameters
    assert "degree" not in parameters
    assert "coef0" not in parameters
    assert parameters["kernel"] == "rbf"
    assert list(Run.objects.values_list("seed", flat=True)) == [3]


def test_submitting_seeds_again_reuses_their_runs(signed_in, ada, task, runs_rate):
    first = submit(ada, task, seeds=[0, 1])
    old = {run.seed: run.pk for run in first.runs}

    response = signed_in.post(submit_url(task), {"estimator": SVC, "seeds": "1, 2"}, follow=True)

    new = Run.objects.get(seed=2).pk
    assert Run.objects.count() == 3
    assert (
        f"Queued 1 run on the server: run {new} (seed 2). Seed 1 had a run of this "
        f"configuration already, not started again: run {old[1]} (seed 1)."
    ) in html_of(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("param-C", "-5", "got -5.0; expected a number from 1e-06 to 1000000.0"),
        ("param-C", "", "Enter a value. A number from 1e-06 to 1,000,000 (log scale)."),
        ("param-C", "lots", "got the text 'lots'; expected a number from 1e-06 to 1000000.0"),
        ("param-max_iter", "2.5", "got 2.5; expected an integer from -1 to 100000"),
        ("param-kernel", '"cubic"', "'cubic' is not a choice"),
    ],
)
def test_a_bad_value_is_shown_on_its_input_and_nothing_is_stored(
    signed_in, task, runs_rate, field, value, message
):
    response = signed_in.post(submit_url(task), {"estimator": SVC, field: value, "seeds": "0"})

    assert response.status_code == 200
    html = html_of(response)
    name = field.removeprefix("param-")
    assert "field-invalid" in field_of(html, name)
    errors = errors_of(html, f"id_{field}")
    assert len(errors) == 1
    assert message in errors[0]
    assert summary_of(html) == [f"{name}: {errors[0]}"]
    assert not Run.objects.exists()
    assert not Configuration.objects.exists()


def test_every_problem_is_shown_next_to_its_field_and_above_the_form(signed_in, task, runs_rate):
    response = signed_in.post(
        submit_url(task),
        {
            "estimator": SVC,
            "param-kernel": '"poly"',
            "param-degree": "11",
            "param-C": "-1",
            "param-bogus": "2",  # not in the form: a crafted post
            "param-verbose": "1",  # fixed by Tunebench
            "seeds": "0, x, 0, -4",
        },
    )

    assert response.status_code == 200
    html = html_of(response)
    assert errors_of(html, "id_param-degree") == ["got 11; expected an integer from 0 to 10"]
    assert errors_of(html, "id_param-C") == ["got -1.0; expected a number from 1e-06 to 1000000.0"]
    assert errors_of(html, "id_seeds") == [
        "Seed 2 (x): a seed is an integer",
        "Seed 3 (0): 0 is repeated",
        "Seed 4 (-4): between 0 and 4294967295",
    ]
    summary = summary_of(html)
    assert len(summary) == 7
    assert "Parameter bogus: SVC has no such parameter" in summary
    assert any(item.startswith("Parameter verbose: not settable") for item in summary)
    assert "Seeds: Seed 2 (x): a seed is an integer" in summary
    assert "degree: got 11; expected an integer from 0 to 10" in summary
    assert '<a href="#id_param-degree">degree</a>' in html
    assert "Nothing was stored." in html
    # What was typed is kept.
    assert 'value="11"' in field_of(html, "degree")
    assert '<option value=""poly"" selected>' in field_of(html, "kernel")
    assert 'value="0, x, 0, -4"' in html
    assert not Run.objects.exists()
    assert not Configuration.objects.exists()
    assert not Flow.objects.exists()


def test_a_bad_team_and_a_bad_parameter_are_reported_together(signed_in, grace, task, runs_rate):
    theirs = create_team(creator=grace, name="Elsewhere")

    response = signed_in.post(
        submit_url(task),
        {"estimator": SVC, "param-C": "0", "seeds": "0", "team_id": str(theirs.pk)},
    )

    html = html_of(response)
    assert errors_of(html, "id_team_id")
    assert errors_of(html, "id_param-C") == ["got 0.0; expected a number from 1e-06 to 1000000.0"]
    assert not Run.objects.exists()


def test_an_estimator_not_offered_is_refused_on_its_field(signed_in, task, runs_rate):
    response = signed_in.post(submit_url(task), {"estimator": "sklearn.svm.SVR", "seeds": "0"})

    html = html_of(response)
    assert errors_of(html, "id_estimator") == [
        "Choose one of the estimators offered for this task's type."
    ]
    assert not Run.objects.exists()


def test_the_quota_is_shown_when_it_is_used_up(signed_in, ada, task, runs_rate, settings):
    settings.TUNEBENCH_EXECUTE_DAILY_QUOTA = 3
    submit(ada, task, seeds=[0, 1])

    response = signed_in.post(submit_url(task), {"estimator": SVC, "seeds": "5, 6"})

    html = html_of(response)
    assert response.status_code == 200
    summary = summary_of(html)
    assert len(summary) == 1
    assert summary[0].startswith("Quota exceeded: 2 of 3 server runs counted.")
    assert "this submission needs 2" in summary[0]
    assert "You have started 2 of the 3 server runs" in html
    assert Run.objects.count() == 2


# --- A configuration's page -------------------------------------------------------------


def test_the_configuration_page_summarises_the_verified_runs_across_seeds(client, ada, task):
    submission = submit(ada, task, kernel="linear")
    for run, accuracy in zip(submission.runs, ACCURACIES, strict=True):
        finish(run, {"predictive_accuracy": accuracy, "kappa": accuracy - 0.2})
    url = reverse("configuration_detail", args=[submission.configuration.pk])

    response = client.get(url, {"task": task.pk})

    assert response.status_code == 200
    group = response.context["groups"][0]
    assert group["summary"].seeds == [0, 1, 2, 3, 4]
    first = group["seed_rows"][0]
    assert first["is_task_measure"] is True
    interval = first["interval"]
    assert interval.measure == "predictive_accuracy"
    assert interval.n == 5
    assert interval.mean == pytest.approx(statistics.mean(ACCURACIES))
    assert interval.std == pytest.approx(statistics.stdev(ACCURACIES))
    low, high = stats.t.interval(
        0.95, 4, loc=statistics.mean(ACCURACIES), scale=statistics.stdev(ACCURACIES) / 5**0.5
    )
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))
    assert [row["interval"].measure for row in group["seed_rows"]] == [
        "predictive_accuracy",
        "kappa",
    ]
    html = html_of(response)
    assert '<td data-label="Mean" class="num" title="0.8">0.8</td>' in html
    assert f'<td data-label="Std" class="num">{statistics.stdev(ACCURACIES):.4g}</td>' in html
    assert f"{low:.4g} \u2013 {high:.4g}" in html  # an en dash
    assert "seeds 0, 1, 2, 3, 4" in html
    # Finished: no polling.
    assert 'hx-trigger="every 2s"' not in html
    assert "position 1 in the queue" not in html
    assert html.count('badge-ok">done') == 5


def test_the_configuration_page_polls_while_runs_are_unfinished(client, ada, task):
    submission = submit(ada, task, seeds=[0, 1])
    configuration = submission.configuration
    url = reverse("configuration_detail", args=[configuration.pk])
    status = reverse("configuration_status", args=[configuration.pk])

    html = html_of(client.get(url, {"task": task.pk}))
    assert f'hx-get="{status}?task={task.pk}" hx-trigger="every 2s"' in html

    polled = client.get(status, {"task": task.pk}, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert 'id="configuration-tasks"' in html_of(polled)
    assert "position 2 in the queue" in html_of(polled)

    for run, accuracy in zip(submission.runs, ACCURACIES[:2], strict=True):
        finish(run, {"predictive_accuracy": accuracy})
    done = html_of(client.get(status, {"task": task.pk}, HTTP_HX_REQUEST="true"))
    assert "hx-trigger" not in done
    assert "0.825" in done  # the mean of two seeds

    plain = client.get(status, {"task": task.pk})
    assert plain.status_code == 302
    assert plain["Location"] == f"{url}?task={task.pk}"


def test_without_a_focus_the_configuration_page_shows_every_task(client, ada, task):
    submission = submit(ada, task, seeds=[0])

    response = client.get(reverse("configuration_detail", args=[submission.configuration.pk]))

    html = html_of(response)
    assert [group["task"].pk for group in response.context["groups"]] == [task.pk]
    assert f'id="task-{task.pk}-heading"' in html
    assert "This configuration on every task" not in html
    assert f'hx-get="{reverse("configuration_status", args=[submission.configuration.pk])}"' in html


def test_an_invisible_configuration_is_a_404_for_others(client, ada, grace, ingest):
    secret = ingest(
        upload,
        ada,
        text=FLOWERS,
        name="secret",
        visibility="private",
        default_target_attribute="kind",
    )
    hidden, _ = ingest(
        create_task,
        creator=ada,
        dataset_id=secret.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    submission = submit(ada, hidden, seeds=[0])
    url = reverse("configuration_detail", args=[submission.configuration.pk])
    status = reverse("configuration_status", args=[submission.configuration.pk])

    assert client.get(url).status_code == 404
    client.force_login(grace)
    assert client.get(url).status_code == 404
    assert client.get(status, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("task_submit", args=[hidden.pk])).status_code == 404
    client.force_login(ada)
    assert client.get(url).status_code == 200


def test_an_unknown_configuration_is_a_404(client, db):
    response = client.get(reverse("configuration_detail", args=[999]))
    assert response.status_code == 404
    assert "Page not found" in html_of(response)


# --- The run page -----------------------------------------------------------------------


def test_a_waiting_server_run_shows_its_place_in_the_queue(client, ada, task):
    first = submit(ada, task, seeds=[0, 1])
    second = first.runs[1]
    detail = reverse("run_detail", args=[second.pk])

    html = html_of(client.get(detail))
    assert "Waiting: position 2 in the queue." in html
    assert f'hx-get="{reverse("run_status", args=[second.pk])}" hx-trigger="every 2s"' in html
    assert "badge-verified" not in html  # not before it is done

    Run.objects.filter(pk=first.runs[0].pk).update(enqueued_at=timezone.now())
    polled = html_of(client.get(reverse("run_status", args=[second.pk]), HTTP_HX_REQUEST="true"))
    assert "Waiting: position 1 in the queue." in polled

    Run.objects.filter(pk=second.pk).update(status=Run.Status.RUNNING, started_at=timezone.now())
    assert "Executing on a worker." in html_of(
        client.get(reverse("run_status", args=[second.pk]), HTTP_HX_REQUEST="true")
    )


def test_a_done_server_run_shows_its_badge_resources_timings_and_libraries(client, ada, task):
    run = submit(ada, task, seeds=[4]).runs[0]
    finish(
        run,
        {"predictive_accuracy": 0.9},
        started_at=timezone.now(),
        resources={
            "peak_memory_mb": 123.4,
            "cpu_seconds": 1.234,
            "wall_seconds": 2.5,
            "memory_limit_mb": 4096,
            "wall_limit_seconds": 1800,
        },
        fold_timings=[
            {"repeat": 0, "fold": f, "fit_seconds": 0.125, "predict_seconds": 0.002}
            for f in range(10)
        ],
        environment={
            "python": "3.12.4",
            "libraries": {"scikit-learn": "1.9.1", "numpy": "2.3.0"},
            "worker": "worker-1",
        },
    )

    response = client.get(reverse("run_detail", args=[run.pk]))

    html = html_of(response)
    assert ">Verified</span>" in html
    assert "Verified: executed by Tunebench's workers on the task's splits, with seed" in html
    configuration_url = reverse("configuration_detail", args=[run.configuration_id])
    assert (
        f'href="{configuration_url}?task={task.pk}">Configuration {run.configuration_id}</a>'
        in html
    )
    assert "123.4 MiB" in html
    assert "of 4,096 MiB allowed" in html
    assert "1.23 s" in html
    assert "2.50 s" in html
    assert "of 1,800 s allowed" in html
    assert "1.25 s in all" in html  # ten folds of 0.125 s
    assert "<code>scikit-learn</code>" in html
    assert "1.9.1" in html
    assert "As the worker's sandbox reported it." in html
    assert "Submitted by" in html
    assert "hx-get" not in html


def test_an_uploaded_run_is_not_marked_verified(client, ada, task):
    from flows.services import create_flow
    from runs import services
    from tests.runs.conftest import FLOW_SPEC, as_csv, predictions

    flow, _ = create_flow(uploader=ada, spec=FLOW_SPEC)
    run = services.upload_run(
        uploader=ada, task_id=task.pk, flow_id=flow.pk, chunks=iter([as_csv(predictions(task))])
    )

    html = html_of(client.get(reverse("run_detail", args=[run.pk])))
    assert "badge-verified" not in html
    assert "waiting to be scored" in html
    assert "Resources" not in html


# --- The task page and the flow pages ---------------------------------------------------


def test_the_leaderboard_marks_verified_entries_with_their_spread_across_seeds(client, ada, task):
    submission = submit(ada, task, kernel="linear")
    for run, accuracy in zip(submission.runs, ACCURACIES, strict=True):
        finish(run, {"predictive_accuracy": accuracy})

    response = client.get(reverse("task_detail", args=[task.pk]))

    html = html_of(response)
    entry = response.context["people_board"][0]
    assert entry.evaluation.run_id == submission.runs[2].pk  # 0.9, the best seed
    mean, std = statistics.mean(ACCURACIES), statistics.stdev(ACCURACIES)
    low, high = stats.t.interval(0.95, 4, loc=mean, scale=std / 5**0.5)
    assert (
        f'<span data-testid="seeds">{mean:.4g} ± {std:.4g} (n=5), '
        f'<span class="interval">95% [{low:.4g}, {high:.4g}]</span></span>'
    ) in html
    board = html.split('data-board="person"')[1].split("</table>")[0]
    assert 'badge-verified" title="Executed by Tunebench\'s workers' in board
    configuration = submission.configuration.pk
    assert (
        f'href="{reverse("configuration_detail", args=[configuration])}?task={task.pk}">'
        f"configuration {configuration}</a>" in board
    )


def test_the_task_page_offers_to_run_on_the_server_to_signed_in_people(client, ada, task):
    url = reverse("task_detail", args=[task.pk])
    link = f'href="{submit_url(task)}">Run on the server</a>'

    assert link not in html_of(client.get(url))
    client.force_login(ada)
    assert link in html_of(client.get(url))


def test_an_executable_flow_shows_its_badge_its_space_and_tunebench_as_uploader(client, ada, task):
    flow = submit(ada, task, seeds=[0]).flow

    html = html_of(client.get(reverse("flow_detail", args=[flow.pk])))
    assert ">Executable</span>" in html
    assert '<a href="/api/v1/estimators/sklearn.svm.SVC/" data-testid="space-link">' in html
    assert "<dt>Uploader</dt><dd>Tunebench," in html

    listing = html_of(client.get(reverse("flows")))
    assert '<td data-label="Uploader">Tunebench</td>' in listing
