"""Deliver notices into units' own sheets: the Office-owned ``Nhắc việc`` tab, replaced whole.

The tab holds the notice the e-mail carries, as a table (what, task id, cell, how to fix)
under a title and the date; it is replaced each time a new notice is delivered, protected
from the unit's edits, through the backend's ``UnitBook.put_office_tab``. Each unit's outcome
is recorded at once by the caller, as for e-mail: a refused or failed write is retried next run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import date

from sync.backends import Backend, open_backend
from sync.config import Config, UnitConfig
from sync.exceptions import SourceUnreadable, UnitWriteFailed, UnitWriteRefused
from sync.remind.mail import Outcome
from sync.remind.notices import Notice, next_cutoff
from sync.shapes.office_tabs import REMIND_TAB, office_tab_grid

CHANNEL_SHEET = "sheet"
TITLE = "NHẮC VIỆC CỦA VĂN PHÒNG UBND TỈNH (Văn phòng cập nhật; đơn vị không sửa trang này)"
#: deliberately no title of the unit sheet's schema: this tab can never be taken for the task tab
COLUMNS = ("Loại việc", "Mã NV liên quan", "Ô cần xem", "Hướng dẫn xử lý")
WIDTHS = (28, 16, 18, 90)


def tab_grid(notice: Notice, as_of: date, cutoff: date) -> list[list[str]]:
    """The ``Nhắc việc`` tab: title, the date and the next cut-off, column titles, one row per item."""
    line = (
        f"Theo kết quả tổng hợp ngày {as_of:%d/%m/%Y}: đề nghị đơn vị xử lý các việc dưới đây và "
        f"cập nhật bảng theo dõi trước ngày {next_cutoff(cutoff):%d/%m/%Y}."
    )
    return office_tab_grid(TITLE, line, COLUMNS, notice.table)


def deliver_to_sheets(
    notices: list[Notice],
    config: Config,
    *,
    as_of: date,
    cutoff: date,
    sent_before: Callable[[Notice], str | None],
    record: Callable[[Notice, Outcome], None],
) -> list[Outcome]:
    """Write every notice not yet written in the period into its unit's ``Nhắc việc`` tab."""
    units = {u.code: u for u in config.units}
    outcomes: list[Outcome] = []
    with ExitStack() as stack:
        backend: Backend | None = None  # opened for the first notice to write (no Google client otherwise)
        for notice in notices:
            when = sent_before(notice)
            if when is not None:
                outcomes.append(Outcome(notice.unit, "already_sent", when, channel=CHANNEL_SHEET))
                continue
            if backend is None:
                backend = stack.enter_context(open_backend(config))
            try:
                tab = _write(backend, units[notice.unit], tab_grid(notice, as_of, cutoff))
                outcome = Outcome(notice.unit, "sent", tab, channel=CHANNEL_SHEET)
            except (SourceUnreadable, UnitWriteRefused, UnitWriteFailed) as e:
                outcome = Outcome(notice.unit, "failed", str(e), channel=CHANNEL_SHEET)
            record(notice, outcome)
            outcomes.append(outcome)
    return outcomes


def _write(backend: Backend, unit: UnitConfig, grid: list[list[str]]) -> str:
    """Replace the unit's ``Nhắc việc`` tab; returns the name it bears (a fallback beside a unit's own tab)."""
    book = backend.unit_book(unit)
    try:
        name = book.put_office_tab(REMIND_TAB, grid, WIDTHS)
        book.save()
        return name
    finally:
        book.close()
