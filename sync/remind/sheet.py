"""Deliver notices into units' own sheets: the Office-owned ``Nhắc việc`` tab, replaced whole.

The tab holds the notice the e-mail carries, as a table (what, task id, cell, how to fix)
under a title and the date; it is replaced each time a new notice is delivered (xlsx: through
the safe writer, ``sync.unitwrite.xlsx``; Google: one ``batchUpdate`` deleting and adding
the tab with a protected range only the Office's account may edit). Each unit's outcome is
recorded at once by the caller, as for e-mail: a refused or failed write is retried next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

from sync.config import Config, UnitConfig
from sync.exceptions import GoogleApiError, GoogleNetworkError, SourceUnreadable, UnitWriteRefused
from sync.remind.mail import Outcome
from sync.remind.notices import Notice, next_cutoff
from sync.unitwrite import REMIND_TAB, office_tab_grid
from sync.unitwrite.xlsx import UnitWorkbook, replace_office_tab

CHANNEL_SHEET = "sheet"
TITLE = "NHẮC VIỆC CỦA VĂN PHÒNG UBND TỈNH (Văn phòng cập nhật; đơn vị không sửa trang này)"
#: deliberately no title of the unit sheet's schema: this tab can never be taken for the task tab
COLUMNS = ("Loại việc", "Mã NV liên quan", "Ô cần xem", "Hướng dẫn xử lý")
WIDTHS = (28, 16, 18, 90)

#: writes a unit's tab; returns the name it bears (``Nhắc việc``, or a fallback beside a unit's own tab)
Writer = Callable[[UnitConfig, list[list[str]]], str]


def tab_grid(notice: Notice, as_of: date, cutoff: date) -> list[list[str]]:
    """The ``Nhắc việc`` tab: title, the date and the next cut-off, column titles, one row per item."""
    line = (
        f"Theo kết quả tổng hợp ngày {as_of:%d/%m/%Y}: đề nghị đơn vị xử lý các việc dưới đây và "
        f"cập nhật bảng theo dõi trước ngày {next_cutoff(cutoff):%d/%m/%Y}."
    )
    return office_tab_grid(TITLE, line, COLUMNS, notice.table)


def _xlsx_writer(config: Config) -> Writer:
    def write(unit: UnitConfig, grid: list[list[str]]) -> str:
        target = UnitWorkbook.read(Path(config.resolve(unit.source)), unit.code, config.limits)
        with target.editing() as package:
            name = replace_office_tab(package, REMIND_TAB, grid, WIDTHS)
        target.save()
        return name

    return write


@contextmanager
def _google_writer(config: Config) -> Iterator[Writer]:
    from sync.google.client import GoogleClient
    from sync.sources.gsheets import GSheetsSource, GSheetsWorkbook
    from sync.unitwrite.gsheets import office_tab_requests

    client = GoogleClient.from_config(config)
    source = GSheetsSource(client, read="values", limits=config.limits)

    def write(unit: UnitConfig, grid: list[list[str]]) -> str:
        workbook = source.open(config.resolve(unit.source))
        assert isinstance(workbook, GSheetsWorkbook)
        requests = office_tab_requests(workbook.sheet_ids(), REMIND_TAB, grid, client.account_email, WIDTHS)
        client.http.batch_update(workbook.id, {"requests": requests})
        return REMIND_TAB

    try:
        yield write
    finally:
        client.close()


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
        write: Writer | None = None  # opened for the first notice to write (no Google client otherwise)
        for notice in notices:
            when = sent_before(notice)
            if when is not None:
                outcomes.append(Outcome(notice.unit, "already_sent", when, channel=CHANNEL_SHEET))
                continue
            if write is None:
                write = stack.enter_context(_writer(config))
            try:
                tab = write(units[notice.unit], tab_grid(notice, as_of, cutoff))
                outcome = Outcome(notice.unit, "sent", tab, channel=CHANNEL_SHEET)
            except (SourceUnreadable, UnitWriteRefused, GoogleApiError, GoogleNetworkError) as e:
                outcome = Outcome(notice.unit, "failed", str(e), channel=CHANNEL_SHEET)
            except OSError as e:
                reason = f"không ghi được tệp: {e.strerror or e}"
                outcome = Outcome(notice.unit, "failed", reason, channel=CHANNEL_SHEET)
            record(notice, outcome)
            outcomes.append(outcome)
    return outcomes


@contextmanager
def _writer(config: Config) -> Iterator[Writer]:
    if config.sync.backend == "gsheets":
        with _google_writer(config) as write:
            yield write
    else:
        yield _xlsx_writer(config)
