"""The simulator's login check on its own, with headers written by hand (independent of the client)."""

from __future__ import annotations

import base64
import hashlib
import random

from simulator.dinstar.auth import REALM, AuthGuard


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _nonce(guard: AuthGuard) -> str:
    challenge = guard.challenge()
    return challenge.split('nonce="', 1)[1].split('"', 1)[0]


def _digest(nonce: str, *, uri: str = "/api/x", password: str = "root", nc: str | None = "00000001") -> str:
    ha1 = _md5(f"root:{REALM}:{password}")
    ha2 = _md5(f"GET:{uri}")
    if nc is None:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
        return f'Digest username="root", realm="{REALM}", nonce="{nonce}", uri="{uri}", response="{response}"'
    response = _md5(f"{ha1}:{nonce}:{nc}:c0ffee:auth:{ha2}")
    return (
        f'Digest username="root", realm="{REALM}", nonce="{nonce}", uri="{uri}", response="{response}", '
        f'qop=auth, nc={nc}, cnonce="c0ffee"'
    )


def _guard() -> AuthGuard:
    return AuthGuard("root", "root", random.Random(1), clock=lambda: 100.0)  # noqa: S311 - seeded, as in the simulator


def test_digest_outcomes() -> None:
    guard = _guard()
    nonce = _nonce(guard)
    assert guard.check("GET", "/api/x", _digest(nonce), "/api/x") == "ok"
    assert guard.check("GET", "/api/x", _digest(nonce), "/api/x") == "stale"  # nonce count replayed
    assert guard.check("GET", "/api/x", _digest(nonce, nc="00000002"), "/api/x") == "ok"
    assert guard.check("GET", "/api/x", _digest(nonce, nc=None), "/api/x") == "ok"  # RFC 2069 form
    assert guard.check("GET", "/api/x", _digest(nonce, nc="zz"), "/api/x") == "bad"
    assert guard.check("GET", "/api/y", _digest(nonce), "/api/y") == "bad"  # uri is not the request's
    assert guard.check("GET", "/api/x", _digest(nonce, password="wrong"), "/api/x") == "bad"
    assert guard.check("GET", "/api/x", _digest("unknown-nonce"), "/api/x") == "stale"
    assert guard.check("GET", "/api/x", None, "/api/x") == "missing"
    basic = "Basic " + base64.b64encode(b"root:root").decode()
    assert guard.check("GET", "/api/x", basic, "/api/x") == "bad"  # Basic to a Digest device


def test_basic_outcomes() -> None:
    guard = _guard()
    guard.basic = True
    assert guard.challenge() == f'Basic realm="{REALM}"'
    good = "Basic " + base64.b64encode(b"root:root").decode()
    assert guard.check("GET", "/", good, "/") == "ok"
    assert guard.check("GET", "/", "Basic", "/") == "bad"
    assert guard.check("GET", "/", "Basic !!!", "/") == "bad"
    assert guard.check("GET", "/", "Basic " + base64.b64encode(b"root:nope").decode(), "/") == "bad"
    assert guard.check("GET", "/", _digest("n"), "/") == "bad"


def test_lockout_window() -> None:
    now = [0.0]
    guard = AuthGuard("root", "root", random.Random(1), clock=lambda: now[0])  # noqa: S311
    guard.lockout_after = 3
    guard.lockout_window = 10.0
    guard.lockout_seconds = 5.0
    guard.check("GET", "/", None, "/")
    now[0] = 20.0  # the first failure left the window
    guard.check("GET", "/", None, "/")
    assert not guard.locked
    guard.check("GET", "/", None, "/")
    guard.check("GET", "/", None, "/")
    assert guard.locked
    assert guard.check("GET", "/", "Basic x", "/") == "locked"
    now[0] = 26.0
    assert not guard.locked
    assert [attempt.outcome for attempt in guard.attempts] == ["missing"] * 4 + ["locked"]
