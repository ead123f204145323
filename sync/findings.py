"""The finding codes of contract §4, their severities and Vietnamese messages.

A finding names the unit, the tab and the cell, and tells the unit what to fix.
"""

from __future__ import annotations

from typing import Any

from sync.model import Finding

#: code -> (severity, message template). Templates use ``str.format`` with
#: ``title`` (the column's title), ``text`` (the value as a person sees it) and extras.
CATALOGUE: dict[str, tuple[str, str]] = {
    "source-unreadable": ("error", "Không đọc được bảng tính của đơn vị: {detail}. {hint}"),
    "missing-column": (
        "error",
        "Thiếu cột “{title}” ở dòng tiêu đề (dòng {row}) của trang “{sheet}”. "
        "Thêm cột này (đúng tên “{title}”) rồi cập nhật lại; các nhiệm vụ của đơn vị chưa được tính.",
    ),
    "duplicate-column": (
        "warning",
        "Cột “{text}” ở ô {cell} trùng nghĩa với cột “{other}” đã có ở ô {other_cell} "
        "(cùng là “{title}”); chỉ cột đầu được đọc. Xóa hoặc đổi tên cột thừa.",
    ),
    "required-missing": ("error", "Ô {cell} (cột “{title}”) đang trống; ô này bắt buộc phải điền."),
    "invalid-date": ("error", "Ô {cell} (cột “{title}”): “{text}” không phải là ngày hợp lệ — {reason}."),
    "invalid-value": (
        "error",
        "Ô {cell} (cột “{title}”): “{text}” không phải giá trị được chấp nhận. {hint}",
    ),
    "future-date": (
        "error",
        "Ô {cell} (cột “{title}”): ngày {text} sau ngày báo cáo {as_of}. Kiểm tra lại ngày (viết ngày trước, tháng sau).",
    ),
    "completion-date-missing": (
        "error",
        "Dòng {row}: tình trạng là hoàn thành nhưng ô {cell} (cột “{title}”) chưa có ngày hoàn thành hợp lệ; "
        "nhiệm vụ được tính là chưa hoàn thành cho đến khi điền ngày (dd/mm/yyyy).",
    ),
    "status-conflict": (
        "warning",
        "Dòng {row}: đã có ngày hoàn thành ở ô {cell} nhưng tình trạng ở ô {status_cell} là “{status}”. "
        "Nếu đã hoàn thành, sửa tình trạng thành “Đã hoàn thành”; nếu chưa, xóa ngày hoàn thành.",
    ),
    "date-order": (
        "warning",
        "Ô {cell} (cột “{title}”): ngày {text} trước ngày văn bản giao {doc_date}. Kiểm tra lại ngày.",
    ),
    "duplicate-task-id": (
        "error",
        "Mã nhiệm vụ “{text}” ở ô {cell} trùng với {others}. Mỗi mã chỉ dùng cho một nhiệm vụ trong toàn tỉnh; "
        "liên hệ Văn phòng UBND tỉnh để được cấp lại mã.",
    ),
    "unknown-unit": (
        "warning",
        "Ô {cell} (cột “{title}”): không nhận ra đơn vị “{text}”. Ghi đúng tên, mã hoặc tên gọi tắt "
        "của đơn vị trong danh sách của Văn phòng UBND tỉnh.",
    ),
    "legacy-encoding": (
        "warning",
        "Ô {cell} (cột “{title}”): chữ “{text}” có vẻ được gõ bằng bảng mã cũ (TCVN3/VNI). "
        "Gõ lại bằng Unicode (bộ gõ Unikey/EVKey, bảng mã Unicode) hoặc chuyển mã bằng Unikey Toolkit.",
    ),
    "text-too-long": (
        "warning",
        "Ô {cell} (cột “{title}”): nội dung dài {length} ký tự, vượt giới hạn {limit} ký tự "
        "(khóa “max_text_chars” trong mục [limits] của cấu hình); chỉ {limit} ký tự đầu được đọc. "
        "Rút gọn nội dung ô.",
    ),
    "task-unknown": (
        "warning",
        "Ô {cell}: nhiệm vụ mã “{text}” không có trong danh mục nhiệm vụ của Văn phòng UBND tỉnh. "
        "Kiểm tra lại mã nhiệm vụ (mã do Văn phòng cấp, chép đúng từ danh mục).",
    ),
    "wrong-unit": (
        "warning",
        "Ô {cell}: theo danh mục của Văn phòng (dòng {register_row}), nhiệm vụ “{text}” do đơn vị {lead} chủ trì, "
        "không phải đơn vị này; dòng này không được tính cho đơn vị. Xóa dòng hoặc liên hệ Văn phòng UBND tỉnh.",
    ),
    "office-field-changed": (
        "warning",
        "Ô {cell} (cột “{title}”): “{text}” khác với danh mục nhiệm vụ của Văn phòng (“{register}”, dòng "
        "{register_row}). Cột này do Văn phòng điền; số liệu được tính theo danh mục. Ghi lại đúng “{register}”.",
    ),
    "task-missing": (
        "warning",
        "Nhiệm vụ “{text}” ({summary}) giao cho đơn vị theo danh mục của Văn phòng (dòng {register_row}) "
        "chưa có trong bảng theo dõi của đơn vị. Thêm dòng nhiệm vụ này, đúng mã “{text}”; nếu đã xóa nhầm, "
        "khôi phục lại dòng.",
    ),
    "extension-requested": (
        "info",
        "Dòng {row}: đơn vị đề nghị gia hạn nhiệm vụ “{summary}” ({task}) từ thời hạn {deadline} đến {requested} "
        "(ô {cell}); đề nghị đang chờ Văn phòng UBND tỉnh trình lãnh đạo xem xét, quyết định.",
    ),
    "extension-late": (
        "warning",
        "Dòng {row}: đề nghị gia hạn nhiệm vụ “{summary}” ({task}) đến {requested} được ghi nhận ngày {made}, "
        "{when}; đề nghị gia hạn phải gửi trước thời hạn ít nhất {minimum} "
        "ngày làm việc. Nêu rõ lý do ở cột “Khó khăn, vướng mắc, đề xuất”.",
    ),
    "extension-not-later": (
        "warning",
        "Ô {cell} (cột “{title}”): ngày đề nghị gia hạn {requested} không sau thời hạn hiện tại {deadline} "
        "của nhiệm vụ ({task}), nên không phải là đề nghị gia hạn. Ghi ngày đề nghị gia hạn đến (sau thời hạn) "
        "hoặc xóa ô này.",
    ),
    "extension-doc-missing": (
        "warning",
        "Dòng {row} của danh mục: nhiệm vụ {task} có thời hạn điều chỉnh {extended} nhưng chưa ghi văn bản chấp "
        "thuận gia hạn (cột “{doc_title}”, ô {cell}). Thời hạn điều chỉnh vẫn được dùng để phân loại; ghi số, ký "
        "hiệu văn bản chấp thuận.",
    ),
    "stale-update": (
        "warning",
        "Dòng {row}: chưa cập nhật trong kỳ báo cáo ({period}); ô {cell} (cột “{title}”) {shown}. "
        "Cập nhật kết quả thực hiện và ghi ngày cập nhật.",
    ),
    "late-update": (
        "info",
        "Dòng {row}: cập nhật ngày {text}, sau hạn cập nhật {cutoff} (ô {cell}).",
    ),
    "overdue": (
        "warning",
        "Dòng {row}: nhiệm vụ “{summary}” quá hạn {value} ngày (hạn {deadline}). "
        "Đề nghị khẩn trương hoàn thành hoặc báo cáo khó khăn, đề xuất gia hạn.",
    ),
    "due-soon": (
        "info",
        "Dòng {row}: nhiệm vụ “{summary}” sắp đến hạn ({deadline}, {remaining}).",
    ),
}

