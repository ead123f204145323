"""The history's record of one ``remind`` run's e-mails, per address (``sync.history.deliveries``).

``deliver`` asks it where each address of a notice stands in the period, records an attempt
before the message's final dot (``begin``) and its end once the server has answered
(``conclude``): an attempt that never ends is, for every later run, a message that may have
gone out (``có thể đã gửi``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sync.history import History
from sync.history.deliveries import FAILED, REFUSED, SENDING, SENT, AddressState
from sync.remind.notices import Notice

CHANNEL_EMAIL = "email"

__all__ = ["FAILED", "SENDING", "SENT", "AddressState", "Ledger"]


@dataclass(frozen=True, slots=True)
class Ledger:
    history: History
    run_id: int
    cutoff: date

    def standing(self, notice: Notice) -> dict[str, AddressState]:
        return self.history.delivery_standing(notice.unit, CHANNEL_EMAIL, self.cutoff, notice.digest)

    def _rows(self, notice: Notice, rows: Iterable[tuple[str, str, str]]) -> list[int]:
        """One row per ``(address, status, detail)``, together."""
        return self.history.record_delivery(
            run_id=self.run_id,
            unit=notice.unit,
            channel=CHANNEL_EMAIL,
            cutoff=self.cutoff,
            digest=notice.digest,
            rows=[(a, a, status, detail) for a, status, detail in rows],
        )

    def begin(self, notice: Notice, accepted: list[str], refused: dict[str, str]) -> list[int]:
        """Before the final dot: a ``refused`` row per address refused, a ``sending`` row per address
        accepted (their ids, for :meth:`conclude`)."""
        rows = [(a, REFUSED, why) for a, why in refused.items()] + [(a, SENDING, "") for a in accepted]
        ids = self._rows(notice, rows)
        return ids[len(refused) :]

    def conclude(self, ids: list[int], status: str, detail: str = "") -> None:
        self.history.conclude_delivery(ids, status, detail)

    def failed(self, notice: Notice, addresses: Iterable[str], why: str) -> None:
        """An attempt that sent nothing (the server could not be reached, refused the sender …)."""
        self._rows(notice, [(a, FAILED, why) for a in addresses])

    def confirmed(self, notice: Notice, addresses: Iterable[str]) -> None:
        """The Office says these addresses did get the notice (``remind --mark-sent``)."""
        self._rows(notice, [(a, SENT, "Văn phòng xác nhận đơn vị đã nhận") for a in addresses])
