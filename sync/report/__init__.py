"""The report for the Committee's regular meeting: a .docx (and a PDF when LibreOffice is present).

``write_report`` reads the history only, never the units' sheets, so the report
for a past month can be made again at any time. The month of a run is the
month of its reporting period's cutoff (a run as of 05/11/2024 with cutoff day
25 reports on the period ending 25/10/2024: “tháng 10 năm 2024”); the latest
run of that month is used.

The package, in the order the work is done:

- ``facts``: what the report says, computed once from the history (plain dataclasses);
- ``charts``: the two matplotlib charts (PNG);
- ``sections``: one function per section of the document, from the facts;
- ``docx``: python-docx helpers (NĐ 30/2020 page, heading block, tables, captions);
- ``pdf``: the conversion by LibreOffice;
- ``months``: ``YYYY-MM`` and Vietnamese dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.config import Config
from sync.exceptions import OutputError, os_reason
from sync.history import History
from sync.labels import REPORT_STATUS_LABELS
from sync.report import docx
from sync.report.charts import rate_trend_chart, trend_has_data, unit_category_chart, units_have_data
from sync.report.docx import ReportHeading
from sync.report.facts import ReportFacts, build_facts, load_facts, pending_extensions
from sync.report.months import month_words, place_date, shift_month
from sync.report.pdf import convert_to_pdf
from sync.report.sections import build_document


@dataclass(slots=True)
class ReportFiles:
    """What ``write_report`` produced."""

    docx: Path
    pdf: Path | None
    #: why there is no PDF (LibreOffice absent, conversion failed); None when there is one
    pdf_note: str | None
    charts: list[Path] = field(default_factory=list)
    run_id: int = 0
    month: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "run_id": self.run_id,
            "docx": str(self.docx),
            "pdf": str(self.pdf) if self.pdf else None,
            "pdf_note": self.pdf_note,
            "charts": [str(p) for p in self.charts],
        }


def write_charts(facts: ReportFacts, out_dir: Path) -> dict[str, Path]:
    """The rate trend (``bieu-do-ty-le-YYYY-MM.png``) and units (``bieu-do-don-vi-YYYY-MM.png``) charts.

    A chart with nothing to show (fewer than two months with a rate; no task in any
    unit) is not drawn and not in the result: the document says so in its place.
    """
    charts: dict[str, Path] = {}
    trend_png = out_dir / f"bieu-do-ty-le-{facts.month}.png"
    units_png = out_dir / f"bieu-do-don-vi-{facts.month}.png"
    for stale in (trend_png, units_png):  # a chart left by an earlier report of this month
        stale.unlink(missing_ok=True)
    if trend_has_data(facts.trend):
        charts["trend"] = rate_trend_chart(
            facts.trend,
            trend_png,
            title="Tỷ lệ hoàn thành đúng hạn và tỷ lệ hoàn thành (%)",
        )
    units = [(u.name, u.counts) for u in facts.chart_units]
    if units_have_data(units):
        charts["units"] = unit_category_chart(
            units,
            units_png,
            title=f"Nhiệm vụ theo phân loại của từng đơn vị – {month_words(facts.month)}",
            notes=[
                REPORT_STATUS_LABELS[u.report_status].lower() if u.not_counted else None
                for u in facts.chart_units
            ],
        )
    return charts


def write_report(
    config: Config,
    history: History | str | Path,
    month: str | None,
    out_dir: Path,
    *,
    heading: ReportHeading | None = None,
    pdf: bool = True,
) -> ReportFiles:
    """Write the meeting report for ``month`` (``YYYY-MM``; None: the latest run's month).

    Reads ``history`` only (a ``History`` or the path of its file). Writes into
    ``out_dir``: ``bao-cao-thang-YYYY-MM.docx``, the charts
    ``bieu-do-ty-le-YYYY-MM.png`` and ``bieu-do-don-vi-YYYY-MM.png``, and
    ``bao-cao-thang-YYYY-MM.pdf`` when LibreOffice is present and ``pdf``.
    Raises ``HistoryError`` when the history has no run for that month and
    ``UsageError`` for a malformed month.
    """
    heading = heading or ReportHeading.from_config(config)
    if isinstance(history, History):
        facts = load_facts(history, month)
    else:
        with History(history, create=False) as h:
            facts = load_facts(h, month)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        charts = write_charts(facts, out_dir)
        doc = build_document(facts, heading, config.sync.cutoff_day, charts)
        docx_path = docx.save(doc, out_dir / f"bao-cao-thang-{facts.month}.docx")
        pdf_path: Path | None = None
        note: str | None = "Không tạo bản PDF (đã tắt)."
        if pdf:
            pdf_path, note = convert_to_pdf(docx_path, out_dir)
    except OSError as e:  # as the summary's: one clear line, the previous report left whole
        raise OutputError(f"Không tạo được tệp báo cáo trong thư mục {out_dir}: {os_reason(e)}") from e
    return ReportFiles(
        docx=docx_path,
        pdf=pdf_path,
        pdf_note=note,
        charts=list(charts.values()),
        run_id=facts.run_id,
        month=facts.month,
    )


__all__ = [
    "ReportFacts",
    "ReportFiles",
    "ReportHeading",
    "build_document",
    "build_facts",
    "convert_to_pdf",
    "load_facts",
    "pending_extensions",
    "place_date",
    "shift_month",
    "write_charts",
    "write_report",
]


def make_report(
    config: Config, *, month: str | None = None, out_dir: Path | None = None, pdf: bool = True
) -> ReportFiles:
    """``ubnd-sync report``: the month's report (default: the latest run's month) from the history,
    into ``out_dir`` (default: ``bao-cao`` beside the config)."""
    target = out_dir or config.base_dir / "bao-cao"
    with History(config.history_path, create=False) as h:
        return write_report(config, h, month, target, pdf=pdf)
