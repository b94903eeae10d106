"""CSV reading: dialect detection on a head sample, then pyarrow.csv for the whole file.

The dialect (delimiter among `, ; TAB |`, quote `"`, or `'` when the head has no `"`) is chosen
by parsing the first records with every candidate and keeping the one whose rows agree on a field
count greater than one; ties go to the comma and the double quote. A header row is required.
pyarrow then parses the file in parallel; when it fails, the same file is re-read record by record
with the standard `csv` module only to find the line to report, so the fast path pays nothing for
good error messages.

Missing values are `MISSING_TOKENS`. Known limitation, accepted: a nominal label spelled `NA` or
`None` reads as missing, as in pandas. An empty field and `""` are both missing (CSV cannot tell
them apart), so an empty string never survives a CSV round trip.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import os
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pa_csv

from tunebench.engine._text import scan_text
from tunebench.engine.errors import DataFormatError
from tunebench.engine.model import RawTable
from tunebench.engine.sniff import UTF8_BOM

MISSING_TOKENS = ["", "NA", "N/A", "nan", "NaN", "?", "None", "null", "NULL"]
TRUE_TOKENS = ["true", "True", "TRUE"]
FALSE_TOKENS = ["false", "False", "FALSE"]
DELIMITERS = (",", ";", "\t", "|")
QUOTES = ('"', "'")

SAMPLE_BYTES = 1 << 20
SAMPLE_RECORDS = 200
# pyarrow's default block: measured fastest here (bigger blocks parallelise worse on 2 cores).
BLOCK_BYTES = 1 << 20

_CONVERSION_ERROR = re.compile(r"In CSV column #(\d+): CSV conversion error to ([\w\[\], ]+?):")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quote: str


def read_csv_column_names(path: str | os.PathLike[str], *, max_columns: int) -> list[str]:
    """The header's names, checked for emptiness, duplicates and count."""
    sample, complete = _head_sample(path)
    dialect = detect_dialect(sample, complete=complete)
    return _header(sample, dialect, complete=complete, max_columns=max_columns)


def read_csv_table(
    path: str | os.PathLike[str], *, max_columns: int, max_rows: int | None
) -> RawTable:
    """Parse the whole CSV file; see the module docstring for the rules."""
    facts = scan_text(path)
    sample, complete = _head_sample(path)
    dialect = detect_dialect(sample, complete=complete)
    names = _header(sample, dialect, complete=complete, max_columns=max_columns)
    quote_char = (
        dialect.quote
        if (facts.has_double_quote, facts.has_single_quote)[QUOTES.index(dialect.quote)]
        else False
    )
    parse_options = pa_csv.ParseOptions(
        delimiter=dialect.delimiter,
        quote_char=quote_char,
        double_quote=True,
        escape_char=False,
        # Quote-aware chunking is slower; only pay for it when the file has the quote character.
        newlines_in_values=bool(quote_char),
        ignore_empty_lines=True,
    )
    column_types: dict[str, pa.DataType] = {}
    table = None
    # pyarrow infers each column's type from the data; when a later value contradicts it (rare:
    # pyarrow already unifies types across blocks), widen that column and parse again.
    for _attempt in range(2 * len(names) + 1):
        try:
            table = pa_csv.read_csv(
                path,
                # pyarrow parses the header itself: its skip_rows counts physical lines, which
                # a header with a quoted newline would break.
                read_options=pa_csv.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=parse_options,
                convert_options=pa_csv.ConvertOptions(
                    null_values=MISSING_TOKENS,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    true_values=TRUE_TOKENS,
                    false_values=FALSE_TOKENS,
                    column_types=column_types,
                ),
            )
            break
        except pa.ArrowInvalid as exc:
            widened = _widen_after_conversion_error(str(exc), names, column_types)
            if widened:
                continue
            raise _diagnose(path, dialect, len(names), str(exc)) from None
    assert table is not None, "the widening loop always ends with a table or an error"
    if table.num_columns != len(names):
        raise DataFormatError("The header row could not be read consistently.", code="invalid_csv")
    table = table.rename_columns(names)
    if quote_char and table.num_rows:
        # A quote opened in the last row and never closed swallows the rest of the file into one
        # value without upsetting pyarrow; such a value ends the table and holds a line break.
        last = table.slice(table.num_rows - 1).to_pylist()[0].values()
        if any(isinstance(value, str) and ("\n" in value or "\r" in value) for value in last):
            error = _unterminated_at_end(path, dialect)
            if error is not None:
                raise error
    if table.num_rows == 0:
        raise DataFormatError("The file has a header but no data rows.", code="no_rows")
    if max_rows is not None and table.num_rows > max_rows:
        raise DataFormatError(
            f"The file has {table.num_rows:,} rows; at most {max_rows:,} are accepted.",
            code="too_many_rows",
        )
    return RawTable(table=table, format="csv")


