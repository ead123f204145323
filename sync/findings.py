"""The findings of contract §4: one definition per kind, used as a constant.

Each kind is one :class:`FindingKind` (like frictionless-py's error classes: a code, a name, a
template): its English ``code`` (the contract's, written to JSON and the history), ``severity``,
Vietnamese ``label`` (beside the code on the summary's Cảnh báo tab), message ``template`` and the
``section`` of a unit's reminder it is listed under (``sync.remind.notices``). Call sites name the
kind by its constant, ``make(OVERDUE, ...)``, and compare ``f.code == OVERDUE.code``.

A finding names the unit, the tab and the cell, and tells the unit what to fix. A template uses
``str.format`` with plain names only (``{title}``, ``{text}``, ``{cell}`` …), checked when the kind
is defined, so what a cell holds is only ever a value filled in, never read as a format: a ``{`` in a
cell is just a character. A call that leaves out a name its template needs is a mistake in the code,
and ``make`` raises :class:`FindingTemplateError` for it rather than print the raw template.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Literal

from sync.labels import SEVERITY_LABELS
from sync.model import Finding

Severity = Literal["error", "warning", "info"]

#: The sections of a unit's reminder, in the order a notice lists them (after its errors).
SECTION_OVERDUE = "Nhiệm vụ quá hạn"
SECTION_DUE_SOON = "Nhiệm vụ sắp đến hạn"
SECTION_STALE = "Dòng chưa cập nhật trong kỳ"
SECTION_LATE = "Dòng cập nhật muộn"
#: the register's tasks the sheet lacks count as not updated (sync.classify.absent_state), and a row of
#: another unit's task is not this unit's: both said, even to a unit with no task of its own
SECTION_REGISTER = "Đối chiếu với danh mục nhiệm vụ của Văn phòng"
REMINDER_SECTIONS: tuple[str, ...] = (
    SECTION_OVERDUE,
    SECTION_DUE_SOON,
    SECTION_STALE,
    SECTION_LATE,
    SECTION_REGISTER,
)


class FindingTemplateError(KeyError):
    """A finding's template needs a name its call did not pass: a mistake in the code, not in data."""

    def __str__(self) -> str:
        return str(self.args[0])


