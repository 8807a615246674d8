"""The bad-input corpus, generated at test time: every shape of file a user can hand StaffSim.

Each entry is (file name, bytes). Names ending in `.ok` in `ACCEPTED` are inputs StaffSim
must read (a UTF-16 file with its BOM, right-to-left overrides); every other one must be
refused with one sentence.
"""

from __future__ import annotations

import codecs
import io
import zipfile
import zlib

_PROSE = "We moved the ledger to Postgres because p99 writes rose to 40 ms at 2k rps. "


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.md", "# Notes\n\nnot really a docx\n")
    return buf.getvalue()


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def corpus() -> dict[str, bytes]:
    """File name -> content."""
    headings = "".join(f"## Step {n}\nShard {n} moved.\n" for n in range(10_000))
    rtl = f"# ADR 9: Cache \u202etnemyap\u202c\n\n## Decision\n{_PROSE}\u2067isolated\u2069\n"
    return {
        "empty.md": b"",
        "whitespace.md": b"  \n\t\n \r\n   \n",
        "nul-bytes.md": b"# Retro\n\nThe queue\x00overflowed\x00.\n",
        "one-line.md": (_PROSE * 14_000).encode()[:1_000_000],
        "archive.zip": _zip(),
        "archive-renamed.md": _zip(),
        "image.png": _png(),
        "image-renamed.txt": _png(),
        "corrupt.pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n",
        "text-renamed.docx": ("# ADR\n\n" + _PROSE).encode(),
        "zip-renamed.docx": _zip(),
        "headings-10k.md": headings.encode(),
        "rtl-overrides.md": rtl.encode(),
        "evil\u202edm.txt": ("# Retro\n\n" + _PROSE).encode(),
        "utf16-bom.md": codecs.BOM_UTF16_LE
        + ("# ADR 3\n\n## Decision\n" + _PROSE).encode("utf-16-le"),
        "utf16-bom-truncated.md": codecs.BOM_UTF16_LE + "# ADR".encode("utf-16-le") + b"\x41",
        "utf16-no-bom.md": ("# ADR 3\n\n" + _PROSE).encode("utf-16-le"),
        "invalid-utf8.md": b"# Retro\n\nCaf\xe9 queue \xff\xfe overflowed.\n",
        "escapes.md": b"# Retro\n\n\x1b]0;pwned\x07The \x1b[31mqueue\x1b[0m overflowed\x08\x08.\n",
    }


#: Inputs that are fine to read: StaffSim must process them, not refuse them.
ACCEPTED = {
    "one-line.md",
    "headings-10k.md",
    "rtl-overrides.md",
    "evil\u202edm.txt",
    "utf16-bom.md",
    "escapes.md",
}

#: `--user` values that must be taken as opaque names: stored, isolated, never a path or SQL.
HOSTILE_USERS = (
    "alice'; DROP TABLE sessions;--",
    '" OR 1=1 --',
    "../../etc/passwd",
    "/tmp/evil",
    "..",
    "bob/../alice",
    "C:\\Windows\\System32",
    "\u202eecila",
    "%2e%2e%2f",
)
