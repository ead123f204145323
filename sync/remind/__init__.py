"""Chasing units (đôn đốc): ``ubnd-sync remind``.

- ``notices``: what each unit is told, from the latest recorded sync (errors first);
- ``mail``: delivery over SMTP, one connection, a pause between messages;
- ``sheet``: delivery into the unit's own sheet, the Office-owned ``Nhắc việc`` tab.

``remind(config, dry_run=..., unit=..., channels=...)`` builds the notices and, unless
``dry_run``, delivers them by each channel (``email``, ``sheet``) and records every attempt
in the history, per channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sync.config import Config
from sync.exceptions import HistoryError, UsageError
from sync.history import History, RunSnapshot
from sync.remind.mail import Outcome, deliver
from sync.remind.notices import Notice, build_notices
from sync.remind.sheet import CHANNEL_SHEET, deliver_to_sheets

CHANNEL_EMAIL = "email"

__all__ = ["Reminders", "remind"]


@dataclass(frozen=True, slots=True)
class Reminders:
    run: RunSnapshot
    notices: list[Notice]
    outcomes: list[Outcome]  # empty on a dry run

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def remind(
    config: Config,
    *,
    dry_run: bool = False,
    unit: str | None = None,
    channels: tuple[str, ...] = (CHANNEL_EMAIL,),
) -> Reminders:
    """Notices from the latest regular run; delivered by ``channels`` (and recorded) unless ``dry_run``."""
    units = {u.code: (u.name, u.emails) for u in config.units if unit is None or u.code == unit}
    if unit is not None and not units:
        codes = ", ".join(u.code for u in config.units)
        raise UsageError(f"không có đơn vị mã “{unit}” trong cấu hình (các mã: {codes}).")
    with History(config.history_path, create=False) as history:
        info = history.latest_run()
        if info is None or info.id is None:
            raise HistoryError("chưa có lần tổng hợp nào để nhắc việc: chạy “ubnd-sync sync” trước.")
        run = history.load(info.id)
        notices = build_notices(run, units)
        if dry_run:
            return Reminders(run, notices, [])
        run_id, cutoff = info.id, run.period.cutoff

        def sent_before(channel: str) -> Callable[[Notice], str | None]:
            return lambda n: history.sent_before(n.unit, channel, cutoff, n.digest)

        def record(n: Notice, o: Outcome) -> None:
            history.record_delivery(
                run_id=run_id,
                unit=n.unit,
                channel=o.channel,
                cutoff=cutoff,
                digest=n.digest,
                recipients=o.recipients or (n.recipients if o.channel == CHANNEL_EMAIL else ()),
                status=o.status,
                detail=o.detail,
            )

        outcomes: list[Outcome] = []
        if CHANNEL_EMAIL in channels:
            outcomes += deliver(notices, config.mail, sent_before=sent_before(CHANNEL_EMAIL), record=record)
        if CHANNEL_SHEET in channels:
            outcomes += deliver_to_sheets(
                notices,
                config,
                as_of=run.as_of,
                cutoff=cutoff,
                sent_before=sent_before(CHANNEL_SHEET),
                record=record,
            )
    return Reminders(run, notices, outcomes)
