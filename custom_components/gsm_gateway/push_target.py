"""Pointing the gateway's pushes at Home Assistant, and keeping that honest.

- Only when the user allowed it (config flow step / option) and the gateway has an API for it.
- The target found on the device before the first takeover is remembered and restored when the entry is removed.
- A target changed on the device by someone else raises a repair with a fix flow.
- When Home Assistant has no URL the gateway can reach, a repair says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from ipaddress import ip_address
from typing import Any, Final

from homeassistant.components import webhook
from homeassistant.const import CONF_HOST
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.network import NoURLAvailableError
from yarl import URL

from .client import Capability, Gateway, GatewayError, GatewayUnsupportedError
from .const import CONF_WEBHOOK_ID, DOMAIN, LOGGER

CONF_PREVIOUS_PUSH_TARGET: Final = "previous_push_target"
CHECK_INTERVAL = timedelta(minutes=10)
ISSUE_NO_URL = "no_push_url"
ISSUE_CHANGED = "push_target_changed"


def issue_id(kind: str, entry_id: str) -> str:
    """Repair issue id of one entry."""
    return f"{kind}_{entry_id}"


def _displayable(url: str) -> str:
    """Where a URL points, without user info or query (either may carry somebody's token)."""
    try:
        parsed = URL(url)
    except ValueError:
        return "-"
    return str(parsed.with_user(None).with_query(None).with_fragment(None)) or "-"


def _is_loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def push_url(hass: HomeAssistant, data: Mapping[str, Any]) -> str | None:
    """The webhook URL the gateway (entry data) should push to, or None when HA has none it can reach."""
    try:
        url = webhook.async_generate_url(
            hass,
            data[CONF_WEBHOOK_ID],
            allow_internal=True,
            allow_external=False,
            allow_ip=True,
            prefer_external=False,
        )
    except NoURLAvailableError:
        return None
    # A loopback URL only works when the gateway runs on this machine (the simulator does).
    if _is_loopback(URL(url).host or "") and not _is_loopback(data[CONF_HOST]):
        return None
    return url


class PushTargetManager:
    """Sets, checks and restores the push target of one gateway."""

    def __init__(
        self,
        hass: HomeAssistant,
        gateway: Gateway,
        *,
        entry_id: str,
        title: str,
        entry_data: Mapping[str, Any],
        enabled: bool,
        remember_previous: Callable[[str | None], None],
    ) -> None:
        """`enabled`: the user allowed it; `remember_previous` stores the target found before the first take-over."""
        self.hass = hass
        self.gateway = gateway
        self.entry_id = entry_id
        self.title = title
        self.entry_data = entry_data
        self.enabled = enabled and Capability.PUSH_TARGET_API in gateway.capabilities
        self._remember_previous = remember_previous
        self._previous_known = CONF_PREVIOUS_PUSH_TARGET in entry_data
        self.url: str | None = None
        self._stop_checking: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        """Take the push target over (a background task), then check it now and then."""
        if not self.enabled:
            self._clear_issues()
            return
        self.url = push_url(self.hass, self.entry_data)
        if self.url is None:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id(ISSUE_NO_URL, self.entry_id),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_NO_URL,
                translation_placeholders={"title": self.title},
            )
            return
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(ISSUE_NO_URL, self.entry_id))
        await self.async_take_over(self.url)
        self._stop_checking = async_track_time_interval(
            self.hass, self._async_check, CHECK_INTERVAL, cancel_on_shutdown=True
        )

    @callback
    def async_stop(self) -> None:
        """Stop checking (unload)."""
        if self._stop_checking is not None:
            self._stop_checking()
            self._stop_checking = None

    async def async_take_over(self, url: str) -> bool:
        """Remember the current target (first time only), then point the gateway at `url`."""
        try:
            current = await self._read_target()
            if not self._previous_known and current != url:
                self._remember_previous(current)
                self._previous_known = True
            await self.gateway.set_push_target(url)
        except GatewayError as err:
            LOGGER.warning("Could not point %s's pushes at Home Assistant: %s", self.title, err)
            return False
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(ISSUE_CHANGED, self.entry_id))
        LOGGER.info("%s now pushes to Home Assistant", self.title)
        return True

    async def _read_target(self) -> str | None:
        try:
            return await self.gateway.get_push_target()
        except GatewayUnsupportedError:
            return None

    async def _async_check(self, _now: object = None) -> None:
        """Raise a repair when someone else changed the target."""
        try:
            current = await self._read_target()
        except GatewayError:
            return  # unreachable now; the coordinator reports that
        if current is None or current == self.url:
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(ISSUE_CHANGED, self.entry_id),
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_CHANGED,
            translation_placeholders={"title": self.title, "target": _displayable(current)},
            data={"entry_id": self.entry_id},
        )

    @callback
    def _clear_issues(self) -> None:
        for kind in (ISSUE_NO_URL, ISSUE_CHANGED):
            ir.async_delete_issue(self.hass, DOMAIN, issue_id(kind, self.entry_id))


async def async_restore_push_target(title: str, entry_data: Mapping[str, Any], gateway: Gateway) -> None:
    """Entry removed: give the gateway back the target it had before (or clear ours)."""
    if CONF_PREVIOUS_PUSH_TARGET not in entry_data:
        return
    previous = entry_data[CONF_PREVIOUS_PUSH_TARGET]
    try:
        await gateway.connect()
        await gateway.set_push_target(previous or None)
    except GatewayError as err:
        LOGGER.warning("Could not restore the push target of %s: %s", title, err)
