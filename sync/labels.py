"""Vietnamese words for the English codes of JSON (one place).

A finding's words (its label, message and reminder section) are in its entry in ``sync.findings``.
"""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "completed_on_time": "Hoàn thành đúng hạn",
    "completed_late": "Hoàn thành quá hạn",
    "in_progress_on_time": "Đang thực hiện trong hạn",
    "in_progress_overdue": "Đang thực hiện quá hạn",
    "no_deadline": "Không thời hạn",
    "unclassified": "Chưa phân loại",
}

REPORT_STATUS_LABELS: dict[str, str] = {
    "on_time": "Đúng hạn",
    "late": "Cập nhật muộn",
    "incomplete": "Cập nhật chưa đầy đủ",
    "missing": "Không cập nhật",
    "no_tasks": "Chưa có nhiệm vụ",
    "invalid": "Sai mẫu bảng",
    "unreadable": "Không đọc được",
}

UPDATE_STATE_LABELS: dict[str, str] = {
    "fresh": "Đã cập nhật",
    "late": "Cập nhật muộn",
    "stale": "Chưa cập nhật",
    "not_needed": "Không cần cập nhật",
}

SEVERITY_LABELS: dict[str, str] = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}

#: The task statuses as the report's charts name them.
STATUS_LABELS: dict[str, str] = {
    "completed": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "not_started": "Chưa thực hiện",
}

#: The groups units are totalled in (``sync.model.UNIT_GROUPS``), as reports name them.
GROUP_LABELS: dict[str, str] = {
    "so-nganh": "Sở, ban, ngành",
    "cap-huyen": "UBND cấp huyện",
    "cap-xa": "UBND cấp xã",
}
