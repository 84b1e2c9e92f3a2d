"""Markdown for pull-request summaries, step summaries and issues: one way to escape text, one
way to link a line of a file."""

from __future__ import annotations


def md(text: object) -> str:
    """Text for a Markdown table cell or list item: no HTML, no column breaks; a line break
    stays one (``<br>``) without ending the cell."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def line_ref(file: str, line: int | None, blob_url: str | None) -> str:
    """``file:line`` as code, linked to the line in the repository when ``blob_url`` is
    known."""
    ref = f"{file}:{line}" if line else file
    if not blob_url:
        return f"`{ref}`"
    anchor = f"#L{line}" if line else ""
    return f"[`{ref}`]({blob_url.rstrip('/')}/{file}{anchor})"
