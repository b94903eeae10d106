"""ARFF reading: the header in Python, the dense @data section through pyarrow.csv.

The header (`@relation`, `@attribute name type`, `@data`) is small and parsed line by line here:
names and nominal values may be quoted with ' or " (backslash escapes the next character, as
liac-arff and Weka write them), types are numeric/real/integer, `{nominal, values}`, string and
date [format]; anything else (relational included) is `unknown_arff_type`. The dense data section
is then handed to pyarrow.csv at its byte offset with the column names, types and quote character
known, which is what makes this reader one to two orders of magnitude faster than liac-arff.
Nominal columns are checked against their declared sets with one vectorised `is_in`.

Three slower paths keep correctness where pyarrow's CSV model does not fit: comment lines inside
@data are filtered out first; padded values (`1, 2, ?`) are read as text, trimmed and converted;
rows mixing both quote characters, and sparse rows (`{0 1.5, 3 abc}`), go through a line-by-line
Python tokenizer. Sparse rows follow Weka: an omitted value is 0, which for a nominal attribute
is its first declared value; omitted string values are the empty string and omitted dates
1970-01-01T00:00:00Z.

A nominal attribute declared exactly `{false, true}` (any case, any order) reads as a boolean
column: that is how booleans are written to ARFF, so booleans survive the round trip.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from tunebench.engine._text import scan_text
from tunebench.engine.csvfile import BLOCK_BYTES, check_names
from tunebench.engine.errors import DataFormatError
from tunebench.engine.model import RawTable
from tunebench.engine.sniff import UTF8_BOM

DEFAULT_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss"
_NUMERIC_TYPES = {"numeric": "numeric", "real": "numeric", "integer": "integer"}

# One value of a comma-separated list: quoted with ' or " (backslash escapes) or bare.
_VALUE = re.compile(
    r"""\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,]*?))\s*(?:,|$)""", re.DOTALL
)
# One sparse entry: an index, whitespace, then a value as above.
_SPARSE_ENTRY = re.compile(
    r"""\s*(\d+)\s+(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,]*?))\s*(?:,|$)""", re.DOTALL
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_JAVA_DATE_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|[^A-Za-z']+")
_JAVA_TO_STRPTIME = {
    "yyyy": "%Y",
    "yy": "%y",
    "MM": "%m",
    "dd": "%d",
    "HH": "%H",
    "mm": "%M",
    "ss": "%S",
    "Z": "%z",
    "X": "%z",
    "XXX": "%z",
}


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str  # 'numeric' | 'integer' | 'nominal' | 'string' | 'date'
    values: tuple[str, ...] = ()
    date_format: str | None = None
    line: int = 0

    @property
    def is_boolean(self) -> bool:
        return self.kind == "nominal" and sorted(v.lower() for v in self.values) == [
            "false",
            "true",
        ]


@dataclass(frozen=True)
class Header:
    relation: str
    attributes: list[Attribute]
    data_offset: int  # byte offset of the first line after @data
    data_line: int  # its 1-based line number


def read_arff_column_names(path: str | os.PathLike[str], *, max_columns: int) -> list[str]:
    """The declared attribute names, after checking the whole header."""
    return [a.name for a in parse_header(path, max_columns=max_columns).attributes]


def read_arff_table(
    path: str | os.PathLike[str], *, max_columns: int, max_rows: int | None
) -> RawTable:
    """Parse a dense or sparse ARFF file; see the module docstring for the rules."""
    header = parse_header(path, max_columns=max_columns)
    facts = scan_text(path, offset=header.data_offset, first_line=header.data_line, arff=True)
    first = _first_data_line(path, header)
    sparse = first is not None and first.startswith("{")
    if first is None:
        raise DataFormatError(
            "The @data section is empty: the file has no rows.",
            code="no_rows",
            line=header.data_line,
        )

    def finished(table: pa.Table, lines: list[int]) -> pa.Table:
        if max_rows is not None and table.num_rows > max_rows:
            raise DataFormatError(
                f"The file has {table.num_rows:,} rows; at most {max_rows:,} are accepted.",
                code="too_many_rows",
            )
        return _finish_columns(table, header, path, lines)

    if sparse:
        table = finished(*_read_sparse(path, header))
    else:
        loose = facts.head_has_padded_delimiter
        try:
            table = finished(*_read_dense(path, header, facts, loose=loose))
        except DataFormatError as exc:
            # Padding first seen after the sampled head ('1, ?' or ' label'): read padded.
            if loose or exc.code not in ("invalid_arff", "value_not_in_nominal_set"):
                raise
            try:
                table = finished(*_read_dense(path, header, facts, loose=True))
            except DataFormatError:
                raise exc from None  # not padding after all: the strict error is the precise one
    nominal = {a.name: list(a.values) for a in header.attributes if a.kind == "nominal"}
    for attribute in header.attributes:
        if attribute.is_boolean:
            del nominal[attribute.name]
    strings = frozenset(a.name for a in header.attributes if a.kind == "string")
    return RawTable(
        table=table,
        format="sparse_arff" if sparse else "arff",
        nominal_values=nominal,
        string_columns=strings,
    )


# -- header -------------------------------------------------------------------------------------


def parse_header(path: str | os.PathLike[str], *, max_columns: int) -> Header:
    """Parse everything up to and including @data; raise `DataFormatError` on any problem."""
    relation: str | None = None
    attributes: list[Attribute] = []
    offset = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(iter(handle.readline, b""), start=1):
            offset += len(raw)
            if number == 1:
                raw = raw.removeprefix(UTF8_BOM)
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise DataFormatError(
                    "The file is not valid UTF-8 text. Save it as UTF-8 and upload it again.",
                    code="undecodable_text",
                    line=number,
                ) from None
            if "\x00" in line:
                raise DataFormatError(
                    "The file contains a NUL byte.", code="nul_bytes", line=number
                )
            if not line or line.startswith("%"):
                continue
            keyword = line.split(None, 1)[0].lower()
            if keyword == "@relation":
                relation = line[len("@relation") :].strip()
            elif keyword == "@attribute":
                if relation is None:
                    raise DataFormatError(
                        "@attribute before @relation.", code="invalid_arff", line=number
                    )
                attributes.append(_parse_attribute(line, number))
                if len(attributes) > max_columns:
                    raise DataFormatError(
                        f"The file declares more than {max_columns:,} attributes.",
                        code="too_many_columns",
                        line=number,
                    )
            elif keyword == "@data":
                if not attributes:
                    raise DataFormatError(
                        "The file declares no @attribute before @data.",
                        code="invalid_arff",
                        line=number,
                    )
                _check_duplicates_with_lines(attributes)
                check_names([a.name for a in attributes], line=None)
                rest = line[len("@data") :].strip()
                if rest:
                    raise DataFormatError(
                        "Data must start on the line after @data.", code="invalid_arff", line=number
                    )
                return Header(relation or "", attributes, offset, number + 1)
            else:
                raise DataFormatError(
                    f"Unexpected line in the ARFF header: {line[:60]!r} (expected @relation, "
                    "@attribute or @data).",
                    code="invalid_arff",
                    line=number,
                )
    raise DataFormatError(
        "The file has no @data line, so it has no data section.", code="invalid_arff"
    )


def _check_duplicates_with_lines(attributes: list[Attribute]) -> None:
    seen: set[str] = set()
    for attribute in attributes:
        if attribute.name in seen:
            raise DataFormatError(
                f"The attribute name {attribute.name!r} is declared twice.",
                code="duplicate_column",
                line=attribute.line,
                column=attribute.name,
            )
        seen.add(attribute.name)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(1), text)


def _parse_attribute(line: str, number: int) -> Attribute:
    rest = line[len("@attribute") :].lstrip()
    if not rest:
        raise DataFormatError("@attribute without a name.", code="invalid_arff", line=number)
    if rest[0] in "'\"":
        quote = rest[0]
        match = re.match(rf"{quote}((?:[^{quote}\\]|\\.)*){quote}", rest)
        if not match:
            raise DataFormatError(
                "An attribute name's quote is never closed.", code="invalid_arff", line=number
            )
        name, spec = _unescape(match.group(1)), rest[match.end() :].strip()
    else:
        parts = re.split(r"\s+|(?=\{)", rest, maxsplit=1)
        name, spec = parts[0], (parts[1].strip() if len(parts) > 1 else "")
    if not spec:
        raise DataFormatError(
            f"Attribute {name!r} has no type.", code="invalid_arff", line=number, column=name
        )
    if spec.startswith("{"):
        if not spec.endswith("}"):
            raise DataFormatError(
                f"The value list of attribute {name!r} is not closed with '}}'.",
                code="invalid_arff",
                line=number,
                column=name,
            )
        inner = spec[1:-1]
        values = [value for value, _quoted in split_values(inner)] if inner.strip() else []
        if len(set(values)) != len(values):
            raise DataFormatError(
                f"Attribute {name!r} declares a nominal value twice.",
                code="invalid_arff",
                line=number,
                column=name,
            )
        return Attribute(name, "nominal", tuple(values), line=number)
    word, _, argument = spec.partition(" ")
    kind = word.strip().lower()
    if kind in _NUMERIC_TYPES:
        return Attribute(name, _NUMERIC_TYPES[kind], line=number)
    if kind == "string":
        return Attribute(name, "string", line=number)
    if kind == "date":
        pattern = argument.strip()
        if len(pattern) >= 2 and pattern[0] == pattern[-1] and pattern[0] in "'\"":
            pattern = pattern[1:-1]
        return Attribute(name, "date", date_format=pattern or DEFAULT_DATE_FORMAT, line=number)
    why = " (relational attributes are not supported)" if kind == "relational" else ""
    raise DataFormatError(
        f"Attribute {name!r} has the unknown type {word!r}{why}; use numeric, real, integer, "
        "string, date or a {nominal, value, list}.",
        code="unknown_arff_type",
        line=number,
        column=name,
    )


def split_values(text: str) -> list[tuple[str, bool]]:
    """Split a comma-separated ARFF list into (value, was_quoted) pairs, unescaping quotes."""
    out: list[tuple[str, bool]] = []
    position, end = 0, len(text)
    while True:
        match = _VALUE.match(text, position)
        if match is None:  # pragma: no cover - the bare alternative matches anything
            raise DataFormatError("Unreadable value list.", code="invalid_arff")
        single, double, bare = match.groups()
        if single is not None:
            out.append((_unescape(single), True))
        elif double is not None:
            out.append((_unescape(double), True))
        else:
            out.append((bare, False))
        position = match.end()
        if position >= end:
            if text.rstrip().endswith(","):
                out.append(("", False))
            return out


# -- data: dense ------------------------------------------------------------------------------


def _data_lines(path: str | os.PathLike[str], header: Header) -> Iterator[tuple[int, str]]:
    """(line number, stripped text) for each line of @data that is not blank or a comment."""
    with open(path, "rb") as handle:
        handle.seek(header.data_offset)
        for number, raw in enumerate(handle, start=header.data_line):
            line = raw.decode("utf-8").strip()
            if line and not line.startswith("%"):
                yield number, line


def _first_data_line(path: str | os.PathLike[str], header: Header) -> str | None:
    return next((line for _number, line in _data_lines(path, header)), None)


def _quote_char(path: str | os.PathLike[str], header: Header, facts) -> str | bool | None:
    """The quote character values use, None if none, False if both are used (slow path)."""
    if not (facts.has_single_quote or facts.has_double_quote):
        return None
    if facts.has_single_quote != facts.has_double_quote:
        return "'" if facts.has_single_quote else '"'
    # Both occur somewhere: one is probably data inside the other. Find which opens values.
    opens = {"'": False, '"': False}
    for _number, line in _data_lines(path, header):
        for quote in opens:
            if line.startswith(quote) or re.search(rf",\s*{quote}", line):
                opens[quote] = True
        if all(opens.values()):
            return False
    return "'" if opens["'"] else '"'


def _read_dense(
    path: str | os.PathLike[str], header: Header, facts, *, loose: bool
) -> tuple[pa.Table, list[int]]:
    quote = _quote_char(path, header, facts)
    names = [a.name for a in header.attributes]
    if quote is False:
        return _read_python(path, header)
    types: dict[str, pa.DataType] = {}
    for attribute in header.attributes:
        if loose or attribute.kind in ("nominal", "string", "date"):
            types[attribute.name] = pa.string()
        elif attribute.kind == "integer":
            types[attribute.name] = pa.int64()
        else:
            types[attribute.name] = pa.float64()
    for _attempt in range(len(names) + 1):
        source = _data_source(path, header, strip_comments=facts.has_comment_line)
        try:
            table = pa_csv.read_csv(
                source,
                read_options=pa_csv.ReadOptions(column_names=names, block_size=BLOCK_BYTES),
                parse_options=pa_csv.ParseOptions(
                    delimiter=",",
                    quote_char=quote or False,
                    double_quote=False,
                    escape_char="\\" if quote else False,
                    newlines_in_values=bool(quote),
                    ignore_empty_lines=True,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=types,
                    null_values=["?", ""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            message = str(exc)
            match = re.search(r"In CSV column #(\d+): CSV conversion error to int64", message)
            if match and types[names[int(match.group(1))]] == pa.int64():
                types[names[int(match.group(1))]] = pa.float64()  # integer attribute, real values
                continue
            raise _diagnose_dense(path, header, message) from None
        finally:
            source.close()
        if loose:
            table = _convert_loose(table, header, path)
        return table, []
    raise AssertionError("unreachable: every attempt widens one column or returns")


def _data_source(path: str | os.PathLike[str], header: Header, *, strip_comments: bool):
    if not strip_comments:
        source = pa.OSFile(str(path))
        source.seek(header.data_offset)
        return source
    # Rare: comments inside @data. pyarrow has no comment syntax, so drop those lines first.
    with open(path, "rb") as handle:
        handle.seek(header.data_offset)
        data = handle.read()
    data = re.sub(rb"(?m)^[ \t]*%[^\n]*(\n|\Z)", b"", data)
    return pa.BufferReader(data)


def _convert_loose(table: pa.Table, header: Header, path) -> pa.Table:
    """Padded values were read as text: trim them, map '?' to missing, convert numbers."""
    columns = []
    for attribute, column in zip(header.attributes, table.columns, strict=True):
        trimmed = pc.utf8_trim_whitespace(column)
        missing = pc.or_kleene(pc.equal(trimmed, "?"), pc.equal(trimmed, ""))
        trimmed = pc.if_else(missing, pa.scalar(None, pa.string()), trimmed)
        if attribute.kind in ("numeric", "integer"):
            trimmed = _to_number(trimmed, attribute, path, [])
        columns.append(trimmed)
    return pa.table(columns, names=table.column_names)


def _to_number(column, attribute: Attribute, path, lines: list[int]):
    try:
        if attribute.kind == "integer":
            try:
                return pc.cast(column, pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        return pc.cast(column, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        bad = _first_bad(column, lambda text: _parses_as_float(text))
        raise DataFormatError(
            f"The value {bad[1]!r} of numeric attribute {attribute.name!r} is not a number.",
            code="invalid_arff",
            column=attribute.name,
            line=lines[bad[0]] if lines else None,
        ) from None


def _parses_as_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_bad(column, is_good) -> tuple[int, str]:
    # Error path only: walk the values in Python to find the first one that fails.
    for index, value in enumerate(column.to_pylist()):
        if value is not None and not is_good(value):
            return index, value
    return 0, ""


def _diagnose_dense(path, header: Header, arrow_message: str) -> DataFormatError:
    width = len(header.attributes)
    numeric = [a.kind in ("numeric", "integer") for a in header.attributes]
    for number, line in _data_lines(path, header):
        if line.startswith("{"):
            return DataFormatError(
                "A sparse row ({index value, ...}) appears among dense rows.",
                code="invalid_arff",
                line=number,
            )
        values = split_values(line)
        if len(values) != width:
            return DataFormatError(
                f"This row has {len(values)} values but {width} attributes are declared.",
                code="ragged_rows",
                line=number,
            )
        for attribute, is_numeric, (value, quoted) in zip(
            header.attributes, numeric, values, strict=True
        ):
            if is_numeric and not (value == "?" and not quoted) and not _parses_as_float(value):
                return DataFormatError(
                    f"The value {value!r} of numeric attribute {attribute.name!r} is not a number.",
                    code="invalid_arff",
                    line=number,
                    column=attribute.name,
                )
    detail = arrow_message.split("\n", 1)[0][:300]
    return DataFormatError(f"The @data section could not be read: {detail}", code="invalid_arff")


def _read_python(path, header: Header) -> tuple[pa.Table, list[int]]:
    """Line-by-line reading for rows that mix ' and " quoting."""
    width = len(header.attributes)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    for number, line in _data_lines(path, header):
        values = split_values(line)
        if len(values) != width:
            raise DataFormatError(
                f"This row has {len(values)} values but {width} attributes are declared.",
                code="ragged_rows",
                line=number,
            )
        lines.append(number)
        for column, (value, quoted) in zip(columns, values, strict=True):
            column.append(None if not quoted and value in ("?", "") else value)
    arrays = []
    for attribute, values in zip(header.attributes, columns, strict=True):
        array = pa.array(values, pa.string())
        if attribute.kind in ("numeric", "integer"):
            array = _to_number(array, attribute, path, lines)
        arrays.append(array)
    return pa.table(arrays, names=[a.name for a in header.attributes]), lines


