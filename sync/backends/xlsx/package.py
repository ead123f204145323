"""Editing a .xlsx package in place: cells written and tabs added, every other byte kept.

openpyxl rewrites a whole workbook from its object model and loses what the model lacks:
the values Excel saved for formula cells, the x14 extensions (dropdowns whose list lives
on another tab, sparklines, newer conditional formats) and more. ``XlsxPackage`` never
rebuilds anything. It reads the zip package, changes the few XML parts an edit needs by
splicing bytes, and writes a zip in which every other entry is copied as it was (its
local header, compressed data and central record, byte for byte):

- ``write_cells`` puts values into a worksheet's cells: only the ``<row>`` elements it
  writes into are rewritten (inside them only the cells written; other cells keep their
  bytes), plus the ``<dimension>``; text is an inline string (``sharedStrings.xml`` is
  untouched; ``=…`` stays text), a date a serial number styled ``DD/MM/YYYY``, a new cell
  styled as the cell above. A cell holding a formula is never overwritten;
- ``put_sheet`` adds a worksheet (a new part, its ``<sheet>`` in ``workbook.xml``, its
  relationship and content type) or replaces one in place (same part, same position);
- a style the cells need is looked up in ``styles.xml`` and added only when none fits.

Parts stay as their writers made them: namespace prefixes are read (``<x:row>`` works), the
XML declaration, attribute order and quotes are kept. Small parts (the workbook, its
relationships, content types, styles) are parsed with expat, which reports each element's
byte offset; a worksheet, which may be large, is scanned with regular expressions after
checking that every ``<`` in it starts a tag (no comments, CDATA or processing instructions:
no program writes them there, and such a part is refused, never guessed at).

What cannot be edited safely is refused with ``PackageRefused`` and a Vietnamese reason:
a zip64 or encrypted package, Strict Open XML, parts that are not UTF-8, a formula in a
cell to write. Nothing is changed then. No third-party library: lxml would parse and
re-serialise, which is exactly what must not happen to the bytes around an edit.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.parsers import expat

from sync.shapes.wrap import LINE_POINTS, row_lines, row_points

__all__ = [
    "CellStyle",
    "CellValue",
    "PackageRefused",
    "SheetSpec",
    "XlsxPackage",
    "column_letter",
    "xml_text",
]

CellValue = str | int | date

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
WORKSHEET_TYPE = REL_NS + "/worksheet"
WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
#: the number format of the date cells written (also what ``distribute`` always wrote)
DATE_FORMAT = "DD/MM/YYYY"

#: characters XML 1.0 cannot hold (a .xlsx neither): left out of any text written
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Excel reads ``_xHHHH_`` in a string as an escaped character: a literal one is escaped itself
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


class PackageRefused(Exception):
    """The package cannot be edited without losing something; ``reason`` is Vietnamese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------ zip: entries copied as they were

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_EOCD = struct.Struct("<4sHHHHIIH")
_NOT_ZIP = "tệp không phải gói .xlsx thông thường ({}); mở và lưu lại bằng Excel"


@dataclass(slots=True)
class _Entry:
    """One zip entry: the original local block and central record, or new contents."""

    name: str
    local: bytes = b""  # local header + data + descriptor, as in the original file
    central: bytes = b""  # central directory record, as in the original (offset patched on write)
    new: bytes | None = None  # replaced contents (then ``local``/``central`` are not used)
    dos_time: tuple[int, int] = (0, 0x21)  # DOS time, date of a new or replaced entry
    made_by: int = 20
    external: int = 0


