from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sync.config import load_config
from sync.exceptions import ConfigError
from tests.helpers import resolved, summary_file

GOOD = """\
[sync]
backend = "xlsx"
summary = "out/tong-hop.xlsx"
cutoff_day = 20

[[units]]
code = "SNV"
name = "Sở Nội vụ"
source = "units/SNV.xlsx"
aliases = ["Sở NV"]

[[units]]
code = "STC"
name = "Sở Tài chính"
source = "/abs/STC.xlsx"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ubnd-sync.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_config(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.sync.cutoff_day == 20
    assert cfg.sync.due_soon_days == 7
    assert cfg.sync.sheet == "Nhiệm vụ"
    assert [u.code for u in cfg.units] == ["SNV", "STC"]
    assert cfg.units[0].aliases == ("Sở NV",)
    assert resolved(cfg, "units/SNV.xlsx") == str(tmp_path / "units/SNV.xlsx")
    assert resolved(cfg, "/abs/STC.xlsx") == "/abs/STC.xlsx"
    assert summary_file(cfg) == str(tmp_path / "out/tong-hop.xlsx")


@pytest.mark.parametrize(
    "old, new, key, line",
    [
        ("cutoff_day = 20", "cutof_day = 20", "cutof_day", 4),
        ("cutoff_day = 20", "cutoff_day = 31", "cutoff_day", 4),
        ('backend = "xlsx"', 'backend = "excel"', "backend", 2),
        ('code = "STC"', 'code = "SNV"', "SNV", 13),
        ('aliases = ["Sở NV"]', 'aliases = ["Sở NV"]\nemail = "a@b"', "email", 11),
        ('aliases = ["Sở NV"]', 'aliases = ["Sở Tài chính"]', "Sở Tài chính", 14),
        ("[sync]", "[sync]\n[extra]\n", "extra", 2),
        ('source = "/abs/STC.xlsx"', 'source = "/abs/STC.xlsx"\nkind = "huyện"', "huyện", 16),
        ('source = "/abs/STC.xlsx"', 'source = "/abs/STC.xlsx"\nkind = "tinh"', "tinh", 16),
        ('aliases = ["Sở NV"]', 'aliases = ["Sở NV"]\nkind = 3', "kind", 11),
    ],
)
def test_bad_config_names_key_and_line(tmp_path: Path, old: str, new: str, key: str, line: int) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, GOOD.replace(old, new, 1)))
    message = str(e.value)
    assert key in message
    assert f"dòng {line}" in message
    assert e.value.exit_code == 2


def test_unit_kind_defaults_to_so_nganh_and_accepts_every_kind(tmp_path: Path) -> None:
    assert [u.kind for u in load_config(write(tmp_path, GOOD)).units] == ["so-nganh", "so-nganh"]
    for kind in ("so-nganh", "xa", "phuong", "dac-khu", "huyen"):
        text = GOOD.replace('source = "/abs/STC.xlsx"', f'source = "/abs/STC.xlsx"\nkind = "{kind}"')
        assert [u.kind for u in load_config(write(tmp_path, text)).units] == ["so-nganh", kind]


def test_bad_unit_kind_lists_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(
            write(tmp_path, GOOD.replace('source = "/abs/STC.xlsx"', 'source = "/abs/STC.xlsx"\nkind = "xã"'))
        )
    assert "“kind” của đơn vị STC" in str(e.value) and '"dac-khu"' in str(e.value)


def test_toml_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="dòng 2"):
        load_config(write(tmp_path, "[sync]\nbackend = \n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy tệp cấu hình"):
        load_config(tmp_path / "none.toml")


def test_no_units(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="chưa khai báo đơn vị"):
        load_config(write(tmp_path, "[sync]\n"))


def test_missing_unit_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="thiếu khóa “source”.*") as e:
        load_config(write(tmp_path, '[[units]]\ncode = "A"\nname = "B"\n'))
    assert "dòng 1" in str(e.value)


def test_report_section(tmp_path: Path) -> None:
    text = (
        GOOD + '\n[report]\nparent = "UBND TỈNH AN GIANG"\nplace = "An Giang"\nrecipients = ["- Như trên;"]\n'
    )
    cfg = load_config(write(tmp_path, text))
    assert cfg.report.parent == "UBND TỈNH AN GIANG"
    assert cfg.report.recipients == ("- Như trên;",)
    assert cfg.report.signer_title is None
    from sync.report import ReportHeading

    heading = ReportHeading.from_config(cfg)
    assert (heading.parent, heading.place, heading.recipients) == (
        "UBND TỈNH AN GIANG",
        "An Giang",
        ("- Như trên;",),
    )
    assert heading.signer_title == ReportHeading().signer_title


def test_report_section_bad_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="recipients") as e:
        load_config(write(tmp_path, GOOD + "\n[report]\nrecipients = 3\n"))
    assert "dòng 18" in str(e.value)


def test_summary_may_not_overwrite_a_unit_workbook(tmp_path: Path) -> None:
    text = GOOD.replace('summary = "out/tong-hop.xlsx"', 'summary = "./units/../units/SNV.xlsx"')
    with pytest.raises(ConfigError, match="ghi đè dữ liệu của đơn vị") as e:
        load_config(write(tmp_path, text))
    assert "dòng 3" in str(e.value) and "SNV" in str(e.value)


CALENDAR = (
    GOOD
    + """
[calendar]
days_off = ["02/01/2026", "2026-02-23"]
working_saturdays = ["10/01/2026"]

[extension]
min_working_days = 3
"""
)


def test_calendar_and_extension_sections(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, CALENDAR))
    assert cfg.calendar.days_off == (date(2026, 1, 2), date(2026, 2, 23))
    assert cfg.calendar.working_saturdays == (date(2026, 1, 10),)
    assert cfg.extension.min_working_days == 3
    default = load_config(write(tmp_path, GOOD))
    assert default.calendar.days_off == () and default.extension.min_working_days == 5


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        (
            '"02/01/2026", "2026-02-23"',
            '"31/02/2026"',
            18,
            "“days_off”: “31/02/2026” không phải là ngày hợp lệ",
        ),
        ('"02/01/2026", "2026-02-23"', '"01/13/2026"', 18, "ngày phải viết trước tháng"),
        ('["10/01/2026"]', '["12/01/2026"]', 19, "ngày 12/01/2026 không phải thứ Bảy hay Chủ nhật"),
        ('["10/01/2026"]', '"10/01/2026"', 19, "“working_saturdays” phải là danh sách các ngày"),
        (
            "min_working_days = 3",
            "min_working_days = -1",
            22,
            "“min_working_days” phải là số nguyên từ 0 đến 60",
        ),
        ("min_working_days = 3", "min_days = 3", 22, "khóa “min_days” trong [extension] không được hỗ trợ"),
    ],
)
def test_calendar_mistakes_name_key_and_line(
    tmp_path: Path, old: str, new: str, line: int, says: str
) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, CALENDAR.replace(old, new)))
    assert f"dòng {line}" in str(e.value) and says in str(e.value)


def test_the_email_character_class_is_the_one_its_comment_names() -> None:
    # spelt out so that it compiles in microseconds (the negated form takes milliseconds, on every command)
    import re

    from sync.config import _EMAIL_CHAR

    spelt, named = re.compile(_EMAIL_CHAR), re.compile(r"[^@\s<>,;\x80-\U0010ffff]")
    assert all(bool(spelt.fullmatch(chr(i))) == bool(named.fullmatch(chr(i))) for i in range(0x110000))
