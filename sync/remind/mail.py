"""Deliver notices by e-mail: one SMTP connection for the whole run, a pause between messages.

Each unit's outcome is recorded in the history as soon as it is known (``sent`` or
``failed`` with the server's reason), so a failure is never lost: the next run tries
that unit again, while a notice already sent in the period is never sent twice.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sync.config import MailSettings
from sync.exceptions import UsageError
from sync.remind.notices import XLSX, Notice

#: How long one SMTP conversation step may take.
TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one unit's notice: ``sent``, ``failed``, ``already_sent``, ``no_address``."""

    unit: str
    status: str
    detail: str = ""
    recipients: tuple[str, ...] = ()
    channel: str = "email"  # or "sheet": the unit's ``Nhắc việc`` tab (``sync.remind.sheet``)


def password(settings: MailSettings) -> str | None:
    """The SMTP password from the environment variable the config names (never from the config)."""
    return os.environ.get(settings.password_env) or None


def message(notice: Notice, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = notice.subject
    msg["From"] = sender
    msg["To"] = ", ".join(notice.recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(notice.text)
    msg.add_alternative(notice.html, subtype="html")
    maintype, subtype = XLSX.split("/")
    msg.add_attachment(notice.attachment, maintype=maintype, subtype=subtype, filename=notice.attachment_name)
    return msg


class Mailer:
    """One SMTP connection, opened on first use and reopened once after the server dropped it."""

    def __init__(self, settings: MailSettings):
        if not settings.host or not settings.sender:
            raise UsageError("chưa cấu hình máy chủ thư: thêm mục [mail] (host, sender) vào tệp cấu hình.")
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.host is not None
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            if s.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        secret = password(s)
        if s.user and secret:
            conn.login(s.user, secret)
        return conn

    def send(self, notice: Notice) -> Outcome:
        msg = message(notice, self.settings.sender or "")
        try:
            if self.conn is None:
                self.conn = self._connect()
            refused = self.conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            return Outcome(notice.unit, "failed", _refused(e.recipients), notice.recipients)
        except smtplib.SMTPResponseException as e:
            self._reset()
            return Outcome(
                notice.unit, "failed", f"máy chủ thư từ chối ({e.smtp_code}: {_text(e.smtp_error)})"
            )
        except (smtplib.SMTPException, OSError) as e:
            self.close()  # the connection is gone: the next unit opens a new one
            return Outcome(notice.unit, "failed", f"mất kết nối tới máy chủ thư ({type(e).__name__}: {e})")
        accepted = tuple(r for r in notice.recipients if r not in refused)
        detail = _refused(refused) if refused else ""
        return Outcome(notice.unit, "sent", detail, accepted)

    def _reset(self) -> None:
        try:
            if self.conn is not None:
                self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "địa chỉ bị từ chối: " + "; ".join(
        f"{a} ({code} {_text(why)})" for a, (code, why) in recipients.items()
    )


def deliver(
    notices: list[Notice],
    settings: MailSettings,
    *,
    sent_before: Callable[[Notice], str | None],
    record: Callable[[Notice, Outcome], None],
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Send every notice not sent before in the period; ``record`` each attempt as it ends."""
    mailer: Mailer | None = None
    outcomes: list[Outcome] = []
    try:
        for notice in notices:
            if not notice.recipients:
                outcomes.append(Outcome(notice.unit, "no_address"))
                continue
            when = sent_before(notice)
            if when is not None:
                outcomes.append(Outcome(notice.unit, "already_sent", when))
                continue
            if mailer is None:
                mailer = Mailer(settings)
            elif settings.pause_seconds:
                sleep(settings.pause_seconds)
            outcome = mailer.send(notice)
            record(notice, outcome)
            outcomes.append(outcome)
    finally:
        if mailer is not None:
            mailer.close()
    return outcomes
