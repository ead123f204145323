"""The HTTP policy for every Google call: credentials, session, retries, limiter, accounting.

One ``GoogleClient`` per run. It owns a google-auth ``AuthorizedSession`` (service-account
credentials, scopes ``spreadsheets`` + ``drive.readonly`` only) and a gspread
``HTTPClient`` subclass (``PolicyHTTPClient``) whose ``request`` goes through the same
policy, so gspread's URL building is used but never its unbounded ``BackOffHTTPClient``.

Policy (``GoogleClient.request``):

- client-side limiters, one per quota Google keeps (sliding 60 s windows): Sheets reads and
  Sheets writes each under ``requests_per_minute`` (Google: 60 a minute per user), Drive
  under ``DRIVE_PER_MINUTE`` (Google: 12 000 queries a minute per user); token requests none;
- every attempt has a timeout (connect, read);
- at most ``max_tries`` (6) attempts; only 408, 429, 5xx, Drive's 403 ``rateLimitExceeded``
  and connection errors / timeouts are retried, with exponential backoff and full jitter,
  honouring ``Retry-After`` (seconds or HTTP date) when Google sends it;
- 401 (after google-auth's own refresh) and a refused token (``invalid_grant``) raise
  ``AuthError``; nothing about the key or the token ever goes into a message or a log;
- Google unreachable stops the run fast (``GoogleUnreachable``): until Google has answered
  anything (the token service or an API), a failure to connect (DNS, refused, TLS, timeout)
  is retried only within ``FIRST_CONTACT_SECONDS`` in all. After an answer, connection
  failures get the per-request retries above (one unit's fault costs that unit only); a
  request that exhausts them opens the circuit: the next request is again a first contact,
  so a connection lost for good stops the run instead of costing every unit its retries;
- per-run counters by method and endpoint (``client.stats``), readable without the emulator.

``sleep``, ``clock`` and ``rng`` are injectable so retry tests run instantly.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
from google.auth.transport.requests import AuthorizedSession
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import service_account
from gspread.http_client import HTTPClient
from requests.adapters import HTTPAdapter

from sync.backends.gsheets.reach import Contact, connection_cause, never_sent
from sync.exceptions import (
    AuthError,
    ConfigError,
    GoogleApiError,
    GoogleNetworkError,
    GoogleUnreachable,
    os_reason,
)

log = logging.getLogger(__name__)

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.readonly",
)
#: ``init`` (sync.backends.gsheets.create) creates the Office's spreadsheets and shares them: ``drive.file``
#: (only files this app created or opened) is the narrowest Drive scope that allows
#: ``permissions.create`` and lists the app's own files; nothing else in Drive is visible to it.
INIT_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
)
GOOGLE_HOSTS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://oauth2.googleapis.com",
)
MAX_TRIES = 6
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)
#: Until Google answers, connection failures are retried within this many seconds in all (then the
#: run stops); with the time to start and to say so, a run without Google ends within 30 seconds.
FIRST_CONTACT_SECONDS = 20.0
#: Longest single wait we accept; a longer Retry-After ends the retries.
MAX_WAIT = 300.0
RETRY_STATUSES = frozenset({408, 429})
#: Drive calls a minute (Google allows 12 000 a minute per user; this stays far below)
DRIVE_PER_MINUTE = 1000
_DRIVE_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})

Sleep = Callable[[float], None]
Clock = Callable[[], float]


# ---------------------------------------------------------------- credentials


def credentials_path(config: Any) -> Path:
    """``[gsheets] credentials`` (relative to the config's folder), else GOOGLE_APPLICATION_CREDENTIALS."""
    configured = getattr(config.gsheets, "credentials", None)
    if configured:
        p = Path(configured).expanduser()
        return p if p.is_absolute() else Path(config.base_dir) / p
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if env:
        return Path(env).expanduser()
    raise ConfigError(
        "chưa chỉ ra khóa tài khoản dịch vụ Google: đặt “credentials” trong mục [gsheets] "
        "hoặc biến môi trường GOOGLE_APPLICATION_CREDENTIALS",
        path=str(getattr(config, "path", "")) or None,
    )


def load_credentials(path: Path) -> service_account.Credentials:
    """Service-account credentials from a JSON key file; ``ConfigError`` without any key content."""
    shown = str(path)
    if not path.is_file():
        raise ConfigError(f"không tìm thấy tệp khóa tài khoản dịch vụ Google {shown}")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(
            f"không đọc được tệp khóa tài khoản dịch vụ {shown}: {os_reason(e) if isinstance(e, OSError) else type(e).__name__}"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigError(f"tệp khóa tài khoản dịch vụ {shown} không phải tệp JSON hợp lệ") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ConfigError(
            f"tệp {shown} không phải khóa tài khoản dịch vụ (service account) của Google; "
            "tạo khóa JSON trong Google Cloud Console › IAM › Service accounts"
        )
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if missing:
        raise ConfigError(f"tệp khóa tài khoản dịch vụ {shown} thiếu trường {', '.join(missing)}")
    try:
        return service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except Exception as e:  # a malformed private key: never echo it
        raise ConfigError(
            f"khóa riêng trong tệp {shown} không hợp lệ ({type(e).__name__}); tạo lại khóa JSON"
        ) from None


_CREDENTIALS: dict[tuple[str, int, int, str], service_account.Credentials] = {}
_CREDENTIALS_LOCK = threading.Lock()


def _shared_credentials(path: Path, endpoint: str | None) -> service_account.Credentials:
    """One credentials object per key file in a process, so a run fetches one token, not two.

    The token lives in memory only; a changed key file (mtime/size) gets new credentials.
    """
    try:
        st = path.stat()
    except OSError:
        return load_credentials(path)
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, endpoint or "")
    with _CREDENTIALS_LOCK:
        creds = _CREDENTIALS.get(key)
        if creds is None:
            creds = load_credentials(path)
            _CREDENTIALS[key] = creds
        return creds


# ---------------------------------------------------------------- transport pieces


class HostRewriteAdapter(HTTPAdapter):
    """Sends requests for Google's hosts to ``endpoint`` (the emulator) instead."""

    def __init__(self, endpoint: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.endpoint = endpoint.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                request.url = self.endpoint + url[len(host) :]
                break
        return super().send(request, *args, **kwargs)


def mount_endpoint(session: requests.Session, endpoint: str) -> None:
    adapter = HostRewriteAdapter(endpoint)
    for host in GOOGLE_HOSTS:
        session.mount(host, adapter)


_SHEETS_VALUES = re.compile(r"^/v4/spreadsheets/[^/]+/values(?::(\w+)|/.*?(?::(append|clear))?)$")


def endpoint_name(method: str, url: str) -> str:
    """A stable name for accounting: ``GET sheets.values.batchGet``, ``GET drive.files.list``…"""
    path = urlsplit(url).path
    m = method.upper()
    name = "other"
    if path.endswith("/token"):
        name = "oauth2.token"
    elif path.startswith("/v4/spreadsheets"):
        vm = _SHEETS_VALUES.match(path)
        if vm:
            name = "sheets.values." + (vm.group(1) or vm.group(2) or ("get" if m == "GET" else "update"))
        elif path.endswith(":batchUpdate"):
            name = "sheets.spreadsheets.batchUpdate"
        elif m == "GET":
            name = "sheets.spreadsheets.get"
        elif m == "POST":
            name = "sheets.spreadsheets.create"
    elif path.startswith("/drive/v3/files") or path.startswith("/upload/drive/v3/files"):
        segs = path.split("/files", 1)[1].strip("/").split("/")
        if segs == [""]:
            name = "drive.files.list" if m == "GET" else "drive.files.create"
        elif len(segs) >= 2 and segs[1] == "permissions":
            name = "drive.permissions"
        elif len(segs) == 2 and segs[1] == "export":
            name = "drive.files.export"
        else:
            name = {
                "GET": "drive.files.get",
                "PATCH": "drive.files.update",
                "DELETE": "drive.files.delete",
            }.get(m, "drive.files")
    elif path.startswith("/batch"):
        name = "batch"
    return f"{m} {name}"


def quota_bucket(key: str) -> str | None:
    """Which of Google's quotas an endpoint (``endpoint_name``) counts against; None: no quota."""
    method, _, name = key.partition(" ")
    if name.startswith("sheets."):
        return "sheets-read" if method == "GET" else "sheets-write"
    if name.startswith("drive.") or name == "batch":
        return "drive"
    return None


class RequestStats:
    """Per-run counters: requests sent (every attempt) by endpoint, retries, statuses, time waited."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_endpoint: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        #: seconds spent waiting on quota: the limiters' waits and the waits before retries
        self.waited = 0.0

    def sent(self, key: str) -> None:
        with self._lock:
            self.by_endpoint[key] += 1

    def api_total(self) -> int:
        """Requests to Sheets and Drive (every attempt), token requests not counted."""
        with self._lock:
            return sum(n for k, n in self.by_endpoint.items() if not k.endswith(" oauth2.token"))

    def waiting(self, seconds: float) -> None:
        with self._lock:
            self.waited += seconds

    def retried(self, key: str, wait: float) -> None:
        with self._lock:
            self.retries[key] += 1
            self.waited += wait

    def status(self, code: int) -> None:
        with self._lock:
            self.statuses[code] += 1


class RateLimiter:
    """At most ``per_minute`` requests in any sliding 60-second window."""

    def __init__(self, per_minute: int, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep):
        self.per_minute = max(1, int(per_minute))
        self.window = 60.0
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot; returns how long it waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self.clock()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return waited
                wait = self._sent[0] + self.window - now
                wait = max(wait, 0.001)
                self.sleep(wait)
                waited += wait


class RetryPolicy:
    """Which failures to retry and how long to wait (exponential backoff, full jitter)."""

    def __init__(
        self,
        max_tries: int = MAX_TRIES,
        base: float = 1.0,
        cap: float = 32.0,
        max_wait: float = MAX_WAIT,
        rng: random.Random | None = None,
    ):
        self.max_tries = max(1, max_tries)
        self.base = base
        self.cap = cap
        self.max_wait = max_wait
        self.rng = rng or random.Random()

    def retryable(self, response: requests.Response) -> bool:
        code = response.status_code
        if code in RETRY_STATUSES or 500 <= code <= 599:
            return True
        if code == 403:  # Drive answers 403 rateLimitExceeded for its quota
            try:
                errors = response.json().get("error", {}).get("errors") or []
            except ValueError:
                return False
            return any(isinstance(e, dict) and e.get("reason") in _DRIVE_RATE_REASONS for e in errors)
        return False

    def backoff(self, attempt: int) -> float:
        """Wait before attempt ``attempt + 1`` (attempt counts from 1)."""
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def wait_for(self, attempt: int, response: requests.Response | None, now: float | None = None) -> float:
        if response is not None:
            after = retry_after_seconds(response.headers.get("Retry-After"), now)
            if after is not None:
                # honour Retry-After; a little jitter on top so clients do not return in step
                return after + self.rng.uniform(0, min(1.0, self.base))
        return self.backoff(attempt)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _CountingAuthRequest(AuthRequest):
    """google-auth's transport for token requests, counted and with a timeout."""

    def __init__(self, session: requests.Session, client: GoogleClient):
        super().__init__(session)
        self._client = client

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        self._client.stats.sent(endpoint_name(method, url))
        response = super().__call__(
            url, method=method, body=body, headers=headers, timeout=self._client.contact.timeout(), **kwargs
        )
        self._client.contact.answered()
        return response


# ---------------------------------------------------------------- the client


class GoogleClient:
    """One run's connection to Google: call ``request`` (or use ``.http``, a gspread HTTPClient)."""

    def __init__(
        self,
        credentials: service_account.Credentials,
        *,
        endpoint: str | None = None,
        requests_per_minute: int = 55,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_tries: int = MAX_TRIES,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        base_delay: float = 1.0,
    ):
        self.credentials = credentials
        self.endpoint = endpoint
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.policy = RetryPolicy(max_tries=max_tries, base=base_delay, rng=rng)
        self.contact = Contact(
            timeout, clock=clock, budget=FIRST_CONTACT_SECONDS, base=base_delay, endpoint=endpoint
        )
        self.limiters = {
            "sheets-read": RateLimiter(requests_per_minute, clock=clock, sleep=sleep),
            "sheets-write": RateLimiter(requests_per_minute, clock=clock, sleep=sleep),
            "drive": RateLimiter(DRIVE_PER_MINUTE, clock=clock, sleep=sleep),
        }
        self.stats = RequestStats()
        self._auth_session = requests.Session()
        self.session = AuthorizedSession(
            credentials,
            auth_request=_CountingAuthRequest(self._auth_session, self),
            refresh_timeout=timeout if isinstance(timeout, (int, float)) else sum(timeout),
        )
        if endpoint:
            mount_endpoint(self.session, endpoint)
            mount_endpoint(self._auth_session, endpoint)
        self.http = PolicyHTTPClient(self)

    @classmethod
    def from_config(
        cls, config: Any, *, scopes: tuple[str, ...] | None = None, **kwargs: Any
    ) -> GoogleClient:
        """The run's client; ``scopes`` other than :data:`SCOPES` (``init``: :data:`INIT_SCOPES`)."""
        creds = _shared_credentials(credentials_path(config), config.gsheets.endpoint)
        if scopes is not None and tuple(scopes) != SCOPES:
            creds = creds.with_scopes(list(scopes))
        g = config.gsheets
        kwargs.setdefault("endpoint", g.endpoint)
        kwargs.setdefault("requests_per_minute", g.requests_per_minute)
        return cls(creds, **kwargs)

    @property
    def account_email(self) -> str:
        return str(getattr(self.credentials, "service_account_email", "") or "")

    # -------------------------------------------------------------- requests

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> requests.Response:
        """Send with the policy; returns a 2xx/3xx response or raises.

        ``idempotent=False`` for a request that must not happen twice (an append adds twice, a
        ``spreadsheets.create`` makes two): only what Google certainly did not apply is retried —
        a 429 quota refusal, a connection never made. A 5xx raises ``GoogleApiError`` and a try
        that may have reached Google without an answer ``GoogleNetworkError(maybe_delivered=True)``
        at once; the caller checks what landed before trying again.

        Raises ``GoogleApiError`` (Google's error after retries), ``GoogleNetworkError``
        (no answer after retries), ``GoogleUnreachable`` (Google not reachable at all: the
        run stops) or ``AuthError`` (credentials refused).
        """
        key = endpoint_name(method, url)
        limiter = self.limiters.get(quota_bucket(key) or "")
        send = dict(params=params, json=json, data=data, files=files, headers=headers)
        attempt = 0
        delivered = False  # whether some try may have reached Google
        while True:
            attempt += 1
            if limiter is not None:
                self.stats.waiting(limiter.acquire())
            self.stats.sent(key)
            response, failure = self._attempt(method, url, attempt, send)
            if response is not None:
                self.contact.answered()
                if response.status_code < 400:
                    return response
                if not idempotent and response.status_code != 429 and self.policy.retryable(response):
                    raise GoogleApiError(response, attempts=attempt)
                wait = self._wait_before_retry(key, attempt, response)
            else:
                assert failure is not None
                delivered = delivered or not never_sent(failure)
                if not idempotent and delivered:
                    raise GoogleNetworkError(
                        f"mất kết nối tới Google khi đang ghi ({connection_cause(failure)}); "
                        "chưa biết lần ghi đã được thực hiện hay chưa",
                        attempts=attempt,
                        maybe_delivered=True,
                    )
                wait = self._wait_after_failure(key, url, attempt, failure, delivered)
            self.stats.retried(key, wait)
            self.sleep(wait)

    def _attempt(
        self, method: str, url: str, attempt: int, send: dict[str, Any]
    ) -> tuple[requests.Response | None, BaseException | None]:
        """One try: Google's response, or the connection failure; raises when the token is refused."""
        try:
            response = self.session.request(method.upper(), url, timeout=self.contact.timeout(), **send)
        except google.auth.exceptions.RefreshError as e:
            if getattr(e, "retryable", False):
                # google-auth has already retried the token request itself: the key is fine,
                # Google's token service is not answering, and every request needs a token
                raise GoogleUnreachable(
                    "máy chủ cấp mã truy cập của Google tạm thời không trả lời (google-auth đã thử lại); "
                    "chạy lại sau ít phút. Lần này không ghi gì: bảng tổng hợp và lịch sử vẫn như cũ.",
                    attempts=attempt,
                    maybe_delivered=False,
                ) from None
            raise _auth_error(self.account_email, e) from None
        except (requests.ConnectionError, requests.Timeout, google.auth.exceptions.TransportError) as e:
            return None, e
        self.stats.status(response.status_code)
        return response, None

    def _wait_after_failure(
        self, key: str, url: str, attempt: int, failure: BaseException, delivered: bool
    ) -> float:
        """How long to wait after a try that got no answer; raises when the failure is final."""
        if not self.contact.ok:  # Google has not answered yet (or no longer): a short, bounded retry
            return self.contact.retry_wait(failure, url, attempts=attempt, delivered=delivered)
        if attempt >= self.policy.max_tries:
            self.contact.lost()
            raise GoogleNetworkError(
                f"không kết nối được tới Google sau {attempt} lần thử ({connection_cause(failure)})",
                attempts=attempt,
                maybe_delivered=delivered,
            )
        wait = self.policy.wait_for(attempt, None)
        log.info("Lỗi kết nối (%s) cho %s; thử lại sau %.1f giây", type(failure).__name__, key, wait)
        return wait

    def _wait_before_retry(self, key: str, attempt: int, response: requests.Response) -> float:
        """How long to wait after Google's error answer; raises when the failure is final."""
        if response.status_code == 401:
            response.close()
            raise _auth_error(self.account_email, None)
        if _scope_refused(response):
            response.close()
            raise AuthError(
                "tài khoản dịch vụ Google không được cấp đủ quyền (phạm vi spreadsheets và "
                "drive.readonly; lệnh init: spreadsheets và drive.file); kiểm tra khóa và API "
                "Sheets/Drive đã bật cho dự án"
            )
        if not self.policy.retryable(response) or attempt >= self.policy.max_tries:
            raise GoogleApiError(response, attempts=attempt)
        wait = self.policy.wait_for(attempt, response)
        if wait > self.policy.max_wait:
            raise GoogleApiError(response, attempts=attempt)
        log.info("Google trả lời %s cho %s; thử lại sau %.1f giây", response.status_code, key, wait)
        response.close()
        return wait

    # -------------------------------------------------------------- lifecycle

    def close(self) -> None:
        self.session.close()
        self._auth_session.close()

    def __enter__(self) -> GoogleClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show credentials
        return f"GoogleClient(account={self.account_email!r}, endpoint={self.endpoint!r})"


class PolicyHTTPClient(HTTPClient):
    """gspread's HTTPClient whose every request goes through ``GoogleClient.request``."""

    def __init__(self, client: GoogleClient):
        super().__init__(auth=client.credentials, session=client.session)
        self.auth = client.credentials
        self._client = client
        self.timeout = client.timeout

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        return self._client.request(
            method, endpoint, params=params, data=data, json=json, files=files, headers=headers
        )


def _scope_refused(response: requests.Response) -> bool:
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return False
    for d in err.get("details") or []:
        if isinstance(d, dict) and d.get("reason") == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
            return True
    return "insufficient authentication scopes" in str(err.get("message", ""))


def _auth_error(account: str, e: BaseException | None) -> AuthError:
    who = f" {account}" if account else ""
    reason = ""
    if e is not None and e.args:
        # google-auth puts the token endpoint's error code first, e.g. "invalid_grant: ..."
        first = str(e.args[0]).split(":", 1)[0].strip()
        if re.fullmatch(r"[a-z_]{3,40}", first):
            reason = f" (mã lỗi: {first})"
    return AuthError(
        f"Google từ chối xác thực tài khoản dịch vụ{who}{reason}. Kiểm tra tệp khóa còn hiệu lực "
        "(chưa bị xóa hoặc thu hồi trong Google Cloud Console) và đồng hồ máy tính đúng giờ."
    )
