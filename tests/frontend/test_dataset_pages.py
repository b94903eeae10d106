"""The dataset pages: the list and its filters, a dataset's page, the upload form, owner actions.

Datasets are made the way people make them, through ``upload_dataset``; ingestion is the
Celery job the upload enqueues on commit (eager in tests), run by capturing the commit
callbacks. A dataset uploaded outside that capture stays "processing", as it does until a
worker picks it up. Every test that posts asserts the database afterwards.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import plotly
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from accounts.services import add_member, create_team, register_user
from datasets.models import Dataset, DatasetFile, DatasetTag
from datasets.services import ingest_dataset, upload_dataset
from frontend import rendering
from frontend.views import datasets as dataset_views

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"

# 12 flowers: two numeric columns (one with a missing value), a nominal target.
SPECIES = ("setosa", "versicolor", "virginica")
IRIS = "sepal_length,sepal_width,species\n" + "".join(
    f"{4.5 + i * 0.25},{'' if i == 5 else 3.0 + (i % 4) * 0.2},{SPECIES[i % 3]}\n"
    for i in range(12)
)
WINE_ARFF = """@RELATION wine
@ATTRIBUTE alcohol NUMERIC
@ATTRIBUTE colour {red,white}
@DATA
13.2,red
12.1,white
14.0,red
11.5,white
"""
# The first bytes of a pickle (protocol 4): what a "model.csv" from a careless export holds.
PICKLE = b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94K\x01\x8c\x01b\x94K\x02u."


def make_user(username: str, **kwargs) -> User:
    return register_user(username=username, password=PASSWORD, **kwargs)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def ada(db) -> User:
    return make_user("ada")


@pytest.fixture
def grace(db) -> User:
    return make_user("grace")


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload through the service; ``ingest=False`` leaves the dataset processing."""

    def _upload(uploader: User, name: str = "iris", content: str | bytes = IRIS, **kwargs):
        ingest = kwargs.pop("ingest", True)
        kwargs.setdefault("default_target_attribute", "species" if content == IRIS else "")
        data = content.encode() if isinstance(content, str) else content
        call = {"uploader": uploader, "chunks": iter([data]), "filename": f"{name}.csv"}
        call["name"] = name
        if not ingest:
            return upload_dataset(**call, **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            dataset = upload_dataset(**call, **kwargs)
        dataset.refresh_from_db()
        return dataset

    return _upload


def listed(response) -> list[str]:
    return [row["dataset"].name for row in response.context["rows"]]


# --- The list -------------------------------------------------------------------------------


def test_list_shows_each_dataset_with_version_status_basic_qualities_tags_and_uploader(
    client, ada, upload
):
    dataset = upload(ada, tags=["botany", "flowers"])

    response = client.get(reverse("datasets"))

    assert response.status_code == 200
    html = html_of(response)
    detail = reverse("dataset_detail", args=[dataset.pk])
    row = html[html.index(f'<a href="{detail}">iris</a>') :]
    row = row[: row.index("</tr>")]
    assert '<td data-label="Version" class="num">1</td>' in row
    assert '<span class="badge badge-ok">active</span>' in row
    assert '<td data-label="Instances" class="num">12</td>' in row
    assert '<td data-label="Features" class="num">3</td>' in row
    assert '<td data-label="Classes" class="num">3</td>' in row
    assert '<td data-label="Missing values" class="num">1</td>' in row
    assert f'href="{reverse("datasets")}?tag=botany">botany</a>' in row
    assert '<td data-label="Uploader">ada</td>' in row
    assert "1 dataset</h2>" in html


@pytest.fixture
def catalogue(ada, grace, upload) -> dict[str, Dataset]:
    """iris (CSV, 12 rows, ada), wine (ARFF, 4 rows, grace), pending (still processing)."""
    return {
        "iris": upload(ada, "iris", tags=["botany"]),
        "wine": upload(grace, "wine", WINE_ARFF, default_target_attribute="colour", tags=["chem"]),
        "pending": upload(ada, "pending", tags=["botany"], ingest=False),
    }


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, ["iris", "wine"]),
        ({"name": "IRI"}, ["iris"]),
        ({"tag": "chem"}, ["wine"]),
        ({"tag": "botany", "status": "all"}, ["iris", "pending"]),
        ({"uploader": "GRACE"}, ["wine"]),
        ({"format": "arff"}, ["wine"]),
        ({"format": "csv"}, ["iris"]),
        ({"status": "processing"}, ["pending"]),
        ({"status": "all"}, ["iris", "pending", "wine"]),
        ({"instances_min": "5"}, ["iris"]),
        ({"instances_max": "4"}, ["wine"]),
        ({"instances_min": "4", "instances_max": "12"}, ["iris", "wine"]),
        ({"classes_min": "3", "classes_max": "3"}, ["iris"]),
        ({"features_max": "2"}, ["wine"]),
        ({"missing_min": "1"}, ["iris"]),
        ({"ordering": "-NumberOfInstances"}, ["iris", "wine"]),
        ({"ordering": "NumberOfInstances"}, ["wine", "iris"]),
        ({"ordering": "-created_at"}, ["wine", "iris"]),
        ({"name": "nothing-like-it"}, []),
    ],
)
def test_list_filters_narrow_and_order_the_datasets(client, catalogue, query, names):
    response = client.get(reverse("datasets"), query)
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert listed(response) == names


