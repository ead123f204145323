"""Vietnamese words for the English codes of JSON and findings (one place)."""

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

#: Each finding code (contract §4) in a few words, beside the code on the summary's Cảnh báo tab.
FINDING_LABELS: dict[str, str] = {
    "source-unreadable": "Không đọc được bảng tính",
    "missing-column": "Thiếu cột",
    "duplicate-column": "Cột trùng nhau",
    "required-missing": "Ô bắt buộc còn trống",
    "invalid-date": "Ngày không hợp lệ",
    "invalid-value": "Giá trị không hợp lệ",
    "future-date": "Ngày sau ngày báo cáo",
    "completion-date-missing": "Thiếu ngày hoàn thành",
    "status-conflict": "Tình trạng mâu thuẫn",
    "date-order": "Ngày trước ngày văn bản",
    "duplicate-task-id": "Trùng mã nhiệm vụ",
    "unknown-unit": "Không nhận ra đơn vị",
    "legacy-encoding": "Chữ gõ bằng bảng mã cũ",
    "text-too-long": "Nội dung quá dài",
    "task-missing": "Thiếu nhiệm vụ trong danh mục",
    "task-unknown": "Nhiệm vụ không có trong danh mục",
    "office-field-changed": "Khác danh mục của Văn phòng",
    "wrong-unit": "Nhiệm vụ của đơn vị khác",
    "extension-requested": "Đề nghị gia hạn",
    "extension-late": "Đề nghị gia hạn muộn",
    "extension-not-later": "Đề nghị gia hạn không sau thời hạn",
    "extension-doc-missing": "Gia hạn chưa có văn bản chấp thuận",
    "stale-update": "Chưa cập nhật trong kỳ",
    "late-update": "Cập nhật muộn",
    "overdue": "Quá hạn",
    "due-soon": "Sắp đến hạn",
}

#: The groups units are totalled in (``sync.model.UNIT_GROUPS``), as reports name them.
GROUP_LABELS: dict[str, str] = {
    "so-nganh": "Sở, ban, ngành",
    "cap-huyen": "UBND cấp huyện",
    "cap-xa": "UBND cấp xã",
}
