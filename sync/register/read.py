"""Reading the register: one more workbook, read and checked like a unit's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sync import findings as F
from sync.backends import Backend
from sync.config import Config
from sync.exceptions import SourceUnreadable
from sync.model import Finding, Task, task_key
from sync.normalize import format_date
from sync.schema import register_schema
from sync.shapes.task_tab import select_task_tab
from sync.validate import UnitResolver, read_tab

#: The ``unit`` of findings about the register itself.
REGISTER_UNIT = "register"


@dataclass(slots=True)
class Register:
    """The register's tasks by folded task id (the first of duplicates), and its own findings."""

    tab: str | None
    tasks: dict[str, Task] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True


def load_register(config: Config, backend: Backend, resolver: UnitResolver, as_of: date) -> Register | None:
    """The configured register, or None when none is configured; never raises for a broken file."""
    if config.register.source is None:
        return None
    schema = register_schema()
    try:
        workbook = backend.open(config.register.source)
        try:
            tab = select_task_tab(workbook, config.register.sheet or schema.tab, schema)
        finally:
            workbook.close()
        read = read_tab(tab, schema, unit=REGISTER_UNIT, resolver=resolver, as_of=as_of, limits=config.limits)
    except SourceUnreadable as e:
        finding = F.make(
            F.SOURCE_UNREADABLE,
            unit=REGISTER_UNIT,
            sheet=None,
            detail=f"danh mục nhiệm vụ của Văn phòng ({config.register.source}): {e}",
            hint="Chưa đối chiếu được bảng của các đơn vị với danh mục.",
        )
        return Register(None, findings=[finding], readable=False)
    register = Register(tab.name, findings=list(read.findings))
    assert read.header is not None
    for t in read.tasks:
        if t.task_id and task_key(t.task_id) not in register.tasks:
            register.tasks[task_key(t.task_id)] = t
        extended = t.values.get("extended_deadline")
        if isinstance(extended, date) and not t.values.get("extension_doc"):
            register.findings.append(
                F.make(
                    F.EXTENSION_DOC_MISSING,
                    unit=REGISTER_UNIT,
                    sheet=tab.name,
                    cell=read.header.cell("extension_doc", t.row)
                    or read.header.cell("extended_deadline", t.row),
                    row=t.row,
                    field="extension_doc",
                    value=None,
                    task=t.task_id or f"dòng {t.row}",
                    extended=format_date(extended),
                    doc_title=schema["extension_doc"].title,
                )
            )
    return register
