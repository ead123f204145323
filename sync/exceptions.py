"""Failures that stop a run. Problems in the data are findings, never these.

Tree::

    UbndSyncError                 base; ``str(e)`` is a Vietnamese message for people
    ├── UsageError                bad input from the person running the command (exit 2)
    │   ├── ConfigError           the TOML config: unknown key, bad value, duplicate code
    │   └── SchemaError           a file in ``sheets_schema/`` is broken
    ├── SourceUnreadable          one unit's workbook cannot be read (becomes a finding)
    ├── UnitWriteRefused          the Office may not write into a unit's workbook now (changed on
    │                             disk, open in a spreadsheet program, a part or a cell the edit
    │                             cannot keep): costs that unit only, nothing written
    │                             (``sync.backends.base.UnitBook``)
    ├── UnitWriteFailed           a write into one unit's workbook failed; says what landed
    ├── AuthError                 Google credentials refused (exit 1, nothing written)
    ├── OutputError               the summary or another output could not be written (exit 1)
    ├── HistoryError              the history file cannot be read or written (exit 1)
    ├── TooManyUnreadable         every unit, or more than [sync] max_unreadable_share, unreadable:
    │                             something is wrong with the source, not the units (exit 1)
    └── GoogleError               Google after the retry policy (``sync.backends.gsheets.client``)
        ├── GoogleApiError        Google answered with an error (status, reasons, attempts);
        │                         readers and writers turn it into SourceUnreadable / OutputError
        ├── GoogleNetworkError    no answer to one request (refused, reset, timeout) after every try;
        │                         readers turn it into SourceUnreadable (that unit only)
        └── GoogleUnreachable     Google cannot be reached at all (DNS, refused, TLS, the token
                                  service), or no longer: the whole run stops (exit 1)

``sync.cli.common.guard`` is the one place that maps these to messages and exit codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests


class UbndSyncError(Exception):
    """Base of every failure that stops a run."""

    exit_code = 1


class UsageError(UbndSyncError):
    exit_code = 2


class ConfigError(UsageError):
    """The config file is wrong; the message names the key and the line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        where = ""
        if path:
            where = f"{path}"
            if line:
                where += f", dòng {line}"
            where += ": "
        super().__init__(where + _clip_quoted(message))
        self.path = path
        self.line = line


#: A value quoted in a config message (“…”, '…' or "…") is shown up to this many characters.
_QUOTED_SHOWN = 60
_QUOTED = re.compile(r"(“|'|\")([^”'\"]{" + str(_QUOTED_SHOWN + 20) + r",})(”|'|\")")


def _clip_quoted(message: str) -> str:
    """Shorten a long quoted value (a 4 MB string in the config) so the message stays one readable line."""
    return _QUOTED.sub(lambda m: f"{m[1]}{m[2][:_QUOTED_SHOWN]}… ({len(m[2])} ký tự){m[3]}", message)


class SchemaError(UsageError):
    """A schema file is broken; the message names the file and the key."""


class SourceUnreadable(UbndSyncError):
    """A unit's workbook is absent, unreadable, forbidden, or has no task tab."""

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class UnitWriteRefused(UbndSyncError):
    """A write into one unit's workbook was refused; the file is exactly as it was."""


class UnitWriteFailed(UbndSyncError):
    """A write into one unit's workbook failed part way or was refused by its host; the message
    says what landed (nothing, or the rows written)."""


class AuthError(UbndSyncError):
    """Credentials were refused; nothing is written."""


class OutputError(UbndSyncError):
    """An output could not be written; the previous one is left whole."""


class HistoryError(UbndSyncError):
    """The history file cannot be read or written (exit 1); nothing is lost."""


class GoogleError(UbndSyncError):
    """Google failed a request after the retry policy; ``attempts`` says how many tries it took."""

    attempts: int = 1


class GoogleApiError(GoogleError):
    """Google answered with an error after the retry policy.

    Keeps what gspread's ``APIError`` keeps (``response``, ``error``, ``code``) and reads
    Google's error body: ``status`` (HTTP), ``google_status``, ``message``, ``reasons``.
    """

    def __init__(self, response: requests.Response, *, attempts: int = 1):
        try:
            error = response.json()["error"]
        except Exception as e:  # not Google's JSON error body
            error = {"code": -1, "message": response.text, "status": f"invalid JSON: '{e}'"}
        super().__init__(error)
        self.response = response
        self.error: Mapping[str, Any] = error
        self.code = error["code"] if isinstance(error, Mapping) else -1
        self.status: int = response.status_code
        self.attempts = attempts
        err = error if isinstance(error, Mapping) else {}
        self.google_status: str = str(err.get("status") or "")
        self.message: str = str(err.get("message") or "")
        reasons = [e.get("reason", "") for e in err.get("errors") or [] if isinstance(e, Mapping)]
        for d in err.get("details") or []:
            if isinstance(d, Mapping) and d.get("reason"):
                reasons.append(str(d["reason"]))
        self.reasons: list[str] = [r for r in reasons if r]

    def __str__(self) -> str:
        return f"Google trả lời lỗi {self.status} {self.google_status}: {self.message}".strip()


class GoogleNetworkError(GoogleError):
    """No answer from Google (connection refused/reset, timeout) after every try.

    ``maybe_delivered`` is False only when no try can have reached Google (the connection
    was never made), so a write it was for certainly did not happen.
    """

    def __init__(self, message: str, *, attempts: int, maybe_delivered: bool = True):
        super().__init__(message)
        self.attempts = attempts
        self.maybe_delivered = maybe_delivered


class GoogleUnreachable(GoogleError):
    """Google cannot be reached at all, or no longer: the run stops, whatever unit it was reading.

    Not a ``GoogleNetworkError``, so no reader turns it into one unit's problem.
    """

    def __init__(self, message: str, *, attempts: int, maybe_delivered: bool):
        super().__init__(message)
        self.attempts = attempts
        self.maybe_delivered = maybe_delivered


class TooManyUnreadable(UbndSyncError):
    """So many units unreadable that the source itself is likely at fault; nothing is written."""


_OS_REASONS = {
    "ENOENT": "không tồn tại",
    "EACCES": "không có quyền truy cập",
    "EPERM": "không được phép",
    "EISDIR": "là một thư mục, không phải tệp",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã hết hạn mức dung lượng",
    "EROFS": "ổ đĩa chỉ cho phép đọc",
    "EBUSY": "tệp đang được chương trình khác sử dụng",
    "ETXTBSY": "tệp đang được chương trình khác sử dụng",
    "ENAMETOOLONG": "tên tệp quá dài",
    "EIO": "lỗi đọc/ghi ổ đĩa",
}


def os_reason(e: OSError) -> str:
    """An operating-system error in Vietnamese, for people (the English text stays for --debug)."""
    import errno

    name = errno.errorcode.get(e.errno or -1, "")
    return _OS_REASONS.get(name) or (e.strerror or str(e))
