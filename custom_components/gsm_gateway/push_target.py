"""Pointing the gateway's pushes at Home Assistant, and keeping that honest.

- Only when the user allowed it (config flow step / option) and the gateway has an API for it.
- The SMS push URL found on the device before the first take-over is remembered, and given back when the entry is
  removed; the status pushes Home Assistant set up are stopped then (the API cannot read what they were before).
- Firmware that refuses to say where it pushes (Skyline/EJOIN `op=get` answered with code 15) is taken over
  anyway; the log says the previous target cannot be given back, and removal clears Home Assistant's target.
- A target that could not be set, or that someone else changed on the device, raises a repair with a fix flow;
  a failed take-over is also tried again at every check.
- When Home Assistant has no URL the gateway can reach, a repair says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from ipaddress import ip_address
import logging
from typing import Any, Final

from homeassistant.components import webhook
from homeassistant.const import CONF_HOST
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.network import NoURLAvailableError
from yarl import URL

from .client import Capability, Gateway, GatewayCommandError, GatewayError, GatewayUnsupportedError
from .const import CONF_WEBHOOK_ID, DOMAIN, LOGGER

CONF_PREVIOUS_PUSH_TARGET: Final = "previous_push_target"
CHECK_INTERVAL = timedelta(minutes=10)
ISSUE_NO_URL = "no_push_url"
ISSUE_CHANGED = "push_target_changed"
ISSUE_FAILED = "push_target_failed"
FIXABLE_ISSUES = (ISSUE_CHANGED, ISSUE_FAILED)
# Stored as the previous target when the gateway would not say what it was.
UNKNOWN_TARGET: Final = {"unknown": True}


def previous_sms_url(stored: object) -> tuple[bool, str | None]:
    """(whether it is known, the SMS push URL) of a stored previous target (older entries stored the URL alone)."""
    if isinstance(stored, dict):
        if stored.get("unknown"):
            return False, None
        return True, stored.get("sms_url") or None
    return True, str(stored) if stored else None


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
        remember_previous: Callable[[Mapping[str, Any]], None],
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
        self.taken_over = False
        self._warned_unreadable = False
        self._stop_checking: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        """Take the push target over (a background task), then check it now and then."""
        if not self.enabled:
            self._clear_issues()
            return
        self.url = push_url(self.hass, self.entry_data)
        if self.url is None:
            self._raise_issue(ISSUE_NO_URL)
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
        """Remember the current target (first time only), then point the gateway at `url`.

        The log says so once: when the gateway pointed elsewhere before (a reload that finds it pointing here
        already says nothing above debug level), or, on firmware that does not say, at the first take-over only.
        """
        first_time = not self._previous_known  # no take-over of this entry was ever stored
        try:
            readable, current = await self._read_current()
            if not self._previous_known and not (readable and current == url):
                self._remember_previous({"sms_url": current} if readable else UNKNOWN_TARGET)
                self._previous_known = True
            await self.gateway.set_push_target(url)
        except GatewayError as err:
            LOGGER.warning("Could not point %s's pushes at Home Assistant: %s", self.title, err)
            self.taken_over = False
            self._raise_issue(ISSUE_FAILED, error=str(err))
            return False
        self.taken_over = True
        for kind in FIXABLE_ISSUES:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id(kind, self.entry_id))
        changed = current != url if readable else first_time  # cannot tell: say it the first time
        LOGGER.log(logging.INFO if changed else logging.DEBUG, "%s now pushes to Home Assistant", self.title)
        return True

    async def _read_current(self) -> tuple[bool, str | None]:
        """(whether the gateway says where it pushes, and where); connection errors propagate."""
        try:
            return True, await self.gateway.get_push_target()
        except GatewayCommandError, GatewayUnsupportedError:
            # Warned once per entry: at its first take-over (a later start finds the unknown previous target stored).
            if not self._warned_unreadable and not self._previous_known:
                self._warned_unreadable = True
                LOGGER.warning(
                    "%s does not say where it pushes now; Home Assistant takes its push target over anyway, and "
                    "cannot give the previous one back when the gateway is removed",
                    self.title,
                )
            return False, None

    async def _async_check(self, _now: object = None) -> None:
        """Take over again after a failure; raise a repair when someone else changed the target."""
        if self.url is None:
            return
        if not self.taken_over:
            await self.async_take_over(self.url)
            return
        try:
            current = await self.gateway.get_push_target()
        except GatewayError:
            return  # unreachable now (the coordinator reports that), or the firmware does not say
        if current is None or current == self.url:
            return
        self._raise_issue(ISSUE_CHANGED, target=_displayable(current))

    @callback
    def _raise_issue(self, kind: str, **placeholders: str) -> None:
        """A repair of this entry; those in `FIXABLE_ISSUES` have a fix flow (`repairs.py`), which needs the entry."""
        fixable = kind in FIXABLE_ISSUES
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(kind, self.entry_id),
            is_fixable=fixable,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            translation_placeholders={"title": self.title, **placeholders},
            data={"entry_id": self.entry_id} if fixable else None,
        )

    @callback
    def _clear_issues(self) -> None:
        for kind in (ISSUE_NO_URL, *FIXABLE_ISSUES):
            ir.async_delete_issue(self.hass, DOMAIN, issue_id(kind, self.entry_id))


async def async_restore_push_target(title: str, entry_data: Mapping[str, Any], gateway: Gateway) -> None:
    """Entry removed: stop the pushes Home Assistant set up, and give the SMS push URL back as it was read."""
    if CONF_PREVIOUS_PUSH_TARGET not in entry_data:
        return
    known, sms_url = previous_sms_url(entry_data[CONF_PREVIOUS_PUSH_TARGET])
    try:
        await gateway.connect()
        await gateway.restore_push_target(sms_url)
    except GatewayError as err:
        LOGGER.warning("Could not restore the push target of %s: %s", title, err)
        return
    if not known:
        LOGGER.info("%s: Home Assistant's push target was cleared (the previous one was never known)", title)
    elif sms_url is None:
        LOGGER.info("%s: Home Assistant's push target was cleared (there was none before)", title)
    else:
        LOGGER.info(
            "%s: incoming SMS go to %s again; status pushes were stopped (the API cannot read their previous target)",
            title,
            _displayable(sms_url),
        )