# -- data: sparse -------------------------------------------------------------------------------


def _read_sparse(path, header: Header) -> tuple[pa.Table, list[int]]:
    width = len(header.attributes)
    entries: list[tuple[list[int], list[str | None]]] = [([], []) for _ in range(width)]
    lines: list[int] = []
    for number, line in _data_lines(path, header):
        if not (line.startswith("{") and line.endswith("}")):
            raise DataFormatError(
                "A dense row appears among sparse rows ({index value, ...}).",
                code="invalid_arff",
                line=number,
            )
        row = len(lines)
        lines.append(number)
        inner = line[1:-1]
        position, end = 0, len(inner)
        if not inner.strip():
            continue
        while position < end:
            match = _SPARSE_ENTRY.match(inner, position)
            if match is None or match.end() == position:
                raise DataFormatError(
                    f"Unreadable sparse entry {inner[position : position + 40]!r}; entries are "
                    "'index value' pairs separated by commas.",
                    code="invalid_arff",
                    line=number,
                )
            index = int(match.group(1))
            if index >= width:
                raise DataFormatError(
                    f"Sparse index {index} is out of range: the file declares {width} attributes "
                    f"(indices 0 to {width - 1}).",
                    code="sparse_index_out_of_range",
                    line=number,
                )
            single, double, bare = match.group(2), match.group(3), match.group(4)
            if single is not None or double is not None:
                value: str | None = _unescape(single if single is not None else double)
            else:
                value = None if bare == "?" else bare
            rows, values = entries[index]
            rows.append(row)
            values.append(value)
            position = match.end()
    arrays = [
        _sparse_column(attribute, rows, values, len(lines), lines)
        for attribute, (rows, values) in zip(header.attributes, entries, strict=True)
    ]
    return pa.table(arrays, names=[a.name for a in header.attributes]), lines