def test_list_filters_outside_the_first_row_open_the_more_filters_box(client, catalogue):
    closed = html_of(client.get(reverse("datasets"), {"name": "iris"}))
    opened = html_of(client.get(reverse("datasets"), {"instances_min": "1"}))
    assert '<details class="more-filters">' in closed
    assert '<details class="more-filters" open>' in opened


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"instances_min": "many"}, {"instances_min": ["Enter a number."]}),
        ({"classes_min": "inf"}, {"classes_min": ["Enter a number."]}),
        (
            {"classes_min": "5", "classes_max": "2"},
            {"classes_max": ["Classes: the maximum is below the minimum."]},
        ),
        (
            {"status": "gone"},
            {"status": ["Select a valid choice. gone is not one of the available choices."]},
        ),
        (
            {"ordering": "uploader__password"},
            {
                "ordering": [
                    "Select a valid choice. uploader__password is not one of the available choices."
                ]
            },
        ),
        (
            {"format": "pickle"},
            {"format": ["Select a valid choice. pickle is not one of the available choices."]},
        ),
    ],
)
def test_invalid_filters_are_shown_on_the_form_not_a_server_error(client, catalogue, query, errors):
    response = client.get(reverse("datasets"), query)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert response.context["rows"] == []
    html = unescape(html_of(response))
    assert "Some filters above need correcting." in html
    for messages in errors.values():
        assert messages[0] in html


def test_list_pages_by_50_and_keeps_the_filters_in_the_page_links(client, ada, upload):
    for i in range(51):
        upload(ada, f"set-{i:02d}", "a,b\n1,2\n", tags=["bulk"], ingest=False)

    first = client.get(reverse("datasets"), {"status": "all", "tag": "bulk"})

    assert len(first.context["rows"]) == 50
    assert listed(first)[:2] == ["set-00", "set-01"]
    html = unescape(html_of(first))
    assert "51 datasets</h2>" in html
    assert "Page 1 of 2" in html
    assert 'href="?status=all&tag=bulk&page=2" rel="next"' in html
    assert 'rel="prev"' not in html

    second = client.get(reverse("datasets"), {"status": "all", "tag": "bulk", "page": "2"})
    assert listed(second) == ["set-50"]
    html = unescape(html_of(second))
    assert 'href="?status=all&tag=bulk&page=1" rel="prev"' in html
    assert 'rel="next"' not in html

    # A page beyond the last (or not a number) shows the last (or the first) page.
    assert listed(client.get(reverse("datasets"), {"status": "all", "page": "9"})) == ["set-50"]
    assert (
        len(client.get(reverse("datasets"), {"status": "all", "page": "x"}).context["rows"]) == 50
    )


