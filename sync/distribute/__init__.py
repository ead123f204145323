"""``ubnd-sync distribute``: hand the register's tasks out to their lead units' own sheets.

``distribute(config, dry_run=..., unit=...)`` reads the register (``sync.register``), makes
the plan (``plan``: missing tasks by lead unit, co-operation lists by co-unit, tasks held
back) and lets the backend write each unit (``xlsx``: the safe writer; ``gsheets``: the
Sheets API's append). Append-only: an existing row is never touched, a second run adds
nothing, a refused or failed unit costs that unit only and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.config import Config
from sync.distribute.plan import Held, UnitOutcome, config_names, make_plan
from sync.exceptions import UsageError
from sync.register import load_register
from sync.sources import make_source
from sync.validate import UnitResolver

__all__ = ["DistributeReport", "UnitOutcome", "distribute"]

#: statuses that make the command exit 1
FAILED = ("refused", "failed")


@dataclass(slots=True)
class DistributeReport:
    dry_run: bool
    units: list[UnitOutcome] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    requests: int | None = None  # Google only: API requests this run made

    @property
    def failed(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.status in FAILED]

    @property
    def added(self) -> int:
        return sum(len(u.added) for u in self.units if u.status in ("added", "would_add"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "added": self.added,
            "units": [u.to_dict() for u in self.units],
            "held": [{"task_id": h.task_id, "row": h.row, "reason": h.reason} for h in self.held],
            "requests": self.requests,
        }


def distribute(
    config: Config, *, as_of: date, dry_run: bool = False, unit: str | None = None
) -> DistributeReport:
    """Append each lead unit's missing register tasks (and refresh co-units' ``Phối hợp``)."""
    if config.register.source is None:
        raise UsageError(
            "chưa cấu hình danh mục nhiệm vụ: thêm mục [register] với khóa source (đường dẫn tệp "
            "hoặc mã bảng tính Google) vào cấu hình"
        )
    units = [u for u in config.units if unit is None or u.code == unit]
    if unit is not None and not units:
        codes = ", ".join(u.code for u in config.units)
        raise UsageError(f"không có đơn vị mã “{unit}” trong cấu hình (các mã: {codes}).")
    source = make_source(config)
    try:
        register = load_register(config, source, UnitResolver(config.units), as_of)
    finally:
        source.close()
    assert register is not None
    if not register.readable:
        raise UsageError(" ".join(f.message for f in register.findings))
    plan = make_plan(register, config.units)
    report = DistributeReport(dry_run, held=plan.held)
    names = config_names(config)
    if config.sync.backend == "gsheets":
        from sync.distribute.gsheets import GSheetsDistributor

        with GSheetsDistributor(config, names, as_of, dry_run) as writer:
            for u in units:
                report.units.append(writer.unit(u, plan.lead.get(u.code, []), plan.coop.get(u.code, [])))
            report.requests = writer.requests()
    else:
        from sync.distribute.xlsx import distribute_unit

        for u in units:
            report.units.append(
                distribute_unit(
                    config, u, plan.lead.get(u.code, []), plan.coop.get(u.code, []), names, as_of, dry_run
                )
            )
    return report
