"""Decide a file's format from its bytes, never its name, and refuse what is not tabular text.

`sniff_format` reads the first 64 KiB and the last 4 bytes only. Parquet is recognised by its magic
number at both ends (a head without a tail is a truncated upload), ARFF by its first meaningful
line, and everything else that looks like text is CSV. Pickles, archives, HTML/XML and other binary
payloads are refused here, before any parser sees them: an upload must never reach a reader that
could interpret it as something other than data.
"""

from __future__ import annotations

import os
import re

from tunebench.engine.errors import DataFormatError

FORMATS = ("csv", "arff", "parquet")

HEAD_BYTES = 64 * 1024
UTF8_BOM = b"\xef\xbb\xbf"

# Magic numbers of formats people upload by mistake, with the name we show them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or an .xlsx/.docx file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x7fELF", "an executable"),
    (b"MZ\x90\x00", "a Windows executable"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x89HDF", "an HDF5 file"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (.xls/.doc)"),
    (b"ARROW1", "an Arrow IPC/Feather file"),
    (b"ORC", "an ORC file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_MARKUP = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"<head", b"<body", b"<!--")
# Bytes that never occur in text files: C0 controls except \t \n \v \f \r, and DEL.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13)) + b"\x7f"
_UTF_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def sniff_format(path: str | os.PathLike[str]) -> str:
    """Return 'csv', 'arff' or 'parquet' for the file's content, or raise `DataFormatError`."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        size = handle.seek(0, os.SEEK_END)
        tail = b""
        if size >= 8:
            handle.seek(size - 4)
            tail = handle.read(4)
    if size == 0:
        raise DataFormatError("The file is empty.", code="empty_file")
    if head.startswith(b"PAR1"):
        if tail == b"PAR1":
            return "parquet"
        raise DataFormatError(
            "The file starts like Parquet but its footer is missing: the upload was probably cut "
            "short. Upload the complete file.",
            code="truncated_parquet",
        )
    reject_binary(head)
    text = head.removeprefix(UTF8_BOM)
    if not text.strip() and size <= HEAD_BYTES:
        raise DataFormatError("The file contains only whitespace.", code="empty_file")
    if is_arff_head(text):
        return "arff"
    return "csv"


def reject_binary(head: bytes) -> None:
    """Raise for pickles, archives, markup, UTF-16/32 text and other non-text bytes in `head`."""
    # Pickle protocols 2-5 start with PROTO (0x80) and the protocol number: refused, never loaded.
    if len(head) >= 2 and head[0] == 0x80 and 1 <= head[1] <= 5:
        raise DataFormatError(
            "The file is a Python pickle, not a data table. Pickles can run code when loaded and "
            "are never accepted: export the data as CSV, ARFF or Parquet.",
            code="unsupported_format",
        )
    for magic, name in _MAGIC:
        if head.startswith(magic):
            raise DataFormatError(
                f"The file is {name}, not CSV, ARFF or Parquet.", code="unsupported_format"
            )
    if _BZIP2.match(head):
        raise DataFormatError(
            "The file is bzip2-compressed; upload it uncompressed.", code="unsupported_format"
        )
    for bom, encoding in _UTF_BOMS:
        if head.startswith(bom):
            raise DataFormatError(
                f"The file is {encoding} text; save it as UTF-8 and upload it again.",
                code="undecodable_text",
            )
    lowered = head.removeprefix(UTF8_BOM).lstrip()[:16].lower()
    if lowered.startswith(_MARKUP):
        raise DataFormatError(
            "The file is an HTML or XML document (perhaps a web page saved instead of the data "
            "it links to), not CSV, ARFF or Parquet.",
            code="unsupported_format",
        )
    sample = head[:8192]
    if not sample:
        return
    if _looks_like_utf16(sample):
        raise DataFormatError(
            "The file looks like UTF-16 text without a byte-order mark; save it as UTF-8 and "
            "upload it again.",
            code="undecodable_text",
        )
    # Binary: many control bytes, or NULs in more than a tenth of the bytes. A few NULs in
    # otherwise textual data are reported as such below (a damaged or padded text file).
    nuls = sample.count(0)
    controls = len(sample) - len(sample.translate(None, _CONTROL)) - nuls
    if controls > len(sample) // 20 or nuls > len(sample) // 10:
        raise DataFormatError(
            "The file is binary, not CSV, ARFF or Parquet text.", code="unsupported_format"
        )
    nul = head.find(b"\x00")
    if nul >= 0:
        raise DataFormatError(
            "The file contains NUL bytes, which text data never has; it may be binary or damaged.",
            code="nul_bytes",
            line=head.count(b"\n", 0, nul) + 1,
        )


def _looks_like_utf16(sample: bytes) -> bool:
    # ASCII text in UTF-16 has a NUL in every other byte; real binaries rarely look this regular.
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    for text_half, zero_half in ((even, odd), (odd, even)):
        zeros = zero_half.count(0)
        if zeros >= 0.9 * len(zero_half) and text_half.count(0) <= 0.1 * len(text_half):
            return True
    return False


def is_arff_head(text: bytes) -> bool:
    """True when the first line that is neither blank nor a % comment starts with @relation."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(b"%"):
            continue
        return line[:9].lower() == b"@relation"
    return False
