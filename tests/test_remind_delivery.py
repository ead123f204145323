"""Every notice reaches every address exactly once, without risking the Office's mail account (issue 18).

Against real SMTP servers on 127.0.0.1 (aiosmtpd, and a socket that accepts and stays silent),
through the command line and the real history: addresses refused at RCPT, a silent server, a
slow or silent answer to the final dot, a wrong password, TLS refused or untrusted, two runs
at once, a run killed after the server took the message, a history locked at that moment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import ipaddress
import json
import os
import re
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.cli import cli
from sync.config import load_config
from sync.history import History, store
from sync.pipeline import sync_and_record
from sync.remind.notices import build_notices
from tests.helpers import AS_OF, task_row, write_config, write_workbook
from tests.test_remind import free_port, province

SNV = ["vanthu@snv.vn", "giamdoc@snv.vn"]
RG = "vanthu@rachgia.vn"
#: "lúc dd/mm/yyyy HH:MM", as a person reads a recorded time
AT = r"\d\d/\d\d/\d{4} \d\d:\d\d"


class Server:
    """An aiosmtpd handler that records what it took and misbehaves as a test asks."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse_rcpt: dict[str, str] = {}  # address -> reply
        self.refuse_mail = ""
        self.data_delay = 0.0
        self.on_data: list[Any] = []  # callables run (once each) when a message's final dot arrives
        self.hold: threading.Event | None = None  # set: the reply to the final dot waits for it
        self.auth_attempts: list[tuple[str, str]] = []
        self.password = "dung-mat-khau"
        self.data_seen = threading.Event()

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_mail:
            return self.refuse_mail
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))  # queued for delivery, before the server answers
        self.data_seen.set()
        while self.on_data:
            self.on_data.pop(0)()
        hold, self.hold = self.hold, None
        while hold is not None and not hold.is_set():
            await asyncio.sleep(0.05)
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.auth_attempts.append((mechanism, data.login.decode()))
        ok = data.password.decode() == self.password
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 235 or 535

    def to(self) -> list[list[str]]:
        return [rcpts for rcpts, _ in self.messages]


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    handler, port = Server(), free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=handler.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def configure(config: Path, *, rg_email: bool = True, **mail: Any) -> Path:
    """The province of ``tests.test_remind`` with RG given an address and more [mail] keys."""
    text = config.read_text(encoding="utf-8")
    if rg_email:
        text = text.replace('source = "units/RG.xlsx"', f'source = "units/RG.xlsx"\nemails = ["{RG}"]')
    keys = "".join(f"{k} = {_toml(v)}\n" for k, v in mail.items())
    text = text.replace("pause_seconds = 0\n", "pause_seconds = 0\n" + keys)
    config.write_text(text, encoding="utf-8")
    return config


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def remind(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["remind", "-c", str(config), *args])


def lines(result: Result) -> dict[str, str]:
    return {u: line for u, _, line in (row.partition(": ") for row in result.output.splitlines())}


def rows(config: Path) -> list[tuple[str, str | None, str]]:
    with History(load_config(config).history_path) as h:
        return h.conn.execute("SELECT unit, address, status FROM deliveries ORDER BY id").fetchall()


# -- per address


