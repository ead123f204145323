"""The layout of a sheet the Office hands out, derived from a schema and shared by both backends.

The schema says what each column is (title, type, owner, allowed words); this module says how a
new sheet shows it: column order, widths, which columns are the Office's (protected) and which the
unit fills, which cells get a dropdown or a date rule, and the date display. The xlsx writer and the
Google writer both build from :func:`columns`, so the two backends lay a sheet out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from sync.schema import Field, Schema

#: The header is the first row; data starts on the second. Frozen so the header stays in view.
HEADER_ROW = 1
#: How dates are shown, day first (contract §1). Same pattern in Excel, LibreOffice and Google.
DATE_FORMAT = "dd/mm/yyyy"
#: Rows prepared with dropdowns and date rules below the header (a unit adds rows inside them).
PREPARED_ROWS = 500

#: Width in characters (Excel's unit) by field; the rest by type.
_WIDTH_BY_FIELD = {
    "stt": 6,
    "task_id": 14,
    "doc_ref": 18,
    "summary": 48,
    "assigner": 18,
    "progress": 42,
    "result_doc": 20,
    "obstacles": 36,
}
_WIDTH_BY_TYPE = {"date": 13, "date_or_kind": 14, "enum": 18, "unit": 26, "unit_list": 26}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a new sheet: the field, where it sits and how it is shown and guarded."""

    field: Field
    index: int  # 0-based column index
    width: int  # characters (Excel); Google pixels are :attr:`pixels`

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)

    @property
    def pixels(self) -> int:
        """Google's column width in pixels for the same visual width (7 px per character + padding)."""
        return self.width * 7 + 10

    @property
    def office(self) -> bool:
        """True when the Office fills it: protected in the unit's sheet."""
        return self.field.owner == "office"

    @property
    def is_date(self) -> bool:
        """A date column: date validation and dd/mm/yyyy display (``date_or_kind`` also takes words)."""
        return self.field.type in ("date", "date_or_kind")

    @property
    def choices(self) -> tuple[str, ...]:
        """The dropdown's words: the first (canonical) spelling of each meaning, in schema order."""
        return tuple(spellings[0] for spellings in self.field.values.values() if spellings)

    @property
    def wraps(self) -> bool:
        """Long text wraps in its cell."""
        return self.field.type in ("text", "unit", "unit_list") and self.width >= 18


def columns(schema: Schema) -> tuple[Column, ...]:
    """The columns of a new sheet, in the schema's order."""
    out = []
    for i, f in enumerate(schema.fields):
        width = _WIDTH_BY_FIELD.get(f.name) or _WIDTH_BY_TYPE.get(f.type, 16)
        out.append(Column(field=f, index=i, width=width))
    return tuple(out)


def header(schema: Schema) -> list[str]:
    """The header row's titles."""
    return [c.field.title for c in columns(schema)]
