"""python-docx helpers for the report: page setup, paragraphs, tables, captions, the heading block.

The document follows Nghị định 30/2020/NĐ-CP: A4, margins top/bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman 14 pt (tables 12, appendices 11);
the issuing body and the number placeholder on the left and the national title
and motto on the right of a borderless two-column table; place and date in
italics; page numbers centred in the top margin from page 2; the signature
block at the end; the appendices on landscape pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from sync.atomic import atomic_path
from sync.config import Config
from sync.report.months import place_date

FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT


@dataclass(frozen=True, slots=True)
class ReportHeading:
    """Who issues the report and where; defaults are the Office of UBND tỉnh An Giang."""

    parent: str = "UBND TỈNH AN GIANG"
    issuer: str = "VĂN PHÒNG"
    symbol: str = "BC-VP"
    place: str = "An Giang"
    issuer_long: str = "Văn phòng UBND tỉnh"
    signer_title: str = "CHÁNH VĂN PHÒNG"
    #: printed under the room to sign; None: “(Ký, ghi rõ họ tên)” for the signer to fill in
    signer_name: str | None = None
    #: NĐ 30/2020: "direct" (the head signs), "KT" (a deputy signs on the head's behalf),
    #: "TL" (signed by order of the head), "Q" (acting head)
    signing: str = "direct"
    #: the title of the person who actually signs, under “KT. …” / “TL. …”
    signer_deputy_title: str | None = None
    recipients: tuple[str, ...] = (
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Các sở, ban, ngành tỉnh;",
        "- UBND các xã, phường, đặc khu;",
        "- Lãnh đạo Văn phòng;",
        "- Lưu: VT, TH.",
    )

    @classmethod
    def from_config(cls, config: Config) -> ReportHeading:
        """The defaults, with what the config's ``[report]`` section sets."""
        r = config.report
        given = {name: getattr(r, name) for name in r.__slots__ if getattr(r, name) is not None}
        return cls(**given)