def test_an_address_refused_at_rcpt_is_reported_and_gets_it_next_run(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port))
    srv.refuse_rcpt["giamdoc@snv.vn"] = "550 5.1.1 Hộp thư không tồn tại"
    first = remind(config)
    assert first.exit_code == 1, first.output  # not everyone got it: not a success
    assert lines(first)["SNV"] == (
        "đã gửi tới vanthu@snv.vn; CHƯA GỬI ĐƯỢC tới giamdoc@snv.vn: máy chủ thư không nhận địa chỉ này "
        "(550: 5.1.1 Hộp thư không tồn tại) — sẽ gửi lại ở lần chạy sau"
    )
    assert lines(first)["RG"] == f"đã gửi tới {RG}"
    assert srv.to() == [["vanthu@snv.vn"], [RG]]
    assert rows(config) == [
        ("SNV", "giamdoc@snv.vn", "refused"),
        ("SNV", "vanthu@snv.vn", "sent"),
        ("RG", RG, "sent"),
    ]
    still = json.loads(remind(config, "--json").output)  # the mailbox is not fixed yet
    snv = next(u for u in still if u["unit"] == "SNV")["outcome"]
    assert (snv["status"], snv["sent"], list(snv["earlier"]), snv["unsure"]) == (
        "failed",
        [],
        ["vanthu@snv.vn"],
        {},
    )
    assert snv["not_sent"] == {
        "giamdoc@snv.vn": "máy chủ thư không nhận địa chỉ này (550: 5.1.1 Hộp thư không tồn tại)"
    }
    assert srv.to() == [["vanthu@snv.vn"], [RG]]
    srv.refuse_rcpt.clear()  # the unit's mailbox is fixed
    second = remind(config)
    assert second.exit_code == 0, second.output
    assert re.fullmatch(
        rf"đã gửi tới giamdoc@snv.vn; vanthu@snv.vn đã nhận thông báo này lúc {AT}", lines(second)["SNV"]
    )
    assert re.fullmatch(rf"đã gửi thông báo này trong kỳ \(lúc {AT}\), không gửi lại", lines(second)["RG"])
    assert srv.to() == [["vanthu@snv.vn"], [RG], ["giamdoc@snv.vn"]]  # each address exactly once
    _, msg = srv.messages[2]
    assert msg["To"].addresses[0].addr_spec == "giamdoc@snv.vn"
    assert msg["To"].addresses[0].display_name == "Sở Nội vụ"
    third = remind(config, "--json")
    assert third.exit_code == 0 and len(srv.messages) == 3
    assert '"status": "already_sent"' in third.output


def test_every_address_refused_is_a_failure_with_each_reason(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), rg_email=False)
    srv.refuse_rcpt = {"vanthu@snv.vn": "550 5.1.1 no such user", "giamdoc@snv.vn": "452 4.2.2 mailbox full"}
    result = remind(config)
    assert result.exit_code == 1
    assert lines(result)["SNV"] == (
        "CHƯA GỬI ĐƯỢC tới vanthu@snv.vn: máy chủ thư không nhận địa chỉ này (550: 5.1.1 no such user); "
        "tới giamdoc@snv.vn: máy chủ thư tạm thời không nhận địa chỉ này (452: 4.2.2 mailbox full) "
        "— sẽ gửi lại ở lần chạy sau"
    )
    assert srv.messages == []


def test_sent_times_are_told_in_viet_nam_time(server: tuple[Server, int], tmp_path: Path) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), rg_email=False)
    assert remind(config).exit_code == 0
    with History(load_config(config).history_path) as h:  # recorded at 01:30 UTC: 08:30 in Việt Nam
        h.conn.execute("UPDATE deliveries SET at = '2024-03-05T01:30:00+00:00'")
    again = remind(config)
    assert lines(again)["SNV"] == "đã gửi thông báo này trong kỳ (lúc 05/03/2024 08:30), không gửi lại"