def _sparse_column(attribute: Attribute, rows, values, n: int, lines: list[int]):
    index = np.asarray(rows, dtype=np.int64)
    if attribute.kind in ("numeric", "integer"):
        data = np.zeros(n, dtype=np.float64)
        missing = np.zeros(n, dtype=bool)
        parsed = np.empty(len(values), dtype=np.float64)
        for position, value in enumerate(values):
            if value is None:
                parsed[position] = 0.0
                missing[rows[position]] = True
                continue
            try:
                parsed[position] = float(value)
            except ValueError:
                raise DataFormatError(
                    f"The value {value!r} of numeric attribute {attribute.name!r} is not a number.",
                    code="invalid_arff",
                    line=lines[rows[position]],
                    column=attribute.name,
                ) from None
        data[index] = parsed
        if attribute.kind == "integer" and np.all(np.isfinite(data)) and np.all(data % 1 == 0):
            return pa.array(data.astype(np.int64), mask=missing)
        return pa.array(data, mask=missing)
    if attribute.kind == "nominal":
        default = attribute.values[0] if attribute.values else None
    elif attribute.kind == "date":
        default = "1970-01-01T00:00:00Z"
    else:
        default = ""
    data_obj = np.full(n, default, dtype=object)
    if len(values):
        data_obj[index] = np.asarray(values, dtype=object)
    return pa.array(data_obj, pa.string())