def _placeholders(code: str, template: str) -> frozenset[str]:
    """The names ``template`` uses; anything but a plain ``{name}`` is refused (ValueError)."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"finding {code}: “{{{name}…}}” in its template; use a plain {{name}}")
        names.add(name)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class FindingKind:
    """One kind of finding (contract §4 or the README's added codes)."""

    code: str
    severity: Severity
    label: str
    template: str
    section: str | None = None
    #: the names its template uses (computed)
    placeholders: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITY_LABELS:
            raise ValueError(f"finding {self.code}: severity {self.severity!r}")
        if self.section is not None and self.section not in REMINDER_SECTIONS:
            raise ValueError(f"finding {self.code}: reminder section {self.section!r}")
        object.__setattr__(self, "placeholders", _placeholders(self.code, self.template))


SOURCE_UNREADABLE = FindingKind(
    "source-unreadable",
    "error",
    "Không đọc được bảng tính",
    "Không đọc được bảng tính của đơn vị: {detail}. {hint}",
)
SOURCE_OPEN = FindingKind(
    "source-open",
    "info",
    "Bảng tính đang mở",
    "Tệp {file} đang được mở trong Excel/LibreOffice (có tệp khóa {value}): những gì đơn vị sửa mà chưa lưu "
    "không có trong lần tổng hợp này. Đơn vị lưu tệp (Ctrl+S) để lần tổng hợp sau tính đủ; nếu không ai "
    "mở tệp, xóa tệp khóa.",
)
MISSING_COLUMN = FindingKind(
    "missing-column",
    "error",
    "Thiếu cột",
    "Thiếu cột “{title}” ở dòng tiêu đề (dòng {row}) của trang “{sheet}”. "
    "Thêm cột này (đúng tên “{title}”) rồi cập nhật lại; các nhiệm vụ của đơn vị chưa được tính.",
)
DUPLICATE_COLUMN = FindingKind(
    "duplicate-column",
    "warning",
    "Cột trùng nhau",
    "Cột “{text}” ở ô {cell} trùng nghĩa với cột “{other}” đã có ở ô {other_cell} "
    "(cùng là “{title}”); chỉ cột đầu được đọc. Xóa hoặc đổi tên cột thừa.",
)
REQUIRED_MISSING = FindingKind(
    "required-missing",
    "error",
    "Ô bắt buộc còn trống",
    "Ô {cell} (cột “{title}”) đang trống; ô này bắt buộc phải điền.",
)
INVALID_DATE = FindingKind(
    "invalid-date",
    "error",
    "Ngày không hợp lệ",
    "Ô {cell} (cột “{title}”): “{text}” không phải là ngày hợp lệ — {reason}.",
)
INVALID_VALUE = FindingKind(
    "invalid-value",
    "error",
    "Giá trị không hợp lệ",
    "Ô {cell} (cột “{title}”): “{text}” không phải giá trị được chấp nhận. {hint}",
)
FUTURE_DATE = FindingKind(
    "future-date",
    "error",
    "Ngày sau ngày báo cáo",
    "Ô {cell} (cột “{title}”): ngày {text} sau ngày báo cáo {as_of}. Kiểm tra lại ngày (viết ngày trước, tháng sau).",
)
COMPLETION_DATE_MISSING = FindingKind(
    "completion-date-missing",
    "error",
    "Thiếu ngày hoàn thành",
    "Dòng {row}: tình trạng là hoàn thành nhưng ô {cell} (cột “{title}”) chưa có ngày hoàn thành hợp lệ; "
    "nhiệm vụ được tính là chưa hoàn thành cho đến khi điền ngày (dd/mm/yyyy).",
)
STATUS_CONFLICT = FindingKind(
    "status-conflict",
    "warning",
    "Tình trạng mâu thuẫn",
    "Dòng {row}: đã có ngày hoàn thành ở ô {cell} nhưng tình trạng ở ô {status_cell} là “{status}”. "
    "Nếu đã hoàn thành, sửa tình trạng thành “Đã hoàn thành”; nếu chưa, xóa ngày hoàn thành.",
)
DATE_ORDER = FindingKind(
    "date-order",
    "warning",
    "Ngày trước ngày văn bản",
    "Ô {cell} (cột “{title}”): ngày {text} trước ngày văn bản giao {doc_date}. Kiểm tra lại ngày.",
)
DUPLICATE_TASK_ID = FindingKind(
    "duplicate-task-id",
    "error",
    "Trùng mã nhiệm vụ",
    "Mã nhiệm vụ “{text}” ở ô {cell} trùng với {others}. Mỗi mã chỉ dùng cho một nhiệm vụ trong toàn tỉnh; "
    "liên hệ Văn phòng UBND tỉnh để được cấp lại mã.",
)
UNKNOWN_UNIT = FindingKind(
    "unknown-unit",
    "warning",
    "Không nhận ra đơn vị",
    "Ô {cell} (cột “{title}”): không nhận ra đơn vị “{text}”. Ghi đúng tên, mã hoặc tên gọi tắt "
    "của đơn vị trong danh sách của Văn phòng UBND tỉnh.",
)
LEGACY_ENCODING = FindingKind(
    "legacy-encoding",
    "warning",
    "Chữ gõ bằng bảng mã cũ",
    "Ô {cell} (cột “{title}”): chữ “{text}” có vẻ được gõ bằng bảng mã cũ (TCVN3/VNI). "
    "Gõ lại bằng Unicode (bộ gõ Unikey/EVKey, bảng mã Unicode) hoặc chuyển mã bằng Unikey Toolkit.",
)
TEXT_TOO_LONG = FindingKind(
    "text-too-long",
    "warning",
    "Nội dung quá dài",
    "Ô {cell} (cột “{title}”): nội dung dài {length} ký tự, vượt giới hạn {limit} ký tự "
    "(khóa “max_text_chars” trong mục [limits] của cấu hình); chỉ {limit} ký tự đầu được đọc. "
    "Rút gọn nội dung ô.",
)
TASK_UNKNOWN = FindingKind(
    "task-unknown",
    "warning",
    "Nhiệm vụ không có trong danh mục",
    "Ô {cell}: nhiệm vụ mã “{text}” không có trong danh mục nhiệm vụ của Văn phòng UBND tỉnh. "
    "Kiểm tra lại mã nhiệm vụ (mã do Văn phòng cấp, chép đúng từ danh mục).",
)
WRONG_UNIT = FindingKind(
    "wrong-unit",
    "warning",
    "Nhiệm vụ của đơn vị khác",
    "Ô {cell}: theo danh mục của Văn phòng (dòng {register_row}), nhiệm vụ “{text}” do đơn vị {lead} chủ trì, "
    "không phải đơn vị này; dòng này không được tính cho đơn vị. Xóa dòng hoặc liên hệ Văn phòng UBND tỉnh.",
    SECTION_REGISTER,
)
OFFICE_FIELD_CHANGED = FindingKind(
    "office-field-changed",
    "warning",
    "Khác danh mục của Văn phòng",
    "Ô {cell} (cột “{title}”): “{text}” khác với danh mục nhiệm vụ của Văn phòng (“{register}”, dòng "
    "{register_row}). Cột này do Văn phòng điền; số liệu được tính theo danh mục. Ghi lại đúng “{register}”.",
)
TASK_MISSING = FindingKind(
    "task-missing",
    "warning",
    "Thiếu nhiệm vụ trong danh mục",
    "Nhiệm vụ “{text}” ({summary}) giao cho đơn vị theo danh mục của Văn phòng (dòng {register_row}) "
    "chưa có trong bảng theo dõi của đơn vị. Thêm dòng nhiệm vụ này, đúng mã “{text}”; nếu đã xóa nhầm, "
    "khôi phục lại dòng.",
    SECTION_REGISTER,
)
EXTENSION_REQUESTED = FindingKind(
    "extension-requested",
    "info",
    "Đề nghị gia hạn",
    "Dòng {row}: đơn vị đề nghị gia hạn nhiệm vụ “{summary}” ({task}) từ thời hạn {deadline} đến {requested} "
    "(ô {cell}); đề nghị đang chờ Văn phòng UBND tỉnh trình lãnh đạo xem xét, quyết định.",
)
EXTENSION_LATE = FindingKind(
    "extension-late",
    "warning",
    "Đề nghị gia hạn muộn",
    "Dòng {row}: đề nghị gia hạn nhiệm vụ “{summary}” ({task}) đến {requested} được ghi nhận ngày {made}, "
    "{when}; đề nghị gia hạn phải gửi trước thời hạn ít nhất {minimum} "
    "ngày làm việc. Nêu rõ lý do ở cột “Khó khăn, vướng mắc, đề xuất”.",
)
EXTENSION_NOT_LATER = FindingKind(
    "extension-not-later",
    "warning",
    "Đề nghị gia hạn không sau thời hạn",
    "Ô {cell} (cột “{title}”): ngày đề nghị gia hạn {requested} không sau thời hạn hiện tại {deadline} "
    "của nhiệm vụ ({task}), nên không phải là đề nghị gia hạn. Ghi ngày đề nghị gia hạn đến (sau thời hạn) "
    "hoặc xóa ô này.",
)
EXTENSION_DOC_MISSING = FindingKind(
    "extension-doc-missing",
    "warning",
    "Gia hạn chưa có văn bản chấp thuận",
    "Dòng {row} của danh mục: nhiệm vụ {task} có thời hạn điều chỉnh {extended} nhưng chưa ghi văn bản chấp "
    "thuận gia hạn (cột “{doc_title}”, ô {cell}). Thời hạn điều chỉnh vẫn được dùng để phân loại; ghi số, ký "
    "hiệu văn bản chấp thuận.",
)
STALE_UPDATE = FindingKind(
    "stale-update",
    "warning",
    "Chưa cập nhật trong kỳ",
    "Dòng {row}: chưa cập nhật trong kỳ báo cáo ({period}); ô {cell} (cột “{title}”) {shown}. "
    "Cập nhật kết quả thực hiện và ghi ngày cập nhật.",
    SECTION_STALE,
)
LATE_UPDATE = FindingKind(
    "late-update",
    "info",
    "Cập nhật muộn",
    "Dòng {row}: cập nhật ngày {text}, sau hạn cập nhật {cutoff} (ô {cell}).",
    SECTION_LATE,
)
OVERDUE = FindingKind(
    "overdue",
    "warning",
    "Quá hạn",
    "Dòng {row}: nhiệm vụ “{summary}” quá hạn {value} ngày (hạn {deadline}). "
    "Đề nghị khẩn trương hoàn thành hoặc báo cáo khó khăn, đề xuất gia hạn.",
    SECTION_OVERDUE,
)
DUE_SOON = FindingKind(
    "due-soon",
    "info",
    "Sắp đến hạn",
    "Dòng {row}: nhiệm vụ “{summary}” sắp đến hạn ({deadline}, {remaining}).",
    SECTION_DUE_SOON,
)

#: Every kind, in the order above (a test checks every constant of this module is here, once).
KINDS: tuple[FindingKind, ...] = (
    SOURCE_UNREADABLE,
    SOURCE_OPEN,
    MISSING_COLUMN,
    DUPLICATE_COLUMN,
    REQUIRED_MISSING,
    INVALID_DATE,
    INVALID_VALUE,
    FUTURE_DATE,
    COMPLETION_DATE_MISSING,
    STATUS_CONFLICT,
    DATE_ORDER,
    DUPLICATE_TASK_ID,
    UNKNOWN_UNIT,
    LEGACY_ENCODING,
    TEXT_TOO_LONG,
    TASK_UNKNOWN,
    WRONG_UNIT,
    OFFICE_FIELD_CHANGED,
    TASK_MISSING,
    EXTENSION_REQUESTED,
    EXTENSION_LATE,
    EXTENSION_NOT_LATER,
    EXTENSION_DOC_MISSING,
    STALE_UPDATE,
    LATE_UPDATE,
    OVERDUE,
    DUE_SOON,
)
#: code -> kind.
CATALOGUE: dict[str, FindingKind] = {k.code: k for k in KINDS}
#: Each finding code in a few words, beside the code on the summary's Cảnh báo tab.
FINDING_LABELS: dict[str, str] = {code: k.label for code, k in CATALOGUE.items()}

DATE_REASONS = {
    "not-a-date": "ghi ngày theo dạng dd/mm/yyyy, ví dụ 15/03/2024",
    "year-out-of-range": "năm phải từ 2000 đến 2100",
    "no-such-day": "không có ngày này trong lịch (ví dụ 31/02); ghi theo dạng dd/mm/yyyy",
    "month-first": "ngày phải viết trước tháng (dd/mm/yyyy), ví dụ 15/03/2024, không viết 03/15/2024",
}


def make(
    kind: FindingKind,
    *,
    unit: str,
    sheet: str | None,
    cell: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: Any = None,
    **details: Any,
) -> Finding:
    """Build a finding of ``kind``, filling its Vietnamese message.

    Every value (a cell's text included) is only substituted, never parsed as a format. Raises
    :class:`FindingTemplateError` when the template needs a name the call did not pass.
    """
    details.setdefault("cell", cell)
    details.setdefault("row", row)
    details.setdefault("sheet", sheet)
    details.setdefault("value", value)
    details.setdefault("hint", "")
    details.setdefault("title", field or "")
    details.setdefault("text", "" if value is None else value)
    missing = kind.placeholders - details.keys()
    if missing:
        raise FindingTemplateError(
            f"finding {kind.code}: its template needs {', '.join(sorted(missing))}, which the call did not pass"
        )
    message = kind.template.format(**details)
    return Finding(
        unit=unit,
        sheet=sheet,
        cell=cell,
        row=row,
        field=field,
        code=kind.code,
        severity=kind.severity,
        value=value,
        message=" ".join(message.split()),
    )
