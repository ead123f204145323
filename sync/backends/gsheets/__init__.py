"""The Google Sheets backend: units' spreadsheets, the register and the summary on Google.

- ``client``: the HTTP policy every Sheets and Drive call goes through (quota, retries, when
  Google is unreachable), over gspread's HTTP client and google-auth;
- ``read``: a unit's spreadsheet read incrementally (a Drive export, or Sheets values), with
  the versions and grids of the last successful run kept locally;
- ``unitbook``: the Office's writes into a unit's spreadsheet (``values.append``, Office tabs);
- ``summary``: the summary spreadsheet written in one ``batchUpdate``;
- ``create``: ``init``'s spreadsheets, made resumably and shared with each unit.

References are spreadsheet ids or URLs. One ``GoogleClient`` serves the whole run (reads and
writes share Google's per-minute quota, as Google counts them); it is made on first use, so
a command that sends nothing never signs in.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync.backends.base import Backend, CreatedBooks, NewProvince, UnitBook, Workbook
from sync.shapes.books import relative

if TYPE_CHECKING:
    from sync.backends.gsheets.client import GoogleClient
    from sync.backends.gsheets.read import GSheetsSource
    from sync.config import Config, UnitConfig
    from sync.model import UnitResult
    from sync.shapes.tables import Table

#: the probable cause when most units fail the same way, by the reader's ``detail``
_CAUSES = {
    "network": "không kết nối được tới Google; kiểm tra mạng của máy này",
    "forbidden": (
        "Google từ chối cho tài khoản dịch vụ đọc các bảng tính: kiểm tra tệp khóa (“credentials” trong "
        "[gsheets]) là của đúng tài khoản và các bảng tính vẫn được chia sẻ cho tài khoản đó"
    ),
    "not-found": (
        "Google không tìm thấy các bảng tính, hoặc chúng chưa được chia sẻ cho tài khoản dịch vụ (Drive trả "
        "lời hai trường hợp như nhau): kiểm tra mã bảng tính trong cấu hình (cấu hình của tỉnh khác?), việc "
        "chia sẻ và “endpoint” trong [gsheets]"
    ),
}


class _PendingSummary:
    """Google's summary is written in place, in one ``batchUpdate``, when the run installs it."""

    def __init__(self, backend: GSheetsBackend, tables: list[Table]):
        self._backend = backend
        self._tables: list[Table] | None = tables
        self.location = backend.config.sync.summary

    def finish(self) -> str:
        from sync.backends.gsheets.summary import write_summary_gsheets

        assert self._tables is not None
        url = write_summary_gsheets(self._backend.config, self._tables, client=self._backend.client())
        self._tables = None
        return url

    def abort(self) -> None:
        self._tables = None


class GSheetsBackend(Backend):
    """Spreadsheets by id or URL, through one ``GoogleClient`` per run."""

    name = "gsheets"

    def __init__(self, config: Config, **client_kwargs: Any):
        """``client_kwargs``: for the run's ``GoogleClient`` (the tests pass a ``sleep`` that does not wait)."""
        super().__init__(config)
        self._client_kwargs = client_kwargs
        self._client: GoogleClient | None = None
        self._reader: GSheetsSource | None = None
        #: the reader threads (``sync.engine.load_ahead``) may ask for the client or reader at once
        self._lock = threading.RLock()
        self._writer: GSheetsSource | None = None

    def client(self) -> GoogleClient:
        """The run's client (signs in on first use)."""
        with self._lock:
            if self._client is None:
                from sync.backends.gsheets.client import GoogleClient

                self._client = GoogleClient.from_config(self.config, **self._client_kwargs)
            return self._client

    @property
    def read_ahead(self) -> int:  # type: ignore[override]
        from sync.backends.gsheets.read import READ_AHEAD

        return READ_AHEAD if self.config.gsheets.read == "export" else 0

    def resolve(self, ref: str) -> str:
        from sync.backends.gsheets.read import spreadsheet_id

        return spreadsheet_id(ref)

    # ---------------------------------------------------------------- reading

    def reader(self) -> GSheetsSource:
        """The run's incremental reader (``[gsheets] read``, the state and cache of the last run)."""
        with self._lock:
            if self._reader is None:
                from sync.backends.gsheets.read import GSheetsSource

                self._reader = GSheetsSource.from_config(self.config, client=self.client())
            return self._reader

    def open(self, ref: str) -> Workbook:
        return self.reader().open(ref)

    def commit(self) -> None:
        if self._reader is not None:
            self._reader.commit()

    def activity(self) -> tuple[int, float] | None:
        if self._client is None:
            return 0, 0.0
        return self._client.stats.api_total(), self._client.stats.waited

    def requests(self) -> int | None:
        return 0 if self._client is None else self._client.stats.api_total()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # ---------------------------------------------------------------- the summary

    def start_summary(self, tables: list[Table]) -> _PendingSummary:
        return _PendingSummary(self, tables)

    # ---------------------------------------------------------------- units' own books

    def unit_book(self, unit: UnitConfig) -> UnitBook:
        from sync.backends.gsheets.read import GSheetsSource
        from sync.backends.gsheets.unitbook import GSheetsUnitBook

        if self._writer is None:
            # read through Drive's export (Drive's quota, not Sheets' 60 reads a minute): a run
            # that adds nothing makes no Sheets request at all
            self._writer = GSheetsSource(self.client(), read="export", limits=self.config.limits)
        return GSheetsUnitBook(unit, unit.source, self.client(), self._writer)

    # ---------------------------------------------------------------- a new province

    def create_books(self, new: NewProvince) -> CreatedBooks:
        from sync.backends.gsheets.client import INIT_SCOPES, GoogleClient
        from sync.backends.gsheets.create import init_google

        settings = self.config.gsheets
        with GoogleClient.from_config(self.config, scopes=INIT_SCOPES) as client:
            report, ids = init_google(
                new.units,
                config_dir=new.config_dir,
                client=client,
                cutoff_day=new.cutoff_day,
                protection=settings.protection,
                progress=new.progress,
                office_emails=new.office_emails,
            )
        section: dict[str, str] = {}
        if settings.credentials:
            key = Path(settings.credentials).expanduser()
            key = key if key.is_absolute() else self.config.base_dir / key
            section["credentials"] = relative(key.resolve(), new.config_dir)
        if settings.endpoint:
            section["endpoint"] = settings.endpoint
        section["protection"] = settings.protection
        return CreatedBooks(
            report=report,
            sources={code: str(sid) for code, sid in ids["units"].items()},
            register=str(ids["register"]),
            summary=str(ids["summary"]),
            settings=section,
        )

    # ---------------------------------------------------------------- when most units are unreadable

    def unreadable_cause(self, units: Sequence[UnitResult]) -> str | None:
        detail, count = Counter(u.unreadable_detail for u in units).most_common(1)[0]
        if count * 2 <= len(units):
            return None
        if detail in _CAUSES:
            return _CAUSES[detail]
        if detail.startswith("http-"):
            return f"Google trả lời lỗi {detail[5:]} cho các bảng tính (Google đang trục trặc?); chạy lại sau ít phút"
        return None
