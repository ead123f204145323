"""The PDF of the report: LibreOffice (``soffice --headless``) converts the .docx, when installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def convert_to_pdf(docx_path: Path, out_dir: Path, *, timeout: float = 240) -> tuple[Path | None, str | None]:
    """``soffice --headless --convert-to pdf``; (pdf, None) or (None, the reason in Vietnamese)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None, (
            "Không tìm thấy LibreOffice (lệnh “soffice”) nên chưa tạo bản PDF; bản .docx vẫn dùng được. "
            "Cài LibreOffice (ví dụ: apt-get install libreoffice-writer) rồi chạy lại để có bản PDF."
        )
    target = out_dir / (docx_path.stem + ".pdf")
    with (
        tempfile.TemporaryDirectory(prefix="ubnd-sync-lo-") as profile,
        tempfile.TemporaryDirectory(prefix=".pdf-", dir=out_dir) as staging,
    ):
        # LibreOffice writes into a staging folder; the PDF replaces the previous one whole
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            staging,
            str(docx_path),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return (
                None,
                f"LibreOffice không chuyển xong sang PDF sau {int(timeout)} giây; bản .docx vẫn dùng được.",
            )
        except OSError as e:
            return None, f"Không chạy được LibreOffice ({e}); bản .docx vẫn dùng được."
        staged = Path(staging) / target.name
        if proc.returncode == 0 and staged.exists():
            staged.replace(target)
            return target, None
    detail = (proc.stderr or proc.stdout or "").strip().splitlines()
    return None, "LibreOffice không chuyển được sang PDF" + (
        f": {detail[-1]}" if detail else ""
    ) + "; bản .docx vẫn dùng được."


__all__ = ["convert_to_pdf"]
