"""Commands ``history``, ``diff`` and ``report`` (registered on the ``cli`` group by ``sync.cli``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from sync.cli_common import CONTEXT, F, config_option, debug_option, guard, json_option
from sync.config import load_config
from sync.history import Diff, History, HistoryError, RunInfo
from sync.labels import CATEGORY_LABELS, REPORT_STATUS_LABELS


def _common(f: F) -> F:
    """--config, --json and --debug."""
    return config_option(json_option(debug_option(f)))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("history", context_settings=CONTEXT)
@_common
@guard
def history_cmd(config_path: Path, as_json: bool, debug: bool) -> None:
    """Liệt kê các lần tổng hợp đã ghi trong lịch sử (mỗi lần “sync” không --dry-run).

    \b
    Ví dụ:
      ubnd-sync history --config ubnd-sync.toml
      ubnd-sync history --json | jq '.[-1]'
    """
    config = load_config(config_path)
    with History(config.history_path, create=False) as h:
        runs = h.runs()
    if as_json:
        _echo_json([r.to_dict() for r in runs])
        return
    if not runs:
        click.echo("Lịch sử chưa có lần tổng hợp nào.")
        return
    click.echo(f"Lịch sử: {config.history_path}")
    click.echo(
        f"{'Số':>4}  {'Ngày tổng hợp':<13}  {'Kỳ cập nhật':<23}  {'Tháng':<7}  {'Đơn vị':>6}  "
        f"{'Nhiệm vụ':>8}  {'Quá hạn':>7}  {'Tỷ lệ HT':>8}  {'Đúng hạn':>8}"
    )
    for r in runs:
        counts = r.totals.get("counts", {})
        period = r.period.label()
        click.echo(
            f"{r.id:>4}  {r.as_of:%d/%m/%Y}     {period:<23}  {r.period.cutoff:%m/%Y}  {r.unit_count:>6}  "
            f"{r.task_count:>8}  {counts.get('in_progress_overdue', 0):>7}  "
            f"{_pct(r.totals.get('completion_rate')):>8}  {_pct(r.totals.get('on_time_rate')):>8}"
        )
    click.echo(f"{len(runs)} lần tổng hợp.")


def _pick_old(h: History, new: RunInfo, since: str | None) -> RunInfo:
    if since is None:
        prev = h.previous_info(new.as_of, new.period)
        if prev is None:
            earlier = [r for r in h.runs() if r.id is not None and new.id is not None and r.id < new.id]
            if not earlier:
                raise HistoryError("lịch sử mới có một lần tổng hợp nên chưa có gì để so sánh.")
            prev = earlier[-1]
        return prev
    if since.isdigit():
        info = h.run_info(int(since))
        if info is None:
            raise HistoryError(f"không có lần tổng hợp số {since}; xem danh sách bằng “ubnd-sync history”.")
        return info
    try:
        day = date.fromisoformat(since)
    except ValueError:
        raise click.BadParameter(
            f"“{since}” không phải số lần tổng hợp hay ngày YYYY-MM-DD", param_hint="--since"
        ) from None
    info = h.run_on_or_before(day)
    if info is None:
        raise HistoryError(f"không có lần tổng hợp nào vào hoặc trước ngày {day:%d/%m/%Y}.")
    return info


def render_diff(d: Diff) -> str:
    """The diff as a person reads it (Vietnamese)."""
    lines = [
        f"So sánh lần tổng hợp số {d.old.id} (ngày {d.old.as_of:%d/%m/%Y}) với lần số {d.new.id} "
        f"(ngày {d.new.as_of:%d/%m/%Y}):"
    ]

    def section(title: str, items: list[str]) -> None:
        lines.append("")
        lines.append(f"{title}: {len(items)}")
        lines.extend(f"  - {item}" for item in items)

    def task(c: Any) -> str:
        summary = c.summary or ""
        if len(summary) > 70:
            summary = summary[:67] + "…"
        return f"[{c.unit}] {c.task_id or '(không mã)'} {summary}"

    section(
        "Nhiệm vụ mới hoàn thành",
        [task(c) + (" (mới giao)" if c.detail.get("new") else "") for c in d.newly_completed],
    )
    section(
        "Nhiệm vụ mới quá hạn",
        [
            task(c)
            + f" — quá hạn {c.detail.get('days_overdue')} ngày"
            + (" (mới giao)" if c.detail.get("new") else "")
            for c in d.newly_overdue
        ],
    )

    def change_text(c: Any) -> str:
        parts = []
        names = {"deadline": "thời hạn", "extended_deadline": "gia hạn đến"}
        for field_name, ch in c.detail.get("changes", {}).items():
            parts.append(f"{names[field_name]}: {_shown(ch['old'])} → {_shown(ch['new'])}")
        return task(c) + " (" + "; ".join(parts) + ")"

    section("Thay đổi thời hạn, gia hạn", [change_text(c) for c in d.deadline_changes])
    section("Nhiệm vụ mới giao", [task(c) for c in d.new_tasks])
    section(
        "Nhiệm vụ không còn trong bảng",
        [task(c) + f" (trước: {CATEGORY_LABELS.get(c.old_category or '', '')})" for c in d.vanished_tasks],
    )
    section(
        "Đơn vị thay đổi tình trạng báo cáo",
        [
            f"{u.name} ({u.code}): {REPORT_STATUS_LABELS.get(u.old_status or '', 'chưa có')} → "
            f"{REPORT_STATUS_LABELS.get(u.new_status or '', 'không còn trong cấu hình')}"
            for u in d.report_status_changes
        ],
    )
    return "\n".join(lines)


def _shown(value: str | None) -> str:
    if value is None:
        return "(trống)"
    if value == "no_deadline":
        return "Không thời hạn"
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


@click.command("diff", context_settings=CONTEXT)
@_common
@click.option(
    "--since",
    metavar="RUN_ID|YYYY-MM-DD",
    help="So với lần tổng hợp số RUN_ID, hoặc lần gần nhất vào/trước ngày đó "
    "(mặc định: lần gần nhất của kỳ trước).",
)
@click.option(
    "--run", "run_id", type=int, metavar="RUN_ID", help="Lần tổng hợp mới (mặc định: lần gần nhất)."
)
@guard
def diff_cmd(config_path: Path, as_json: bool, debug: bool, since: str | None, run_id: int | None) -> None:
    """Những gì thay đổi giữa hai lần tổng hợp: hoàn thành, quá hạn, thời hạn, đơn vị.

    \b
    Ví dụ:
      ubnd-sync diff                       # lần gần nhất so với kỳ trước
      ubnd-sync diff --since 2024-10-05
      ubnd-sync diff --since 3 --json
    """
    from sync.history import diff

    config = load_config(config_path)
    with History(config.history_path, create=False) as h:
        new = h.run_info(run_id) if run_id is not None else h.latest_run()
        if new is None or new.id is None:
            raise HistoryError(
                "lịch sử chưa có lần tổng hợp nào."
                if run_id is None
                else f"không có lần tổng hợp số {run_id}; xem danh sách bằng “ubnd-sync history”."
            )
        old = _pick_old(h, new, since)
        assert old.id is not None
        d = diff(h.load(old.id), h.load(new.id))
    if as_json:
        _echo_json(d.to_dict())
    else:
        click.echo(render_diff(d))


@click.command("report", context_settings=CONTEXT)
@_common
@click.option("--month", metavar="YYYY-MM", help="Tháng báo cáo (mặc định: tháng của lần tổng hợp gần nhất).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi báo cáo (mặc định: thư mục “bao-cao” cạnh tệp cấu hình).",
)
@click.option("--no-pdf", is_flag=True, help="Không chuyển sang PDF.")
@guard
def report_cmd(
    config_path: Path, as_json: bool, debug: bool, month: str | None, out_dir: Path | None, no_pdf: bool
) -> None:
    """Lập báo cáo tháng (.docx, và .pdf khi có LibreOffice) cho phiên họp thường kỳ UBND tỉnh.

    Báo cáo chỉ đọc lịch sử, nên lập lại được cho tháng đã qua. Tháng của một lần
    tổng hợp là tháng của ngày chốt kỳ cập nhật (tổng hợp ngày 05/11/2024 → tháng 10/2024).

    \b
    Ví dụ:
      ubnd-sync report                      # tháng gần nhất
      ubnd-sync report --month 2024-10 --out bao-cao/
    """
    from sync.report import write_report

    config = load_config(config_path)
    target = out_dir or config.base_dir / "bao-cao"
    with History(config.history_path, create=False) as h:
        files = write_report(config, h, month, target, pdf=not no_pdf)
    if as_json:
        _echo_json(files.to_dict())
        return
    click.echo(f"Đã lập báo cáo tháng {files.month[5:]}/{files.month[:4]} (lần tổng hợp số {files.run_id}):")
    click.echo(f"  Báo cáo (.docx): {files.docx}")
    if files.pdf is not None:
        click.echo(f"  Bản PDF:         {files.pdf}")
    else:
        click.echo(f"  {files.pdf_note}", err=True)
    for chart in files.charts:
        click.echo(f"  Biểu đồ:         {chart}")


__all__ = ["diff_cmd", "history_cmd", "render_diff", "report_cmd"]
