"""[mail] and the units' names and addresses as the mail needs them (issue 18): checked when the config loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.config import MailSettings, is_loopback, load_config
from sync.exceptions import ConfigError

UNITS = """
[[units]]
code = "SNV"
name = "Sở Nội vụ"
source = "units/SNV.xlsx"
emails = ["vanthu@snv.angiang.gov.vn"]
"""


def config(tmp_path: Path, mail: str, units: str = UNITS) -> Path:
    path = tmp_path / "ubnd-sync.toml"
    path.write_text(f'[sync]\nsummary = "out/tong-hop.xlsx"\n\n[mail]\n{mail}\n{units}', encoding="utf-8")
    return path


def refused(path: Path) -> str:
    """What ``remind`` says about a config it refuses (exit 2)."""
    result = CliRunner().invoke(cli, ["remind", "-c", str(path), "--dry-run"])
    assert result.exit_code == 2
    return result.output


def test_defaults_wait_30_seconds_a_step_and_10_minutes_for_the_final_dot(tmp_path: Path) -> None:
    mail = load_config(config(tmp_path, 'host = "mail.angiang.gov.vn"\nsender = "vp@angiang.gov.vn"')).mail
    assert (mail.timeout_seconds, mail.data_timeout_seconds, mail.allow_unencrypted_login) == (
        30.0,
        600.0,
        False,
    )
    assert MailSettings().timeout_seconds == 30.0


def test_timeouts_may_be_fractions_for_tests(tmp_path: Path) -> None:
    text = 'host = "127.0.0.1"\nsender = "vp@angiang.gov.vn"\ntimeout_seconds = 0.5\ndata_timeout_seconds = 2'
    mail = load_config(config(tmp_path, text)).mail
    assert (mail.timeout_seconds, mail.data_timeout_seconds) == (0.5, 2.0)


@pytest.mark.parametrize(
    ("line", "told"),
    [
        ("timeout_seconds = 0", "“timeout_seconds” phải là số giây lớn hơn 0 đến 600 (đang là 0)"),
        ("timeout_seconds = 601", "“timeout_seconds” phải là số giây lớn hơn 0 đến 600 (đang là 601)"),
        (
            'data_timeout_seconds = "10"',
            "“data_timeout_seconds” phải là số giây lớn hơn 0 đến 3600 (đang là '10')",
        ),
        (
            "data_timeout_seconds = nan",
            "“data_timeout_seconds” phải là số giây lớn hơn 0 đến 3600 (đang là nan)",
        ),
        ("pause_seconds = -1", "“pause_seconds” phải là số giây từ 0 đến 60 (đang là -1)"),
        (
            'allow_unencrypted_login = "yes"',
            "“allow_unencrypted_login” phải là true hoặc false (đang là 'yes')",
        ),
    ],
)
def test_bad_numbers_name_the_key_and_the_line(tmp_path: Path, line: str, told: str) -> None:
    path = config(tmp_path, f'host = "127.0.0.1"\nsender = "vp@angiang.gov.vn"\n{line}')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(e.value) == f"{path}, dòng 7: {told}"


def test_a_login_in_clear_over_the_network_is_refused(tmp_path: Path) -> None:
    text = 'host = "mail.angiang.gov.vn"\nport = 25\nsecurity = "none"\nuser = "vanphong"\nsender = "vp@angiang.gov.vn"'
    path = config(tmp_path, text)
    assert refused(path) == (
        f'Lỗi: {path}, dòng 7: security = "none" sẽ gửi tên đăng nhập “vanphong” và mật khẩu không mã hóa qua '
        'mạng tới máy chủ mail.angiang.gov.vn: dùng security = "starttls" (cổng 587) hoặc "ssl" (cổng 465); '
        "nếu máy chủ thư nằm trong mạng nội bộ tin cậy và Văn phòng chấp nhận điều đó, thêm "
        "allow_unencrypted_login = true vào mục [mail]\n"
    )
    allowed = config(tmp_path, text + "\nallow_unencrypted_login = true")
    assert load_config(allowed).mail.allow_unencrypted_login is True


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.53", "::1"])
def test_a_login_in_clear_to_this_machine_is_allowed(tmp_path: Path, host: str) -> None:
    text = f'host = "{host}"\nsecurity = "none"\nuser = "vanphong"\nsender = "vp@angiang.gov.vn"'
    assert load_config(config(tmp_path, text)).mail.user == "vanphong"


def test_no_login_in_clear_is_fine_anywhere(tmp_path: Path) -> None:
    text = 'host = "relay.angiang.gov.vn"\nport = 25\nsecurity = "none"\nsender = "vp@angiang.gov.vn"'
    assert load_config(config(tmp_path, text)).mail.security == "none"


def test_loopback() -> None:
    assert [is_loopback(h) for h in ("localhost", "LOCALHOST.", "127.1.2.3", "::1", "[::1]")] == [True] * 5
    assert [is_loopback(h) for h in ("10.0.0.1", "mail.angiang.gov.vn", "localhost.angiang.vn")] == [
        False
    ] * 3


def test_a_unit_name_with_a_line_break_is_a_config_error(tmp_path: Path) -> None:
    units = UNITS.replace('name = "Sở Nội vụ"', 'name = "Sở Nội vụ\\nBcc: ai@ngoai.vn"')
    path = config(tmp_path, 'host = "127.0.0.1"\nsender = "vp@angiang.gov.vn"', units)
    assert refused(path) == (
        f"Lỗi: {path}, dòng 10: tên của đơn vị SNV có ký tự xuống dòng hoặc ký tự điều khiển "
        "('Sở Nội vụ\\nBcc: ai@ngoai.vn'): viết tên trên một dòng, vì tên đi vào tiêu đề thư nhắc việc, "
        "bảng tổng hợp và báo cáo\n"
    )


def test_an_address_with_diacritics_is_a_config_error(tmp_path: Path) -> None:
    units = UNITS.replace("vanthu@snv.angiang.gov.vn", "vănthư@snv.angiang.gov.vn")
    with pytest.raises(ConfigError, match="địa chỉ e-mail viết bằng chữ không dấu"):
        load_config(config(tmp_path, 'host = "127.0.0.1"\nsender = "vp@angiang.gov.vn"', units))
