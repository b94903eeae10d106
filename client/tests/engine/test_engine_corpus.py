"""The shared corpus (tests/corpus/datasets): every bad file fails with its code, every good
file reads and describes. The server's API tests reuse the same files and expectations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tunebench.engine import DataFormatError, describe_table, read_column_names, read_table

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "corpus" / "datasets"
BAD = json.loads((CORPUS / "bad" / "expected.json").read_text())
GOOD = json.loads((CORPUS / "good" / "expected.json").read_text())


def test_every_corpus_file_is_listed():
    for folder, listed in (("bad", BAD), ("good", GOOD)):
        files = {p.name for p in (CORPUS / folder).iterdir() if p.name != "expected.json"}
        assert files == set(listed), folder


@pytest.mark.parametrize(("name", "code"), sorted(BAD.items()))
def test_bad_file(name, code):
    with pytest.raises(DataFormatError) as caught:
        describe_table(read_table(CORPUS / "bad" / name))
    assert caught.value.code == code, str(caught.value)
    assert str(caught.value)  # a message for a person


@pytest.mark.parametrize(("name", "expected"), sorted(GOOD.items()))
def test_good_file(name, expected):
    path = CORPUS / "good" / name
    raw = read_table(path)
    assert raw.format == expected["format"]
    assert (raw.table.num_rows, raw.table.num_columns) == (expected["rows"], expected["columns"])
    assert read_column_names(path) == raw.table.column_names
    description = describe_table(raw, target=raw.table.column_names[-1])
    assert len(description.features) == expected["columns"]
    assert description.qualities["NumberOfInstances"] == expected["rows"]
