"""One streaming pass over a text file: UTF-8 and NUL checks, plus facts the parsers need.

pyarrow's CSV reader happily keeps NUL bytes inside strings and reports invalid UTF-8 without a
line, so the CSV and ARFF readers first stream the file once in 1 MiB chunks. The pass is cheap
(`bytes.isascii`, `count` and `find` run at memory speed; only non-ASCII chunks are decoded) and
also records what decides the parser options: which quote characters occur (quoted newlines force
pyarrow's slower quote-aware chunking, so it is only switched on when a quote exists), whether
ARFF data has comment lines or padded delimiters, and the number of lines (an upper bound on rows).
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass

from tunebench.engine.errors import DataFormatError

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class TextFacts:
    has_double_quote: bool
    has_single_quote: bool
    has_comment_line: bool  # a line starting with '%' (only looked for with `arff`)
    head_has_padded_delimiter: bool  # ', ' ' ,' or a tab by a comma in the first MiB (`arff`)


def scan_text(
    path: str | os.PathLike[str], *, offset: int = 0, first_line: int = 1, arff: bool = False
) -> TextFacts:
    """Stream the file from `offset`; raise `DataFormatError` on NUL bytes or invalid UTF-8.

    The per-chunk checks are single-byte searches, which run at memory speed. A two-byte search
    costs ~1 ms per MiB, so ARFF looks for comment lines everywhere (they would break the
    parse) but for padded delimiters only in the first MiB (a file is written by one tool in one
    style; the ARFF reader retries padded if the strict parse fails anyway).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    dquote = squote = comment = padded = False
    previous_last = b"\n"  # the byte before the chunk, to see '%' at a line start across chunks
    with open(path, "rb") as handle:
        handle.seek(offset)
        first = True
        while chunk := handle.read(CHUNK_BYTES):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise DataFormatError(
                    "The file contains a NUL byte, which text data never has; it may be binary "
                    "or damaged.",
                    code="nul_bytes",
                    line=_line(handle, offset, chunk, nul, first_line),
                )
            pending = decoder.getstate()[0]
            if pending or not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    position = max(0, exc.start - len(pending))
                    raise DataFormatError(
                        "The file is not valid UTF-8 text (it may be Latin-1 or Windows-1252). "
                        "Save it as UTF-8 and upload it again.",
                        code="undecodable_text",
                        line=_line(handle, offset, chunk, position, first_line),
                    ) from None
            dquote = dquote or b'"' in chunk
            squote = squote or b"'" in chunk
            if arff:
                comment = (
                    comment or b"\n%" in chunk or (previous_last == b"\n" and chunk[:1] == b"%")
                )
                if first:
                    padded = any(p in chunk for p in (b", ", b" ,", b",\t", b"\t,"))
                previous_last = chunk[-1:]
            first = False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise DataFormatError(
            "The file ends in the middle of a UTF-8 character: it is not valid UTF-8 or was cut "
            "short.",
            code="undecodable_text",
        ) from None
    return TextFacts(dquote, squote, comment, padded)


def _line(handle, offset: int, chunk: bytes, position: int, first_line: int) -> int:
    """The line of byte `position` of `chunk`, the chunk just read (error paths only)."""
    start = handle.tell() - len(chunk)
    handle.seek(offset)
    lines = 0
    remaining = start - offset
    while remaining > 0:
        block = handle.read(min(CHUNK_BYTES, remaining))
        if not block:
            break
        lines += block.count(b"\n")
        remaining -= len(block)
    return first_line + lines + chunk.count(b"\n", 0, position)
