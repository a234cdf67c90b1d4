"""Digest/Basic building blocks: challenge parsing and the digest itself (RFC test vectors)."""

from __future__ import annotations

import base64

from custom_components.gsm_gateway.client.dinstar.auth import (
    Challenge,
    Credentials,
    digest_authorization,
    parse_challenge,
    parse_www_authenticate,
)


def _params(header: str) -> dict[str, str]:
    scheme, params = parse_www_authenticate(header)[0]
    assert scheme == "digest"
    return params


def test_rfc2617_md5_vector() -> None:
    challenge = Challenge(
        scheme="digest",
        realm="testrealm@host.com",
        nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
        opaque="5ccc069c403ebaf9f0171e9517f40e41",
        qop="auth",
    )
    header = digest_authorization(
        challenge,
        username="Mufasa",
        password="Circle Of Life",
        method="GET",
        uri="/dir/index.html",
        nc=1,
        cnonce="0a4f113b",
    )
    params = _params(header)
    assert params["response"] == "6629fae49393a05397450978507c4ef1"
    assert params["nc"] == "00000001"
    assert params["qop"] == "auth"
    assert params["opaque"] == "5ccc069c403ebaf9f0171e9517f40e41"
    assert params["uri"] == "/dir/index.html"


def test_rfc7616_md5_and_sha256_vectors() -> None:
    common = {
        "realm": "http-auth@example.org",
        "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
        "qop": "auth",
    }
    arguments = {
        "username": "Mufasa",
        "password": "Circle of Life",
        "method": "GET",
        "uri": "/dir/index.html",
        "nc": 1,
        "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    }
    md5 = digest_authorization(Challenge(scheme="digest", algorithm="MD5", **common), **arguments)
    sha = digest_authorization(Challenge(scheme="digest", algorithm="SHA-256", **common), **arguments)
    assert _params(md5)["response"] == "8ca523f5e9506fed4657c9700eebdbec"
    assert _params(sha)["response"] == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    assert "algorithm=SHA-256" in sha


def test_rfc2069_digest_without_qop_has_no_nonce_count() -> None:
    challenge = Challenge(scheme="digest", realm="Web Server", nonce="abc")
    header = digest_authorization(
        challenge, username="admin", password="admin", method="GET", uri="/api/x", nc=1, cnonce="c"
    )
    params = _params(header)
    assert "nc" not in params
    assert "qop" not in params
    assert len(params["response"]) == 32


def test_md5_sess_differs_from_md5() -> None:
    arguments = {"username": "u", "password": "p", "method": "GET", "uri": "/", "nc": 1, "cnonce": "c"}
    plain = digest_authorization(Challenge(scheme="digest", nonce="n", qop="auth"), **arguments)
    sess = digest_authorization(Challenge(scheme="digest", nonce="n", qop="auth", algorithm="MD5-SESS"), **arguments)
    assert _params(plain)["response"] != _params(sess)["response"]


def test_parse_dinstar_challenge() -> None:
    headers = {
        "Content-Type": "text/html",
        "WWW-Authenticate": 'Digest realm="Web Server", qop="auth", nonce="0f1e2d", opaque="ab", stale=TRUE',
    }
    challenge = parse_challenge(headers)
    assert challenge == Challenge(
        scheme="digest", realm="Web Server", nonce="0f1e2d", opaque="ab", qop="auth", algorithm="MD5", stale=True
    )


def test_parse_prefers_digest_over_basic_in_one_header() -> None:
    header = 'Basic realm="Web Server", Digest realm="Web Server", nonce="n1", qop="auth-int,auth"'
    challenge = parse_challenge({"www-authenticate": header})
    assert challenge is not None
    assert challenge.scheme == "digest"
    assert challenge.qop == "auth"


def test_parse_basic_when_digest_is_unusable() -> None:
    unusable = [
        'Digest realm="x", nonce="n", qop="auth-int", Basic realm="b"',  # auth-int only
        'Digest realm="x", nonce="n", algorithm=SHA-512-256, Basic realm="b"',  # unknown algorithm
        'Digest realm="x", Basic realm="b"',  # no nonce
    ]
    for header in unusable:
        challenge = parse_challenge({"WWW-Authenticate": header})
        assert challenge == Challenge(scheme="basic", realm="b"), header


def test_parse_nothing_usable() -> None:
    assert parse_challenge({}) is None
    assert parse_challenge({"WWW-Authenticate": 'Bearer realm="x"'}) is None
    assert parse_challenge({"WWW-Authenticate": "Negotiate, NTLM"}) is None


def test_quoted_values_with_commas_and_escapes() -> None:
    [(scheme, params)] = parse_www_authenticate(r'Digest realm="a, \"b\"", nonce="n,1", qop=auth')
    assert scheme == "digest"
    assert params == {"realm": 'a, "b"', "nonce": "n,1", "qop": "auth"}


def test_unreadable_header_text_stops_parsing() -> None:
    assert parse_www_authenticate('Digest realm="x", ===') == [("digest", {"realm": "x"})]
    assert parse_www_authenticate('nonce="orphan"') == []


def test_credentials_reuse_nonce_and_count_up() -> None:
    credentials = Credentials("admin", "s3cret")
    assert credentials.authorization("GET", "/api/x") is None
    challenge = Challenge(scheme="digest", realm="Web Server", nonce="n1", qop="auth")
    credentials.learn(challenge)
    first = _params(credentials.authorization("GET", "/api/x", cnonce="a") or "")
    second = _params(credentials.authorization("POST", "/api/y", cnonce="b") or "")
    assert (first["nc"], second["nc"]) == ("00000001", "00000002")
    credentials.learn(challenge)  # same nonce: the count goes on
    assert _params(credentials.authorization("GET", "/", cnonce="c") or "")["nc"] == "00000003"
    credentials.learn(Challenge(scheme="digest", realm="Web Server", nonce="n2", qop="auth"))
    assert _params(credentials.authorization("GET", "/", cnonce="d") or "")["nc"] == "00000001"
    credentials.forget()
    assert credentials.challenge is None
    assert credentials.authorization("GET", "/") is None


def test_credentials_basic_and_repr() -> None:
    credentials = Credentials("admin", "s3cret-pass")
    credentials.learn(Challenge(scheme="basic", realm="Web Server"))
    header = credentials.authorization("GET", "/api/x") or ""
    assert header == "Basic " + base64.b64encode(b"admin:s3cret-pass").decode()
    assert "s3cret-pass" not in repr(credentials)
    assert "admin" not in repr(credentials)
    assert repr(credentials) == "<Credentials scheme=basic>"
    assert repr(Credentials("a", "b")) == "<Credentials scheme=none>"


def test_usernames_with_quotes_are_escaped() -> None:
    header = digest_authorization(
        Challenge(scheme="digest", nonce="n", qop="auth"),
        username='ad"min',
        password="p",
        method="GET",
        uri="/",
        nc=1,
        cnonce="c",
    )
    assert _params(header)["username"] == 'ad"min'
