"""Deliver notices by e-mail: every address of every notice gets it once in a period.

- **Per address.** The envelope is built step by step (``MAIL``, one ``RCPT`` per address):
  an address the server refuses is recorded as refused and sent next run, while the others
  get the message now (the unit is reported as partly sent, exit 1).
- **Recorded before the final dot.** The addresses the server took are recorded as
  ``sending`` before the message's final dot, and ``sent`` or ``failed`` once the server
  has answered it. If the run is killed in between, or the history cannot be written after
  the server took the message, they stay ``sending``: later runs report them as “có thể đã
  gửi” and never send them again unless the Office says so (``remind --resend``, or
  ``--mark-sent`` when the unit did get it).
- **The account is spared.** One login per connection, by one mechanism (PLAIN, else
  LOGIN); a refused login stops the run at once, so a wrong password costs one attempt,
  not two per unit.
- **A silent server is given up once.** Each step may take ``timeout_seconds``; the reply
  to the final dot may take ``data_timeout_seconds`` (RFC 5321 §4.5.3.2.6 allows 10
  minutes). The first step that times out, a server that cannot be reached, refuses TLS,
  the login or the sender stops the run's e-mails: the units not tried are reported and
  sent next run. A connection the server drops costs the unit being sent only; the next
  unit opens a new one.
- Every failure is told in Vietnamese by its cause (``sync.remind.smtp_reasons``).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sync.config import MailSettings
from sync.exceptions import HistoryError, UsageError
from sync.remind import smtp_reasons as why
from sync.remind.headers import POLICY, address_value, subject_value
from sync.remind.ledger import FAILED, SENDING, SENT, Ledger
from sync.remind.notices import XLSX, Notice

#: Outcomes that leave something to do: the run exits 1.
UNFINISHED = ("failed", "partial", "unsure", "skipped")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one unit's notice on one channel.

    ``status``: ``sent``, ``partial`` (some addresses refused), ``failed``, ``unsure`` (an earlier
    attempt may have gone out), ``already_sent``, ``marked`` (``--mark-sent``), ``skipped`` (not
    tried: the run's e-mails had stopped), ``no_address``.
    """

    unit: str
    status: str
    detail: str = ""
    recipients: tuple[str, ...] = ()  # the addresses this run sent it to
    channel: str = "email"  # or "sheet": the unit's ``Nhắc việc`` tab (``sync.remind.sheet``)
    not_sent: tuple[tuple[str, str], ...] = ()  # (address, why): to be sent next run
    earlier: tuple[tuple[str, str], ...] = ()  # (address, when): sent by an earlier run of the period
    unsure: tuple[tuple[str, str, str], ...] = ()  # (address, when, why): an attempt whose end is unknown


def _status(sent: tuple[str, ...], not_sent: tuple[tuple[str, str], ...], unsure: tuple[object, ...]) -> str:
    if not_sent:
        return "partial" if sent else "failed"
    if unsure:
        return "unsure"
    return "sent" if sent else "already_sent"


def password(settings: MailSettings) -> str | None:
    """The SMTP password from the environment variable the config names (never from the config)."""
    return os.environ.get(settings.password_env) or None


def message(notice: Notice, sender: str, to: tuple[str, ...] | None = None) -> EmailMessage:
    """The notice as an e-mail to ``to`` (default: all its recipients), each address with the unit's name."""
    msg = EmailMessage(policy=POLICY)
    msg.set_raw("Subject", subject_value(notice.subject))
    msg["From"] = sender
    msg.set_raw(
        "To", address_value([(notice.unit_name, a) for a in (notice.recipients if to is None else to)])
    )
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(notice.text)
    msg.add_alternative(notice.html, subtype="html")
    maintype, subtype = XLSX.split("/")
    msg.add_attachment(notice.attachment, maintype=maintype, subtype=subtype, filename=notice.attachment_name)
    return msg


