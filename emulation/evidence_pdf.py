"""The evidence pack as a PDF a council member signs: the pack's own template laid out by
WeasyPrint with the print stylesheet (A4, the nomination in the header, "Trang X/Y" in the
footer, DejaVu Sans for every Vietnamese letter, table headers repeated on each page, the
chair's and secretary's signature block at the end).

It renders a Flask template, so it runs inside a request (or a test request context) of the
app; the page's labels come from `emulation.evidence_views`.
"""

from __future__ import annotations

from flask import render_template

from emulation.evidence import EvidencePack


def render_html(pack: EvidencePack) -> str:
    """The HTML WeasyPrint lays out: the same `_pack.html` as the page, with the print
    styles and without the site's menus."""
    from emulation.evidence_views import template_helpers

    return render_template("emulation/evidence/print.html", pack=pack, **template_helpers())


def render_pdf(pack: EvidencePack) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML

    pdf = HTML(string=render_html(pack)).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return bytes(pdf)