DATE_REASONS = {
    "not-a-date": "ghi ngày theo dạng dd/mm/yyyy, ví dụ 15/03/2024",
    "year-out-of-range": "năm phải từ 2000 đến 2100",
    "no-such-day": "không có ngày này trong lịch (ví dụ 31/02); ghi theo dạng dd/mm/yyyy",
    "month-first": "ngày phải viết trước tháng (dd/mm/yyyy), ví dụ 15/03/2024, không viết 03/15/2024",
}


def severity(code: str) -> str:
    return CATALOGUE[code][0]


def make(
    code: str,
    *,
    unit: str,
    sheet: str | None,
    cell: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: Any = None,
    **details: Any,
) -> Finding:
    """Build a finding from the catalogue, filling its Vietnamese message."""
    sev, template = CATALOGUE[code]
    details.setdefault("cell", cell)
    details.setdefault("row", row)
    details.setdefault("sheet", sheet)
    details.setdefault("value", value)
    details.setdefault("hint", "")
    details.setdefault("title", field or "")
    details.setdefault("text", "" if value is None else value)
    try:
        message = template.format(**details)
    except (KeyError, IndexError, ValueError):
        message = template
    return Finding(
        unit=unit,
        sheet=sheet,
        cell=cell,
        row=row,
        field=field,
        code=code,
        severity=sev,
        value=value,
        message=" ".join(message.split()),
    )
