"""The unit list ``init`` reads (sync.setup.units_csv)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.exceptions import ConfigError
from sync.setup.units_csv import parse_units_csv, read_units_csv

AN_GIANG = Path(__file__).resolve().parent.parent / "sync" / "data" / "an-giang-2025-units.csv"


def test_reads_the_an_giang_list() -> None:
    units = read_units_csv(AN_GIANG)
    assert len(units) == 118
    assert Counter(u.kind for u in units) == {"xa": 85, "so-nganh": 16, "phuong": 14, "dac-khu": 3}
    snv = next(u for u in units if u.code == "SNV")
    assert snv.name == "Sở Nội vụ"
    assert snv.aliases == ("Sở NV", "SNV", "Sở Nội vụ tỉnh An Giang")
    assert snv.emails == ()
    assert all(unicodedata.is_normalized("NFC", u.name) for u in units)


def test_bom_nfd_spaces_and_emails(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Sở Nội vụ")
    text = (
        "\ufeffCode, Name ,kind,aliases,emails\r\n"
        f" SNV ,  {nfd} ,so-nganh, Sở NV ; ;SNV,vanthu@snv.gov.vn; ld@snv.gov.vn \r\n"
        "\r\n"
        "X-A,UBND xã A,xa,,\r\n"
    )
    path = tmp_path / "don-vi.csv"
    path.write_bytes(text.encode("utf-8"))
    snv, xa = read_units_csv(path)
    assert (snv.code, snv.name, snv.kind) == ("SNV", "Sở Nội vụ", "so-nganh")
    assert unicodedata.is_normalized("NFC", snv.name)
    assert snv.aliases == ("Sở NV", "SNV")
    assert snv.emails == ("vanthu@snv.gov.vn", "ld@snv.gov.vn")
    assert (xa.code, xa.kind, xa.aliases, xa.emails) == ("X-A", "xa", (), ())


def test_kind_defaults_to_so_nganh() -> None:
    (unit,) = parse_units_csv("code,name\nSNV,Sở Nội vụ\n")
    assert unit.kind == "so-nganh"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("code,kind\nSNV,xa\n", 1, "thiếu cột “name”"),
        ("code,name,email\nSNV,Sở Nội vụ,a@b.vn\n", 1, "cột “email” không được hỗ trợ"),
        (
            "code,name\nSNV,Sở Nội vụ\nSTP,Sở Tư pháp\nsnv,Sở khác\n",
            4,
            "mã đơn vị “snv” bị trùng (đã có ở dòng 2)",
        ),
        ("code,name,kind\nSNV,Sở Nội vụ,huyện\n", 2, "loại đơn vị (cột “kind”) của SNV là “huyện”"),
        ("code,name\nSNV,Sở Nội vụ\nSTP,  \n", 3, "đơn vị STP chưa có tên"),
        ("code,name\n,Sở Nội vụ\n", 2, "thiếu mã đơn vị"),
        ("code,name\nSở NV,Sở Nội vụ\n", 2, "mã đơn vị “Sở NV” chỉ được gồm chữ không dấu"),
        ("code,name\n..,Sở Nội vụ\n", 2, "không bắt đầu bằng dấu chấm"),
        ("code,name\nSNV,Sở Nội vụ\ncon,Sở khác\n", 3, "mã đơn vị “con” là tên thiết bị của Windows"),
        ("code,name,emails\nSNV,Sở Nội vụ,vanthu@snv\n", 2, "địa chỉ e-mail “vanthu@snv” của đơn vị SNV"),
        (
            "code,name,aliases\nSNV,Sở Nội vụ,\nSTP,Sở Tư pháp,so noi vu\n",
            3,
            "trùng với tên gọi của đơn vị SNV",
        ),
        ("code,name\nSNV,Sở Nội vụ,thừa\n", 2, "dòng có 3 ô nhưng tiêu đề chỉ có 2 cột"),
        ("code,name\n", 1, "không có đơn vị nào"),
        ("\n\n", 2, "tệp danh sách đơn vị trống"),
    ],
)
def test_each_problem_names_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_units_csv(text, "don-vi.csv")
    message = str(err.value)
    assert words in message
    if "không có đơn vị nào" not in words:
        assert message.startswith(f"don-vi.csv, dòng {line}: ")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "don-vi.csv"
    path.write_bytes(b"code,name\nSNV,S\xf4 N\xe9i v\xf9\n")  # Windows-1258 bytes, not UTF-8
    with pytest.raises(ConfigError, match=r"dòng 2: tệp không phải văn bản UTF-8"):
        read_units_csv(path)


def test_absent_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy tệp danh sách đơn vị"):
        read_units_csv(tmp_path / "khong-co.csv")
    with pytest.raises(ConfigError, match="không phải một tệp"):
        read_units_csv(tmp_path)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('abcSNV-.@;,"\n\r \ufeffđĐệ́\u200b')) | st.characters(), max_size=200
    )
)
def test_any_text_is_units_or_a_config_error(text: str) -> None:
    """Whatever the file holds: a list of units, or one Vietnamese ConfigError; nothing else."""
    try:
        units = parse_units_csv("code,name,kind,aliases,emails\n" + text)
    except ConfigError as e:
        assert str(e).startswith("danh sách đơn vị")
        return
    for unit in units:
        assert unit.code and unit.name and unicodedata.is_normalized("NFC", unit.name)
