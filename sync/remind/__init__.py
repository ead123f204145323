"""Chasing units (đôn đốc): ``ubnd-sync remind``.

- ``notices``: what each unit is told, from the latest recorded sync (errors first);
- ``mail``: delivery over SMTP, one connection, a pause between messages, per address
  (``ledger``: the history's record of each address; ``smtp_reasons``: failures in Vietnamese;
  ``headers``: subjects and names every mail reader reads back);
- ``sheet``: delivery into the unit's own sheet, the Office-owned ``Nhắc việc`` tab.

``remind(config, dry_run=..., unit=..., channels=...)`` builds the notices and, unless
``dry_run``, delivers them by each channel (``email``, ``sheet``) and records every attempt
in the history, per channel (and per address for e-mail); ``render`` tells the outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.config import Config
from sync.exceptions import HistoryError, UsageError
from sync.history import History, RunSnapshot
from sync.remind.ledger import CHANNEL_EMAIL, Ledger
from sync.remind.mail import UNFINISHED, Outcome, confirm, deliver
from sync.remind.notices import Notice, build_notices
from sync.remind.render import when
from sync.remind.sheet import CHANNEL_SHEET, deliver_to_sheets

__all__ = ["CHANNEL_EMAIL", "Reminders", "remind"]


@dataclass(frozen=True, slots=True)
class Reminders:
    run: RunSnapshot
    notices: list[Notice]
    outcomes: list[Outcome]  # empty on a dry run

    @property
    def failed(self) -> list[Outcome]:
        """Outcomes that leave something to do: not sent (wholly or partly), maybe sent, not tried."""
        return [o for o in self.outcomes if o.status in UNFINISHED]


def remind(
    config: Config,
    *,
    dry_run: bool = False,
    unit: str | None = None,
    channels: tuple[str, ...] = (CHANNEL_EMAIL,),
    resend: bool = False,
    mark_sent: bool = False,
) -> Reminders:
    """Notices from the latest regular run; delivered by ``channels`` (and recorded) unless ``dry_run``.

    One ``remind`` at a time: a second one waits for the first as a second sync does
    (``History.remind_turn``), then sends only what the first did not. ``resend``: the
    e-mails that may have gone out (an attempt whose end is unknown) are sent again;
    ``mark_sent``: they are recorded as received, and nothing is sent.
    """
    if resend and mark_sent:
        raise UsageError(
            "chọn một trong hai: --resend (gửi lại thư “có thể đã gửi”) hoặc --mark-sent (coi là đã nhận)."
        )
    units = {u.code: (u.name, u.emails) for u in config.units if unit is None or u.code == unit}
    if unit is not None and not units:
        codes = ", ".join(u.code for u in config.units)
        raise UsageError(f"không có đơn vị mã “{unit}” trong cấu hình (các mã: {codes}).")
    with History(config.history_path, create=False) as history:
        if dry_run:
            run, notices = _notices(history, units)
            return Reminders(run, notices, [])
        with history.remind_turn():
            run, notices = _notices(history, units)
            assert run.id is not None
            ledger = Ledger(history, run.id, run.period.cutoff)
            if mark_sent:
                return Reminders(run, notices, confirm(notices, ledger))
            outcomes: list[Outcome] = []
            if CHANNEL_EMAIL in channels:
                outcomes += deliver(notices, config.mail, ledger, resend=resend)
            if CHANNEL_SHEET in channels:
                outcomes += _to_sheets(notices, config, history, run)
    return Reminders(run, notices, outcomes)


def _notices(
    history: History, units: dict[str, tuple[str, tuple[str, ...]]]
) -> tuple[RunSnapshot, list[Notice]]:
    info = history.latest_run()
    if info is None or info.id is None:
        raise HistoryError("chưa có lần tổng hợp nào để nhắc việc: chạy “ubnd-sync sync” trước.")
    run = history.load(info.id)
    return run, build_notices(run, units)


def _to_sheets(notices: list[Notice], config: Config, history: History, run: RunSnapshot) -> list[Outcome]:
    assert run.id is not None
    run_id, cutoff = run.id, run.period.cutoff

    def sent_before(n: Notice) -> str | None:
        at = history.sent_before(n.unit, CHANNEL_SHEET, cutoff, n.digest)
        return None if at is None else when(at)

    def record(n: Notice, o: Outcome) -> None:
        history.record_delivery(
            run_id=run_id,
            unit=n.unit,
            channel=o.channel,
            cutoff=cutoff,
            digest=n.digest,
            rows=[(None, ", ".join(o.recipients), o.status, o.detail)],
        )

    return deliver_to_sheets(
        notices, config, as_of=run.as_of, cutoff=cutoff, sent_before=sent_before, record=record
    )