def test_a_problem_that_persists_into_the_next_period_is_reminded_again(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    """The same item, word for word, in the next period: reminded again, once."""
    srv, port = server
    sheet = tmp_path / "units" / "SNV.xlsx"
    config = write_config(
        tmp_path,
        [("SNV", "Sở Nội vụ", "units/SNV.xlsx")],
        extra=f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "vp@angiang.gov.vn"\n'
        "pause_seconds = 0\n",
    )
    config.write_text(config.read_text(encoding="utf-8") + 'emails = ["vanthu@snv.vn"]\n', encoding="utf-8")
    write_workbook(sheet, [task_row(status="Đang làm dở", updated_on="20/02/2024")])  # a wrong status
    sync_and_record(load_config(config), AS_OF)  # period (25/01, 25/02]
    assert remind(config).exit_code == 0
    assert remind(config).exit_code == 0 and len(srv.messages) == 1  # not twice in a period
    write_workbook(sheet, [task_row(status="Đang làm dở", updated_on="20/03/2024")])  # updated, still wrong
    sync_and_record(load_config(config), dt.date(2024, 4, 4))  # period (25/02, 25/03]
    again = remind(config)
    assert again.exit_code == 0, again.output
    assert again.output == "SNV: đã gửi tới vanthu@snv.vn\n"
    assert len(srv.messages) == 2
    with History(load_config(config).history_path) as h:  # the very same items: only the period differs
        assert h.conn.execute(
            "SELECT count(DISTINCT digest), count(DISTINCT cutoff) FROM deliveries"
        ).fetchone() == (
            1,
            2,
        )
    assert remind(config).exit_code == 0 and len(srv.messages) == 2


def test_a_notice_does_not_repeat_a_tasks_title(server: tuple[Server, int], tmp_path: Path) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), rg_email=False)
    result = remind(config, "--dry-run", "--unit", "SNV")
    title = "Rà soát, đề xuất tháo gỡ khó khăn cho dự án khu đô thị Phú Cường"
    overdue = next(line for line in result.output.splitlines() if "quá hạn 19 ngày" in line)
    assert overdue.count(title) == 1, overdue
    assert "NV-01" in overdue


# -- the server


