"""The Synway envelope: Basic auth, `{"event": ...}` request bodies, `{"result", "content"}` answers, URL aliases.

`result` is compared case-insensitively (one documented answer is `"oK"`). An `error` answer becomes
`GatewayCommandError` with the device's reason, shortened and scrubbed by `redaction.safe_reason` (the rule of
every dialect): the password and every run of five or more digits (phone numbers, IMEIs, ICCIDs) are removed,
since firmware may echo them.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging

import aiohttp

from ..exceptions import GatewayAuthError, GatewayCommandError, GatewayResponseError
from ..redaction import safe_reason
from ..transport import HttpResponse, HttpTransport

_LOGGER = logging.getLogger(__name__)

TASK_PATH = "/API/TaskHandle"
QUERY_PATH = "/API/QueryInfo"
# Undocumented short aliases on some firmware; only used when the documented path answers 404.
SEND_ALIAS = "/API/SendSMS"
INBOX_ALIAS = "/API/QueryRxSMS"


class EndpointMissingError(GatewayResponseError):
    """HTTP 404: the firmware does not have this path (or this event on it)."""


class SynwayWire:
    """Sends events to one Synway gateway and returns the `content` of `ok` answers."""

    def __init__(self, transport: HttpTransport) -> None:
        """Use the dialect's transport (timeouts, error mapping, scrubbing)."""
        self.transport = transport
        self._aliased_paths: dict[str, str] = {}

    def forget_aliases(self) -> None:
        """Try the documented paths first again (after a reconnect the firmware may have changed)."""
        self._aliased_paths = {}

    def _auth_header(self) -> str:
        settings = self.transport.settings
        try:
            return aiohttp.encode_basic_auth(settings.username, settings.password)
        except ValueError:
            msg = "Synway usernames cannot contain ':'"
            raise GatewayAuthError(msg) from None

    async def post(self, path: str, body: Mapping[str, str]) -> HttpResponse:
        """One authenticated POST with a JSON body."""
        return await self.transport.request(
            "POST", path, json_body=dict(body), headers={"Authorization": self._auth_header()}
        )

    def content(self, response: HttpResponse, event: str) -> str:
        """The `content` of an `ok` answer; every other answer becomes the matching error."""
        if response.status == 401:
            msg = f"{event}: the gateway refused the API username or password"
            raise GatewayAuthError(msg)
        if response.status == 404:
            msg = f"{event}: HTTP 404 (not offered by this firmware)"
            raise EndpointMissingError(msg)
        if response.status != 200:
            msg = f"{event}: HTTP {response.status}"
            raise GatewayResponseError(msg)
        answer = response.json_object()
        result = answer.get("result")
        content = answer.get("content", "")
        if not isinstance(result, str):
            msg = f"{event}: answer has no result"
            raise GatewayResponseError(msg)
        outcome = result.strip().lower()
        if outcome == "error":
            raise GatewayCommandError(None, safe_reason(content, self.transport.settings.password), endpoint=event)
        if outcome != "ok":
            msg = f"{event}: unknown result in the answer"
            raise GatewayResponseError(msg)
        if isinstance(content, bool) or not isinstance(content, str | int | float):
            msg = f"{event}: content is {type(content).__name__}, not text"
            raise GatewayResponseError(msg)
        return str(content)

    async def call(self, path: str, event: str, alias: str | None = None, **params: str) -> str:
        """Send one event; on 404 try `alias` once and keep using it for this event when it answers."""
        body = {"event": event, **params}
        target = self._aliased_paths.get(event, path)
        response = await self.post(target, body)
        if response.status == 404 and alias is not None and target == path:
            _LOGGER.debug("Synway %s: %s answers 404, trying %s", event, path, alias)
            aliased = await self.post(alias, body)
            if aliased.status != 404:
                self._aliased_paths[event] = alias
                response = aliased
        return self.content(response, event)

    async def query(self, event: str, alias: str | None = None, **params: str) -> str:
        """An event on `/API/QueryInfo`."""
        return await self.call(QUERY_PATH, event, alias, **params)

    async def task(self, event: str, alias: str | None = None, **params: str) -> str:
        """An event on `/API/TaskHandle`."""
        return await self.call(TASK_PATH, event, alias, **params)