def _data(msg: EmailMessage) -> bytes:
    """The message as sent after ``DATA``: CRLF lines, leading dots doubled, the final dot."""
    data = re.sub(rb"(?m)^\.", b"..", msg.as_bytes(policy=POLICY))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class Stop(Exception):
    """The server can take nothing more from this run; ``reason`` says why, in Vietnamese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Dropped(Exception):
    """The server closed the conversation (421) in the middle of a message."""


class Mailer:
    """One SMTP session, opened on first use and reopened after the server dropped it."""

    def __init__(self, settings: MailSettings):
        if not settings.host or not settings.sender:
            raise UsageError("chưa cấu hình máy chủ thư: thêm mục [mail] (host, sender) vào tệp cấu hình.")
        self.settings = settings
        self.secret = password(settings)
        if settings.user and not self.secret:
            env = settings.password_env
            raise UsageError(
                f"[mail] có tên đăng nhập “{settings.user}” nhưng biến môi trường {env} chưa có mật khẩu: đặt "
                f'mật khẩu vào biến đó (PowerShell: $env:{env} = "…"; bash: export {env}=…) rồi chạy lại. '
                "Chưa thư nào được gửi."
            )
        self.conn: smtplib.SMTP | None = None

    # -- the session

    def _open(self) -> smtplib.SMTP:
        """A session ready to send (connected, TLS as configured, logged in); ``Stop`` when it cannot be had."""
        s = self.settings
        assert s.host is not None
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            conn.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise Stop(why.no_starttls(s))
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.user:
                self._login(conn)
            return conn
        except Stop:
            _abandon(conn)
            raise
        except (smtplib.SMTPException, OSError) as e:  # ssl.SSLError is an OSError
            _abandon(conn)
            raise Stop(why.connecting(e, s)) from e

    def _login(self, conn: smtplib.SMTP) -> None:
        """One AUTH exchange, by one mechanism: a refused password is never tried again."""
        s = self.settings
        if not conn.has_extn("auth"):
            raise Stop(why.no_login(s))
        offered = conn.esmtp_features["auth"].upper().split()
        mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
        if mechanism is None:
            raise Stop(why.no_mechanism(offered))
        conn.user, conn.password = s.user or "", self.secret or ""
        try:
            conn.auth(mechanism, conn.auth_plain if mechanism == "PLAIN" else conn.auth_login)
        except smtplib.SMTPAuthenticationError as e:
            raise Stop(why.login_refused(e.smtp_code, e.smtp_error, s)) from e

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def _reset(self) -> None:
        """Forget the envelope after a refusal (``RSET``); a session that cannot is dropped."""
        try:
            if self.conn is not None:
                self.conn.rset()
        except (smtplib.SMTPException, OSError):
            _abandon(self.conn)
            self.conn = None

    # -- one message

    def send(self, notice: Notice, to: tuple[str, ...], ledger: Ledger) -> tuple[Outcome, str | None]:
        """Send ``notice`` to addresses ``to``, recording each step; the outcome, and why the run must stop."""
        if self.conn is None:
            try:
                self.conn = self._open()
            except Stop as e:
                ledger.failed(notice, to, e.reason)
                return self._failed(notice, to, e.reason), e.reason
        conn = self.conn
        try:
            envelope = self._envelope(conn, to)
        except (smtplib.SMTPException, OSError, _Dropped) as e:
            return self._broken(notice, to, [], False, e, ledger, {})
        if isinstance(envelope, tuple):  # the sender refused: (reason, whether the run must stop)
            reason, stops = envelope
            ledger.failed(notice, to, reason)
            return self._failed(notice, to, reason), (reason if stops else None)
        accepted = [a for a in to if a not in envelope]
        not_sent = tuple(envelope.items())
        try:
            ids = ledger.begin(notice, accepted, envelope)
        except HistoryError as e:
            self._reset()
            return self._failed(notice, to, f"chưa gửi: {e}"), f"không ghi được vào lịch sử ({e})"
        if not accepted:
            self._reset()
            return Outcome(notice.unit, "failed", not_sent=not_sent), None
        dot_sent = False
        try:
            code, text = conn.docmd("data")
            _check_open(code)
            if code == 354:
                conn.send(_data(message(notice, self.settings.sender or "", tuple(accepted))))
                dot_sent = True
                assert conn.sock is not None
                conn.sock.settimeout(self.settings.data_timeout_seconds)
                code, text = conn.getreply()
                conn.sock.settimeout(self.settings.timeout_seconds)
                _check_open(code)
        except (smtplib.SMTPException, OSError, _Dropped) as e:
            return self._broken(notice, to, ids, dot_sent, e, ledger, envelope)
        except BaseException:  # interrupted: an attempt whose dot never left has sent nothing
            if not dot_sent:
                ledger.conclude(ids, FAILED, "bị dừng trước khi gửi")
            raise
        sent = tuple(accepted) if code == 250 else ()
        reason = "" if sent else why.message_refused(code, text)
        if not sent:
            self._reset()
        try:
            ledger.conclude(ids, SENT if sent else FAILED, reason)
        except HistoryError as e:
            if sent:
                return self._unrecorded(notice, sent, not_sent, e)
            return self._failed(notice, to, reason, not_sent), f"không ghi được vào lịch sử ({e})"
        if not sent:
            return self._failed(notice, to, reason, not_sent), None
        return Outcome(notice.unit, _status(sent, not_sent, ()), recipients=sent, not_sent=not_sent), None

    def _envelope(self, conn: smtplib.SMTP, to: tuple[str, ...]) -> dict[str, str] | tuple[str, bool]:
        """``MAIL`` and one ``RCPT`` per address: the refused addresses and why; or, when the sender
        was refused, why and whether that stops the run (a permanent refusal does)."""
        s = self.settings
        code, text = conn.mail(s.sender or "")
        _check_open(code)
        if code != 250:
            self._reset()
            if code >= 500:
                return why.sender_refused(code, text, s), True
            return why.message_refused(code, text), False
        refused: dict[str, str] = {}
        for address in to:
            code, text = conn.rcpt(address)
            _check_open(code)
            if code not in (250, 251):
                refused[address] = why.address_refused(code, text)
        return refused

    @staticmethod
    def _failed(
        notice: Notice, to: tuple[str, ...], reason: str, refused: tuple[tuple[str, str], ...] = ()
    ) -> Outcome:
        known = dict(refused)
        not_sent = tuple((a, known.get(a, reason)) for a in to)
        return Outcome(notice.unit, "failed", reason, not_sent=not_sent)

    @staticmethod
    def _unrecorded(
        notice: Notice, sent: tuple[str, ...], not_sent: tuple[tuple[str, str], ...], e: HistoryError
    ) -> tuple[Outcome, str]:
        """The server took the message but the history did not record it: said now, and “có thể đã gửi” later."""
        note = (
            f"nhưng không ghi được kết quả vào lịch sử ({e}); các lần chạy sau sẽ báo “có thể đã gửi” "
            "thay vì gửi lại"
        )
        outcome = Outcome(notice.unit, _status(sent, not_sent, ()), note, recipients=sent, not_sent=not_sent)
        return outcome, f"không ghi được vào lịch sử ({e})"

    def _broken(
        self,
        notice: Notice,
        to: tuple[str, ...],
        ids: list[int],
        dot_sent: bool,
        e: BaseException,
        ledger: Ledger,
        refused: dict[str, str],
    ) -> tuple[Outcome, str | None]:
        """The conversation failed half way: timed out (the run stops) or dropped (this unit only)."""
        s = self.settings
        _abandon(self.conn)
        self.conn = None
        if why.timed_out(e) and dot_sent:  # the server has the whole message and may yet deliver it
            reason = why.no_answer_to_dot(s)
            ledger.conclude(ids, SENDING, reason)
            unsure = tuple((a, "", reason) for a in to if a not in refused)
            return Outcome(
                notice.unit, "unsure", reason, not_sent=tuple(refused.items()), unsure=unsure
            ), reason
        reason = why.no_answer(s) if why.timed_out(e) else why.lost(e)
        if ids:
            ledger.conclude(ids, FAILED, reason)
        else:
            ledger.failed(notice, to, reason)
        return self._failed(notice, to, reason, tuple(refused.items())), (
            reason if why.timed_out(e) else None
        )


def _check_open(code: int) -> None:
    if code == 421:  # the server is closing the conversation
        raise _Dropped()


def _abandon(conn: smtplib.SMTP | None) -> None:
    """Close a session without waiting for a server that may not answer (no QUIT)."""
    if conn is not None:
        conn.close()


def deliver(
    notices: list[Notice],
    settings: MailSettings,
    ledger: Ledger,
    *,
    resend: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Send every notice to each of its addresses not sent (nor maybe sent, unless ``resend``) in the period."""
    mailer: Mailer | None = None
    stop: str | None = None
    outcomes: list[Outcome] = []
    try:
        for notice in notices:
            if not notice.recipients:
                outcomes.append(Outcome(notice.unit, "no_address"))
                continue
            states = ledger.standing(notice)
            earlier = tuple(
                (a, states[a].at) for a in notice.recipients if a in states and states[a].status == SENT
            )
            unsure = tuple(
                (a, states[a].at, states[a].detail)
                for a in notice.recipients
                if not resend and a in states and states[a].status == SENDING
            )
            done = {a for a, *_ in earlier + unsure}
            to = tuple(a for a in notice.recipients if a not in done)
            if not to:
                outcomes.append(Outcome(notice.unit, _status((), (), unsure), earlier=earlier, unsure=unsure))
                continue
            if stop is not None:
                outcomes.append(Outcome(notice.unit, "skipped", stop, earlier=earlier, unsure=unsure))
                continue
            if mailer is None:
                mailer = Mailer(settings)
            elif settings.pause_seconds:
                sleep(settings.pause_seconds)
            outcome, stop = mailer.send(notice, to, ledger)
            status = (
                outcome.status if outcome.status not in ("sent", "already_sent") or not unsure else "unsure"
            )
            outcomes.append(replace(outcome, status=status, earlier=earlier, unsure=outcome.unsure + unsure))
    finally:
        if mailer is not None:
            mailer.close()
    return outcomes


def confirm(notices: list[Notice], ledger: Ledger) -> list[Outcome]:
    """``remind --mark-sent``: the addresses in doubt are recorded as having got their notice; nothing is sent."""
    outcomes = []
    for notice in notices:
        states = ledger.standing(notice)
        doubtful = tuple(a for a in notice.recipients if a in states and states[a].status == SENDING)
        if doubtful:
            ledger.confirmed(notice, doubtful)
            outcomes.append(Outcome(notice.unit, "marked", recipients=doubtful))
    return outcomes