@pytest.fixture
def silent() -> Iterator[tuple[int, list[socket.socket]]]:
    """A server that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_a_silent_server_is_given_up_after_the_first_timeout(
    silent: tuple[int, list[socket.socket]], tmp_path: Path
) -> None:
    port, accepted = silent
    config = configure(province(tmp_path, port), timeout_seconds=0.5)
    started = time.monotonic()
    result = remind(config)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    told = f"máy chủ thư 127.0.0.1:{port} không trả lời sau 0,5 giây (khóa “timeout_seconds” của [mail])"
    assert lines(result) == {
        "SNV": f"CHƯA GỬI ĐƯỢC: {told} — sẽ gửi lại ở lần chạy sau",
        "RG": f"CHƯA GỬI: đã dừng gửi thư vì {told} — sẽ gửi ở lần chạy sau",
    }
    assert len(accepted) == 1  # one wait for the run, not one per unit
    assert elapsed < 10  # the configured half second, not the default 30 s
    assert [(u, s) for u, _, s in rows(config)] == [("SNV", "failed"), ("SNV", "failed")]


def test_the_final_dot_is_awaited_longer_than_a_command(server: tuple[Server, int], tmp_path: Path) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), timeout_seconds=0.3, data_timeout_seconds=10)
    srv.data_delay = 1.0  # the server scans the attachment before it answers
    result = remind(config)
    assert result.exit_code == 0, result.output
    assert srv.to() == [SNV, [RG]]


def test_no_answer_to_the_final_dot_is_maybe_sent_never_sent_blindly(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), timeout_seconds=5, data_timeout_seconds=0.5)
    srv.data_delay = 1.5
    result = remind(config)
    assert result.exit_code == 1, result.output
    told = "máy chủ thư đã nhận hết thư nhưng không trả lời sau 0,5 giây (khóa “data_timeout_seconds” của [mail])"
    assert lines(result)["SNV"].startswith(
        f"CÓ THỂ ĐÃ GỬI tới vanthu@snv.vn, giamdoc@snv.vn (lần gửi này: {told})"
    )
    assert lines(result)["RG"] == f"CHƯA GỬI: đã dừng gửi thư vì {told} — sẽ gửi ở lần chạy sau"
    assert srv.to() == [SNV]  # the server had taken it, after all
    srv.data_delay = 0
    again = remind(config)
    assert again.exit_code == 1
    assert re.match(
        rf"CÓ THỂ ĐÃ GỬI tới vanthu@snv.vn, giamdoc@snv.vn \(lần gửi lúc {AT}: ", lines(again)["SNV"]
    )
    assert "“ubnd-sync remind --unit SNV --resend”" in lines(again)["SNV"]
    assert lines(again)["RG"] == f"đã gửi tới {RG}"
    assert srv.to() == [SNV, [RG]]  # SNV not sent twice


def test_a_wrong_password_costs_one_attempt_and_stops_the_run(
    server: tuple[Server, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), user="vanphong")
    monkeypatch.setenv("UBND_SYNC_SMTP_PASSWORD", "sai-mat-khau")
    result = remind(config)
    assert result.exit_code == 1
    told = (
        "máy chủ thư không nhận tên đăng nhập “vanphong” với mật khẩu trong biến môi trường "
        "UBND_SYNC_SMTP_PASSWORD (535: 5.7.8 Authentication credentials invalid). Đã dừng ngay sau lần thử đầu "
        "tiên để tài khoản thư của Văn phòng không bị khóa: kiểm tra mật khẩu rồi chạy lại"
    )
    assert lines(result) == {
        "SNV": f"CHƯA GỬI ĐƯỢC: {told} — sẽ gửi lại ở lần chạy sau",
        "RG": f"CHƯA GỬI: đã dừng gửi thư vì {told} — sẽ gửi ở lần chạy sau",
    }
    assert srv.auth_attempts == [("PLAIN", "vanphong")]  # not PLAIN then LOGIN, not once per unit
    monkeypatch.setenv("UBND_SYNC_SMTP_PASSWORD", srv.password)
    again = remind(config)
    assert again.exit_code == 0, again.output
    assert srv.auth_attempts == [("PLAIN", "vanphong")] * 2  # one login for the whole run
    assert srv.to() == [SNV, [RG]]


def test_a_user_without_the_password_variable_names_that_variable(
    server: tuple[Server, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port), user="vanphong", password_env="MAT_KHAU_THU_VP")
    monkeypatch.delenv("MAT_KHAU_THU_VP", raising=False)
    result = remind(config)
    assert result.exit_code == 2
    assert "biến môi trường MAT_KHAU_THU_VP chưa có mật khẩu" in result.output
    assert "Chưa thư nào được gửi" in result.output
    assert srv.auth_attempts == [] and srv.messages == []


def test_the_sender_refused_stops_the_run(server: tuple[Server, int], tmp_path: Path) -> None:
    srv, port = server
    config = configure(province(tmp_path, port))
    srv.refuse_mail = "553 5.7.1 Sender address rejected: not owned by user"
    result = remind(config)
    assert result.exit_code == 1
    assert lines(result)["SNV"].startswith(
        "CHƯA GỬI ĐƯỢC: máy chủ thư không nhận địa chỉ gửi “vanphong@angiang.gov.vn” (553: 5.7.1 Sender"
    )
    assert lines(result)["RG"].startswith("CHƯA GỬI: đã dừng gửi thư vì máy chủ thư không nhận địa chỉ gửi")


def test_starttls_not_offered_is_told_and_nothing_goes_in_clear(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    srv, port = server
    config = province(tmp_path, port)
    config.write_text(
        config.read_text(encoding="utf-8").replace('security = "none"', 'security = "starttls"')
    )
    result = remind(config)
    assert result.exit_code == 1
    assert lines(result)["SNV"] == (
        f"CHƯA GỬI ĐƯỢC: máy chủ thư 127.0.0.1:{port} không hỗ trợ STARTTLS (mã hóa TLS), nên thư và mật khẩu "
        'không được gửi đi không mã hóa: kiểm tra cổng (587 thường có STARTTLS; với cổng 465 dùng security = "ssl") '
        "— sẽ gửi lại ở lần chạy sau"
    )
    assert srv.messages == []


def _self_signed(directory: Path) -> ssl.SSLContext:
    """A server context whose certificate (for 127.0.0.1) no authority signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.angiang.local")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


