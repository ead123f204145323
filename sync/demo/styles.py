"""How each demo unit keeps its sheet: date and header spellings, layout, file state, updates."""

from __future__ import annotations

import dataclasses

from .model import DemoUnit, Style

#: By role (``DemoUnit.role``: the Kiên Giang 2024 code of the unit that first kept its sheet so).
_PLAIN_STYLES: dict[str, Style] = {
    "SNV": Style(date_style="text:dmy"),
    "STP": Style(date_style="text:d/m"),
    "SKHDT": Style(date_style="text:dash", lead_spelling="alias"),
    "STC": Style(date_style="text:dot"),
    "SCT": Style(date_style="text:iso"),
    "SNNPTNT": Style(date_style="text:words", lead_spelling="alias"),
    "SGTVT": Style(date_style="serial"),
    "SXD": Style(status_style="nfd"),
    "STNMT": Style(lead_spelling="nfd"),
    "STTTT": Style(header_style="alias"),
    "SLDTBXH": Style(header_style="ascii-upper", lead_spelling="alias"),
    "SVHTT": Style(instructions=True, tab_name="Theo dõi NV"),
    "SDL": Style(instructions=True),
    "SKHCN": Style(shuffled=True, merged_title=False),
    "SGDDT": Style(extra_columns=("Ghi chú",)),
    "SYT": Style(hidden_row=True),
    "SNGV": Style(file_state="absent"),
    "TTT": Style(blank_rows=True, lead_spelling="code"),
    "BDT": Style(omit=("updated_on",)),
    "BQLKKT": Style(omit=("extension_request", "result_doc"), lead_spelling="alias"),
    "TH": Style(status_style="variants"),
    "GT": Style(updates="late"),
    "KH": Style(updates="stopped"),
    "UMT": Style(file_state="corrupt"),
}


def style_for(unit: DemoUnit) -> Style:
    style = _PLAIN_STYLES.get(unit.role or "", Style())
    if unit.kind != "so-nganh":
        # district and commune sheets carry a "cập nhật đến" line above the header
        style = dataclasses.replace(style, header_row=6)
    return style
