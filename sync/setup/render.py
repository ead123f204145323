"""``init``'s outcome as the Office reads it: what was made, found and shared, what is missing, next steps."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from sync.setup.province import InitOutcome

#: lines shown per category; the rest are counted (all of them are in --json)
SHOWN_LINES = 8

Line = tuple[str, bool]  # (text, for stderr)


def _listed(title: str, lines: list[str]) -> list[Line]:
    out: list[Line] = [(f"{title} ({len(lines)}):", False)]
    out += [(f"  - {line}", False) for line in lines[:SHOWN_LINES]]
    if len(lines) > SHOWN_LINES:
        out.append((f"  … và {len(lines) - SHOWN_LINES} mục khác", False))
    return out


def shown_path(path: Path, cwd: Path) -> str:
    """A path as typed from the folder the command runs in (quoted when it has a space: Windows and bash alike)."""
    shown = os.path.relpath(path, cwd)
    if shown.startswith(".."):
        shown = str(path)
    return f'"{shown}"' if " " in shown else shown


def init_lines(outcome: InitOutcome, cwd: Path) -> list[Line]:
    """Every line ``init`` prints, in order (problems to stderr)."""
    report = outcome.report
    out: list[Line] = []
    if report.created:
        out += _listed("Đã tạo mới", report.created)
    if report.found:
        out += _listed("Đã có sẵn, giữ nguyên (không ghi đè, không sửa)", report.found)
    if report.shared:
        out += _listed("Đã chia sẻ", report.shared)
    if outcome.config.differences:
        out.append(
            (
                f"Tệp cấu hình {outcome.config_path.name} đã có từ trước nên được giữ nguyên, nhưng khác với "
                "những gì init sẽ ghi; nếu cần, sửa bằng tay:",
                False,
            )
        )
        out += [(f"  - {line}", False) for line in outcome.config.differences]
    if report.without_email:
        out.append((f"Đơn vị chưa có địa chỉ e-mail ({len(report.without_email)}):", False))
        if all(" " not in line for line in report.without_email):  # codes: one paragraph
            text = ", ".join(report.without_email)
            out.append((textwrap.fill(text, width=96, initial_indent="  ", subsequent_indent="  "), False))
        else:  # sentences (Google: what was not shared): one line each, every one of them
            out += [(f"  - {line}", False) for line in report.without_email]
    out += [(note, False) for note in report.notes]
    out += [(f"Chưa làm được: {line}", True) for line in report.problems]
    shown = shown_path(outcome.config_path, cwd)
    out += [
        ("Bước tiếp theo:", False),
        ("  1. Văn phòng nhập nhiệm vụ vào Danh mục nhiệm vụ.", False),
        (f"  2. Giao nhiệm vụ cho các đơn vị: ubnd-sync distribute -c {shown}", False),
        (f"  3. Hằng tháng, tổng hợp: ubnd-sync sync -c {shown}", False),
    ]
    return out
