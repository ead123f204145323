"""A config that is not what it should be: a clear Vietnamese line, exit 2, never a hang.

Special files in place of the config, TOML syntax errors (with line, column and the
curly-quote hint), and summary paths that would destroy the tool's own files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.config import load_config
from sync.config_file import MAX_CONFIG_BYTES
from sync.exceptions import ConfigError
from tests.helpers import summary_file
from tests.test_config import GOOD, write


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert e.value.exit_code == 2
    return str(e.value)


def test_a_fifo_as_config_is_refused_by_a_real_process_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "ubnd-sync.toml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "sync", "validate", "--config", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"Lỗi: {fifo} là một đường ống (FIFO), không phải tệp cấu hình; " + (
        "chỉ ra tệp .toml bằng --config"
    )


@pytest.mark.parametrize(("special", "kind"), [("/dev/zero", "một thiết bị"), ("folder", "một thư mục")])
def test_a_device_or_a_folder_as_config(tmp_path: Path, special: str, kind: str) -> None:
    path = Path(special) if special.startswith("/") else tmp_path
    result = CliRunner().invoke(cli, ["validate", "--config", str(path)])
    assert result.exit_code == 2
    assert f"{path} là {kind}, không phải tệp cấu hình" in result.output
    assert "Traceback" not in result.output


def test_a_huge_config_is_not_read_whole(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "#" * MAX_CONFIG_BYTES)
    assert "lớn hơn 4 MB" in refused(path)


@pytest.mark.parametrize("opener", ["[", "{a="])
def test_a_config_nested_thousands_deep(tmp_path: Path, opener: str) -> None:
    path = write(tmp_path, "x = " + opener * 50_000)
    result = CliRunner().invoke(cli, ["validate", "--config", str(path)])
    assert result.exit_code == 2
    assert "tệp lồng nhau quá sâu" in result.output
    assert "RecursionError" not in result.output


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ('[sync]\nbackend = "xlsx\n', 2, "chuỗi chưa có dấu nháy đóng lại trước khi hết dòng (cột 16)"),
        ('[sync]\nsheet = "a\x01"\n', 2, "ký tự không được phép (ví dụ xuống dòng giữa một chuỗi) (cột 11)"),
        ("[sync\n", 1, "thiếu dấu “]” ở cuối tên mục, ví dụ [sync] (cột 6)"),
        ("[[units]\n", 1, "thiếu “]]” ở cuối tên mục, ví dụ [[units]] (cột 8)"),
        ("[sync]\nsheet = Nhiệm vụ\n", 2, "giá trị không hợp lệ"),
        ('[sync]\nsheet = "a" "b"\n', 2, "còn ký tự thừa sau giá trị; mỗi dòng một khóa (cột 13)"),
        ("[sync]\ncut off = 3\n", 2, "thiếu dấu “=” sau tên khóa"),
        ('[[units]]\nsource = "C:\\Don vi\\a.xlsx"\n', 2, "dấu \\ trong chuỗi phải viết thành \\\\"),
        ("[sync]\n[sync]\n", 2, "một mục được khai báo hai lần"),
    ],
)
def test_syntax_errors_in_vietnamese_with_line_and_column(
    tmp_path: Path, text: str, line: int, said: str
) -> None:
    message = refused(write(tmp_path, text))
    assert message.startswith(f"{tmp_path / 'ubnd-sync.toml'}, dòng {line}: tệp không đúng cú pháp TOML: ")
    assert said in message
    assert "Invalid" not in message and "Expected" not in message
    assert "nháy cong" not in message and "“ ”" not in message


def test_error_at_the_end_of_the_file(tmp_path: Path) -> None:
    message = refused(write(tmp_path, '[sync]\nsheet = "Nhiệm vụ'))
    assert message.endswith('tệp không đúng cú pháp TOML: chuỗi chưa có dấu nháy " đóng lại (ở cuối tệp)')


def test_curly_quotes_from_word_get_a_hint(tmp_path: Path) -> None:
    text = GOOD.replace('summary = "out/tong-hop.xlsx"', "summary = “out/tong-hop.xlsx”")
    message = refused(write(tmp_path, text))
    assert ", dòng 3: tệp không đúng cú pháp TOML: giá trị không hợp lệ" in message
    assert message.endswith(
        "; dùng dấu nháy thẳng \" thay cho “ ” (và ' thay cho ‘ ’), thường do chép từ Word"
    )


def test_a_curly_closing_quote_points_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('name = "Sở Nội vụ"', 'name = "Sở Nội vụ”')
    message = refused(write(tmp_path, text))
    assert (
        ", dòng 8: tệp không đúng cú pháp TOML: chuỗi chưa có dấu nháy đóng lại trước khi hết dòng" in message
    )
    assert message.endswith(
        "(cột 19); dùng dấu nháy thẳng \" thay cho “ ” (và ' thay cho ‘ ’), thường do chép từ Word"
    )


def test_curly_quotes_inside_a_string_are_fine(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD.replace('name = "Sở Nội vụ"', 'name = "Sở “Nội vụ”"')))
    assert cfg.units[0].name == "Sở “Nội vụ”"


@pytest.mark.parametrize(
    ("summary", "what"),
    [
        ("ubnd-sync.history.sqlite", "tệp lịch sử"),
        ("ubnd-sync.history.sqlite-journal", "tệp phụ của tệp lịch sử"),
        ("ubnd-sync.history.sqlite-wal", "tệp phụ của tệp lịch sử"),
        ("./out/../ubnd-sync.history.sqlite-shm", "tệp phụ của tệp lịch sử"),
        ("ubnd-sync.toml", "tệp cấu hình"),
        ("ubnd-sync.state.json", "tệp trạng thái đọc Google"),
    ],
)
def test_summary_may_not_be_the_tools_own_files(tmp_path: Path, summary: str, what: str) -> None:
    text = GOOD.replace('summary = "out/tong-hop.xlsx"', f'summary = "{summary}"')
    message = refused(write(tmp_path, text))
    assert f", dòng 3: “summary” trỏ vào {what} của ubnd-sync ({Path(summary).name}): " in message


@pytest.mark.parametrize("summary", ["out/tong-hop.xls", "out/tong-hop", "out/tong-hop.xlsx.bak", "out/"])
def test_an_xlsx_summary_must_end_in_xlsx(tmp_path: Path, summary: str) -> None:
    text = GOOD.replace('summary = "out/tong-hop.xlsx"', f'summary = "{summary}"')
    message = refused(write(tmp_path, text))
    assert f", dòng 3: “summary” phải là một tệp .xlsx (đang là “{summary}”)" in message


def test_upper_case_xlsx_is_fine_and_google_summaries_are_ids(tmp_path: Path) -> None:
    upper = load_config(write(tmp_path, GOOD.replace("out/tong-hop.xlsx", "out/TONG-HOP.XLSX")))
    assert summary_file(upper).endswith("TONG-HOP.XLSX")
    google = GOOD.replace('backend = "xlsx"', 'backend = "gsheets"').replace("out/tong-hop.xlsx", "1AbCdEf")
    assert load_config(write(tmp_path, google)).sync.summary == "1AbCdEf"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('backend = "xlsx"', 'backend = "{big}"'),  # a value echoed with repr
        ('code = "SNV"', 'code = "{big}"'),  # a value echoed between “ ”
        ("cutoff_day = 20", 'cutoff_day = "{big}"'),  # not a number
    ],
)
def test_a_huge_wrong_value_is_shown_shortened(tmp_path: Path, old: str, new: str) -> None:
    big = "Ư" * 200_000
    message = refused(write(tmp_path, GOOD.replace(old, new.format(big=big), 1)))
    assert len(message) < 600
    assert "(200000 ký tự)" in message and "ƯƯƯ" in message
