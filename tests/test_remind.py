"""Reminders by e-mail against a real SMTP server (aiosmtpd on 127.0.0.1), the history keeping every attempt."""

from __future__ import annotations

import email
import io
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from sync.cli import cli
from sync.config import load_config
from sync.pipeline import sync_and_record
from tests.helpers import AS_OF, task_row, write_config, write_workbook

SENDER = "vanphong@angiang.gov.vn"


class Inbox:
    """Collects what the server accepted; ``refuse``/``drop`` make it misbehave for the next messages."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = 0
        self.drop = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop:
            self.drop -= 1
            server.transport.close()  # the connection dies half way through the conversation
            return "421 closing"
        if self.refuse:
            self.refuse -= 1
            return "550 5.7.1 Thư bị từ chối vì chính sách của máy chủ"
        msg = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def province(tmp_path: Path, port: int) -> Path:
    """SNV: one overdue task and a status error; RG: a row not updated; STC: nothing to say."""
    write_workbook(
        tmp_path / "units" / "SNV.xlsx",
        [
            task_row(task_id="NV-01", deadline="15/02/2024"),
            task_row(task_id="NV-02", status="Đang làm dở", lead_unit="Sở Nội vụ"),
        ],
    )
    write_workbook(tmp_path / "units" / "STC.xlsx", [task_row(task_id="TC-01", lead_unit="Sở Tài chính")])
    write_workbook(
        tmp_path / "units" / "RG.xlsx",
        [task_row(task_id="RG-01", lead_unit="UBND thành phố Rạch Giá", updated_on="01/01/2024")],
    )
    config = write_config(
        tmp_path,
        [
            ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),
            ("STC", "Sở Tài chính", "units/STC.xlsx"),
            ("RG", "UBND thành phố Rạch Giá", "units/RG.xlsx"),
        ],
        extra=f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "{SENDER}"\n'
        "pause_seconds = 0\n",
    )
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        'source = "units/SNV.xlsx"', 'source = "units/SNV.xlsx"\nemails = ["vanthu@snv.vn", "giamdoc@snv.vn"]'
    )
    text = text.replace('source = "units/STC.xlsx"', 'source = "units/STC.xlsx"\nemails = ["vanthu@stc.vn"]')
    config.write_text(text, encoding="utf-8")
    sync_and_record(load_config(config), AS_OF)
    return config


def remind(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["remind", "-c", str(config), *args])


def test_dry_run_prints_the_notices_and_sends_nothing(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    result = remind(province(tmp_path, port), "--dry-run")
    assert result.exit_code == 0, result.output
    assert inbox.messages == []
    assert "=== SNV — gửi tới: vanthu@snv.vn, giamdoc@snv.vn" in result.output
    assert "=== RG — gửi tới: (không có địa chỉ e-mail)" in result.output
    assert "=== STC" not in result.output  # nothing to say to STC
    assert "2 thông báo, không gửi thư nào" in result.output


def test_sends_one_message_per_unit_once_per_period(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    config = province(tmp_path, port)
    first = remind(config)
    assert first.exit_code == 0, first.output
    assert "SNV: đã gửi tới vanthu@snv.vn, giamdoc@snv.vn" in first.output
    assert "RG: không có địa chỉ e-mail" in first.output
    assert len(inbox.messages) == 1
    rcpts, msg = inbox.messages[0]
    assert rcpts == ["vanthu@snv.vn", "giamdoc@snv.vn"]
    assert msg["From"] == SENDER
    assert msg["Subject"] == "Nhắc việc: Sở Nội vụ – cập nhật nhiệm vụ trước ngày 25/03/2024"
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("Kính gửi: Sở Nội vụ")
    errors, overdue = text.index("Lỗi cần sửa"), text.index("Nhiệm vụ quá hạn")
    assert errors < overdue  # errors first
    assert "NV-01" in text[overdue:] and "quá hạn 19 ngày" in text[overdue:]
    html = msg.get_body(("html",))
    assert html is not None and "<li>" in html.get_content()
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["SNV-can-sua-2024-02.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(attachments[0].get_content())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Trang", "Ô") and rows[1][3] == "Lỗi"  # errors first in the fix list too
    second = remind(config)
    assert second.exit_code == 0
    assert "SNV: đã gửi thông báo này trong kỳ" in second.output
    assert len(inbox.messages) == 1  # never twice in a period


def test_refused_message_is_reported_and_retried_next_run(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    config = province(tmp_path, port)
    inbox.refuse = 1
    first = remind(config)
    assert first.exit_code == 1
    assert "SNV: CHƯA GỬI ĐƯỢC: máy chủ thư từ chối (550" in first.output
    assert inbox.messages == []
    again = remind(config)
    assert again.exit_code == 0 and "SNV: đã gửi tới" in again.output
    assert len(inbox.messages) == 1


def test_connection_dropped_half_way_costs_that_unit_only(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    config = province(tmp_path, port)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('source = "units/RG.xlsx"', 'source = "units/RG.xlsx"\nemails = ["vanthu@rachgia.vn"]'),
        encoding="utf-8",
    )
    inbox.drop = 1
    result = remind(config)
    assert result.exit_code == 1, result.output
    assert "SNV: CHƯA GỬI ĐƯỢC: mất kết nối" in result.output
    assert "RG: đã gửi tới vanthu@rachgia.vn" in result.output  # a new connection for the next unit
    assert [r for r, _ in inbox.messages] == [["vanthu@rachgia.vn"]]
    retry = remind(config)
    assert "SNV: đã gửi tới" in retry.output and "RG: đã gửi thông báo này trong kỳ" in retry.output


def test_server_down_is_a_failure_per_unit_not_a_crash(tmp_path: Path) -> None:
    config = province(tmp_path, free_port())  # nothing listens there
    result = remind(config, "--unit", "SNV")
    assert result.exit_code == 1
    assert "SNV: CHƯA GỬI ĐƯỢC: mất kết nối tới máy chủ thư" in result.output
    assert "Traceback" not in result.output


def test_password_never_in_the_config(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        [("SNV", "Sở Nội vụ", "units/SNV.xlsx")],
        extra='\n[mail]\nhost = "x"\nsender = "a@b.vn"\npassword = "123"\n',
    )
    result = CliRunner().invoke(cli, ["remind", "-c", str(config), "--dry-run"])
    assert result.exit_code == 2
    assert "không ghi mật khẩu vào cấu hình" in result.output and "123" not in result.output
