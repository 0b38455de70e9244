"""Writing a figure to a file: SVG always; PDF and PNG through the optional ``export`` extra."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from .extras import missing

SVG = "http://www.w3.org/2000/svg"
PNG_DPI = 300  # print quality, at the figure's size in inches


def check_path(path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".svg", ".pdf", ".png"):
        raise ValueError(f"cannot save {path.name!r}: use a .svg, .pdf or .png file name")
    return path


def save(svg_text: str, path) -> None:
    path = check_path(path)
    if path.suffix.lower() == ".svg":
        path.write_text(svg_text, encoding="utf-8")
    else:
        path.write_bytes(_convert(svg_text, path.suffix.lower()[1:]))


def _convert(svg_text: str, kind: str) -> bytes:
    try:
        import pymupdf
    except ModuleNotFoundError as error:
        raise missing(error, f"saving .{kind}") from None
    document = pymupdf.open(stream=svg_text.encode("utf-8"), filetype="svg")
    if kind == "pdf":
        pdf = pymupdf.open("pdf", document.convert_to_pdf())
        pdf.set_metadata(_metadata(svg_text))
        return pdf.tobytes()
    zoom = PNG_DPI / 72  # PyMuPDF measures the page in points
    return document[0].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), dpi=PNG_DPI).tobytes("png")


def _metadata(svg_text: str) -> dict[str, str]:
    """The PDF's title and subject: the SVG's ``<title>`` and ``<desc>`` (the caption)."""
    root = ElementTree.fromstring(svg_text)
    text = {tag: root.findtext(f"{{{SVG}}}{tag}") or "" for tag in ("title", "desc")}
    return {"title": text["title"], "subject": text["desc"], "creator": "net2vis-widget"}