def test_list_query_count_does_not_grow_with_the_rows(
    client, ada, grace, upload, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(dataset_views, "PER_PAGE", 20)
    upload(ada, "first", tags=["a", "b"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("datasets"), {"ordering": "-NumberOfInstances"})
        assert response.status_code == 200
        return len(captured)

    one_row = queries()
    for i in range(6):
        upload(ada if i % 2 else grace, f"more-{i}", tags=[f"t{i}", "x"])
    with django_assert_max_num_queries(one_row):
        response = client.get(reverse("datasets"), {"ordering": "-NumberOfInstances"})
    assert len(response.context["rows"]) == 7
    assert one_row <= 4  # count, page, qualities, tags


# --- Visibility -------------------------------------------------------------------------------


@pytest.fixture
def shared(ada, upload) -> dict:
    """A public, a team and a private dataset of ada's; bob is in ada's team, grace is not."""
    bob = make_user("bob")
    team = create_team(creator=ada, name="Botanists")
    add_member(team=team, actor=ada, username="bob")
    return {
        "team": team,
        "bob": bob,
        "public": upload(ada, "open-iris"),
        "team_only": upload(ada, "team-iris", visibility="team", team=team),
        "private": upload(ada, "secret-iris", visibility="private"),
    }


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        ("anonymous", {"open-iris"}),
        ("grace", {"open-iris"}),
        ("bob", {"open-iris", "team-iris"}),
        ("ada", {"open-iris", "team-iris", "secret-iris"}),
        ("moderator", {"open-iris", "team-iris", "secret-iris"}),
    ],
)
def test_invisible_datasets_are_never_listed_counted_or_shown(
    client, grace, shared, viewer, visible
):
    if viewer == "moderator":
        moderator = make_user("mod")
        User.objects.filter(pk=moderator.pk).update(is_staff=True)
        client.force_login(User.objects.get(pk=moderator.pk))
    elif viewer != "anonymous":
        client.force_login(User.objects.get(username=viewer))

    response = client.get(reverse("datasets"), {"status": "all"})
    assert set(listed(response)) == visible
    html = html_of(response)
    home = html_of(client.get(reverse("home")))
    assert f'<dd data-testid="dataset-count">{len(visible)}</dd>' in home

    for key in ("public", "team_only", "private"):
        dataset = shared[key]
        expected = 200 if dataset.name in visible else 404
        assert client.get(reverse("dataset_detail", args=[dataset.pk])).status_code == expected
        status = client.get(reverse("dataset_status", args=[dataset.pk]))
        assert status.status_code == (302 if expected == 200 else 404)
        download = reverse("dataset-download", kwargs={"pk": dataset.pk, "kind": "csv"})
        assert client.get(download).status_code == expected
        if expected == 404:
            assert dataset.name not in html
            page = client.get(reverse("dataset_detail", args=[dataset.pk]))
            assert b"Page not found" in page.content
            assert dataset.name.encode() not in page.content


def test_an_unknown_dataset_is_a_404_page(client):
    response = client.get(reverse("dataset_detail", args=[987654]))
    assert response.status_code == 404
    assert b"Page not found" in response.content


# --- A dataset's page -------------------------------------------------------------------------