def _read_entries(data: bytes) -> tuple[list[_Entry], bytes]:
    """The entries of a plain zip (no zip64, no encryption, one disk) and its comment."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0:
        raise PackageRefused(_NOT_ZIP.format("không có mục lục zip"))
    _sig, disk, cd_disk, _n_here, count, cd_size, cd_offset, comment_len = _EOCD.unpack_from(data, at)
    zip64 = at >= 20 and data[at - 20 : at - 16] == b"PK\x06\x07"
    if disk or cd_disk or count == 0xFFFF or cd_offset == 0xFFFFFFFF or zip64:
        raise PackageRefused(_NOT_ZIP.format("zip64 hoặc nhiều phần"))
    if cd_offset + cd_size != at:
        raise PackageRefused(_NOT_ZIP.format("có dữ liệu lạ trước mục lục zip"))
    entries: list[_Entry] = []
    pos = cd_offset
    for _ in range(count):
        f = _CENTRAL.unpack_from(data, pos)
        sig, made_by, flags, mtime, mdate, csize = f[0], f[1], f[3], f[5], f[6], f[8]
        n, m, k, ext, off = f[10], f[11], f[12], f[15], f[16]
        if sig != b"PK\x01\x02":
            raise PackageRefused(_NOT_ZIP.format("mục lục zip hỏng"))
        if flags & 1 or csize == 0xFFFFFFFF or off == 0xFFFFFFFF:
            raise PackageRefused(_NOT_ZIP.format("phần được mã hóa hoặc zip64"))
        raw_name = data[pos + 46 : pos + 46 + n]
        central = data[pos : pos + 46 + n + m + k]
        pos += 46 + n + m + k
        if data[off : off + 4] != b"PK\x03\x04":
            raise PackageRefused(_NOT_ZIP.format("phần zip hỏng"))
        ln, lm = struct.unpack_from("<HH", data, off + 26)
        end = off + 30 + ln + lm + csize
        if flags & 8:
            end += 16 if data[end : end + 4] == b"PK\x07\x08" else 12
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        entries.append(_Entry(name, data[off:end], central, None, (mtime, mdate), made_by, ext))
    return entries, data[at + 22 : at + 22 + comment_len]


def _dos_now() -> tuple[int, int]:
    t = time.localtime()
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), ((t.tm_year - 1980) << 9) | (
        t.tm_mon << 5
    ) | t.tm_mday


def _write_entries(entries: Iterable[_Entry], comment: bytes) -> bytes:
    out = bytearray()
    directory = bytearray()
    count = 0
    for e in entries:
        offset = len(out)
        if e.new is None:
            out += e.local
            directory += e.central[:42] + struct.pack("<I", offset) + e.central[46:]
        else:
            name = e.name.encode("utf-8")
            flags = 0 if name.isascii() else 0x800
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = packer.compress(e.new) + packer.flush()
            crc = zlib.crc32(e.new)
            mtime, mdate = e.dos_time
            out += _LOCAL.pack(
                b"PK\x03\x04", 20, flags, 8, mtime, mdate, crc, len(packed), len(e.new), len(name), 0
            )
            out += name + packed
            directory += _CENTRAL.pack(
                b"PK\x01\x02", e.made_by, 20, flags, 8, mtime, mdate, crc, len(packed), len(e.new),
                len(name), 0, 0, 0, 0, e.external, offset,
            )  # fmt: skip
            directory += name
        count += 1
    if count >= 0xFFFF or len(out) + len(directory) >= 0xFFFFFFFF:
        raise PackageRefused(_NOT_ZIP.format("quá lớn để ghi không dùng zip64"))
    end = _EOCD.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), len(comment))
    return bytes(out + directory + end + comment)


# ------------------------------------------------------------------ XML with byte offsets

_TAG_REST = re.compile(rb"""(?:[^>"']+|"[^"]*"|'[^']*')*>""")
_DECL = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


def _tag_end(xml: bytes, pos: int) -> int:
    """The offset just after the tag starting at ``pos`` (quotes may hold ``>``)."""
    m = _TAG_REST.match(xml, pos)
    if m is None:
        raise PackageRefused("phần XML hỏng (thẻ không đóng)")
    return m.end()


def _check_utf8(xml: bytes, part: str) -> None:
    m = _DECL.match(xml)
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or (m and m.group(1).lower() not in (b"utf-8", b"utf8")):
        raise PackageRefused(f"phần {part} không mã hóa UTF-8; mở và lưu lại bằng Excel")


@dataclass(eq=False, slots=True)
class _El:
    """An element of a parsed part and where its bytes are."""

    uri: str
    local: str
    attrs: dict[str, str]
    start: int  # offset of "<"
    head_end: int  # just after the start tag
    end: int = 0  # just after the element
    inner_end: int = 0  # the offset of the end tag ("end" for an empty element)
    children: list[_El] = field(default_factory=list)

    def qname(self, xml: bytes) -> bytes:
        """The name as written, with its prefix (``x:sheet``)."""
        m = re.match(rb"<([^\s/>]+)", xml[self.start : self.head_end])
        assert m is not None
        return m.group(1)

    def prefix(self, xml: bytes) -> bytes:
        q = self.qname(xml)
        return q[: q.index(b":") + 1] if b":" in q else b""

    def find(self, local: str) -> _El | None:
        return next((c for c in self.children if c.local == local), None)

    def all(self, local: str) -> list[_El]:
        return [c for c in self.children if c.local == local]


class _NoDoctype(Exception):
    pass


def _parse(xml: bytes, part: str) -> tuple[_El, dict[str, str]]:
    """The root element of a (small) part with every element's offsets, and the namespace
    prefixes declared on the root (prefix -> URI, ``""`` for the default namespace)."""
    _check_utf8(xml, part)
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[_El] = []
    root: list[_El] = []
    declared: dict[str, str] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        at = parser.CurrentByteIndex
        uri, _, local = name.rpartition(" ")
        el = _El(uri, local, attrs, at, _tag_end(xml, at))
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(_name: str) -> None:
        el = stack.pop()
        if xml[el.head_end - 2 : el.head_end] == b"/>":
            el.end = el.inner_end = el.head_end
        else:
            el.inner_end = parser.CurrentByteIndex
            el.end = xml.index(b">", el.inner_end) + 1

    def namespace(prefix: str | None, uri: str) -> None:
        if not stack:
            declared[prefix or ""] = uri

    def doctype(*_args: object) -> None:
        raise _NoDoctype

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartNamespaceDeclHandler = namespace
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(xml, True)
    except (expat.ExpatError, _NoDoctype):
        raise PackageRefused(f"phần {part} không phải XML hợp lệ; mở và lưu lại bằng Excel") from None
    if root[0].uri == STRICT_NS:
        raise PackageRefused(
            "tệp lưu theo dạng “Strict Open XML”; đơn vị lưu lại bằng Excel dạng “Excel Workbook (.xlsx)”"
        )
    return root[0], declared


def _attr_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def xml_text(value: str) -> str:
    """``value`` as the text of a cell (inline string): characters XML cannot hold left out,
    Excel's ``_xHHHH_`` escapes escaped, ``&<>`` and a carriage return as references."""
    value = _EXCEL_ESCAPE.sub(r"_x005F_\1", _NOT_XML.sub("", value))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with attribute ``name`` set (replaced where present, else added)."""
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)([\"'])[^\"']*\2")
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + m.group(2) + value + m.group(2), tag, count=1)
    cut = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:cut] + b" " + name + b'="' + value + b'"' + tag[cut:]


def _drop_attr(tag: bytes, name: bytes) -> bytes:
    return re.sub(rb"\s" + re.escape(name) + rb"\s*=\s*([\"'])[^\"']*\1", b"", tag, count=1)


def _splice(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each ``(start, end, new)`` range replaced (ranges do not overlap)."""
    out = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out += [xml[pos:start], new]
        pos = end
    out.append(xml[pos:])
    return b"".join(out)


def _insert_after(parent: _El, order: tuple[str, ...], before: str) -> int:
    """Where a new child ``before`` goes in ``parent``: after the last child named in
    ``order`` (the schema's sequence up to it), else at the start of the parent's content."""
    at = parent.head_end
    for child in parent.children:
        if child.local in order:
            at = child.end
        elif child.local == before:
            break
    return at


# ------------------------------------------------------------------ cell references


def column_letter(col: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """``A1:Q5`` -> (first row, first col, last row, last col), rows 1-based, cols 0-based."""
    parts = ref.upper().split(":")
    cells = [_REF.match(p) for p in parts]
    if not 1 <= len(parts) <= 2 or any(c is None for c in cells):
        return None
    coords = [(int(c.group(2)), _column_index(c.group(1))) for c in cells if c]
    (r1, c1), (r2, c2) = coords[0], coords[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


# ------------------------------------------------------------------ worksheets: scanned, not parsed

_ATTR = {name: re.compile(rb"\s" + name + rb"""\s*=\s*(["'])([^"']*)\1""") for name in (b"r", b"s", b"t")}
_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d+)$")


def _attr(tag: bytes, name: bytes) -> str | None:
    m = _ATTR[name].search(tag)
    return m.group(2).decode("ascii", "replace") if m else None


@dataclass(slots=True)
class _Cell:
    col: int
    start: int
    end: int
    style: int
    kind: str | None  # the t attribute
    formula: bool
    value: bytes  # the raw content of <v>, or the whole content of <is>


@dataclass(slots=True)
class _Row:
    number: int
    start: int
    head_end: int
    inner_end: int = -1  # found on demand, with the cells
    end: int = -1
    cells: list[_Cell] | None = None


class _Sheet:
    """A worksheet's bytes and where its rows are, found without parsing every cell."""

    def __init__(self, xml: bytes, name: str):
        self.xml = xml
        self.name = name
        _check_utf8(xml, f"trang “{name}”")
        prolog = xml.find(b"<", 3 if xml.startswith(b"\xef\xbb\xbf") else 0)
        if xml.startswith(b"<?xml", prolog):
            prolog = xml.find(b"<", xml.index(b"?>", prolog))
        if xml.find(b"<!") >= 0 or xml.find(b"<?", prolog) >= 0:
            raise PackageRefused(
                f"trang “{name}” có chú thích XML hoặc khối CDATA, công cụ không sửa an toàn được; "
                "mở và lưu lại bằng Excel"
            )
        self.widths: list[tuple[int, int, float]] = []  # (first col, last col, width in characters)
        self.default_width = 8.43  # Excel's, where the sheet says none
        self.default_height: float | None = None  # sheetFormatPr's defaultRowHeight (points)
        head = self._head()
        self.prefix, self.data_start, self.data_head_end, self.dimension, self.cols = head
        q = self.prefix + b"sheetData"
        if xml[self.data_head_end - 2 : self.data_head_end] == b"/>":
            self.data_inner_end = self.data_end = self.data_head_end
        else:
            self.data_inner_end = xml.index(b"</" + q, self.data_head_end)
            self.data_end = xml.index(b">", self.data_inner_end) + 1
        if xml.find(b"xmlns", self.data_start, self.data_end) >= 0 and re.compile(
            rb"<[^<>]*\sxmlns[:=]"
        ).search(xml, self.data_start, self.data_end):
            raise PackageRefused(
                f"trang “{name}” khai báo không gian tên bên trong bảng; mở và lưu lại bằng Excel"
            )
        p = re.escape(self.prefix)
        #: a row's start tag and its attributes (numbers and flags: never a ">" in them)
        self._row_head = re.compile(b"<" + p + rb"row(?=[\s/>])([^>]*)>")
        self._row_close = b"</" + self.prefix + b"row"
        self._cell_start = re.compile(b"<" + p + rb"c[\s/>]")
        self._cell_close = re.compile(b"</" + p + rb"c\s*>")
        self._formula = re.compile(b"<" + p + rb"f[\s/>]")
        self._value = re.compile(b"<" + p + rb"v\s*>([^<]*)</" + p + rb"v\s*>")
        self._inline = re.compile(b"<" + p + rb"is\s*>(.*?)</" + p + rb"is\s*>", re.DOTALL)
        self._rows: list[_Row] | None = None
        self._by_number: dict[int, _Row] = {}

    @property
    def rows(self) -> list[_Row]:
        """The rows of ``<sheetData>`` (scanned once, when first asked)."""
        if self._rows is None:
            self._rows = self._scan_rows()
            self._by_number = {row.number: row for row in self._rows}
        return self._rows

    def _head(self) -> tuple[bytes, int, int, tuple[int, int, str] | None, list[tuple[int, int, int]]]:
        """Up to ``<sheetData>``, parsed: its prefix and offsets, the dimension and the columns' styles."""
        parser = expat.ParserCreate(namespace_separator=" ")
        found: list[int] = []
        dimension: list[tuple[int, int, str]] = []
        cols: list[tuple[int, int, int]] = []

        class Stop(Exception):
            pass

        def start(tag: str, attrs: dict[str, str]) -> None:
            uri, _, local = tag.rpartition(" ")
            if uri == STRICT_NS:
                raise PackageRefused(
                    "tệp lưu theo dạng “Strict Open XML”; đơn vị lưu lại bằng Excel dạng .xlsx"
                )
            if uri != MAIN_NS:
                return
            at = parser.CurrentByteIndex
            if local == "sheetData":
                found.append(at)
                raise Stop
            if local == "dimension" and "ref" in attrs:
                dimension.append((at, _tag_end(self.xml, at), attrs["ref"]))
            if local == "col" and attrs.get("style", "0") != "0":
                with contextlib.suppress(KeyError, ValueError):
                    cols.append((int(attrs["min"]) - 1, int(attrs["max"]) - 1, int(attrs["style"])))
            if local == "col" and "width" in attrs:
                with contextlib.suppress(KeyError, ValueError):
                    self.widths.append((int(attrs["min"]) - 1, int(attrs["max"]) - 1, float(attrs["width"])))
            if local == "sheetFormatPr":
                with contextlib.suppress(ValueError):
                    if "defaultColWidth" in attrs:
                        self.default_width = float(attrs["defaultColWidth"])
                    elif "baseColWidth" in attrs:
                        self.default_width = float(attrs["baseColWidth"]) + 0.43
                    if "defaultRowHeight" in attrs:
                        self.default_height = float(attrs["defaultRowHeight"])

        parser.StartElementHandler = start
        try:
            parser.Parse(self.xml, True)
        except Stop:
            pass
        except expat.ExpatError:
            raise PackageRefused(
                f"trang “{self.name}” không phải XML hợp lệ; mở và lưu lại bằng Excel"
            ) from None
        if not found:
            raise PackageRefused(f"trang “{self.name}” không có phần dữ liệu (sheetData)")
        at = found[0]
        m = re.match(rb"<([^\s/>]*:)?sheetData", self.xml[at:])
        assert m is not None
        return m.group(1) or b"", at, _tag_end(self.xml, at), dimension[0] if dimension else None, cols

    def _scan_rows(self) -> list[_Row]:
        rows: list[_Row] = []
        number = 0
        for m in self._row_head.finditer(self.xml, self.data_head_end, self.data_inner_end):
            r = _ATTR[b"r"].search(m.group(1))
            number = int(r.group(2)) if r and r.group(2).isdigit() else number + 1
            rows.append(_Row(number, m.start(), m.end()))
        return rows

    def row(self, number: int) -> _Row | None:
        """Row ``number`` (1-based) with its extent and cells, or None when the sheet has none."""
        row = self._by_number.get(number) if self.rows else None
        if row is None or row.cells is not None:
            return row
        if self.xml[row.head_end - 2 : row.head_end] == b"/>":
            row.inner_end = row.end = row.head_end
        else:
            row.inner_end = self.xml.find(self._row_close, row.head_end, self.data_inner_end)
            if row.inner_end < 0:
                raise PackageRefused(f"trang “{self.name}” hỏng (dòng {number} không đóng)")
            row.end = self.xml.index(b">", row.inner_end) + 1
        row.cells = self._cells(row)
        return row

    def _cells(self, row: _Row) -> list[_Cell]:
        cells: list[_Cell] = []
        col = -1
        pos = row.head_end
        while (m := self._cell_start.search(self.xml, pos, row.inner_end)) is not None:
            start = m.start()
            head_end = _tag_end(self.xml, start)
            tag = self.xml[start:head_end]
            ref = _attr(tag, b"r")
            ref_m = _CELL_REF.match(ref.encode()) if ref else None
            col = _column_index(ref_m.group(1).decode()) if ref_m else col + 1
            if tag.endswith(b"/>"):
                end = content_end = head_end
            else:
                close = self._cell_close.search(self.xml, head_end, row.inner_end)
                if close is None:
                    raise PackageRefused(f"trang “{self.name}” hỏng (ô không đóng ở dòng {row.number})")
                content_end, end = close.start(), close.end()
            content = self.xml[head_end:content_end]
            s = _attr(tag, b"s")
            value = self._value.search(content)
            inline = self._inline.search(content)
            cells.append(
                _Cell(
                    col,
                    start,
                    end,
                    int(s) if s and s.isdigit() else 0,
                    _attr(tag, b"t"),
                    self._formula.search(content) is not None,
                    value.group(1) if value else inline.group(1) if inline else b"",
                )
            )
            pos = end
        return cells

    def column_style(self, col: int) -> int:
        return next((s for lo, hi, s in self.cols if lo <= col <= hi), 0)

    def column_width(self, col: int) -> float:
        """The column's width in characters (the sheet's default where ``<cols>`` says none)."""
        return next((w for lo, hi, w in self.widths if lo <= col <= hi), self.default_width)


def _inline_text(content: bytes) -> str:
    """The text of an ``<is>`` or a shared ``<si>``: its ``<t>`` runs, phonetic runs left out."""
    parser = expat.ParserCreate()
    parts: list[str] = []
    depth: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        depth.append(name.rpartition(":")[2])

    def end(_name: str) -> None:
        depth.pop()

    def text(data: str) -> None:
        if depth and depth[-1] == "t" and "rPh" not in depth:
            parts.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(b"<w>" + content + b"</w>", True)
    except expat.ExpatError:
        return ""
    return "".join(parts)


# ------------------------------------------------------------------ styles


@dataclass(frozen=True, slots=True)
class CellStyle:
    """A cell format the Office's tabs use: looked up in ``styles.xml``, added when absent."""

    bold: bool = False
    size: int = 11
    fill: str | None = None  # RGB, e.g. "D9D9D9"
    wrap: bool = False
    vertical: str | None = None  # "top", "center"


_TRUE = {"1", "true"}


def _font_key(el: _El) -> frozenset[tuple[str, str]]:
    """What a font looks like, with what Excel or LibreOffice add on a save left out."""
    out = set()
    for c in el.children:
        val = c.attrs.get("val", "1" if c.local in ("b", "i", "strike", "u") else "")
        if c.local in ("family", "scheme", "charset", "color"):
            continue
        if c.local in ("b", "i", "strike"):
            if val in _TRUE:
                out.add((c.local, "1"))
            continue
        if c.local == "sz":
            val = val.removesuffix(".0")
        out.add((c.local, val))
    return frozenset(out)


def _fill_key(el: _El) -> tuple[str, str]:
    pattern = el.find("patternFill")
    if pattern is None:
        return ("", "")
    fg = pattern.find("fgColor")
    rgb = fg.attrs.get("rgb", "").upper()[-6:] if fg is not None else ""
    return (pattern.attrs.get("patternType", "none"), rgb)


#: an alignment's attributes that say nothing (LibreOffice writes them all)
_ALIGN_DEFAULTS = {
    ("horizontal", "general"),
    ("vertical", "bottom"),
    ("textRotation", "0"),
    ("wrapText", "0"),
    ("indent", "0"),
    ("relativeIndent", "0"),
    ("justifyLastLine", "0"),
    ("shrinkToFit", "0"),
    ("readingOrder", "0"),
}


def _xf_key(el: _El) -> tuple[object, ...]:
    def children(local: str, defaults: dict[str, str]) -> frozenset[tuple[str, str]]:
        child = el.find(local)
        attrs = dict(defaults, **(child.attrs if child is not None else {}))
        pairs = {(k, "1" if v in _TRUE else "0" if v == "false" else v) for k, v in attrs.items()}
        return frozenset(pairs - _ALIGN_DEFAULTS if local == "alignment" else pairs)

    a = el.attrs
    return (
        a.get("numFmtId", "0"),
        a.get("fontId", "0"),
        a.get("fillId", "0"),
        a.get("borderId", "0"),
        a.get("xfId", "0"),
        children("alignment", {}),
        children("protection", {"locked": "1", "hidden": "0"}),
    )


def _date_code(code: str) -> str:
    return code.replace("\\", "").replace('"', "").lower()


class _Styles:
    """``styles.xml``: number formats, fonts, fills and cell formats, with entries appended."""

    def __init__(self, xml: bytes, part: str):
        self.xml = xml
        self.part = part
        self.root, self.declared = _parse(xml, part)
        self.p = self.root.prefix(xml)
        self.added: dict[str, list[bytes]] = {}
        self._keys: dict[str, list[object]] = {}
        for section, key in (("fonts", _font_key), ("fills", _fill_key), ("cellXfs", _xf_key)):
            el = self.root.find(section)
            self._keys[section] = [key(c) for c in el.children] if el is not None else []
        cellxfs = self.root.find("cellXfs")
        if cellxfs is None or not cellxfs.children or self.root.find("fonts") is None:
            raise PackageRefused("phần định dạng (styles.xml) thiếu; mở và lưu lại bằng Excel")
        self.xfs: list[tuple[_El | None, bytes]] = [(c, xml[c.start : c.end]) for c in cellxfs.children]
        numfmts = self.root.find("numFmts")
        self.formats = {
            int(c.attrs["numFmtId"]): c.attrs.get("formatCode", "")
            for c in (numfmts.children if numfmts is not None else [])
            if c.attrs.get("numFmtId", "").isdigit()
        }

    def _index(self, section: str, entry: bytes, key_of: Callable[[_El], object]) -> int:
        """The index of an entry like ``entry`` in ``section`` (compared by ``key_of``), added when none is."""
        key = key_of(_parse_fragment(entry, self.declared))
        keys = self._keys[section]
        if key in keys:
            return keys.index(key)
        self.added.setdefault(section, []).append(entry)
        keys.append(key)
        if section == "cellXfs":
            self.xfs.append((None, entry))
        return len(keys) - 1

    def _el(self, tag: str, attrs: str = "", inner: str = "") -> bytes:
        p = self.p.decode()
        head = f"<{p}{tag}{' ' + attrs if attrs else ''}"
        return (f"{head}>{inner}</{p}{tag}>" if inner else f"{head}/>").encode()

    def wraps(self, index: int) -> bool:
        """Whether cell format ``index`` wraps its text."""
        if not 0 <= index < len(self.xfs):
            return False
        el, raw = self.xfs[index]
        if el is None:
            el = _parse_fragment(raw, self.declared)
        align = el.find("alignment")
        return align is not None and align.attrs.get("wrapText", "0") in _TRUE

    def date_style(self, base: int) -> int:
        """A cell format showing ``DD/MM/YYYY``: ``base`` itself when it does, else ``base`` with that
        number format (found, or added)."""
        base = base if 0 <= base < len(self.xfs) else 0
        el, raw = self.xfs[base]
        num = (
            int(el.attrs.get("numFmtId", "0"))
            if el is not None and el.attrs.get("numFmtId", "").isdigit()
            else 0
        )
        if _date_code(self.formats.get(num, "")) == "dd/mm/yyyy":
            return base
        fmt = next((i for i, c in self.formats.items() if _date_code(c) == "dd/mm/yyyy"), None)
        if fmt is None:
            fmt = max([163, *self.formats]) + 1
            self.formats[fmt] = DATE_FORMAT
            self.added.setdefault("numFmts", []).append(
                self._el("numFmt", f'numFmtId="{fmt}" formatCode="{DATE_FORMAT}"')
            )
        head_end = _tag_end(raw, 0)
        tag = _set_attr(_set_attr(raw[:head_end], b"numFmtId", str(fmt).encode()), b"applyNumberFormat", b"1")
        return self._index("cellXfs", tag + raw[head_end:], _xf_key)

    def style(self, spec: CellStyle) -> int:
        """The cell format for ``spec`` (Calibri), found or added with its font and fill."""
        font = self._el(
            "font",
            inner=(self._el("b").decode() if spec.bold else "")
            + self._el("sz", f'val="{spec.size}"').decode()
            + self._el("name", 'val="Calibri"').decode()
            + self._el("family", 'val="2"').decode(),
        )
        font_id = self._index("fonts", font, _font_key)
        fill_id = 0
        if spec.fill:
            fill = self._el(
                "fill",
                inner=self._el(
                    "patternFill",
                    'patternType="solid"',
                    self._el("fgColor", f'rgb="FF{spec.fill}"').decode()
                    + self._el("bgColor", 'indexed="64"').decode(),
                ).decode(),
            )
            fill_id = self._index("fills", fill, _fill_key)
        align = " ".join(
            a
            for a in (
                f'vertical="{spec.vertical}"' if spec.vertical else "",
                'wrapText="1"' if spec.wrap else "",
            )
            if a
        )
        applies = (
            ' applyFont="1"'
            + (' applyFill="1"' if fill_id else "")
            + (' applyAlignment="1"' if align else "")
        )
        xf = self._el(
            "xf",
            f'numFmtId="0" fontId="{font_id}" fillId="{fill_id}" borderId="0" xfId="0"{applies}',
            self._el("alignment", align).decode() if align else "",
        )
        return self._index("cellXfs", xf, _xf_key)

    def to_bytes(self) -> bytes | None:
        """The changed part, or None when nothing was added."""
        if not self.added:
            return None
        edits: list[tuple[int, int, bytes]] = []
        for section, entries in self.added.items():
            el = self.root.find(section)
            if el is None:  # numFmts: the first child of the style sheet
                edits.append(
                    (
                        self.root.head_end,
                        self.root.head_end,
                        self._el(section, f'count="{len(entries)}"', (b"".join(entries)).decode()),
                    )
                )
                continue
            total = len(el.children) + len(entries)
            head = _set_attr(self.xml[el.start : el.head_end], b"count", str(total).encode())
            if el.inner_end == el.head_end and head.endswith(b"/>"):
                q = el.qname(self.xml)
                edits.append((el.start, el.end, head[:-2] + b">" + b"".join(entries) + b"</" + q + b">"))
            else:
                edits += [(el.start, el.head_end, head), (el.inner_end, el.inner_end, b"".join(entries))]
        return _splice(self.xml, edits)


def _parse_fragment(fragment: bytes, declared: Mapping[str, str]) -> _El:
    """One element of ``styles.xml`` (its namespaces ``declared`` on the root), parsed for its key."""
    decls = "".join(f' xmlns{":" + p if p else ""}="{_attr_text(uri)}"' for p, uri in declared.items())
    xml = f"<w{decls}>".encode() + fragment + b"</w>"
    root, _ = _parse(xml, "styles.xml")
    return root.children[0]


# ------------------------------------------------------------------ a whole new worksheet


@dataclass(slots=True)
class SheetSpec:
    """A worksheet of text written whole: cells, their formats, widths, frozen rows, printing."""

    cells: dict[tuple[int, int], tuple[str, CellStyle | None]]  # (row, col), 0-based -> text, format
    widths: tuple[int, ...] = ()  # columns' widths, in characters
    frozen_rows: int = 0  # rows kept in view above the scrolling ones
    print_title_row: int | None = None  # 1-based: repeated at the top of each printed page
    landscape_fit_width: bool = False  # A4 landscape, one page wide
    protected: bool = False  # sheet protection on (no password)


def _sheet_xml(spec: SheetSpec, style_ids: Mapping[CellStyle, int]) -> bytes:
    rows: dict[int, list[tuple[int, str, int]]] = {}
    for (r, c), (text, style) in sorted(spec.cells.items()):
        rows.setdefault(r, []).append((c, text, style_ids[style] if style else 0))
    last_row = max(rows, default=0)
    last_col = max((c for r in rows.values() for c, _, _ in r), default=0)
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if spec.landscape_fit_width else "",
        f'<dimension ref="A1:{column_letter(last_col)}{last_row + 1}"/>',
        '<sheetViews><sheetView workbookViewId="0">',
    ]
    if spec.frozen_rows:
        top = f"A{spec.frozen_rows + 1}"
        out.append(
            f'<pane ySplit="{spec.frozen_rows}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
        )
    out.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if spec.widths:
        out.append("<cols>")
        out += [
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(spec.widths, 1)
        ]
        out.append("</cols>")
    out.append("<sheetData>")
    for r, cells in sorted(rows.items()):
        out.append(f'<row r="{r + 1}">')
        for c, text, s in cells:
            ref = f"{column_letter(c)}{r + 1}"
            attr = f' s="{s}"' if s else ""
            if text:
                out.append(
                    f'<c r="{ref}"{attr} t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'
                )
            else:
                out.append(f'<c r="{ref}"{attr}/>')
        out.append("</row>")
    out.append("</sheetData>")
    if spec.protected:
        out.append('<sheetProtection sheet="1" objects="1" scenarios="1"/>')
    out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    if spec.landscape_fit_width:
        out.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")


# ------------------------------------------------------------------ the package


@dataclass(slots=True)
class _SheetRef:
    name: str
    sheet_id: int
    rid: str
    part: str | None  # the worksheet part, None for a chart sheet or a dangling relationship
    el: _El


def _part_key(name: str) -> str:
    return name.lstrip("/").casefold()


def _resolve(source: str, target: str) -> str:
    """The part a relationship of ``source`` points at (OPC: relative to the source's folder)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class XlsxPackage:
    """A .xlsx package held in memory, edited in place; ``to_bytes()`` is the new file."""

    def __init__(self, data: bytes):
        self._entries, self._comment = _read_entries(data)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise PackageRefused(_NOT_ZIP.format("mục lục zip hỏng")) from None
        if [e.name for e in self._entries] != self._zip.namelist():
            raise PackageRefused(_NOT_ZIP.format("mục lục zip không khớp"))
        self._by_key = {_part_key(e.name): e for e in self._entries}
        self._sheets_cache: dict[str, _Sheet] = {}
        self._styles: _Styles | None = None
        self._recalc = False
        root_rels = self._rels("_rels/.rels", "")
        office = [t for typ, t, _ in root_rels.values() if typ.endswith("/officeDocument")]
        if not office:
            raise PackageRefused("gói .xlsx không có phần bảng tính (workbook); mở và lưu lại bằng Excel")
        if any("purl.oclc.org" in typ for typ, _, _ in root_rels.values()):
            raise PackageRefused(
                "tệp lưu theo dạng “Strict Open XML”; đơn vị lưu lại bằng Excel dạng “Excel Workbook (.xlsx)”"
            )
        self.workbook_part = office[0]
        self._book_rels_part = _rels_of(self.workbook_part)
        self._load_workbook()

    # -- parts

    def _entry(self, part: str) -> _Entry | None:
        return self._by_key.get(_part_key(part))

    def read(self, part: str) -> bytes | None:
        e = self._entry(part)
        if e is None:
            return None
        if e.new is not None:
            return e.new
        try:
            return self._zip.read(e.name)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            raise PackageRefused(f"phần {part} của gói hỏng; mở và lưu lại bằng Excel") from None

    def _write(self, part: str, data: bytes) -> None:
        e = self._entry(part)
        if e is not None and self.read(part) == data:
            return  # the same bytes: the entry stays as it was
        if e is None:
            e = _Entry(part.lstrip("/"), dos_time=_dos_now())
            self._entries.append(e)
            self._by_key[_part_key(part)] = e
        e.new = data

    def _remove(self, part: str) -> None:
        e = self._by_key.pop(_part_key(part), None)
        if e is not None:
            self._entries.remove(e)

    def _rels(self, part: str, source: str) -> dict[str, tuple[str, str, _El]]:
        """Relationship id -> (type, resolved target or external URL, element) of a .rels part."""
        xml = self.read(part)
        if xml is None:
            return {}
        root, _ = _parse(xml, part)
        out = {}
        for el in root.all("Relationship"):
            target = el.attrs.get("Target", "")
            external = el.attrs.get("TargetMode") == "External"
            out[el.attrs.get("Id", "")] = (
                el.attrs.get("Type", ""),
                target if external else _resolve(source, target),
                el,
            )
        return out

    # -- the workbook

    def _load_workbook(self) -> None:
        xml = self.read(self.workbook_part)
        if xml is None:
            raise PackageRefused("gói .xlsx thiếu phần bảng tính (workbook.xml); mở và lưu lại bằng Excel")
        self._book_xml = xml
        self._book, declared = _parse(xml, self.workbook_part)
        self._book_rels = self._rels(self._book_rels_part, self.workbook_part)
        sheets = self._book.find("sheets")
        if sheets is None:
            raise PackageRefused("bảng tính không có trang nào; mở và lưu lại bằng Excel")
        self._rel_prefix = next((p for p, uri in declared.items() if uri == REL_NS and p), None)
        self.sheets: list[_SheetRef] = []
        for el in sheets.all("sheet"):
            rid = el.attrs.get(REL_NS + " id", "")
            typ, target, _ = self._book_rels.get(rid, ("", "", el))
            sheet_id = el.attrs.get("sheetId", "0")
            self.sheets.append(
                _SheetRef(
                    el.attrs.get("name", ""),
                    int(sheet_id) if sheet_id.isdigit() else 0,
                    rid,
                    target if typ == WORKSHEET_TYPE else None,
                    el,
                )
            )
        pr = self._book.find("workbookPr")
        self.date1904 = pr is not None and pr.attrs.get("date1904", "0") in _TRUE

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def _sheet_ref(self, name: str) -> _SheetRef:
        ref = next((s for s in self.sheets if s.name == name), None)
        if ref is None or ref.part is None:
            raise PackageRefused(f"không tìm thấy trang tính “{name}” trong tệp")
        return ref

    def _sheet(self, name: str) -> _Sheet:
        if name not in self._sheets_cache:
            part = self._sheet_ref(name).part
            assert part is not None
            xml = self.read(part)
            if xml is None:
                raise PackageRefused(f"gói .xlsx thiếu phần của trang “{name}”; mở và lưu lại bằng Excel")
            self._sheets_cache[name] = _Sheet(xml, name)
        return self._sheets_cache[name]

    def _styles_part(self) -> _Styles:
        if self._styles is None:
            part = next((t for typ, t, _ in self._book_rels.values() if typ == REL_NS + "/styles"), None)
            xml = self.read(part) if part else None
            if part is None or xml is None:
                raise PackageRefused("tệp không có phần định dạng (styles.xml); mở và lưu lại bằng Excel")
            self._styles = _Styles(xml, part)
        return self._styles

    def _shared_string(self, index: int) -> str:
        part = next((t for typ, t, _ in self._book_rels.values() if typ == REL_NS + "/sharedStrings"), None)
        xml = self.read(part) if part else None
        if xml is None:
            return ""
        root, _ = _parse(xml, part or "")
        items = root.all("si")
        if not 0 <= index < len(items):
            return ""
        si = items[index]
        return _inline_text(xml[si.head_end : si.inner_end])

    # -- reading cells

    def cell_text(self, sheet: str, row: int, col: int) -> str | None:
        """The text a cell holds (inline, shared or a formula's text result); None otherwise (and for
        a tab that is not a worksheet)."""
        if next((s.part for s in self.sheets if s.name == sheet), None) is None:
            return None
        ws = self._sheet(sheet)
        found = ws.row(row)
        cell = next((c for c in found.cells or [] if c.col == col), None) if found else None
        if cell is None:
            return None
        if cell.kind == "inlineStr":
            return _inline_text(cell.value)
        if cell.kind == "s" and cell.value.strip().isdigit():
            return self._shared_string(int(cell.value))
        if cell.kind == "str":
            return _inline_text(b"<t>" + cell.value + b"</t>")
        return None

    def occupied(self, sheet: str, row: int) -> set[int]:
        """The columns (0-based) of ``row`` (1-based) holding a formula or a value."""
        found = self._sheet(sheet).row(row)
        return {c.col for c in found.cells or [] if c.formula or c.value.strip()} if found else set()

    # -- row heights

    def fit_rows(self, sheet: str, rows: Iterable[int]) -> dict[int, float]:
        """Make rows ``rows`` (1-based) tall enough for the text their wrapping cells hold, as
        Excel would on typing it (a program opening the file does not always recompute it, and a
        printed page keeps what the file says): ``ht`` and ``customHeight`` on each ``<row>`` that
        needs more than one line and is not that tall already; never lower. Returns the heights
        set (points)."""
        ws = self._sheet(sheet)
        line = ws.default_height or LINE_POINTS
        styles = self._styles_part()
        edits: list[tuple[int, int, bytes]] = []
        heights: dict[int, float] = {}
        for number in sorted(set(rows)):
            row = ws.row(number)
            if row is None:
                continue
            texts = {
                c.col: text
                for c in row.cells or []
                if styles.wraps(c.style or ws.column_style(c.col))
                and (text := self.cell_text(sheet, number, c.col))
            }
            lines = row_lines(texts, {c: ws.column_width(c) for c in texts}, texts)
            tag = ws.xml[row.start : row.head_end]
            now = re.search(rb"""\sht\s*=\s*["']([\d.]+)["']""", tag)
            wanted = row_points(lines, line)
            if lines < 2 or (now is not None and float(now.group(1)) >= wanted):
                continue
            new_tag = _set_attr(_set_attr(tag, b"ht", f"{wanted:g}".encode()), b"customHeight", b"1")
            edits.append((row.start, row.head_end, new_tag))
            heights[number] = wanted
        if edits:
            self._save_sheet(sheet, _splice(ws.xml, edits))
        return heights

    # -- writing cells

    def write_cells(
        self, sheet: str, rows: Mapping[int, Mapping[int, CellValue]], *, style_row: int | None = None
    ) -> None:
        """Write ``rows`` (1-based row -> 0-based column -> value) into ``sheet``.

        A cell already there keeps its format; a new cell takes the format of the cell above in
        ``style_row`` (or its column's). Text is an inline string, a number a number, a date a
        serial number shown ``DD/MM/YYYY``. A cell holding a formula is refused, never overwritten.
        """
        ws = self._sheet(sheet)
        for number, values in rows.items():
            existing = ws.row(number)
            for cell in existing.cells or [] if existing else []:
                if cell.col in values and cell.formula:
                    raise PackageRefused(
                        f"ô {column_letter(cell.col)}{number} của trang “{sheet}” có công thức; công cụ không ghi "
                        "đè công thức của đơn vị. Đơn vị xóa công thức ở các dòng trống cuối bảng, hoặc Văn phòng "
                        "tự nhập"
                    )
        above: dict[int, int] = {}
        if style_row is not None and (row := ws.row(style_row)) is not None:
            above = {c.col: c.style for c in row.cells or [] if c.style}
        p = ws.prefix.decode()
        edits: list[tuple[int, int, bytes]] = []
        new_rows: list[bytes] = []
        for number in sorted(rows):
            existing = ws.row(number)
            styles = {c.col: c.style for c in existing.cells or [] if c.style} if existing else {}
            written = {
                col: self._cell_xml(
                    p, col, number, value, styles.get(col) or above.get(col) or ws.column_style(col)
                )
                for col, value in rows[number].items()
            }
            if existing is not None:
                edits += self._merge_row(ws, existing, written)
                continue
            xml = (
                f'<{p}row r="{number}">'.encode()
                + b"".join(written[c] for c in sorted(written))
                + f"</{p}row>".encode()
            )
            after = next((r.start for r in ws.rows if r.number > number), None)
            if after is not None:
                edits.append((after, after, xml))
            else:
                new_rows.append(xml)
        if new_rows and ws.data_inner_end == ws.data_head_end:  # <sheetData/>
            q = ws.prefix + b"sheetData"
            edits.append(
                (ws.data_start, ws.data_end, b"<" + q + b">" + b"".join(new_rows) + b"</" + q + b">")
            )
        elif new_rows:
            edits.append((ws.data_inner_end, ws.data_inner_end, b"".join(new_rows)))
        bounds = [(r, c) for r, cells in rows.items() for c in cells]
        if ws.dimension is not None and bounds:
            edits.append(self._dimension_edit(ws, bounds))
        self._save_sheet(sheet, _splice(ws.xml, edits))
        self._recalc = True

    def _merge_row(self, ws: _Sheet, row: _Row, written: dict[int, bytes]) -> list[tuple[int, int, bytes]]:
        edits: list[tuple[int, int, bytes]] = []
        cells = row.cells or []
        by_col = {c.col: c for c in cells}
        for col in sorted(written):
            xml = written[col]
            if col in by_col:
                edits.append((by_col[col].start, by_col[col].end, xml))
            else:
                later = [c for c in cells if c.col > col]
                at = later[0].start if later else row.inner_end
                edits.append((at, at, xml))
        tag = ws.xml[row.start : row.head_end]
        new_tag = tag
        spans = re.search(rb"""\sspans\s*=\s*["'](\d+):(\d+)["']""", tag)
        if spans and not all(int(spans.group(1)) <= c + 1 <= int(spans.group(2)) for c in written):
            new_tag = _drop_attr(new_tag, b"spans")
        if new_tag.endswith(b"/>"):  # an empty row: opened for its cells
            q = re.match(rb"<([^\s/>]+)", new_tag)
            assert q is not None
            body = b"".join(written[c] for c in sorted(written))
            return [(row.start, row.end, new_tag[:-2] + b">" + body + b"</" + q.group(1) + b">")]
        if new_tag != tag:
            edits.append((row.start, row.head_end, new_tag))
        return edits

    def _dimension_edit(self, ws: _Sheet, bounds: list[tuple[int, int]]) -> tuple[int, int, bytes]:
        """The ``<dimension>`` grown to hold the cells written."""
        assert ws.dimension is not None
        start, end, ref = ws.dimension
        rows = [r for r, _ in bounds]
        cols = [c for _, c in bounds]
        now = _parse_range(ref) if ws.rows else None  # an empty sheet says "A1"
        if now is not None:
            rows += [now[0], now[2]]
            cols += [now[1], now[3]]
        new_ref = f"{column_letter(min(cols))}{min(rows)}:{column_letter(max(cols))}{max(rows)}"
        return start, end, _set_attr(ws.xml[start:end], b"ref", new_ref.encode())

    def _cell_xml(self, p: str, col: int, row: int, value: CellValue, style: int) -> bytes:
        ref = f"{column_letter(col)}{row}"
        if isinstance(value, date):
            epoch = date(1904, 1, 1) if self.date1904 else date(1899, 12, 30)
            day = value.date() if isinstance(value, datetime) else value
            s = self._styles_part().date_style(style)
            return f'<{p}c r="{ref}" s="{s}"><{p}v>{(day - epoch).days}</{p}v></{p}c>'.encode()
        s_attr = f' s="{style}"' if style else ""
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"cannot write {type(value).__name__}")
        if isinstance(value, int):
            return f'<{p}c r="{ref}"{s_attr}><{p}v>{value}</{p}v></{p}c>'.encode()
        text = xml_text(value)
        return (
            f'<{p}c r="{ref}"{s_attr} t="inlineStr"><{p}is><{p}t xml:space="preserve">{text}</{p}t></{p}is></{p}c>'
        ).encode()

    def _save_sheet(self, name: str, xml: bytes) -> None:
        part = self._sheet_ref(name).part
        assert part is not None
        self._write(part, xml)
        self._sheets_cache[name] = _Sheet(xml, name)

    # -- whole sheets

    def put_sheet(self, name: str, spec: SheetSpec) -> None:
        """Write worksheet ``name`` whole: over the worksheet of that name (same part, same position;
        everything it held goes, with the parts only it used — printer settings, comments … — and
        the names defined on it), else added at the end."""
        styles = {spec_style for _, spec_style in spec.cells.values() if spec_style}
        style_ids = {s: self._styles_part().style(s) for s in sorted(styles, key=repr)}
        xml = _sheet_xml(spec, style_ids)
        if name in self.sheet_names():
            ref = self._sheet_ref(name)
            assert ref.part is not None
            self._drop_sheet_parts(ref.part)
            self._write(ref.part, xml)
            self._sheets_cache.pop(name, None)
            index = self.sheets.index(ref)
            book_edits = self._local_names_removed(index)
        else:
            index = len(self.sheets)
            part, rid = self._new_sheet_part()
            self._write(part, xml)
            book_edits = [self._sheet_entry(name, rid)]
            self.sheets.append(_SheetRef(name, 0, rid, part, self._book))
        if spec.print_title_row:
            quoted = "'" + name.replace("'", "''") + "'"
            row = spec.print_title_row
            book_edits += self._defined_name_added(
                f'name="_xlnm.Print_Titles" localSheetId="{index}"', f"{quoted}!${row}:${row}"
            )
        self._book_edit(book_edits)

    def _new_sheet_part(self) -> tuple[str, str]:
        folder = posixpath.join(posixpath.dirname(self.workbook_part), "worksheets")
        n = len(self.sheets) + 1
        while self._entry(posixpath.join(folder, f"sheet{n}.xml")) is not None:
            n += 1
        part = posixpath.join(folder, f"sheet{n}.xml")
        taken = set(self._book_rels)
        numbers = [int(i[3:]) for i in taken if i.startswith("rId") and i[3:].isdigit()]
        rid = f"rId{max(numbers, default=0) + 1}"
        # the relationship
        rels_xml = self.read(self._book_rels_part)
        if rels_xml is None:
            raise PackageRefused("gói .xlsx thiếu phần quan hệ của bảng tính; mở và lưu lại bằng Excel")
        root, _ = _parse(rels_xml, self._book_rels_part)
        p = root.prefix(rels_xml).decode()
        target = posixpath.relpath(part, posixpath.dirname(self.workbook_part) or ".")
        rel = f'<{p}Relationship Id="{rid}" Type="{WORKSHEET_TYPE}" Target="{target}"/>'.encode()
        self._write(self._book_rels_part, _splice(rels_xml, [(root.inner_end, root.inner_end, rel)]))
        self._book_rels = self._rels(self._book_rels_part, self.workbook_part)
        self._content_type(part, WORKSHEET_CONTENT_TYPE)
        return part, rid

    def _content_type(self, part: str, content_type: str | None) -> None:
        """Declare ``part``'s content type (an Override), or (None) remove its Override."""
        xml = self.read("[Content_Types].xml")
        if xml is None:
            raise PackageRefused("gói .xlsx thiếu [Content_Types].xml; mở và lưu lại bằng Excel")
        root, _ = _parse(xml, "[Content_Types].xml")
        name = "/" + part.lstrip("/")
        overrides = [
            el for el in root.all("Override") if _part_key(el.attrs.get("PartName", "")) == _part_key(name)
        ]
        if content_type is None:
            if overrides:
                self._write(
                    "[Content_Types].xml", _splice(xml, [(el.start, el.end, b"") for el in overrides])
                )
            return
        if overrides:
            return
        p = root.prefix(xml).decode()
        new = f'<{p}Override PartName="{_attr_text(name)}" ContentType="{content_type}"/>'.encode()
        self._write("[Content_Types].xml", _splice(xml, [(root.inner_end, root.inner_end, new)]))

    def _drop_sheet_parts(self, part: str) -> None:
        """Remove ``part``'s relationships and the parts only they point at (recursively)."""
        rels_part = _rels_of(part)
        rels = self._rels(rels_part, part)
        if not rels and self._entry(rels_part) is None:
            return
        self._remove(rels_part)
        self._content_type(rels_part, None)
        used = self._targets_in_use()
        for typ, target, el in rels.values():
            if el.attrs.get("TargetMode") == "External" or _part_key(target) in used or typ == WORKSHEET_TYPE:
                continue
            if self._entry(target) is not None:
                self._drop_sheet_parts(target)
                self._remove(target)
                self._content_type(target, None)

    def _targets_in_use(self) -> set[str]:
        used: set[str] = set()
        for e in list(self._entries):
            if e.name.endswith(".rels"):
                folder = posixpath.dirname(posixpath.dirname(e.name))
                source = posixpath.join(folder, posixpath.basename(e.name)[: -len(".rels")])
                used |= {_part_key(t) for _, t, _ in self._rels(e.name, source).values()}
        return used

    def _sheet_entry(self, name: str, rid: str) -> tuple[int, int, bytes]:
        sheets = self._book.find("sheets")
        assert sheets is not None
        p = sheets.prefix(self._book_xml).decode()
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1
        rel = f'{self._rel_prefix}:id="{rid}"' if self._rel_prefix else f'xmlns:r="{REL_NS}" r:id="{rid}"'
        el = f'<{p}sheet name="{_attr_text(name)}" sheetId="{sheet_id}" {rel}/>'.encode()
        return sheets.inner_end, sheets.inner_end, el

    def _local_names_removed(self, index: int) -> list[tuple[int, int, bytes]]:
        names = self._book.find("definedNames")
        if names is None:
            return []
        return [
            (el.start, el.end, b"")
            for el in names.all("definedName")
            if el.attrs.get("localSheetId") == str(index)
        ]

    def _defined_name_added(self, attrs: str, value: str) -> list[tuple[int, int, bytes]]:
        names = self._book.find("definedNames")
        p = self._book.prefix(self._book_xml).decode()
        el = f"<{p}definedName {attrs}>{xml_text(value)}</{p}definedName>".encode()
        if names is not None and names.inner_end != names.head_end:
            return [(names.inner_end, names.inner_end, el)]
        if names is not None:  # <definedNames/>
            return [
                (names.start, names.end, f"<{p}definedNames>".encode() + el + f"</{p}definedNames>".encode())
            ]
        at = _insert_after(self._book, _BEFORE_DEFINED_NAMES, "definedNames")
        return [(at, at, f"<{p}definedNames>".encode() + el + f"</{p}definedNames>".encode())]

    def _book_edit(self, edits: list[tuple[int, int, bytes]]) -> None:
        if not edits:
            return
        self._write(self.workbook_part, _splice(self._book_xml, edits))
        sheets = [(s.name, s.part) for s in self.sheets]
        self._load_workbook()
        for ref in self.sheets:  # parts of sheets added in this session are known before the rels reload
            ref.part = ref.part or dict(sheets).get(ref.name)

    def _recalc_on_load(self) -> None:
        """Ask Excel to recalculate on opening: formulas may read the cells written."""
        formulas = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
        if not any(
            (data := self.read(s.part)) is not None and formulas.search(data) for s in self.sheets if s.part
        ):
            return
        calc = self._book.find("calcPr")
        if calc is not None:
            tag = self._book_xml[calc.start : calc.head_end]
            if calc.attrs.get("fullCalcOnLoad") in _TRUE:
                return
            self._book_edit([(calc.start, calc.head_end, _set_attr(tag, b"fullCalcOnLoad", b"1"))])
            return
        p = self._book.prefix(self._book_xml).decode()
        at = _insert_after(self._book, (*_BEFORE_DEFINED_NAMES, "definedNames"), "calcPr")
        self._book_edit([(at, at, f'<{p}calcPr fullCalcOnLoad="1"/>'.encode())])

    # -- the result

    def to_bytes(self) -> bytes:
        """The package with the edits: untouched entries copied byte for byte."""
        if self._recalc:
            self._recalc_on_load()
            self._recalc = False
        if self._styles is not None and (styles := self._styles.to_bytes()) is not None:
            self._write(self._styles.part, styles)
            self._styles = _Styles(styles, self._styles.part)
        return _write_entries(self._entries, self._comment)


#: CT_Workbook's children that come before ``definedNames`` (ECMA-376 part 1, 18.2.27)
_BEFORE_DEFINED_NAMES = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
)
