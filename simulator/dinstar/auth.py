"""Server side of the Dinstar login for the simulator: Digest (MD5, `qop="auth"`, realm `Web Server`) or Basic.

Written independently of the client library. Behaviour, as the field notes describe real firmware:
- a request without credentials gets 401 and a challenge with a fresh nonce;
- a nonce stays valid for `nonce_ttl` seconds and may be reused with increasing nonce counts; a correct
  answer with an expired, unknown or force-expired nonce (or a nonce count used before) gets 401 with
  `stale=true`;
- wrong credentials get 401 with a fresh challenge and count as a failed login;
- with `lockout_after` set, every 401 within `lockout_window` seconds counts, credentials or not (some
  firmware counts failed probes), and reaching the limit refuses every request for `lockout_seconds`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import random
import re
import time

REALM = "Web Server"

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


@dataclass(frozen=True)
class AuthAttempt:
    """One request as the login check saw it."""

    path: str
    scheme: str  # "none", "digest" or "basic"
    outcome: str  # "ok", "missing", "bad", "stale", "locked"


@dataclass
class _Nonce:
    issued: float
    used_counts: set[int] = field(default_factory=set)
    expired: bool = False


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class AuthGuard:
    """Checks `Authorization` headers and writes challenges."""

    def __init__(
        self, username: str, password: str, rng: random.Random, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Accept `username`/`password`; nonces come from `rng`."""
        self.username = username
        self.password = password
        self.rng = rng
        self.clock = clock
        self.basic = False
        self.nonce_ttl = 300.0
        self.lockout_after: int | None = None
        self.lockout_window = 300.0
        self.lockout_seconds = 60.0
        self.attempts: list[AuthAttempt] = []
        self._nonces: dict[str, _Nonce] = {}
        self._failures: list[float] = []
        self._locked_until = 0.0

    @property
    def locked(self) -> bool:
        """True while logins are refused after too many failures."""
        return self.clock() < self._locked_until

    def unlock(self) -> None:
        """End a lockout and forget counted failures."""
        self._locked_until = 0.0
        self._failures.clear()

    def expire_nonces(self) -> None:
        """Make every nonce handed out so far stale."""
        for nonce in self._nonces.values():
            nonce.expired = True

    def challenge(self, *, stale: bool = False) -> str:
        """A `WWW-Authenticate` value with a fresh nonce."""
        if self.basic:
            return f'Basic realm="{REALM}"'
        nonce = "%032x" % self.rng.getrandbits(128)  # noqa: UP031 - fixed-width hex
        self._nonces[nonce] = _Nonce(issued=self.clock())
        opaque = _md5(REALM)
        stale_part = ", stale=true" if stale else ""
        return f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", opaque="{opaque}"{stale_part}'

    def check(self, method: str, uri: str, header: str | None, path: str) -> str:
        """Outcome of one request: `ok`, `missing`, `bad`, `stale` or `locked` (also recorded in `attempts`)."""
        scheme = "none" if not header else header.split(" ", 1)[0].lower()
        if self.locked:
            outcome = "locked"
        elif not header:
            outcome = "missing"
        elif scheme == "basic" and self.basic:
            outcome = self._check_basic(header)
        elif scheme == "digest" and not self.basic:
            outcome = self._check_digest(method, uri, header)
        else:
            outcome = "bad"
        self.attempts.append(AuthAttempt(path=path, scheme=scheme, outcome=outcome))
        if outcome == "ok":
            return outcome
        if outcome in {"missing", "bad"}:
            self._count_failure()  # probes without credentials count too, as on the strict firmware
        return outcome

    def _count_failure(self) -> None:
        if self.lockout_after is None:
            return
        now = self.clock()
        self._failures = [at for at in self._failures if now - at < self.lockout_window]
        self._failures.append(now)
        if len(self._failures) >= self.lockout_after:
            self._locked_until = now + self.lockout_seconds
            self._failures.clear()

    def _check_basic(self, header: str) -> str:
        try:
            decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
        except IndexError, ValueError, binascii.Error:
            return "bad"
        return "ok" if decoded == f"{self.username}:{self.password}" else "bad"

    def _check_digest(self, method: str, uri: str, header: str) -> str:
        params = {match[1].lower(): match[2] if match[2] is not None else match[3] for match in _PARAM.finditer(header)}
        nonce_text = params.get("nonce", "")
        if params.get("username") != self.username or params.get("uri") != uri or params.get("realm") != REALM:
            return "bad"
        ha1 = _md5(f"{self.username}:{REALM}:{self.password}")
        ha2 = _md5(f"{method}:{uri}")
        qop = params.get("qop")
        if qop == "auth":
            expected = _md5(f"{ha1}:{nonce_text}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{nonce_text}:{ha2}")
        if params.get("response") != expected:
            return "bad"
        nonce = self._nonces.get(nonce_text)
        if nonce is None or nonce.expired or self.clock() - nonce.issued > self.nonce_ttl:
            return "stale"
        if qop == "auth":
            try:
                count = int(params.get("nc", ""), 16)
            except ValueError:
                return "bad"
            if count in nonce.used_counts:
                return "stale"  # a replayed nonce count
            nonce.used_counts.add(count)
        return "ok"
