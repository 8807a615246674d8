"""Reading user files (.md, .txt, .pdf, .docx) into text, refusing bad input in one sentence."""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from pathlib import Path

from simulator.errors import UserError

#: The largest document StaffSim reads (file size, and text extracted from a PDF or .docx).
MAX_MB = 5
MAX_BYTES = MAX_MB * 1_000_000
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ""}
SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx"}


def check_text(text: str, name: str = "the input") -> str:
    """Refuse empty or binary-looking text; return it stripped of NUL-free whitespace ends."""
    if "\x00" in text:
        raise UserError(
            f"{name} looks like a binary file, not text; give a .md, .txt, .pdf or .docx."
        )
    if not text.strip():
        raise UserError(f"{name} is empty; paste or upload some text first.")
    return text


def read_text_file(path: str | Path) -> str:
    """The text of a user's file; any problem raises a `UserError` naming the file."""
    p = Path(path)
    name = p.name or str(p)
    size = _regular_file_size(p, name)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(
            f"{name} has the extension {suffix!r}; StaffSim reads .md, .txt, .pdf and .docx files."
        )
    if size > MAX_BYTES:
        raise _too_big(name, "has", size)
    if size == 0:
        raise UserError(f"{name} is empty; put some text in it first.")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UserError(f"{name} cannot be read ({exc.strerror or exc}).") from exc
    if suffix == ".pdf":
        text = _pdf_text(data, name)
    elif suffix == ".docx":
        text = _docx_text(data, name)
    else:
        text = decode_text(data, name)
    if len(text) > MAX_BYTES:  # a compressed .docx or PDF can hold far more text than its size
        raise _too_big(name, "holds", len(text.encode()), " of text")
    return check_text(text, name)


def _too_big(name: str, verb: str, size: int, what: str = "") -> UserError:
    return UserError(
        f"{name} {verb} {size / 1e6:.1f} MB{what}; StaffSim reads documents up to {MAX_MB} MB, "
        "so split it into smaller files."
    )


#: Byte-order marks, longest first (a UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_text(data: bytes, name: str = "the input") -> str:
    """Bytes of a text file as text: the encoding its byte-order mark names, else UTF-8."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise UserError(
                    f"{name} starts with a {label} byte-order mark but byte {exc.start} is not "
                    f"valid {label}; save it again as UTF-8."
                ) from exc
    head = data[:8192]
    if b"\x00" in head:
        if _utf16_without_bom(head):
            raise UserError(
                f"{name} looks like UTF-16 text without a byte-order mark; save it as UTF-8."
            )
        raise UserError(
            f"{name} looks like a binary file, not text; give a .md, .txt, .pdf or .docx file."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again."
        ) from exc


def _utf16_without_bom(head: bytes) -> bool:
    """NULs in every other byte, the rest mostly printable ASCII: UTF-16 that lost its mark."""
    if len(head) < 8:
        return False
    for zeros, chars in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if zeros.count(0) >= 0.9 * len(zeros) and sum(
            32 <= b < 127 or b in (9, 10, 13) for b in chars
        ) >= 0.9 * len(chars):
            return True
    return False


def _regular_file_size(p: Path, name: str) -> int:
    """The size of `p`, or one sentence on why it is not a regular file StaffSim can read."""
    try:
        st = p.stat()
    except FileNotFoundError:
        parent = p.parent
        if p.is_symlink():
            raise UserError(
                f"{name} is a symbolic link to {os.readlink(p)}, which does not exist."
            ) from None
        if not parent.exists():
            raise UserError(f"No such folder: {parent} (looking for {name}).") from None
        raise UserError(f"{name} does not exist.") from None
    except NotADirectoryError:
        raise UserError(
            f"{p} does not exist: a part of that path is a file, not a folder."
        ) from None
    except PermissionError:
        raise UserError(f"{name} cannot be read (permission denied).") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{name} is a symbolic link loop; point it at a file.") from None
        raise UserError(f"{name} cannot be read ({exc.strerror or exc}).") from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise UserError(f"{name} is a folder; give a file.")
    if stat.S_ISFIFO(mode):
        raise UserError(f"{name} is a named pipe (FIFO), not a file; save the text to a file.")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise UserError(f"{p} is a device, not a file; give a .md, .txt, .pdf or .docx file.")
    if not stat.S_ISREG(mode):
        raise UserError(f"{name} is not a regular file; give a .md, .txt, .pdf or .docx file.")
    return st.st_size


def _pdf_text(data: bytes, name: str) -> str:
    import io
    import logging
    import warnings

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # its "EOF marker not found" would sit beside our sentence
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise UserError(f"{name} is not a readable PDF ({type(exc).__name__}).") from exc
    finally:
        quiet.setLevel(level)
    text = "\n\n".join(pages)
    if not text.strip():
        raise UserError(f"{name} has no extractable text (a scanned PDF?); export it as text.")
    return text


def _docx_text(data: bytes, name: str) -> str:
    import io
    import zipfile

    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UserError(f"{name} is not a readable .docx file.") from exc
    lines = []
    for para in document.paragraphs:
        style = (para.style.name or "").lower() if para.style is not None else ""
        if style.startswith("heading") and para.text.strip():
            level = "".join(ch for ch in style if ch.isdigit()) or "1"
            lines.append("#" * int(level) + " " + para.text)
        else:
            lines.append(para.text)
    return "\n".join(lines)


#: Terminal control sequences: OSC (ESC ] or 0x9d ... BEL or ST), DCS/SOS/PM/APC strings,
#: CSI (ESC [ or 0x9b, parameters, final byte), and every other C0/C1 control but tab and newline.
_CONTROLS = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    # Bidirectional embeddings, overrides and isolates: they reorder what the terminal shows
    # ("evil\u202edm.txt" reads as evil...txt.md); the plain marks LRM/RLM are kept.
    r"|[\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """`text` safe to print to a terminal: control sequences and control characters removed.

    Text from users and documents can carry OSC 8 hyperlinks, window titles, cursor moves,
    BEL and backspaces; the CLI passes everything it prints from them through here.
    """
    return _CONTROLS.sub("", text)
