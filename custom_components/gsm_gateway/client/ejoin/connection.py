"""One authenticated EJOIN request, and the checks every answer goes through.

The gateway and its feature objects (proxy, IP lists, eSIM) all call the device through one `EjoinConnection`,
so the optional encrypted session (`crypt_sess.json`, see `encryption`) is opened once and shared, and every
answer is read the same way: HTTP status first, then the JSON object and its result `code`.

Credentials travel as `username`/`password` in the query string of every request, or, with `encryption` set, as
a signed session whose request bodies are encrypted; a session the device no longer knows is renewed once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
import json
import time
from typing import Any

from ..exceptions import GatewayAuthError, GatewayResponseError, GatewayUnsupportedError
from ..redaction import safe_reason
from ..transport import HttpResponse, HttpTransport
from .encryption import DEFAULT_EXPIRES, HANDSHAKE_RESOURCE, CryptMode, CryptSession, encrypt, handshake
from .parse import OK_CODES, as_int, as_text, check_result

API_VERSION = "1.1"  # the `version` parameter of the JSON endpoints


class EjoinConnection:
    """Sends authenticated requests to one EJOIN gateway and returns checked answers."""

    def __init__(self, transport: HttpTransport, *, encryption: CryptMode | None = None) -> None:
        """Use `transport`; `encryption` opens a `crypt_sess.json` session instead of sending the password."""
        self.transport = transport
        self.settings = transport.settings
        self.encryption = encryption
        self._crypt: CryptSession | None = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        text_body: str | None = None,
        ok_codes: Collection[int] = OK_CODES,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send one request (JSON or plain-text body, or none) and return the answer's JSON object.

        Raises `GatewayAuthError` (401), `GatewayUnsupportedError` (404), `GatewayResponseError` (other HTTP
        errors, no JSON object) or `GatewayCommandError` (a result code outside `ok_codes`).
        """
        if json_body is not None:
            body: bytes | None = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            content_type: str | None = "application/json;charset=utf-8"
        elif text_body is not None:
            body, content_type = text_body.encode(), "text/plain;charset=utf-8"
        else:
            body, content_type = None, None
        response = await self._send(method, path, params=params, body=body, content_type=content_type, timeout=timeout)
        return self._read(response, ok_codes=ok_codes)

    async def _open_session(self, mode: CryptMode) -> CryptSession:
        if self._crypt is not None and not self._crypt.expired:
            return self._crypt
        start = handshake(self.settings.username, self.settings.password, mode)
        response = await self.transport.request("GET", HANDSHAKE_RESOURCE, params=start.params)
        body = self._read(response, ok_codes=frozenset({0}))
        session = as_text(body.get("session"))
        if session is None:
            raise GatewayResponseError("crypt_sess.json: answer has no session")
        expires = as_int(body.get("expires")) or DEFAULT_EXPIRES
        self._crypt = CryptSession(
            username=self.settings.username,
            password=self.settings.password,
            mode=mode,
            session=session,
            first_auth=start.auth,
            expires_at=time.monotonic() + expires,
        )
        return self._crypt

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: bytes | None,
        content_type: str | None,
        timeout: float | None,
    ) -> HttpResponse:
        """One request with credentials (or a signed session); a refused session is renewed once."""
        if self.encryption is None:
            query = {"username": self.settings.username, "password": self.settings.password, **(params or {})}
            headers = {"Content-Type": content_type} if content_type is not None and body is not None else {}
            return await self.transport.request(method, path, params=query, data=body, headers=headers, timeout=timeout)
        response = await self._send_signed(self.encryption, method, path, params, body, timeout)
        if _login_refused(response):  # expired, or forgotten on the device (reboot): open a new session once
            self._crypt = None
            response = await self._send_signed(self.encryption, method, path, params, body, timeout)
        return response

    async def _send_signed(  # noqa: PLR0917 - the request's parts, passed straight through
        self,
        mode: CryptMode,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: bytes | None,
        timeout: float | None,
    ) -> HttpResponse:
        crypt = await self._open_session(mode)
        signature, key = crypt.sign(path)
        query = {**(params or {}), **signature}
        data = None if body is None else encrypt(mode, key, body)
        headers = {} if data is None else {"Content-Type": "application/octet-stream"}
        return await self.transport.request(method, path, params=query, data=data, headers=headers, timeout=timeout)

    def _read(self, response: HttpResponse, *, ok_codes: Collection[int] = OK_CODES) -> dict[str, Any]:
        """The JSON object of an answer, or the right exception for its HTTP status or result code."""
        endpoint = response.endpoint
        if response.status == 401:
            raise GatewayAuthError(f"{endpoint}: the gateway refused the username or password")
        if response.status == 404:
            raise GatewayUnsupportedError(f"{endpoint} is not available on this gateway's firmware")
        if response.status >= 400:
            raise GatewayResponseError(f"{endpoint}: HTTP {response.status}")
        body = response.json_object()
        for key in ("reason", "desc"):  # the device's own texts: scrubbed before anything reads them
            if isinstance(text := body.get(key), str) and text.strip():
                body[key] = safe_reason(text, self.settings.password)
        check_result(body, endpoint, ok_codes=ok_codes)
        return body


def _login_refused(response: HttpResponse) -> bool:
    if response.status == 401:
        return True
    try:
        return as_int(response.json_object().get("code")) == 1
    except GatewayResponseError:
        return False