def test_an_untrusted_certificate_is_told_and_nothing_is_sent(tmp_path: Path) -> None:
    handler, port = Server(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=_self_signed(tmp_path))
    controller.start()
    try:
        config = province(tmp_path, port)
        config.write_text(
            config.read_text(encoding="utf-8").replace('security = "none"', 'security = "starttls"')
        )
        result = remind(config)
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert lines(result)["SNV"].startswith(
        "CHƯA GỬI ĐƯỢC: chứng chỉ TLS của máy chủ thư 127.0.0.1 không được tin cậy (chứng chỉ tự ký), "
        "nên thư không được gửi"
    )
    assert "SSL" not in result.output and "Error" not in result.output
    assert handler.messages == []


def test_a_refused_connection_is_told_in_vietnamese(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = remind(configure(province(tmp_path, port)))
    assert result.exit_code == 1
    assert lines(result)["SNV"] == (
        f"CHƯA GỬI ĐƯỢC: mất kết nối tới máy chủ thư: 127.0.0.1:{port} không nhận kết nối (máy chủ chưa chạy, "
        "sai cổng “port” hoặc tường lửa chặn) — sẽ gửi lại ở lần chạy sau"
    )
    assert "RG: CHƯA GỬI: đã dừng gửi thư vì mất kết nối" in result.output
    assert "Connection" not in result.output


# -- runs that overlap, die or cannot record


def _cli(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sync", "remind", "-c", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_two_runs_at_once_take_turns(server: tuple[Server, int], tmp_path: Path) -> None:
    srv, port = server
    config = configure(province(tmp_path, port))
    release = srv.hold = threading.Event()  # the first run's first message is held …
    first = _cli(config)
    assert srv.data_seen.wait(60)
    second = _cli(config)  # … while a second run starts
    time.sleep(3)  # time enough for it to start and reach the history
    release.set()
    out1, _ = first.communicate(timeout=60)
    out2, _ = second.communicate(timeout=60)
    assert first.returncode == 0, out1
    assert second.returncode == 0, out2
    assert srv.to() == [SNV, [RG]]  # one copy each
    assert "SNV: đã gửi thông báo này trong kỳ" in out2 and "RG: đã gửi thông báo này trong kỳ" in out2


def test_a_run_killed_after_the_server_took_the_message_is_maybe_sent(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port))
    holder: list[subprocess.Popen[str]] = []
    srv.on_data.append(lambda: (holder[0].kill(), holder[0].wait()))  # killed before it hears 250
    holder.append(_cli(config))
    holder[0].communicate(timeout=60)
    assert srv.to() == [SNV]  # the server has it
    assert rows(config) == [("SNV", a, "sending") for a in SNV]
    again = remind(config)
    assert again.exit_code == 1
    assert re.fullmatch(
        rf"CÓ THỂ ĐÃ GỬI tới vanthu@snv.vn, giamdoc@snv.vn \(lần gửi lúc {AT} chưa có kết quả: bị dừng giữa chừng "
        r"hoặc không ghi được vào lịch sử\): hỏi đơn vị đã nhận thư chưa: chưa thì chạy “ubnd-sync remind --unit "
        r"SNV --resend” để gửi lại, đã nhận thì chạy “ubnd-sync remind --unit SNV --mark-sent”",
        lines(again)["SNV"],
    )
    assert srv.to() == [SNV, [RG]]  # SNV not sent blindly
    marked = remind(config, "--unit", "SNV", "--mark-sent")
    assert marked.exit_code == 0, marked.output
    assert marked.output == (
        "SNV: đã ghi nhận vanthu@snv.vn, giamdoc@snv.vn đã nhận thông báo (Văn phòng xác nhận); không gửi lại\n"
    )
    last = remind(config)
    assert last.exit_code == 0
    assert lines(last)["SNV"].startswith("đã gửi thông báo này trong kỳ")
    assert len(srv.messages) == 2


def test_a_history_locked_after_the_server_took_the_message(
    server: tuple[Server, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, port = server
    config = configure(province(tmp_path, port))
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.3)
    blocker = sqlite3.connect(load_config(config).history_path, check_same_thread=False, isolation_level=None)
    srv.on_data.append(lambda: blocker.execute("BEGIN IMMEDIATE"))  # a sync starts recording just then
    result = remind(config)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert result.exit_code == 1
    assert lines(result)["SNV"].startswith(
        "đã gửi tới vanthu@snv.vn, giamdoc@snv.vn nhưng không ghi được kết quả vào lịch sử (một lần tổng hợp khác"
    )
    assert lines(result)["SNV"].endswith("các lần chạy sau sẽ báo “có thể đã gửi” thay vì gửi lại")
    assert lines(result)["RG"].startswith("CHƯA GỬI: đã dừng gửi thư vì không ghi được vào lịch sử")
    again = remind(config)
    assert lines(again)["SNV"].startswith("CÓ THỂ ĐÃ GỬI tới vanthu@snv.vn, giamdoc@snv.vn")
    assert lines(again)["RG"] == f"đã gửi tới {RG}"
    assert srv.to() == [SNV, [RG]]
    resent = remind(config, "--unit", "SNV", "--resend")  # the unit said it never got it
    assert resent.exit_code == 0, resent.output
    assert lines(resent)["SNV"] == "đã gửi tới vanthu@snv.vn, giamdoc@snv.vn"
    assert srv.to() == [SNV, [RG], SNV]
    assert remind(config).exit_code == 0 and len(srv.messages) == 3


def test_resend_and_mark_sent_together_are_refused(server: tuple[Server, int], tmp_path: Path) -> None:
    _, port = server
    result = remind(province(tmp_path, port), "--resend", "--mark-sent")
    assert result.exit_code == 2
    assert "chọn một trong hai" in result.output


def test_a_version_4_history_opens_and_what_it_recorded_counts(
    server: tuple[Server, int], tmp_path: Path
) -> None:
    """Version 4 kept one row per notice listing the addresses that got it, and counted a notice with a
    refused address as sent: its addresses stay sent, the refused one gets the notice now."""
    srv, port = server
    config = configure(province(tmp_path, port))
    loaded = load_config(config)
    with History(loaded.history_path) as h:
        info = h.latest_run()
        assert info is not None and info.id is not None
        run = h.load(info.id)
    digests = {
        n.unit: n.digest for n in build_notices(run, {u.code: (u.name, u.emails) for u in loaded.units})
    }
    conn = sqlite3.connect(loaded.history_path)
    conn.executescript("ALTER TABLE deliveries DROP COLUMN address; PRAGMA user_version = 4;")
    conn.executemany(
        "INSERT INTO deliveries (run_id, unit, channel, cutoff, digest, recipients, status, detail, at) "
        "VALUES (?, ?, 'email', ?, ?, ?, 'sent', ?, '2024-03-05T09:00:00+07:00')",
        [
            (
                info.id,
                "SNV",
                run.period.cutoff.isoformat(),
                digests["SNV"],
                "vanthu@snv.vn",
                "địa chỉ bị từ chối: …",
            ),
            (info.id, "RG", run.period.cutoff.isoformat(), digests["RG"], RG, ""),
        ],
    )
    conn.commit()
    conn.close()
    result = remind(config)
    assert result.exit_code == 0, result.output
    assert lines(result) == {
        "SNV": "đã gửi tới giamdoc@snv.vn; vanthu@snv.vn đã nhận thông báo này lúc 05/03/2024 09:00",
        "RG": "đã gửi thông báo này trong kỳ (lúc 05/03/2024 09:00), không gửi lại",
    }
    assert srv.to() == [["giamdoc@snv.vn"]]
    with History(loaded.history_path) as h:
        assert h.schema_version == 6
    assert loaded.history_path.with_name(loaded.history_path.name + ".v4.bak").exists()
