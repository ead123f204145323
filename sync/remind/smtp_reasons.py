"""What went wrong with the mail server, told in Vietnamese by its cause.

A failure names the server, says what happened (no answer, no TLS, an untrusted
certificate, a refused login, sender or address) and what to check; the server's own
words, when it answered, follow in brackets with its code. No exception's English name
or text reaches a person.
"""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl

from sync.config import MailSettings


def seconds(value: float) -> str:
    """``0.5`` -> ``0,5``; ``30.0`` -> ``30``."""
    return f"{value:g}".replace(".", ",")


def server_text(raw: bytes | str) -> str:
    """A server's reply text on one line."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def said(code: int, raw: bytes | str) -> str:
    """``550: 5.1.1 no such user``: what the server answered."""
    text = server_text(raw)
    return f"{code}: {text}" if text else str(code)


def timed_out(e: BaseException) -> bool:
    """Whether ``e`` (or what it was raised from) is a timeout: ``smtplib`` wraps one in ``SMTPServerDisconnected``."""
    seen: set[int] = set()
    current: BaseException | None = e
    while current is not None and id(current) not in seen:
        if isinstance(current, TimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _where(s: MailSettings) -> str:
    return f"{s.host}:{s.port}"


def no_answer(s: MailSettings) -> str:
    return (
        f"máy chủ thư {_where(s)} không trả lời sau {seconds(s.timeout_seconds)} giây "
        "(khóa “timeout_seconds” của [mail])"
    )


def no_answer_to_dot(s: MailSettings) -> str:
    return (
        f"máy chủ thư đã nhận hết thư nhưng không trả lời sau {seconds(s.data_timeout_seconds)} giây "
        "(khóa “data_timeout_seconds” của [mail])"
    )


def dropped() -> str:
    return "mất kết nối tới máy chủ thư: máy chủ đóng kết nối giữa chừng"


def no_starttls(s: MailSettings) -> str:
    return (
        f"máy chủ thư {_where(s)} không hỗ trợ STARTTLS (mã hóa TLS), nên thư và mật khẩu không được gửi đi "
        'không mã hóa: kiểm tra cổng (587 thường có STARTTLS; với cổng 465 dùng security = "ssl")'
    )


#: OpenSSL's verification codes (``X509_V_ERR_*``) a mail server's certificate usually fails with.
_CERTIFICATE = {
    9: "chứng chỉ chưa đến ngày có hiệu lực",
    10: "chứng chỉ đã hết hạn",
    18: "chứng chỉ tự ký",
    19: "chuỗi chứng chỉ bắt đầu từ một chứng chỉ gốc tự ký",
    20: "không rõ cơ quan cấp chứng chỉ",
    21: "không rõ cơ quan cấp chứng chỉ",
    62: "chứng chỉ không mang tên máy chủ này",
}


def untrusted(e: ssl.SSLCertVerificationError, s: MailSettings) -> str:
    why = _CERTIFICATE.get(e.verify_code, f"mã lỗi kiểm tra {e.verify_code}")
    return (
        f"chứng chỉ TLS của máy chủ thư {s.host} không được tin cậy ({why}), nên thư không được gửi: báo quản trị "
        "máy chủ thư dùng chứng chỉ do một cơ quan được tin cậy cấp, hoặc ghi ở khóa “host” đúng tên máy chủ "
        "có trên chứng chỉ"
    )


def tls_failed(s: MailSettings) -> str:
    return (
        f"không thiết lập được kết nối mã hóa TLS với máy chủ thư {_where(s)}: có thể sai cổng hoặc sai "
        '“security” (cổng 465 dùng "ssl", cổng 587 dùng "starttls")'
    )


def no_login(s: MailSettings) -> str:
    hint = (
        'nhiều máy chủ chỉ cho đăng nhập sau khi mã hóa (security = "starttls"); '
        if s.security == "none"
        else ""
    )
    return (
        f"máy chủ thư {_where(s)} không cho đăng nhập (không có AUTH): {hint}nếu máy chủ không cần đăng nhập, "
        "xóa khóa “user” của [mail]"
    )


def no_mechanism(offered: list[str]) -> str:
    return (
        f"máy chủ thư chỉ nhận cách đăng nhập {', '.join(offered) or '(không có)'}; ubnd-sync đăng nhập "
        "bằng PLAIN hoặc LOGIN (qua kết nối đã mã hóa)"
    )


def login_refused(code: int, raw: bytes | str, s: MailSettings) -> str:
    return (
        f"máy chủ thư không nhận tên đăng nhập “{s.user}” với mật khẩu trong biến môi trường {s.password_env} "
        f"({said(code, raw)}). Đã dừng ngay sau lần thử đầu tiên để tài khoản thư của Văn phòng không bị khóa: "
        "kiểm tra mật khẩu rồi chạy lại"
    )


def sender_refused(code: int, raw: bytes | str, s: MailSettings) -> str:
    return (
        f"máy chủ thư không nhận địa chỉ gửi “{s.sender}” ({said(code, raw)}): kiểm tra khóa “sender” của [mail] "
        "(thường phải là địa chỉ của tài khoản đăng nhập)"
    )


def address_refused(code: int, raw: bytes | str) -> str:
    temporary = " tạm thời" if 400 <= code < 500 else ""
    return f"máy chủ thư{temporary} không nhận địa chỉ này ({said(code, raw)})"


def message_refused(code: int, raw: bytes | str) -> str:
    return f"máy chủ thư từ chối ({said(code, raw)})"


def greeting_refused(code: int, raw: bytes | str, s: MailSettings) -> str:
    return f"máy chủ thư {_where(s)} không nhận phiên làm việc ({said(code, raw)})"


#: Network errors by ``errno`` name.
_NETWORK = {
    "ENETUNREACH": "không có đường mạng tới máy chủ",
    "EHOSTUNREACH": "không có đường mạng tới máy chủ",
    "ECONNRESET": "máy chủ cắt kết nối",
    "ECONNABORTED": "kết nối bị hủy",
    "EPIPE": "máy chủ đã đóng kết nối",
    "EADDRNOTAVAIL": "địa chỉ máy chủ không dùng được từ máy này",
}


def connecting(e: BaseException, s: MailSettings) -> str:
    """Why a session with the server could not be opened (connect, greeting, TLS, EHLO)."""
    if timed_out(e):
        return no_answer(s)
    if isinstance(e, ssl.SSLCertVerificationError):
        return untrusted(e, s)
    if isinstance(e, ssl.SSLError):
        return tls_failed(s)
    if isinstance(e, socket.gaierror):
        return f"không tìm thấy máy chủ thư “{s.host}” (sai tên ở khóa “host” của [mail], hoặc máy này không có mạng)"
    if isinstance(e, ConnectionRefusedError):
        return (
            f"mất kết nối tới máy chủ thư: {_where(s)} không nhận kết nối (máy chủ chưa chạy, sai cổng “port” "
            "hoặc tường lửa chặn)"
        )
    if isinstance(e, smtplib.SMTPResponseException):
        return greeting_refused(e.smtp_code, e.smtp_error, s)
    return lost(e)


def lost(e: BaseException) -> str:
    """A connection that failed on the way (no timeout): dropped, reset, unreachable."""
    current: BaseException | None = e
    for _ in range(5):  # smtplib raises SMTPServerDisconnected from the OSError it met
        if current is None:
            break
        name = errno.errorcode.get(getattr(current, "errno", None) or -1, "")
        if name in _NETWORK:
            return f"mất kết nối tới máy chủ thư: {_NETWORK[name]}"
        current = current.__cause__ or current.__context__
    return dropped()