# -- shared finishing ---------------------------------------------------------------------------


def _row_line(path, header: Header, lines: list[int], row: int) -> int | None:
    if lines:
        return lines[row]
    for position, (number, _line) in enumerate(_data_lines(path, header)):
        if position == row:
            return number
    return None


def _finish_columns(table: pa.Table, header: Header, path, lines: list[int]) -> pa.Table:
    """Check nominal values, turn {false,true} into booleans and date text into timestamps."""
    columns = []
    for attribute, column in zip(header.attributes, table.columns, strict=True):
        if attribute.kind == "nominal":
            value_set = pa.array(attribute.values, pa.string())
            bad = pc.and_(pc.is_valid(column), pc.invert(pc.is_in(column, value_set=value_set)))
            if pc.any(bad).as_py():
                row = pc.index(bad, True).as_py()
                value = column[row].as_py()
                shown = ", ".join(attribute.values[:20])
                more = ", ..." if len(attribute.values) > 20 else ""
                raise DataFormatError(
                    f"The value {value!r} is not one of the values declared for attribute "
                    f"{attribute.name!r}: {{{shown}{more}}}.",
                    code="value_not_in_nominal_set",
                    line=_row_line(path, header, lines, row),
                    column=attribute.name,
                )
            if attribute.is_boolean:
                column = pc.equal(pc.utf8_lower(column), "true")
        elif attribute.kind == "date":
            column = _parse_dates(column, attribute, path, header, lines)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _parse_dates(column, attribute: Attribute, path, header: Header, lines: list[int]):
    fmt = attribute.date_format or DEFAULT_DATE_FORMAT
    target = pa.timestamp("us", tz="UTC")
    attempts = []
    if fmt == DEFAULT_DATE_FORMAT:
        # ISO 8601: cast is lenient about fractions, a missing time and a 'Z' or offset.
        attempts = [
            lambda: pc.cast(pc.cast(column, pa.timestamp("us")), target),
            lambda: pc.cast(column, target),
        ]
    strptime = _java_to_strptime(fmt)
    if strptime is not None:
        attempts.append(lambda: pc.cast(pc.strptime(column, format=strptime, unit="us"), target))
    for attempt in attempts:
        try:
            return attempt()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    if not attempts:
        raise DataFormatError(
            f"The date format {fmt!r} of attribute {attribute.name!r} is not supported; use "
            f"{DEFAULT_DATE_FORMAT!r} (ISO 8601).",
            code="unknown_arff_type",
            column=attribute.name,
            line=attribute.line,
        )
    row = next(
        (
            position
            for position, value in enumerate(column.to_pylist())  # error path only
            if value is not None and not _parses_as_timestamp(value)
        ),
        0,
    )
    raise DataFormatError(
        f"A value of date attribute {attribute.name!r} does not match the format {fmt!r}.",
        code="invalid_arff",
        column=attribute.name,
        line=_row_line(path, header, lines, row),
    )


def _parses_as_timestamp(value: str) -> bool:
    try:
        pc.cast(pa.array([value]), pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _java_to_strptime(pattern: str) -> str | None:
    """Translate the common subset of Java SimpleDateFormat; None when something is unknown."""
    out = io.StringIO()
    for match in _JAVA_DATE_TOKEN.finditer(pattern):
        token = match.group(0)
        if token.startswith("'"):
            out.write(token[1:-1].replace("%", "%%") or "'")
        elif token[0].isalpha():
            if token not in _JAVA_TO_STRPTIME:
                return None
            out.write(_JAVA_TO_STRPTIME[token])
        else:
            out.write(token.replace("%", "%%"))
    return out.getvalue()
