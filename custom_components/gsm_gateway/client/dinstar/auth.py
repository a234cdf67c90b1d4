"""HTTP Digest (RFC 7616, MD5 with `qop=auth` on Dinstar) and Basic authentication, done by hand.

Why not aiohttp's `DigestAuthMiddleware`: the session is injected (shared with Home Assistant), and the
field notes demand control the middleware does not give: the body goes out with the authenticated request,
a nonce is reused across requests (nc counter) instead of a new 401 round trip per call, a stale nonce is
retried exactly once, and a 401 on an authenticated request never leads to another attempt. This module
only knows challenges and headers; `dinstar_http` decides when to send what.

Nothing here logs, and no exception message carries the username, password or a computed digest.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
import hashlib
import re
import secrets
from typing import Literal

# Digest algorithm → hashlib name. MD5 is what Dinstar offers; it is the protocol's choice, not ours.
_HASHES: Mapping[str, str] = {"MD5": "md5", "SHA-256": "sha256"}

# A token, then optionally `=` and a token or quoted string. Commas separate parameters and challenges alike.
_ITEM = re.compile(r'\s*,?\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?')


@dataclass(frozen=True, slots=True)
class Challenge:
    """One `WWW-Authenticate` challenge the client can answer."""

    scheme: Literal["digest", "basic"]
    realm: str = ""
    nonce: str = ""
    opaque: str | None = None
    qop: str | None = None  # "auth" when offered, None for RFC 2069 digests
    algorithm: str = "MD5"
    stale: bool = False


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_www_authenticate(value: str) -> list[tuple[str, dict[str, str]]]:
    """Split one header value into `(scheme, params)` pairs; unreadable text ends the list."""
    challenges: list[tuple[str, dict[str, str]]] = []
    position = 0
    while position < len(value):
        match = _ITEM.match(value, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        name, raw = match[1], match[2]
        if raw is None:  # a bare token starts a new challenge
            challenges.append((name.lower(), {}))
        elif challenges:
            challenges[-1][1][name.lower()] = _unquote(raw)
    return challenges


def _digest_challenge(params: Mapping[str, str]) -> Challenge | None:
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm.removesuffix("-SESS") not in _HASHES or "nonce" not in params:
        return None
    offered = {item.strip().lower() for item in params.get("qop", "").split(",") if item.strip()}
    if offered and "auth" not in offered:
        return None  # auth-int only: the client does not hash bodies
    return Challenge(
        scheme="digest",
        realm=params.get("realm", ""),
        nonce=params["nonce"],
        opaque=params.get("opaque"),
        qop="auth" if offered else None,
        algorithm=algorithm,
        stale=params.get("stale", "").lower() == "true",
    )


def parse_challenge(headers: Mapping[str, str]) -> Challenge | None:
    """The challenge to answer from response headers: Digest when offered, else Basic, else None."""
    values = [value for key, value in headers.items() if key.lower() == "www-authenticate"]
    basic: Challenge | None = None
    for value in values:
        for scheme, params in parse_www_authenticate(value):
            if scheme == "digest" and (challenge := _digest_challenge(params)) is not None:
                return challenge
            if scheme == "basic" and basic is None:
                basic = Challenge(scheme="basic", realm=params.get("realm", ""))
    return basic


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Credentials:
    """Username and password, answering one challenge at a time. `repr` shows neither."""

    __slots__ = ("_challenge", "_nc", "_password", "_username")

    def __init__(self, username: str, password: str) -> None:
        """Keep the credentials; no challenge is known yet."""
        self._username = username
        self._password = password
        self._challenge: Challenge | None = None
        self._nc = 0

    def __repr__(self) -> str:
        """Never show the credentials."""
        scheme = self._challenge.scheme if self._challenge else "none"
        return f"<Credentials scheme={scheme}>"

    @property
    def challenge(self) -> Challenge | None:
        """The challenge the next request answers (None: send the next request without credentials)."""
        return self._challenge

    def learn(self, challenge: Challenge) -> None:
        """Answer `challenge` from now on; a new nonce restarts the nonce count."""
        if self._challenge is None or challenge.nonce != self._challenge.nonce:
            self._nc = 0
        self._challenge = challenge

    def forget(self) -> None:
        """Drop the challenge, so the next request learns a fresh one."""
        self._challenge = None
        self._nc = 0

    def authorization(self, method: str, uri: str, *, cnonce: str | None = None) -> str | None:
        """`Authorization` value for one request (`uri` is the path and query as sent), or None."""
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            token = base64.b64encode(f"{self._username}:{self._password}".encode()).decode("ascii")
            return f"Basic {token}"
        self._nc += 1
        return digest_authorization(
            challenge,
            username=self._username,
            password=self._password,
            method=method,
            uri=uri,
            nc=self._nc,
            cnonce=cnonce or secrets.token_hex(8),
        )


def digest_authorization(
    challenge: Challenge,
    *,
    username: str,
    password: str,
    method: str,
    uri: str,
    nc: int,
    cnonce: str,
) -> str:
    """The Digest `Authorization` value (RFC 7616 section 3.4) for one request."""
    sess = challenge.algorithm.endswith("-SESS")
    hash_name = _HASHES[challenge.algorithm.removesuffix("-SESS")]

    def digest(text: str) -> str:
        return hashlib.new(hash_name, text.encode(), usedforsecurity=False).hexdigest()

    ha1 = digest(f"{username}:{challenge.realm}:{password}")
    if sess:
        ha1 = digest(f"{ha1}:{challenge.nonce}:{cnonce}")
    ha2 = digest(f"{method}:{uri}")
    count = f"{nc:08x}"
    if challenge.qop:
        response = digest(f"{ha1}:{challenge.nonce}:{count}:{cnonce}:{challenge.qop}:{ha2}")
    else:
        response = digest(f"{ha1}:{challenge.nonce}:{ha2}")
    parts = [
        f"username={_quote(username)}",
        f"realm={_quote(challenge.realm)}",
        f"nonce={_quote(challenge.nonce)}",
        f"uri={_quote(uri)}",
        f"algorithm={challenge.algorithm}",
        f"response={_quote(response)}",
    ]
    if challenge.opaque is not None:
        parts.append(f"opaque={_quote(challenge.opaque)}")
    if challenge.qop:
        parts.extend((f"qop={challenge.qop}", f"nc={count}", f"cnonce={_quote(cnonce)}"))
    return "Digest " + ", ".join(parts)