def test_dataset_page_shows_facts_features_qualities_plots_and_downloads(client, ada, upload):
    dataset = upload(
        ada,
        licence="CC-BY-4.0",
        citation="Fisher, R. A. (1936).",
        paper_url="https://example.org/paper",
        tags=["botany"],
    )

    response = client.get(reverse("dataset_detail", args=[dataset.pk]))

    assert response.status_code == 200
    html = html_of(response)
    assert re.search(r'<h1 class="dataset-title">iris <span class="version">version 1</span>', html)
    assert '<span class="badge badge-ok">active</span>' in html
    assert "CC-BY-4.0" in html
    assert "Fisher, R. A. (1936)." in html
    assert '<a href="https://example.org/paper" rel="nofollow noopener">Paper</a>' in html

    # Features: one row each, in file order, with type, markers, missing and a summary.
    rows = response.context["feature_rows"]
    assert [r["feature"].name for r in rows] == ["sepal_length", "sepal_width", "species"]
    assert re.search(r'<code>species</code>\s*<span class="badge badge-owner">target</span>', html)
    width = html[html.index('<tr id="feature-1">') :]
    width = width[: width.index("</tr>")]
    assert '<td data-label="Type">numeric</td>' in width
    assert '<td data-label="Missing" class="num">1</td>' in width
    assert re.search(r"min 3 · max 3\.6 · mean 3\.\d+", width)
    species = html[html.index('<tr id="feature-2">') :]
    assert "setosa (4), versicolor (4), virginica (4)" in species[: species.index("</tr>")]

    # Qualities: every one, sorted by name, counts without decimals.
    qualities = response.context["qualities"]
    assert list(qualities) == sorted(qualities)
    assert len(qualities) > 4
    assert re.search(
        r'<th scope="row">Number<wbr>Of<wbr>Instances</th><td class="num"[^>]*>12</td>', html
    )

    # Plots: one spec per feature in a json_script block, drawn by plots.js from our plotly.js.
    specs = json.loads(
        re.search(
            r'<script id="plot-specs" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert set(specs) == {"0", "1", "2"}
    assert specs["0"]["kind"] == "histogram"
    assert sum(specs["0"]["y"]) == 12
    assert sum(specs["1"]["y"]) == 11  # one missing value
    assert len(specs["0"]["width"]) == len(specs["0"]["x"]) == len(specs["0"]["y"])
    assert specs["2"] == {
        "kind": "bars",
        "title": "species",
        "x": ["setosa", "versicolor", "virginica"],
        "y": [4, 4, 4],
        "labels": ["setosa", "versicolor", "virginica"],
    }
    assert html.count('data-plot="2"') == 2  # in the feature table and the target card
    assert f'data-plotly-src="{reverse("plotly_js")}"' in html
    assert "/static/frontend/plots.js" in html
    assert "cdn" not in html.lower()

    # Downloads: Parquet, CSV and ARFF, each with its size and SHA-256, and they work.
    for kind in ("parquet", "csv", "arff"):
        stored = DatasetFile.objects.get(dataset=dataset, kind=kind)
        url = reverse("dataset-download", kwargs={"pk": dataset.pk, "kind": kind})
        assert f'<a class="button" href="{url}">' in html
        assert f'<code id="sha256-{kind}">{stored.sha256}</code>' in html
        assert f'data-copy="#sha256-{kind}"' in html
        download = client.get(url)
        assert download.status_code == 200
        assert download["X-Checksum-SHA256"] == stored.sha256


def test_feature_table_marks_the_target_row_id_and_ignored_columns(client, ada, upload):
    table = "id,height,note,label\n" + "".join(
        f"{i},{i * 1.5},n{i},{'ab'[i % 2]}\n" for i in range(8)
    )
    dataset = upload(
        ada,
        "marked",
        table,
        default_target_attribute="label",
        row_id_attribute="id",
        ignore_attributes=["note"],
    )

    html = html_of(client.get(reverse("dataset_detail", args=[dataset.pk])))

    def row(index: int) -> str:
        start = html.index(f'<tr id="feature-{index}">')
        return html[start : html.index("</tr>", start)]

    assert '<span class="badge">row id</span>' in row(0)
    assert "badge" not in row(1)
    assert '<span class="badge">ignored</span>' in row(2)
    assert '<span class="badge badge-owner">target</span>' in row(3)
    assert "a (4), b (4)" in row(3)


def test_versions_of_a_name_link_to_each_other(client, ada, upload):
    first = upload(ada, "iris")
    second = upload(ada, "Iris", description="Fixed a label.")

    html = html_of(client.get(reverse("dataset_detail", args=[second.pk])))

    assert second.version == 2
    assert f'<a href="{reverse("dataset_detail", args=[first.pk])}">Version 1</a>' in html
    assert (
        f'<a href="{reverse("dataset_detail", args=[second.pk])}" aria-current="page">'
        "<strong>Version 2</strong></a>"
    ) in html


def test_description_markdown_is_rendered_and_sanitised(client, ada, upload):
    description = (
        "# Iris\n\n"
        "The **classic** data, from [the archive](https://archive.example.org/iris).\n\n"
        "<script>alert('owned')</script>\n\n"
        '[click me](javascript:alert(1)) and <a href="JaVaScRiPt:alert(2)">this</a>\n\n'
        '<img src="x" onerror="alert(3)"> <iframe src="https://evil.example"></iframe>\n\n'
        '<p onclick="alert(4)" style="position:fixed">styled</p>\n'
    )
    dataset = upload(ada, description=description)

    html = html_of(client.get(reverse("dataset_detail", args=[dataset.pk])))
    rendered = html[html.index('<div class="markdown">') :]
    rendered = rendered[: rendered.index("</div>")]

    assert "<h3>Iris</h3>" in rendered  # the page's own h1 and h2 stay the only ones
    assert "<strong>classic</strong>" in rendered
    assert (
        '<a href="https://archive.example.org/iris" rel="nofollow noopener">the archive</a>'
        in rendered
    )
    for unsafe in ("<script", "alert(", "javascript:", "onerror", "onclick", "<iframe", "<img",
                   "style="):  # fmt: skip
        assert unsafe not in rendered.lower(), unsafe
    assert "<p>styled</p>" in rendered


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[a](javascript:alert(1))", '<p><a rel="nofollow noopener">a</a></p>'),
        ("[a](data:text/html,<b>x</b>)", '<p><a rel="nofollow noopener">a</a></p>'),
        (
            "[a](mailto:ada@example.org)",
            '<p><a href="mailto:ada@example.org" rel="nofollow noopener">a</a></p>',
        ),
        ("<svg onload=alert(1)><circle/></svg>x", "<p>x</p>"),
        ("<style>body{display:none}</style>ok", "<p>ok</p>"),
        ("`<b>`", "<p><code>&lt;b&gt;</code></p>"),
        ("", ""),
    ],
)
def test_render_markdown_keeps_only_allowlisted_markup(source, expected):
    assert rendering.render_markdown(source).strip() == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (150.0, "150"),
        (1234567.0, "1,234,567"),
        (0.123456, "0.1235"),
        (12345.678, "12,345.7"),
        (1.5e-7, "1.5e-07"),
        (None, "—"),
        (float("nan"), "—"),
        (True, "true"),
    ],
)
def test_numbers_are_formatted_for_people(value, shown):
    assert rendering.format_number(value) == shown


