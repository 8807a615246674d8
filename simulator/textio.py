"""Reading user files (.md, .txt, .pdf, .docx) into text, refusing bad input in one sentence."""

from __future__ import annotations

from pathlib import Path

from simulator.errors import UserError

MAX_BYTES = 5 * 1024 * 1024
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
    if not p.exists():
        raise UserError(f"{name} does not exist.")
    if p.is_dir():
        raise UserError(f"{name} is a folder; give a file.")
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(
            f"{name} has the extension {suffix!r}; StaffSim reads .md, .txt, .pdf and .docx files."
        )
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise UserError(f"{name} is {size / 1e6:.1f} MB; the limit is 5 MB.")
    if size == 0:
        raise UserError(f"{name} is empty.")
    data = p.read_bytes()
    if suffix == ".pdf":
        text = _pdf_text(data, name)
    elif suffix == ".docx":
        text = _docx_text(data, name)
    else:
        if b"\x00" in data[:8192]:
            raise UserError(f"{name} looks like a binary file, not text.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return check_text(text, name)


def _pdf_text(data: bytes, name: str) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UserError(f"{name} is not a readable PDF ({type(exc).__name__}).") from exc
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
