"""Words of a province: places, projects, summaries, progress notes; unit names as units type them."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date

from .model import DemoUnit, Style

_PLACES_COMMON = [
    "xã Hòn Tre",
    "đảo Hòn Sơn",
    "xã Thổ Châu",
    "phường Vĩnh Thanh Vân",
    "thị trấn Kiên Lương",
    "xã Bình An",
    "khu vực Tứ giác Long Xuyên",
    "vùng U Minh Thượng",
]
_PROJECTS = [
    "đầu tư xây dựng tuyến đường ven biển Rạch Giá - Hòn Đất",
    "nâng cấp Quốc lộ 80 đoạn qua {place}",
    "Khu đô thị lấn biển Tây Bắc",
    "kè chống sạt lở bờ biển tại {place}",
    "xây dựng khu tái định cư tại {place}",
    "hạ tầng Khu công nghiệp Thạnh Lộc",
    "nhà máy chế biến thủy sản tại {place}",
    "cảng cá và khu neo đậu tránh trú bão tại {place}",
    "hồ chứa nước ngọt tại {place}",
    "trường THPT tại {place}",
    "nâng cấp đê biển An Biên - An Minh",
    "điện gió ven biển tại {place}",
]
_PLANS = [
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "chuyển đổi số",
    "phát triển du lịch bền vững",
    "cải cách hành chính",
    "phát triển kinh tế biển",
    "bảo vệ môi trường",
    "xây dựng nông thôn mới nâng cao",
    "giảm nghèo bền vững",
    "phòng, chống hạn hán, xâm nhập mặn mùa khô",
    "chống khai thác hải sản bất hợp pháp, không báo cáo và không theo quy định (IUU)",
    "thu hút đầu tư",
    "phát triển nhà ở xã hội",
]
_COMPLAINTS = [
    "tình trạng lấn chiếm hành lang kênh rạch",
    "ô nhiễm môi trường từ cơ sở chế biến thủy sản",
    "sạt lở bờ sông",
    "xây dựng trái phép trên đất nông nghiệp",
    "chậm chi trả tiền bồi thường, hỗ trợ tái định cư",
    "khai thác cát trái phép",
    "thiếu nước sinh hoạt mùa khô",
    "ngập úng khu dân cư",
    "cấp giấy chứng nhận quyền sử dụng đất chậm",
    "hư hỏng tuyến đường giao thông nông thôn",
]
_PROGRAMS = [
    "Chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "Chương trình mỗi xã một sản phẩm (OCOP)",
    "Đề án 06 về phát triển ứng dụng dữ liệu dân cư",
    "Chương trình mục tiêu quốc gia giảm nghèo bền vững",
    "Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số",
    "Nghị quyết của HĐND tỉnh về hỗ trợ phát triển giao thông nông thôn",
    "Kế hoạch phát triển bền vững một triệu héc-ta lúa chất lượng cao",
]
_PERIODS = ["6 tháng đầu năm", "9 tháng", "quý III", "quý IV", "tháng 10", "năm"]
_TOPICS = [
    "tiến độ giải phóng mặt bằng các dự án trọng điểm",
    "công tác phòng, chống dịch bệnh trên cây lúa",
    "chuẩn bị Tết Nguyên đán",
    "tình hình thu ngân sách nhà nước",
    "công tác quản lý đất đai, xây dựng",
    "chống khai thác IUU",
    "giải quyết khiếu nại, tố cáo tồn đọng",
]
SUMMARY_TEMPLATES: list[Callable[[random.Random, str, int], str]] = [
    lambda r, p, y: (
        "Rà soát, đề xuất tháo gỡ khó khăn, vướng mắc cho dự án " + r.choice(_PROJECTS).format(place=p)
    ),
    lambda r, p, y: f"Tham mưu UBND tỉnh ban hành Kế hoạch {r.choice(_PLANS)} năm {y + 1}",
    lambda r, p, y: f"Báo cáo tình hình giải ngân vốn đầu tư công {r.choice(_PERIODS)} {y}",
    lambda r, p, y: f"Kiểm tra, xử lý phản ánh của người dân về {r.choice(_COMPLAINTS)} tại {p}",
    lambda r, p, y: f"Xây dựng Đề án {r.choice(_PLANS)} trên địa bàn {p}",
    lambda r, p, y: f"Tổ chức triển khai thực hiện {r.choice(_PROGRAMS)} tại {p}",
    lambda r, p, y: f"Tham mưu trả lời kiến nghị của cử tri về {r.choice(_COMPLAINTS)}",
    lambda r, p, y: f"Đẩy nhanh tiến độ dự án {r.choice(_PROJECTS).format(place=p)}",
    lambda r, p, y: f"Sơ kết, đánh giá kết quả thực hiện {r.choice(_PROGRAMS)} {r.choice(_PERIODS)}",
    lambda r, p, y: "Thực hiện ý kiến kết luận của Chủ tịch UBND tỉnh tại cuộc họp về " + r.choice(_TOPICS),
    lambda r, p, y: f"Rà soát, cập nhật quy hoạch sử dụng đất tại {p}",
    lambda r, p, y: f"Kiểm tra, báo cáo đề xuất xử lý vụ việc {r.choice(_COMPLAINTS)} tại {p}",
]
ASSIGNERS = [
    "Chủ tịch UBND tỉnh",
    "Phó Chủ tịch UBND tỉnh (phụ trách kinh tế)",
    "Phó Chủ tịch UBND tỉnh (phụ trách văn hóa - xã hội)",
    "Phó Chủ tịch UBND tỉnh (phụ trách nội chính)",
    "UBND tỉnh",
]
_DOC_KINDS = ["UBND-TH", "UBND-KT", "UBND-VX", "UBND-NC", "TB-VP", "QĐ-UBND", "KH-UBND"]
PROGRESS_STARTED = [
    "Đã giao phòng chuyên môn xây dựng dự thảo; dự kiến trình trong tháng {m}/{y}.",
    "Đang phối hợp các đơn vị liên quan khảo sát hiện trạng, tổng hợp số liệu.",
    "Đã tổ chức họp với các ngành liên quan; đang hoàn chỉnh báo cáo.",
    "Đang lấy ý kiến góp ý của các sở, ngành và địa phương.",
    "Đã hoàn thành dự thảo, đang trình lãnh đạo xem xét.",
    "Đang kiểm tra thực tế, làm việc với hộ dân và chủ đầu tư.",
]
PROGRESS_NEW = [
    "Đang nghiên cứu, phân công thực hiện.",
    "Chưa triển khai do chờ hướng dẫn của bộ, ngành Trung ương.",
    "",
]
PROGRESS_DONE = [
    "Đã hoàn thành, báo cáo kết quả về UBND tỉnh.",
    "Đã tham mưu UBND tỉnh ban hành văn bản.",
    "Đã kiểm tra, xử lý dứt điểm và thông tin cho người dân.",
    "Đã hoàn thành, gửi Văn phòng UBND tỉnh tổng hợp.",
]
OBSTACLES = [
    "Vướng mắc trong công tác bồi thường, giải phóng mặt bằng; đề nghị UBND tỉnh gia hạn.",
    "Chưa có hướng dẫn của bộ, ngành Trung ương; đề nghị UBND tỉnh kiến nghị Bộ.",
    "Thiếu kinh phí thực hiện; đề nghị Sở Tài chính bố trí vốn.",
    "Hồ sơ đất đai phức tạp, cần thêm thời gian xác minh nguồn gốc đất.",
    "Chờ ý kiến thống nhất của các sở, ngành phối hợp.",
]


def place_for(rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit]) -> str:
    if unit.kind != "so-nganh":  # a district or commune works in its own area
        return unit.name.removeprefix("UBND ")
    districts = [u.name.removeprefix("UBND ") for u in units if u.kind != "so-nganh"]
    return rng.choice(districts + _PLACES_COMMON)


def lead_text(unit: DemoUnit, style: Style) -> str:
    if style.lead_spelling == "code":
        return unit.code
    if style.lead_spelling == "alias" and unit.aliases:
        return unit.aliases[0]
    if style.lead_spelling == "nfd":
        return unicodedata.normalize("NFD", unit.name)
    return unit.name


def co_units_text(rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit]) -> str:
    k = rng.choice([0, 0, 1, 1, 2, 3])
    others = rng.sample([u for u in units if u.code != unit.code], k)
    names = [rng.choice((u.name, u.name, *u.aliases)) for u in others]
    return rng.choice(["; ", ", ", "\n"]).join(names)


def doc_ref(rng: random.Random, doc_date: date) -> str:
    kind = rng.choice(_DOC_KINDS)
    day = doc_date.timetuple().tm_yday
    if kind == "TB-VP":
        n = day + rng.randint(1, 40)
    elif kind in ("QĐ-UBND", "KH-UBND"):
        n = day * 3 + rng.randint(1, 20)
    else:
        n = day * 9 + rng.randint(1, 30)
    return f"{n}/{kind}"
