"""A real Home Assistant in this process, with its storage on disk, that can be stopped and started again.

Not the test harness: nothing is mocked. The core, the registries, the config entries, `http` and `webhook` are
Home Assistant's own, set up the way `bootstrap` does it minus the default integrations nobody here needs. Gateways
are added through the integration's real config flow, and the HTTP server listens on a fixed loopback port, so a
gateway keeps pushing to the same URL across a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass, field
import logging
from pathlib import Path
import socket
from typing import Any

from homeassistant import bootstrap, config_entries, loader
from homeassistant.components.http.config import async_get_and_load_store
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
)
from homeassistant.core import Event, HassJob, HomeAssistant, callback
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import _SHUTDOWN_RUN_CALLBACK_THREADSAFE
from yarl import URL
import zeroconf

from custom_components.gsm_gateway.const import CONF_MANAGE_PUSH_TARGET, CONF_USE_HTTPS, CONF_WEBHOOK_ID, DOMAIN

_LOGGER = logging.getLogger(__name__)
_ZEROCONF_INIT = zeroconf.Zeroconf.__init__


def _plain_new(cls: type[zeroconf.Zeroconf], *_args: Any, **_kwargs: Any) -> zeroconf.Zeroconf:
    """`Zeroconf.__new__` as before Home Assistant replaced it (deleting it again would break `object.__new__`)."""
    return object.__new__(cls)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scheduled_timers(loop: asyncio.AbstractEventLoop) -> list[asyncio.TimerHandle]:
    """Timers waiting on the loop (asyncio exposes them only through a private attribute)."""
    return list(getattr(loop, "_scheduled", []))


def belongs_to(handle: asyncio.TimerHandle, hass: HomeAssistant) -> bool:
    """A timer Home Assistant scheduled (it carries a `HassJob`) for this instance, as far as can be told."""
    args = handle._args or ()  # noqa: SLF001
    if not any(isinstance(arg, HassJob) for arg in args):
        return False
    owners = [arg for arg in args if isinstance(arg, HomeAssistant)]
    owners.append(getattr(getattr(handle._callback, "__self__", None), "hass", hass))  # type: ignore[attr-defined]  # noqa: SLF001
    return all(owner is hass for owner in owners)


@dataclass(frozen=True)
class GatewayAccess:
    """Where a (simulated) gateway listens and how to log in."""

    url: str
    username: str
    password: str

    @property
    def host(self) -> str:
        """Host part of the URL."""
        return str(URL(self.url).host)

    @property
    def port(self) -> int:
        """Port part of the URL."""
        return int(URL(self.url).port or 80)


@dataclass
class HomeAssistantLab:
    """Start, stop and restart one Home Assistant whose config directory (and so its storage) persists."""

    config_dir: Path
    http_port: int = field(default_factory=free_port)
    _hass: HomeAssistant | None = None
    _listeners: list[tuple[str, Callable[[Event], None]]] = field(default_factory=list)
    _time_zone: Any = None

    @property
    def hass(self) -> HomeAssistant:
        """The running instance."""
        if self._hass is None:
            msg = "Home Assistant is not running"
            raise RuntimeError(msg)
        return self._hass

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._hass is not None

    @property
    def base_url(self) -> str:
        """Where Home Assistant's HTTP server listens."""
        return f"http://127.0.0.1:{self.http_port}"

    async def start(self) -> HomeAssistant:
        """Boot the core, load what is stored, set up `http` and the integration (and its stored entries)."""
        self._time_zone = dt_util.get_default_time_zone()
        self.config_dir.mkdir(parents=True, exist_ok=True)
        hass = HomeAssistant(str(self.config_dir))
        hass.config.skip_pip = True
        hass.config_entries = config_entries.ConfigEntries(hass, {})
        loader.async_setup(hass)
        await loader.async_get_custom_components(hass)
        if not await bootstrap.async_load_base_functionality(hass):
            msg = "Home Assistant could not load its storage"
            raise RuntimeError(msg)
        await async_setup_component(hass, "homeassistant", {})
        await async_process_ha_core_config(hass, {"internal_url": self.base_url, "time_zone": "UTC"})
        http = {"server_host": ["127.0.0.1"], "server_port": self.http_port}
        if not await async_setup_component(hass, "http", {"http": http}):
            msg = "Home Assistant's HTTP server did not start"
            raise RuntimeError(msg)
        # The address is new to HTTP's store on the first start: confirm it, as a user would once it works,
        # or Home Assistant reverts to its default port (and restarts) five minutes later.
        http_store = await async_get_and_load_store(hass)
        if http_store.pending is not None:
            await http_store.async_promote_pending()
        self._hass = hass
        for event_type, listener in self._listeners:
            hass.bus.async_listen(event_type, listener)
        await async_setup_component(hass, DOMAIN, {})
        await hass.async_start()
        await hass.async_block_till_done()
        return hass

    async def stop(self) -> None:
        """Stop like Home Assistant stops: pending writes are flushed to storage, nothing is unloaded first."""
        hass = self.hass
        self._hass = None
        await hass.async_stop()
        # A stopped Home Assistant's process exits, and its timers with it; here the process goes on.
        for handle in scheduled_timers(hass.loop):
            if belongs_to(handle, hass):
                handle.cancel()
        # The stopped core marks the loop as closing; a later instance on the same loop must not inherit that.
        with contextlib.suppress(AttributeError):
            delattr(hass.loop, _SHUTDOWN_RUN_CALLBACK_THREADSAFE)
        dt_util.set_default_time_zone(self._time_zone)
        # Home Assistant makes every later `Zeroconf()` return its own shared instance (and warn); a Home Assistant
        # started after this one would get the stopped one. One process, one Home Assistant at a time: undo it.
        zeroconf.Zeroconf.__new__ = _plain_new  # type: ignore[assignment,method-assign]
        zeroconf.Zeroconf.__init__ = _ZEROCONF_INIT  # type: ignore[method-assign]

    async def restart(self) -> HomeAssistant:
        """Stop, then start again from the same storage."""
        await self.stop()
        return await self.start()

    def listen(self, event_type: str, listener: Callable[[Event], None]) -> None:
        """Follow an event type on the running instance and on every instance started later."""
        self._listeners.append((event_type, listener))
        if self._hass is not None:
            self._hass.bus.async_listen(event_type, listener)

    async def add_gateway(
        self,
        gateway: GatewayAccess,
        *,
        manage_push_target: bool = True,
        options: dict[str, Any] | None = None,
    ) -> config_entries.ConfigEntry[Any]:
        """Add a gateway the way a user does (detection, confirmation), and wait until it is loaded."""
        hass = self.hass
        flow = hass.config_entries.flow
        result = await flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
        result = await flow.async_configure(
            result["flow_id"],
            {
                CONF_HOST: gateway.host,
                CONF_PORT: gateway.port,
                CONF_USE_HTTPS: False,
                CONF_VERIFY_SSL: True,
                CONF_USERNAME: gateway.username,
                CONF_PASSWORD: gateway.password,
            },
        )
        if result["type"] is FlowResultType.FORM and result["step_id"].startswith("confirm"):
            schema = result["data_schema"]
            confirm = {CONF_MANAGE_PUSH_TARGET: manage_push_target} if schema is not None and schema.schema else {}
            result = await flow.async_configure(result["flow_id"], confirm)
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            msg = f"the config flow did not create an entry: {result.get('errors') or result.get('reason')}"
            raise RuntimeError(msg)
        entry: config_entries.ConfigEntry[Any] = result["result"]
        if options:
            hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
            await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        if entry.state is not config_entries.ConfigEntryState.LOADED:
            msg = f"the gateway did not load: {entry.state}"
            raise RuntimeError(msg)
        return entry

    def webhook_url(self, entry: config_entries.ConfigEntry[Any]) -> str:
        """The URL a gateway pushes to."""
        return f"{self.base_url}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"


@dataclass
class StateWrites:
    """Every state Home Assistant's state machine was asked to write, changed or not."""

    written: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (entity id, state, attributes)

    @property
    def count(self) -> int:
        """How many writes."""
        return len(self.written)


@contextlib.contextmanager
def count_state_writes(hass: HomeAssistant) -> Iterator[StateWrites]:
    """Count state writes: each one fires `state_changed`, or `state_reported` when nothing changed."""
    writes = StateWrites()

    @callback
    def record(event: Event[Any]) -> None:
        state = event.data["new_state"]
        if state is not None:
            writes.written.append((state.entity_id, state.state, dict(state.attributes)))

    @callback
    def every_event(_data: Any) -> bool:  # state_reported listeners must filter; this one takes everything
        return True

    unsubscribe = [
        hass.bus.async_listen(kind, record, event_filter=every_event)
        for kind in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED)
    ]
    try:
        yield writes
    finally:
        for cancel in unsubscribe:
            cancel()
