"""The signature block (NĐ 30/2020, Phụ lục I): who signs and how, from the config's [report]."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from sync.config import load_config
from sync.exceptions import ConfigError
from sync.report.docx import ReportHeading, signature, signing_lines
from tests.helpers import write_config


def config_with(tmp_path: Path, report: str) -> Path:
    """A config whose [report] section is ``report`` (its first key on line 6)."""
    return write_config(tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")], "\n[report]\n" + report)


def signature_text(heading: ReportHeading) -> list[str]:
    doc = Document()
    signature(doc, heading)
    right = doc.tables[0].rows[0].cells[1]
    return [p.text for p in right.paragraphs]


@pytest.mark.parametrize(
    ("report", "lines"),
    [
        ("", ["CHÁNH VĂN PHÒNG"]),
        ('signing = "direct"', ["CHÁNH VĂN PHÒNG"]),
        ('signing = "Q"', ["Q. CHÁNH VĂN PHÒNG"]),
        (
            'signing = "KT"\nsigner_deputy_title = "PHÓ CHÁNH VĂN PHÒNG"',
            ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"],
        ),
        (
            'signing = "TL"\nsigner_deputy_title = "TRƯỞNG PHÒNG TỔNG HỢP"',
            ["TL. CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG TỔNG HỢP"],
        ),
    ],
)
def test_signing_modes(tmp_path: Path, report: str, lines: list[str]) -> None:
    heading = ReportHeading.from_config(load_config(config_with(tmp_path, report)))
    assert signing_lines(heading) == lines
    assert signature_text(heading)[: len(lines)] == lines


def test_signer_name_under_the_room_to_sign(tmp_path: Path) -> None:
    cfg = load_config(
        config_with(
            tmp_path,
            'signer_name = "Nguyễn Văn A"\nsigning = "KT"\nsigner_deputy_title = "PHÓ CHÁNH VĂN PHÒNG"',
        )
    )
    assert cfg.report.signer_name == "Nguyễn Văn A"
    text = signature_text(ReportHeading.from_config(cfg))
    assert text == ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "", "", "", "", "Nguyễn Văn A"]
    # without a name, a line for the signer to write it
    assert signature_text(ReportHeading())[-1] == "(Ký, ghi rõ họ tên)"


@pytest.mark.parametrize(
    ("report", "key", "line"),
    [
        ('signing = "ký thay"', "signing", 6),
        ('signing = "KT"', "signer_deputy_title", 6),
        ('signing = "TL"', "signer_deputy_title", 6),
        ('signer_deputy_title = "PHÓ CHÁNH VĂN PHÒNG"', "signer_deputy_title", 6),
        ('signing = "Q"\nsigner_deputy_title = "PHÓ CHÁNH VĂN PHÒNG"', "signer_deputy_title", 7),
        ('signer_name = ""', "signer_name", 6),
        ("signing = 1", "signing", 6),
    ],
)
def test_bad_signing_keys_name_the_key_and_line(tmp_path: Path, report: str, key: str, line: int) -> None:
    path = config_with(tmp_path, report)
    assert path.read_text(encoding="utf-8").splitlines()[5].startswith(report.split("\n")[0])
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert key in str(e.value) and f"dòng {line}" in str(e.value)
