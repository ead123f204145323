"""Whether Google can be reached at all: the first-contact budget, and what a failure to connect means.

A run that cannot reach Google (the network down, DNS failing, a proxy breaking TLS, the
endpoint closed) must stop within seconds, not spend every unit's retries on it. ``Contact``
keeps, for one ``GoogleClient``, whether Google has answered since the connection was last
lost; until it has, connection failures are retried only within a short budget, after which
``GoogleUnreachable`` stops the run. ``connection_cause`` names the failure for a person and
``never_sent`` tells whether a request can have reached Google (a write that was never sent
certainly did not happen).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
import urllib3.exceptions

from sync.exceptions import GoogleUnreachable

__all__ = ["Contact", "connection_cause", "never_sent"]


def _chain(e: BaseException) -> Iterator[BaseException]:
    """``e`` and every exception behind it (causes, contexts, urllib3's ``reason``, wrapped args)."""
    todo: list[object] = [e]
    seen: set[int] = set()
    while todo:
        x = todo.pop(0)
        if not isinstance(x, BaseException) or id(x) in seen:
            continue
        seen.add(id(x))
        yield x
        todo += [x.__cause__, x.__context__, getattr(x, "reason", None), *x.args]


#: (exception types, what they mean for a person), most specific first
_CAUSES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((urllib3.exceptions.NameResolutionError, socket.gaierror), "không phân giải được tên máy chủ (lỗi DNS)"),
    (
        (ssl.SSLError, requests.exceptions.SSLError),
        "lỗi bảo mật TLS khi kết nối (proxy/tường lửa chặn, hoặc đồng hồ máy sai giờ)",
    ),
    ((ConnectionRefusedError,), "máy chủ từ chối kết nối"),
    ((requests.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError), "quá thời gian chờ kết nối"),
    ((requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError), "máy chủ không trả lời trong thời hạn"),
    (
        (ConnectionResetError, http.client.RemoteDisconnected, urllib3.exceptions.ProtocolError),
        "kết nối bị ngắt giữa chừng",
    ),
)


def connection_cause(e: BaseException) -> str:
    """A connection failure in Vietnamese: DNS, TLS, refused, timeout, reset."""
    chain = list(_chain(e))
    for kinds, text in _CAUSES:
        if any(isinstance(x, kinds) for x in chain):
            return text
    return f"lỗi kết nối {type(e).__name__}"


def never_sent(e: BaseException) -> bool:
    """True when the request cannot have reached Google: no connection was ever made for it."""
    if isinstance(e, google.auth.exceptions.TransportError):
        return True  # the token could not be fetched: the request itself was not sent
    # urllib3's NewConnectionError and NameResolutionError are ConnectTimeoutErrors
    kinds = (urllib3.exceptions.ConnectTimeoutError, requests.ConnectTimeout, ssl.SSLError)
    return any(isinstance(x, kinds) for x in _chain(e))


class Contact:
    """Whether Google has answered since the connection was last lost; the first-contact budget.

    ``timeout()`` is the (connect, read) timeout for the next try: the configured one once
    Google answers, else no more than what is left of the budget. ``retry_wait()`` says how
    long to wait after a failure to connect before Google has answered, or raises
    ``GoogleUnreachable`` when the budget is spent.
    """

    def __init__(
        self,
        timeout: float | tuple[float, float],
        *,
        clock: Callable[[], float],
        budget: float,
        base: float = 1.0,
        endpoint: str | None = None,
    ):
        self.connect, self.read = (timeout, timeout) if isinstance(timeout, (int, float)) else timeout
        self.clock = clock
        self.budget = budget
        self.base = max(base, 0.05)
        self.endpoint = endpoint
        #: Google answered, and no request has run out of tries without a connection since
        self.ok = False
        #: Google answered at least once (a failure later means the connection was lost)
        self.ever = False
        self._started: float | None = None
        self._failures = 0
        self._waited = 0.0
        #: the reader threads of one run share this budget: its state changes under the lock
        self._lock = threading.Lock()

    def timeout(self) -> tuple[float, float]:
        with self._lock:
            if self.ok:
                return self.connect, self.read
            if self._started is None:
                self._started = self.clock()
            left = max(1.0, self.budget - (self.clock() - self._started))
        return min(self.connect, left), min(self.read, left)

    def answered(self) -> None:
        """Google answered (any status): connection failures are one request's problem again."""
        with self._lock:
            self.ok = self.ever = True
            self._started = None
            self._failures = 0
            self._waited = 0.0

    def lost(self) -> None:
        """A request ran out of tries without a connection: the next one is a first contact again."""
        with self._lock:
            self.ok = False

    def retry_wait(self, failure: BaseException, url: str, *, attempts: int, delivered: bool) -> float:
        """Before Google has answered: the wait before the next try, or ``GoogleUnreachable``."""
        with self._lock:
            self._failures += 1
            wait = self.base * 2 ** (self._failures - 1)
            now = self.clock()
            # the waits count even when they are not real (tests inject ``sleep``)
            spent = max(now - (self._started if self._started is not None else now), self._waited)
            if spent + wait + 1.0 <= self.budget:
                self._waited += wait
                return wait
        raise GoogleUnreachable(
            self._message(failure, url, attempts, spent), attempts=attempts, maybe_delivered=delivered
        )

    def _message(self, failure: BaseException, url: str, attempts: int, spent: float) -> str:
        what = "mất kết nối tới Google trong lúc tổng hợp" if self.ever else "không kết nối được tới Google"
        if isinstance(failure, google.auth.exceptions.TransportError):
            what += " khi xin mã truy cập"
        host = urlsplit(_failed_url(failure) or url).netloc
        if self.endpoint and host == urlsplit(self.endpoint).netloc:
            host += ", “endpoint” trong [gsheets]"
        return (
            f"{what} ({connection_cause(failure)}: {host}) sau {attempts} lần thử trong "
            f"{max(spent, 1.0):.0f} giây. Kiểm tra mạng của máy này (mở thử https://sheets.google.com "
            "bằng trình duyệt), tường lửa/proxy, và “endpoint” trong [gsheets] nếu có; rồi chạy lại. "
            "Lần này không ghi gì: bảng tổng hợp và lịch sử vẫn như cũ."
        )


def _failed_url(e: BaseException) -> str | None:
    """The URL a connection failure was for, as sent (after the endpoint rewrite)."""
    for x in _chain(e):
        request = getattr(x, "request", None)
        if request is not None and getattr(request, "url", None):
            return str(request.url)
    return None
