"""Google API error shapes (Sheets v4 / Drive v3 / OAuth2 token endpoint)."""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answered as Google's JSON error body."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS_BY_CODE.get(code, "UNKNOWN")
        self.details = details
        self.errors = errors
        self.headers = headers or {}
        self._body = body

    def body(self) -> dict[str, Any]:
        if self._body is not None:
            return self._body
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            err["errors"] = self.errors
        if self.status:
            err["status"] = self.status
        if self.details is not None:
            err["details"] = self.details
        return {"error": err}


def invalid_argument(message: str, details: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT", details=details)


def bad_request_field(field: str, description: str) -> ApiError:
    return ApiError(
        400,
        description,
        "INVALID_ARGUMENT",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": description}],
            }
        ],
    )


def sheets_not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.", "NOT_FOUND")


def sheets_permission_denied() -> ApiError:
    return ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")


def drive_not_found(file_id: str) -> ApiError:
    msg = f"File not found: {file_id}."
    return ApiError(
        404,
        msg,
        status="",
        errors=[
            {
                "message": msg,
                "domain": "global",
                "reason": "notFound",
                "location": "fileId",
                "locationType": "parameter",
            }
        ],
    )


def drive_error(code: int, reason: str, message: str) -> ApiError:
    return ApiError(
        code, message, status="", errors=[{"message": message, "domain": "global", "reason": reason}]
    )


def drive_insufficient_permissions() -> ApiError:
    return drive_error(
        403,
        "insufficientFilePermissions",
        "The user does not have sufficient permissions for this file.",
    )


UNAUTHENTICATED_MISSING = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
UNAUTHENTICATED_INVALID = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def unauthenticated(missing: bool, service: str) -> ApiError:
    return ApiError(
        401,
        UNAUTHENTICATED_MISSING if missing else UNAUTHENTICATED_INVALID,
        "UNAUTHENTICATED",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "CREDENTIALS_MISSING" if missing else "ACCESS_TOKEN_EXPIRED",
                "domain": "googleapis.com",
                "metadata": {"service": service},
            }
        ],
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def insufficient_scopes(service: str, method: str) -> ApiError:
    return ApiError(
        403,
        "Request had insufficient authentication scopes.",
        "PERMISSION_DENIED",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
                "metadata": {"service": service, "method": method},
            }
        ],
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"'
        },
    )


def quota_exceeded(kind: str, service: str, project: str, scope: str = "user", limit: int = 60) -> ApiError:
    """Sheets' 429 for a per-user or per-project quota (n8n-io/n8n#16750; the per-project
    names ``...PerMinutePerProject`` and ``quota_unit`` ``1/min/{project}`` are inferred)."""
    metric = "Read requests" if kind == "read" else "Write requests"
    per = "PerUser" if scope == "user" else "PerProject"
    human = f"{metric} per minute per user" if scope == "user" else f"{metric} per minute"
    unit = "1/min/{project}/{user}" if scope == "user" else "1/min/{project}"
    return ApiError(
        429,
        f"Quota exceeded for quota metric '{metric}' and limit '{human}' of service "
        f"'{service}' for consumer 'project_number:{project}'.",
        "RESOURCE_EXHAUSTED",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_location": "global",
                    "quota_metric": f"{service}/{kind}_requests",
                    "quota_limit": f"{metric.split()[0]}RequestsPerMinute{per}",
                    "quota_limit_value": str(limit),
                    "quota_unit": unit,
                    "service": service,
                    "consumer": f"projects/{project}",
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ],
    )


DRIVE_USER_RATE = (
    "User Rate Limit Exceeded. Rate of requests for user exceed configured project quota. "
    "You may consider re-evaluating expected per-user traffic to the API and adjust project quota "
    "limits accordingly. You may monitor aggregate quota usage and adjust limits in the API Console: "
    "https://console.developers.google.com/apis/api/drive.googleapis.com/quotas?project={project}"
)


def drive_rate_limited(project: str, scope: str = "user") -> ApiError:
    """Drive's 403 for its query quota (tidyverse/googledrive#380; per project: rateLimitExceeded)."""
    if scope == "user":
        reason, message = "userRateLimitExceeded", DRIVE_USER_RATE.format(project=project)
    else:
        reason, message = "rateLimitExceeded", "Rate Limit Exceeded"
    error = {"domain": "usageLimits", "reason": reason, "message": message}
    if scope == "user":
        error["extendedHelp"] = (
            f"https://console.developers.google.com/apis/api/drive.googleapis.com/quotas?project={project}"
        )
    return ApiError(403, message, status="", errors=[error])


def export_too_large() -> ApiError:
    """Drive ``files.export`` over its 10 MB limit (googleapis/google-api-dotnet-client#990)."""
    return drive_error(403, "exportSizeLimitExceeded", "This file is too large to be exported.")


def oauth_error(error: str, description: str, code: int = 400) -> ApiError:
    return ApiError(code, description, body={"error": error, "error_description": description})
