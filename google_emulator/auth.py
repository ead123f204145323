"""OAuth2 for service accounts: key generation, JWT-bearer assertion verification, tokens."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import ApiError, oauth_error

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def generate_key_pair() -> tuple[bytes, bytes]:
    """(private PKCS8 PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    priv = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return priv, pub


@dataclass
class Token:
    value: str
    email: str
    scopes: frozenset[str]
    expires_at: float


@dataclass
class TokenStore:
    lifetime: float = 3600.0
    clock: Callable[[], float] = time.time
    tokens: dict[str, Token] = field(default_factory=dict)

    def issue(self, email: str, scopes: frozenset[str]) -> Token:
        tok = Token("ya29.emu-" + secrets.token_urlsafe(32), email, scopes, self.clock() + self.lifetime)
        self.tokens[tok.value] = tok
        return tok

    def lookup(self, value: str) -> tuple[Token | None, bool]:
        """(token, expired)."""
        tok = self.tokens.get(value)
        if tok is None:
            return None, False
        return tok, self.clock() >= tok.expires_at


def verify_assertion(
    assertion: str,
    public_key_for: Callable[[str], bytes | None],
    token_uri: str,
    now: float,
) -> tuple[str, frozenset[str]]:
    """Verify an RS256 JWT-bearer assertion. Returns (email, scopes) or raises ApiError."""
    try:
        h64, p64, s64 = assertion.split(".")
        header = json.loads(b64url_decode(h64))
        payload = json.loads(b64url_decode(p64))
        signature = b64url_decode(s64)
    except (ValueError, json.JSONDecodeError):
        raise oauth_error(
            "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        ) from None
    if header.get("alg") != "RS256":
        raise oauth_error("invalid_grant", "Invalid JWT Signature.")
    iss = payload.get("iss", "")
    pem = public_key_for(iss)
    if pem is None:
        raise oauth_error("invalid_grant", "Invalid grant: account not found")
    pub = serialization.load_pem_public_key(pem)
    try:
        pub.verify(signature, f"{h64}.{p64}".encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg,arg-type]
    except InvalidSignature:
        raise oauth_error("invalid_grant", "Invalid JWT Signature.") from None
    iat, exp = payload.get("iat"), payload.get("exp")
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
        raise oauth_error(
            "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        )
    if exp - iat > 3600 or exp < now - 300 or iat > now + 300:
        raise oauth_error(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
            "Check your iat and exp values in the JWT claim.",
        )
    aud = payload.get("aud")
    if aud not in (
        token_uri,
        "https://oauth2.googleapis.com/token",
        "https://www.googleapis.com/oauth2/v4/token",
    ):
        raise oauth_error("invalid_grant", "Invalid JWT: Failed audience check.")
    scope = payload.get("scope", "")
    if not scope:
        raise oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    return iss, frozenset(scope.split())


# ---------------------------------------------------------------- scopes

SHEETS_READ = {"spreadsheets", "spreadsheets.readonly", "drive", "drive.readonly", "drive.file"}
SHEETS_WRITE = {"spreadsheets", "drive", "drive.file"}
DRIVE_READ = {"drive", "drive.readonly", "drive.file", "drive.metadata", "drive.metadata.readonly"}
DRIVE_WRITE = {"drive", "drive.file"}


def scope_allows(scopes: frozenset[str], service: str, write: bool) -> bool:
    short = {s[len(SCOPE_PREFIX) :] if s.startswith(SCOPE_PREFIX) else s for s in scopes}
    if "https://www.googleapis.com/auth/cloud-platform" in scopes:
        return True
    if service == "sheets":
        return bool(short & (SHEETS_WRITE if write else SHEETS_READ))
    return bool(short & (DRIVE_WRITE if write else DRIVE_READ))


def make_key_json(
    email: str, private_pem: bytes, key_id: str, token_uri: str, project_id: str
) -> dict[str, Any]:
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": key_id,
        "private_key": private_pem.decode(),
        "client_email": email,
        "client_id": str(int.from_bytes(secrets.token_bytes(8), "big")),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email,
        "universe_domain": "googleapis.com",
    }


__all__ = ["ApiError", "TokenStore", "verify_assertion", "generate_key_pair", "make_key_json", "scope_allows"]