def _head_sample(path: str | os.PathLike[str]) -> tuple[str, bool]:
    """The first MiB as text (BOM stripped), cut after its last newline unless it is the file."""
    with open(path, "rb") as handle:
        raw = handle.read(SAMPLE_BYTES + 1)
    complete = len(raw) <= SAMPLE_BYTES
    raw = raw[:SAMPLE_BYTES].removeprefix(UTF8_BOM)
    if not complete:
        cut = raw.rfind(b"\n")
        raw = raw[: cut + 1] if cut >= 0 else raw
    if not raw.strip():
        raise DataFormatError("The file contains only whitespace.", code="empty_file")
    if b"\x00" in raw:
        raise DataFormatError(
            "The file contains a NUL byte, which text data never has.",
            code="nul_bytes",
            line=raw.count(b"\n", 0, raw.find(b"\x00")) + 1,
        )
    try:
        return raw.decode("utf-8"), complete
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(raw) - 4:  # a character cut by the sample's end
            return raw[: exc.start].decode("utf-8"), False
        raise DataFormatError(
            "The file is not valid UTF-8 text (it may be Latin-1 or Windows-1252). Save it as "
            "UTF-8 and upload it again.",
            code="undecodable_text",
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from None


def _records(sample: str, dialect: Dialect, *, complete: bool) -> list[list[str]]:
    reader = csv.reader(
        io.StringIO(sample, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quote,
        doublequote=True,
        strict=False,
    )
    records: list[list[str]] = []
    # A field longer than csv's limit stops the sample early; judge the dialect on what was read.
    with contextlib.suppress(csv.Error):
        records.extend(r for r in itertools.islice(reader, SAMPLE_RECORDS) if r)
    if not complete and len(records) > 1:
        records.pop()  # the sample may have cut the last record short
    return records


def detect_dialect(sample: str, *, complete: bool = True) -> Dialect:
    """The delimiter and quote under which the sample's records agree on their width."""
    best: tuple[tuple[bool, float, int, int], Dialect] | None = None
    # The single quote is only a candidate when no double quote occurs: apostrophes in text
    # are common, and a broken double-quoted field must be reported, not re-read another way.
    quotes = QUOTES if '"' not in sample else ('"',)
    for order, (quote, delimiter) in enumerate(itertools.product(quotes, DELIMITERS)):
        dialect = Dialect(delimiter, quote)
        widths = [len(r) for r in _records(sample, dialect, complete=complete)]
        if not widths:
            continue
        header = widths[0]
        agreement = sum(w == header for w in widths) / len(widths)
        score = (header > 1, agreement, header, -order)
        if best is None or score > best[0]:
            best = (score, dialect)
    return best[1] if best else Dialect(",", '"')


def _header(sample: str, dialect: Dialect, *, complete: bool, max_columns: int) -> list[str]:
    records = _records(sample, dialect, complete=True)
    if not records:
        raise DataFormatError("The file contains only whitespace.", code="empty_file")
    names = records[0]
    if len(records) == 1 and not complete and "\n" in "".join(names):
        raise DataFormatError(
            "A quote in the header row is never closed.", code="unterminated_quote", line=1
        )
    if len(names) > max_columns:
        raise DataFormatError(
            f"The file has {len(names):,} columns; at most {max_columns:,} are accepted.",
            code="too_many_columns",
            line=1,
        )
    check_names(names, line=1)
    return names


def check_names(names: list[str], *, line: int | None) -> None:
    """Raise for an empty or repeated column name (shared by all formats)."""
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name.strip():
            raise DataFormatError(
                f"Column {position} has no name; every column needs a unique, non-empty name "
                "(a leading unnamed column is often a saved pandas index: write with "
                "index=False).",
                code="empty_column_name",
                line=line,
            )
        if name in seen:
            raise DataFormatError(
                f"The column name {name!r} occurs more than once; names must be unique.",
                code="duplicate_column",
                line=line,
                column=name,
            )
        seen.add(name)


def _widen_after_conversion_error(
    message: str, names: list[str], column_types: dict[str, pa.DataType]
) -> bool:
    match = _CONVERSION_ERROR.search(message)
    if not match:
        return False
    index = int(match.group(1))
    if index >= len(names):
        return False
    name = names[index]
    current = column_types.get(name)
    if current == pa.string():
        return False
    failed = match.group(2)
    column_types[name] = pa.float64() if failed == "int64" and current is None else pa.string()
    return True


def _unterminated_at_end(path: str | os.PathLike[str], dialect: Dialect) -> DataFormatError | None:
    """The error for a quote left open by the last record, if it is one (error paths only)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=dialect.delimiter, quotechar=dialect.quote)
            start = end = 0
            for _record in reader:
                start, end = end + 1, reader.line_num
        with open(path, encoding="utf-8-sig", newline="") as handle:
            tail = "".join(itertools.islice(handle, start - 1, None))
        try:
            list(
                csv.reader(
                    io.StringIO(tail, newline=""),
                    delimiter=dialect.delimiter,
                    quotechar=dialect.quote,
                    strict=True,
                )
            )
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                return DataFormatError(
                    f"A quote ({dialect.quote}) opened on this line is never closed, so the rest "
                    "of the file was read as one value.",
                    code="unterminated_quote",
                    line=start,
                )
        return None
    finally:
        csv.field_size_limit(limit)


def _diagnose(path: str | os.PathLike[str], dialect: Dialect, width: int, arrow_message: str):
    """Re-read the file record by record to say what is wrong where; returns the error to raise."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)  # a runaway quoted field is exactly what we are looking for
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(
                handle, delimiter=dialect.delimiter, quotechar=dialect.quote, strict=False
            )
            end_of_previous = 0
            for record in reader:
                start, end_of_previous = end_of_previous + 1, reader.line_num
                if not record or len(record) == width:
                    continue
                at_end = next(reader, None) is None
                if at_end and any("\n" in field or "\r" in field for field in record):
                    unterminated = _unterminated_at_end(path, dialect)
                    if unterminated is not None:
                        return unterminated
                return DataFormatError(
                    f"This row has {len(record)} fields but the header has {width}; every row "
                    f"must have one value per column (separator {dialect.delimiter!r}).",
                    code="ragged_rows",
                    line=start,
                )
    except csv.Error as exc:
        return DataFormatError(f"The file is not valid CSV: {exc}.", code="invalid_csv")
    finally:
        csv.field_size_limit(limit)
    detail = arrow_message.split("\n", 1)[0][:300]
    return DataFormatError(f"The file is not valid CSV: {detail}", code="invalid_csv")