def _all_scripts_font(rpr: Any) -> None:
    """Times New Roman for every script (Vietnamese letters are not all “ascii” to Word)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _set_run_font(
    run: Any, size: float | None = None, bold: bool | None = None, italic: bool | None = None
) -> None:
    run.font.name = FONT
    _all_scripts_font(run._element.get_or_add_rPr())
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def para(
    container: Any,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    before: float = 0,
    after: float = 6,
    keep_next: bool = False,
) -> Paragraph:
    p: Paragraph = container.add_paragraph()
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing = 1.15 if size >= 13 else 1.0
    if indent:
        pf.first_line_indent = Cm(1)
    if keep_next:
        pf.keep_with_next = True
    if text:
        _set_run_font(p.add_run(text), size, bold, italic)
    return p


def cell_para(
    cell: _Cell,
    text: str,
    *,
    size: float = 12,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
) -> Paragraph:
    p = (
        cell.paragraphs[0]
        if not cell.paragraphs[0].text and len(cell.paragraphs[0].runs) == 0
        else cell.add_paragraph()
    )
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before = Pt(1)
    pf.space_after = Pt(1)
    pf.line_spacing = 1.0
    if text:
        _set_run_font(p.add_run(text), size, bold, italic)
    return p


def short_rule(container: Any, width_cm: float, line_cm: float) -> Paragraph:
    """A short centred line (NĐ 30's rule under the issuer, the motto and the title).

    An empty paragraph of its own, 3 pt high, with a bottom border narrowed by indents.
    """
    p: Paragraph = container.add_paragraph()
    side = max((width_cm - line_cm) / 2, 0)
    pf = p.paragraph_format
    pf.left_indent = Cm(side)
    pf.right_indent = Cm(side)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = Pt(3)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    bdr.append(bottom)
    ppr.append(bdr)
    return p


def no_borders(table: DocxTable) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def set_widths(table: DocxTable, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cant_split(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def grid_table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_cm: Sequence[float],
    *,
    size: float = 12,
    left_cols: Iterable[int] = (),
    bold_rows: Iterable[int] = (),
    keep_together: bool = False,
    keep_rows: int = 0,
) -> DocxTable:
    """A bordered table with a bold shaded header repeated on each page.

    ``keep_together``: the whole table on one page. ``keep_rows``: only the header and the first
    ``keep_rows`` rows kept with what precedes them (its caption): the table starts where its caption
    is and, when the page ends, goes on on the next one under its repeated header, rather than
    leaving the page half empty."""
    left = set(left_cols)
    bold = set(bold_rows)
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, headers, strict=True):
        cell_para(cell, text, size=size, bold=True)
        _shade(cell, "D9E2F3")
    for i, values in enumerate(rows):
        row = table.add_row()
        _cant_split(row)
        for j, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if j in left else WD_ALIGN_PARAGRAPH.CENTER
            cell_para(cell, text, size=size, bold=i in bold, align=align)
            if i in bold:
                _shade(cell, "F2F2F2")
    set_widths(table, widths_cm)
    kept = table.rows[:-1] if keep_together else table.rows[: min(keep_rows + 1, len(table.rows) - 1)]
    if kept:
        for row in kept:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
    return table


def page_number_header(section: Any) -> None:
    """Page number centred in the top margin, not on the first page (NĐ 30)."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _set_run_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def margins(section: Any, *, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def new_document(*, title: str, author: str, subject: str, keywords: str, stamp: date) -> Any:
    """An empty A4 document in Times New Roman 14, page numbers from page 2, dated ``stamp``."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _all_scripts_font(normal.element.get_or_add_rPr())
    props = doc.core_properties
    props.title = title
    props.author = author
    props.subject = subject
    props.keywords = keywords
    props.created = props.modified = datetime.combine(stamp, datetime.min.time())
    props.last_modified_by = "ubnd-sync"
    props.revision = 1
    section = doc.sections[0]
    margins(section)
    page_number_header(section)
    return doc


def national_heading(doc: Any, heading: ReportHeading, day: date) -> None:
    """Issuing body and number | national title, motto, place and date (a borderless table)."""
    head = doc.add_table(rows=2, cols=2)
    no_borders(head)
    widths = (6.3, 10.2)
    set_widths(head, widths)
    left, right = head.rows[0].cells
    cell_para(left, heading.parent, size=13)
    cell_para(left, heading.issuer, size=13, bold=True)
    short_rule(left, widths[0] - 0.2, 2.0)
    cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True)
    cell_para(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    short_rule(right, widths[1] - 0.2, 6.2)
    left, right = head.rows[1].cells
    cell_para(left, f"Số:        /{heading.symbol}", size=13).paragraph_format.space_before = Pt(6)
    p = cell_para(right, place_date(heading.place, day), size=14, italic=True)
    p.paragraph_format.space_before = Pt(6)


def signing_lines(heading: ReportHeading) -> list[str]:
    """The title lines above the signature (NĐ 30/2020, Phụ lục I, chức vụ của người ký).

    ``direct``: ``CHÁNH VĂN PHÒNG``; ``Q``: ``Q. CHÁNH VĂN PHÒNG``; ``KT``/``TL``:
    ``KT. CHÁNH VĂN PHÒNG`` over the signer's own title (``PHÓ CHÁNH VĂN PHÒNG``).
    """
    if heading.signing == "direct":
        return [heading.signer_title]
    first = f"{heading.signing}. {heading.signer_title}"
    if heading.signing == "Q" or not heading.signer_deputy_title:
        return [first]
    return [first, heading.signer_deputy_title]


def signature(doc: Any, heading: ReportHeading) -> None:
    """Recipients on the left, the signer's title and room to sign on the right."""
    sig = doc.add_table(rows=1, cols=2)
    no_borders(sig)
    set_widths(sig, (7.5, 9.0))
    left, right = sig.rows[0].cells
    cell_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT)
    for line in heading.recipients:
        cell_para(left, line, size=11, align=LEFT)
    for line in signing_lines(heading):
        cell_para(right, line, size=14, bold=True)
    for _ in range(4):
        cell_para(right, "", size=14)
    if heading.signer_name:
        cell_para(right, heading.signer_name, size=14, bold=True)
    else:
        cell_para(right, "(Ký, ghi rõ họ tên)", size=13, italic=True)


def section_title(doc: Any, text: str, *, level: int = 1) -> Paragraph:
    """A bold section heading kept with what follows (``I. …`` level 1, ``1. …`` level 2)."""
    return para(doc, text, bold=True, keep_next=True, before=6 if level == 1 else 0)


def body(doc: Any, text: str, *, keep_next: bool = False) -> Paragraph:
    """A justified paragraph of the body, first line indented."""
    return para(doc, text, indent=True, keep_next=keep_next)


def gap(doc: Any) -> None:
    """An empty line after a table or a figure."""
    para(doc, "", after=0)


def caption(doc: Any, text: str) -> None:
    """A table's caption above it: centred, bold italic 12 pt, kept with the table."""
    para(doc, text, size=12, bold=True, italic=True, align=CENTER, keep_next=True)


def figure(doc: Any, image: Path, text: str) -> None:
    """A chart, centred, kept with its italic caption below."""
    para(doc, "", after=0, keep_next=True).add_run().add_picture(str(image), width=Cm(16))
    doc.paragraphs[-1].alignment = CENTER
    para(doc, text, size=12, italic=True, align=CENTER)


def appendix_heading(doc: Any, number: str, title: str, ref: str, *, page_break: bool = True) -> None:
    """An appendix's heading: its number, title and the reference to the report."""
    if page_break:
        para(doc, "", after=0).add_run().add_break(WD_BREAK.PAGE)
    para(doc, number, bold=True, align=CENTER, after=0)
    para(doc, title, bold=True, align=CENTER, after=0)
    para(doc, ref, italic=True, align=CENTER, after=8, size=13)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """``write`` a temporary file beside ``path``, then rename it over ``path`` (``sync.atomic``)."""
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def save(doc: Any, path: Path) -> Path:
    """Write the document to ``path`` atomically."""
    return _write_atomically(path, lambda tmp: doc.save(str(tmp)))