def test_a_processing_dataset_polls_its_status_and_reloads_when_done(client, ada, upload):
    dataset = upload(ada, ingest=False)
    status_url = reverse("dataset_status", args=[dataset.pk])

    html = html_of(client.get(reverse("dataset_detail", args=[dataset.pk])))
    assert '<span class="badge badge-warn">processing</span>' in html
    assert "This dataset is being processed." in html
    assert f'hx-get="{status_url}" hx-trigger="every 3s" hx-swap="outerHTML"' in html
    assert "The downloads are being prepared." in html
    assert 'id="plot-specs"' not in html

    assert client.get(status_url)["Location"] == reverse("dataset_detail", args=[dataset.pk])
    polled = client.get(status_url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert html_of(polled).startswith('<div id="dataset-status"')
    assert "<html" not in html_of(polled)

    ingest_dataset(dataset_id=dataset.pk, attempt=dataset.attempt)

    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert done["HX-Refresh"] == "true"
    plain = client.get(status_url)
    assert plain.status_code == 302
    assert plain["Location"] == reverse("dataset_detail", args=[dataset.pk])
    assert "being processed" not in html_of(client.get(plain["Location"]))


def test_a_dataset_that_failed_ingestion_shows_its_error_code_and_message(client, ada, upload):
    dataset = upload(ada, "ragged", "a,b\n1,2\n3,4,5\n", ingest=True)
    assert dataset.status == Dataset.Status.ERROR

    html = unescape(
        html_of(signed_in(client, ada).get(reverse("dataset_detail", args=[dataset.pk])))
    )

    assert '<span class="badge badge-off">failed</span>' in html
    assert f"Error <code>{dataset.error_code}</code>" in html
    assert dataset.error_message in html
    assert "There is nothing to download" in html
    assert reverse("dataset_delete", args=[dataset.pk]) in html


def test_plotly_js_is_served_from_the_plotly_package_with_long_cache_headers(client):
    url = reverse("plotly_js")
    assert url == f"/assets/plotly-{plotly.__version__}.min.js"

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    body = b"".join(response.streaming_content)
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert body == bundled.read_bytes()
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


# --- Upload -----------------------------------------------------------------------------------


def upload_form(**overrides) -> dict:
    data = {
        "file": SimpleUploadedFile("iris.csv", IRIS.encode(), content_type="text/csv"),
        "name": "iris",
        "description": "Fisher's *Iris*.",
        "default_target_attribute": "species",
        "row_id_attribute": "",
        "ignore_attributes": "",
        "tags": "botany, flowers,,",
        "visibility": "public",
        "team_id": "",
        "licence": "CC0",
        "citation": "",
        "original_data_url": "",
        "paper_url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def datasets_rate(monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "datasets", "60/hour")


def stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_upload_page_needs_sign_in(client):
    response = client.get(reverse("dataset_upload"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('dataset_upload')}"
    response = client.post(reverse("dataset_upload"), upload_form())
    assert response.status_code == 302
    assert not Dataset.objects.exists()


def test_upload_form_offers_only_the_users_teams(client, ada, grace):
    create_team(creator=ada, name="Botanists")
    create_team(creator=grace, name="Chemists")
    html = html_of(signed_in(client, ada).get(reverse("dataset_upload")))
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".csv,.arff,.parquet,.pq"' in html
    assert ">Botanists</option>" in html
    assert "Chemists" not in html


def test_upload_stores_the_dataset_and_sends_the_uploader_to_its_page(
    client, ada, datasets_rate, django_capture_on_commit_callbacks
):
    signed_in(client, ada)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("dataset_upload"), upload_form())

    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dataset_detail", args=[dataset.pk])
    assert messages_of(response) == ["Uploaded; it is being processed."]
    assert len(callbacks) == 1  # ingestion enqueued once, on commit
    assert (dataset.name, dataset.version, dataset.uploader, dataset.visibility) == (
        "iris",
        1,
        ada,
        "public",
    )
    assert (dataset.description, dataset.licence, dataset.default_target_attribute) == (
        "Fisher's *Iris*.",
        "CC0",
        "species",
    )
    assert dataset.original_filename == "iris.csv"
    assert sorted(DatasetTag.objects.filter(dataset=dataset).values_list("tag", flat=True)) == [
        "botany",
        "flowers",
    ]
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.ACTIVE

    page = html_of(client.get(response["Location"]))
    assert "Uploaded; it is being processed." in page


def test_upload_shared_with_a_team(client, ada, datasets_rate):
    team = create_team(creator=ada, name="Botanists")
    response = signed_in(client, ada).post(
        reverse("dataset_upload"), upload_form(visibility="team", team_id=str(team.pk))
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get()
    assert (dataset.visibility, dataset.team) == ("team", team)


def test_public_upload_ignores_a_team_left_selected(client, ada, datasets_rate):
    team = create_team(creator=ada, name="Botanists")
    response = signed_in(client, ada).post(
        reverse("dataset_upload"), upload_form(visibility="public", team_id=str(team.pk))
    )
    assert response.status_code == 302
    assert Dataset.objects.get().team is None


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        (
            {"file": SimpleUploadedFile("model.csv", PICKLE)},
            "file",
            "",  # the engine's words; the code is unsupported_format (checked below)
        ),
        (
            {"file": SimpleUploadedFile("empty.csv", b"")},
            "file",
            "The submitted file is empty.",
        ),
        (
            {"default_target_attribute": "variety"},
            "default_target_attribute",
            "The file has no column named 'variety'.",
        ),
        (
            {"ignore_attributes": "sepal_length, petals"},
            "ignore_attributes",
            "The file has no column named 'petals'.",
        ),
        (
            {"visibility": "team"},
            "team_id",
            "A dataset shared with a team needs that team; other visibilities take none.",
        ),
        ({"name": ""}, "name", "This field is required."),
        ({"visibility": "everyone"}, "visibility", "Select a valid choice."),
        ({"tags": "x" * 65}, "tags", "is too long: at most 64 characters each."),
        ({"paper_url": "not a url"}, "paper_url", "Enter a valid URL."),
    ],
    ids=[
        "pickle-named-csv",
        "empty-file",
        "unknown-target",
        "unknown-ignored",
        "team-without-team",
        "no-name",
        "bad-visibility",
        "long-tag",
        "bad-url",
    ],
)
def test_bad_upload_shows_the_error_on_its_field_and_stores_nothing(
    client, ada, datasets_rate, django_capture_on_commit_callbacks, overrides, field, error
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signed_in(client, ada).post(reverse("dataset_upload"), upload_form(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert any(error in message for message in errors[field]), errors
    assert "Please correct the fields marked below" in html_of(response)
    assert not Dataset.objects.exists()
    assert not DatasetTag.objects.exists()
    assert stored_files() == []
    assert callbacks == []


def test_a_pickle_named_csv_is_refused_as_an_unsupported_format(client, ada, datasets_rate):
    from datasets.exceptions import InvalidDatasetFile

    with pytest.raises(InvalidDatasetFile) as refused:
        upload_dataset(uploader=ada, chunks=iter([PICKLE]), filename="model.csv", name="model")
    assert refused.value.code == "unsupported_format"

    response = signed_in(client, ada).post(
        reverse("dataset_upload"), upload_form(file=SimpleUploadedFile("model.csv", PICKLE))
    )
    assert response.context["form"].errors["file"] == [refused.value.detail]
    assert not Dataset.objects.exists()


def test_uploads_beyond_the_rate_are_refused_with_429(client, ada, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "datasets", "2/hour")
    signed_in(client, ada)
    for _ in range(2):
        assert client.post(reverse("dataset_upload"), upload_form()).status_code == 302

    response = client.post(reverse("dataset_upload"), upload_form())

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many attempts" in response.content
    assert Dataset.objects.count() == 2
    assert client.get(reverse("dataset_upload")).status_code == 200  # GETs are free


def test_an_upload_announced_as_too_large_gets_the_413_page(client, ada, settings):
    settings.TUNEBENCH_MAX_UPLOAD_BYTES = 1000
    signed_in(client, ada)

    response = client.post(reverse("dataset_upload"), upload_form(), CONTENT_LENGTH=str(3 << 20))

    assert response.status_code == 413
    html = html_of(response)
    assert "<h1>The file is too large</h1>" in html
    assert "Uploads are limited to 1,000 bytes." in html
    assert 'class="site-header"' in html  # the site's page, with its navigation
    assert not Dataset.objects.exists()


def test_an_upload_that_grows_past_the_cap_gets_the_413_page(client, ada, settings, datasets_rate):
    settings.TUNEBENCH_MAX_UPLOAD_BYTES = 1000
    big = IRIS + "".join(f"{i}.0,3.0,setosa\n" for i in range(200))
    signed_in(client, ada)

    response = client.post(
        reverse("dataset_upload"),
        upload_form(file=SimpleUploadedFile("big.csv", big.encode())),
    )

    assert response.status_code == 413
    assert "Uploads are limited to 1,000 bytes." in html_of(response)
    assert not Dataset.objects.exists()
    assert stored_files() == []


# --- Owner actions ----------------------------------------------------------------------------


def edit_form(**overrides) -> dict:
    data = {
        "description": "Now with **notes**.",
        "licence": "CC-BY-4.0",
        "citation": "Fisher (1936)",
        "original_data_url": "https://example.org/iris",
        "paper_url": "",
        "tags": "flowers, classic",
    }
    data.update(overrides)
    return data


@pytest.fixture
def iris(ada, upload) -> Dataset:
    return upload(ada, tags=["botany"])


def test_the_uploader_sees_the_edit_form_and_actions_others_do_not(client, ada, grace, iris):
    url = reverse("dataset_detail", args=[iris.pk])
    owner = html_of(signed_in(client, ada).get(url))
    assert f'action="{reverse("dataset_update", args=[iris.pk])}"' in owner
    assert f'action="{reverse("dataset_deactivate", args=[iris.pk])}"' in owner
    assert f'href="{reverse("dataset_delete", args=[iris.pk])}"' in owner
    assert 'value="botany"' in owner  # the form starts from the stored tags

    for viewer in (grace, None):
        other = Client()
        if viewer:
            other.force_login(viewer)
        html = html_of(other.get(url))
        assert reverse("dataset_update", args=[iris.pk]) not in html
        assert reverse("dataset_delete", args=[iris.pk]) not in html


def test_the_uploader_edits_description_licence_citation_and_tags(client, ada, iris):
    response = signed_in(client, ada).post(reverse("dataset_update", args=[iris.pk]), edit_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("dataset_detail", args=[iris.pk])
    assert messages_of(response) == ["Dataset details saved."]
    iris.refresh_from_db()
    assert (iris.description, iris.licence, iris.citation, iris.original_data_url) == (
        "Now with **notes**.",
        "CC-BY-4.0",
        "Fisher (1936)",
        "https://example.org/iris",
    )
    assert sorted(iris.tags.values_list("tag", flat=True)) == ["classic", "flowers"]
    assert "Now with <strong>notes</strong>." in html_of(client.get(response["Location"]))


def test_an_invalid_edit_shows_the_error_and_changes_nothing(client, ada, iris):
    response = signed_in(client, ada).post(
        reverse("dataset_update", args=[iris.pk]), edit_form(paper_url="nope")
    )
    assert response.status_code == 200
    assert response.context["edit_form"].errors == {"paper_url": ["Enter a valid URL."]}
    iris.refresh_from_db()
    assert (iris.description, iris.licence) == ("", "")
    assert list(iris.tags.values_list("tag", flat=True)) == ["botany"]


@pytest.fixture
def moderator(db) -> User:
    user = make_user("mod")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("ada", True), ("mod", True), ("grace", False), ("bob", False), (None, False)],
    ids=["uploader", "moderator", "other", "teammate", "anonymous"],
)
def test_only_the_uploader_or_a_moderator_may_edit_deactivate_or_delete(
    client, ada, grace, moderator, iris, actor, allowed, django_capture_on_commit_callbacks
):
    bob = make_user("bob")
    team = create_team(creator=ada, name="Botanists")
    add_member(team=team, actor=ada, username=bob.username)
    if actor:
        client.force_login(User.objects.get(username=actor))
    detail = reverse("dataset_detail", args=[iris.pk])

    def expect_refused(response):
        """Anonymous: to the sign-in page. Others: back to the dataset, told why."""
        if actor is None:
            assert response.redirect_chain[0][0].startswith(reverse("login"))
        else:
            assert response.redirect_chain == [(detail, 302)]
            assert messages_of(response) == [
                "Only the dataset's uploader (or a moderator) can do this."
            ]

    edited = client.post(reverse("dataset_update", args=[iris.pk]), edit_form(), follow=True)
    iris.refresh_from_db()
    if allowed:
        assert messages_of(edited) == ["Dataset details saved."]
        assert iris.licence == "CC-BY-4.0"
    else:
        expect_refused(edited)
        assert iris.licence == ""

    deactivated = client.post(reverse("dataset_deactivate", args=[iris.pk]), follow=True)
    iris.refresh_from_db()
    if allowed:
        assert iris.status == "deactivated"
    else:
        expect_refused(deactivated)
        assert iris.status == "active"

    confirm = client.get(reverse("dataset_delete", args=[iris.pk]), follow=True)
    if allowed:
        assert confirm.redirect_chain == []
        assert b"Yes, delete this version" in confirm.content
    elif actor:
        assert confirm.redirect_chain == [(detail, 302)]
        assert messages_of(confirm) == ["Only the dataset's uploader can delete it."]

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(reverse("dataset_delete", args=[iris.pk]), follow=True)
    assert Dataset.objects.filter(pk=iris.pk).exists() is not allowed
    if allowed:
        assert deleted.redirect_chain == [(reverse("datasets"), 302)]
        assert messages_of(deleted) == ["Dataset “iris” version 1 deleted."]
        assert stored_files() == []
    else:
        expect_refused(deleted)


def test_deactivate_then_reactivate(client, ada, iris):
    signed_in(client, ada)
    deactivate = reverse("dataset_deactivate", args=[iris.pk])

    response = client.post(deactivate, follow=True)
    assert messages_of(response) == [
        "Dataset deactivated: it is no longer listed, and can be reactivated."
    ]
    iris.refresh_from_db()
    assert iris.status == "deactivated"
    assert listed(client.get(reverse("datasets"))) == []
    assert listed(client.get(reverse("datasets"), {"status": "deactivated"})) == ["iris"]
    html = html_of(client.get(reverse("dataset_detail", args=[iris.pk])))
    assert "This version is deactivated." in html
    assert reverse("dataset-download", kwargs={"pk": iris.pk, "kind": "csv"}) in html
    assert f'action="{reverse("dataset_reactivate", args=[iris.pk])}"' in html

    # Twice is a conflict the service reports, shown as a message.
    again = client.post(deactivate, follow=True)
    assert messages_of(again) == ["Only an active dataset can be deactivated."]

    response = client.post(reverse("dataset_reactivate", args=[iris.pk]), follow=True)
    assert messages_of(response) == ["Dataset reactivated."]
    iris.refresh_from_db()
    assert iris.status == "active"


def test_owner_actions_on_an_invisible_dataset_are_404(client, ada, grace, upload):
    secret = upload(ada, "secret", visibility="private")
    signed_in(client, grace)
    for name in ("dataset_update", "dataset_deactivate", "dataset_reactivate", "dataset_delete"):
        assert client.post(reverse(name, args=[secret.pk]), edit_form()).status_code == 404
    assert client.get(reverse("dataset_delete", args=[secret.pk])).status_code == 404
    secret.refresh_from_db()
    assert (secret.status, secret.licence) == ("active", "")


def test_owner_actions_are_post_only(client, ada, iris):
    signed_in(client, ada)
    for name in ("dataset_update", "dataset_deactivate", "dataset_reactivate"):
        assert client.get(reverse(name, args=[iris.pk])).status_code == 405


# --- Navigation and home ----------------------------------------------------------------------


def test_navigation_has_datasets_marked_current_on_dataset_pages(client, ada, iris):
    for url in (reverse("datasets"), reverse("dataset_detail", args=[iris.pk])):
        html = html_of(client.get(url))
        assert f'<a href="{reverse("datasets")}" aria-current="page">Datasets</a>' in html
    html = html_of(client.get(reverse("home")))
    assert f'<a href="{reverse("datasets")}">Datasets</a>' in html


def test_home_counts_active_visible_datasets(client, ada, upload):
    upload(ada, "one")
    upload(ada, "two", visibility="private")
    upload(ada, "three", ingest=False)
    assert '<dd data-testid="dataset-count">1</dd>' in html_of(client.get(reverse("home")))
    signed_in(client, ada)
    assert '<dd data-testid="dataset-count">2</dd>' in html_of(client.get(reverse("home")))
