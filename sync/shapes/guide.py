"""The ``Hướng dẫn`` tab: how unit staff fill their sheet, in Vietnamese, built from the schema.

Every column's line comes from the schema's ``description`` and owner, so the guide can never
describe a column the sheet does not have. Shared by the xlsx and Google writers.
"""

from __future__ import annotations

from sync.schema import Schema
from sync.shapes.layout import DATE_FORMAT, columns

#: The guide tab's name.
GUIDE_TAB = "Hướng dẫn"
#: The guide's table header (row 1 of the table that follows the general lines).
GUIDE_HEADER = ("Cột", "Tiêu đề", "Ai điền", "Cách điền")

_WHO = {"office": "Văn phòng UBND tỉnh (đơn vị không sửa)", "unit": "Đơn vị"}


def guide_rows(schema: Schema, *, unit_name: str, task_tab: str, cutoff_day: int) -> list[list[str]]:
    """The guide's rows: a title, the general rules, a blank line, then one row per column."""
    status = next((c for c in columns(schema) if c.field.name == "status"), None)
    words = " / ".join(f"“{w}”" for w in status.choices) if status else ""
    rows: list[list[str]] = [
        [f"HƯỚNG DẪN CẬP NHẬT BẢNG THEO DÕI NHIỆM VỤ — {unit_name}"],
        [],
        [f"1. Nhiệm vụ được giao nằm ở trang “{task_tab}”, mỗi nhiệm vụ một dòng."],
        [
            "2. Các cột có tiêu đề tô màu xám do Văn phòng UBND tỉnh điền và được khóa; "
            "nếu thấy sai, đơn vị báo Văn phòng UBND tỉnh, không tự sửa."
        ],
        [f"3. Cột “Tình trạng” chọn trong danh sách: {words}."],
        [
            f"4. Ngày ghi theo dạng ngày/tháng/năm ({DATE_FORMAT}), ví dụ 05/03/2025 là ngày 5 tháng 3; "
            "khi hoàn thành phải ghi “Ngày hoàn thành”."
        ],
        [
            "5. Mỗi lần cập nhật một dòng, ghi ngày hôm đó vào cột “Ngày cập nhật”; "
            f"cập nhật trước ngày {cutoff_day} hằng tháng (ngày chốt số liệu báo cáo)."
        ],
        [
            "6. Cần thêm thời gian: ghi ngày đề nghị vào cột “Đề nghị gia hạn đến” "
            "và nêu lý do ở cột “Khó khăn, vướng mắc, đề xuất”; thời hạn chỉ thay đổi khi "
            "lãnh đạo UBND tỉnh chấp thuận."
        ],
        ["7. Không xóa, đổi tên hay sắp xếp lại dòng tiêu đề; không xóa dòng nhiệm vụ Văn phòng đã giao."],
        [],
        list(GUIDE_HEADER),
    ]
    for c in columns(schema):
        rows.append([c.letter, c.field.title, _WHO.get(c.field.owner, c.field.owner), c.field.description])
    return rows
