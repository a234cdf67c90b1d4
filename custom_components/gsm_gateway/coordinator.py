"""Data coordinators: fast port status, slower statistics, and the typed runtime data of an entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client import (
    CallStatistics,
    Capability,
    Gateway,
    GatewayAuthError,
    GatewayConnectionError,
    GatewayError,
    GatewayStatus,
    PortStatus,
    SlotStatus,
    SmsStatistics,
    StatisticsPeriod,
)

if TYPE_CHECKING:
    from .dispatch import EventDispatcher
    from .inbox import Inbox
    from .push_target import PushTargetManager
    from .webhook import PushWebhook

from .const import (
    CONF_STATISTICS_INTERVAL,
    CONF_STATUS_INTERVAL,
    DEFAULT_STATISTICS_INTERVAL,
    DEFAULT_STATUS_INTERVAL,
    DOMAIN,
    LOGGER,
)


@dataclass(kw_only=True)
class GsmGatewayRuntimeData:
    """Everything a loaded entry owns."""

    gateway: Gateway
    status: GatewayStatusCoordinator
    statistics: GatewayStatisticsCoordinator | None
    gateway_device_id: str
    dispatcher: EventDispatcher | None = None
    inbox: Inbox | None = None
    webhook: PushWebhook | None = None
    push_target: PushTargetManager | None = None
    port_device_ids: dict[int, str] = field(default_factory=dict)


type GsmGatewayConfigEntry = ConfigEntry[GsmGatewayRuntimeData]


async def _call_gateway[T](entry: ConfigEntry, call: Callable[[], Awaitable[T]]) -> T:
    """Run a poll, turning client errors into the exceptions the coordinator understands."""
    try:
        return await call()
    except GatewayAuthError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth") from err
    except GatewayConnectionError as err:
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={"title": entry.title, "error": str(err)},
        ) from err
    except GatewayError as err:
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="invalid_response",
            translation_placeholders={"title": entry.title, "error": str(err)},
        ) from err


@dataclass(frozen=True, slots=True)
class PortListener:
    """Listener context of an entity that reads one port: it is told only when that port changed."""

    port: int


class GatewayStatusCoordinator(DataUpdateCoordinator[GatewayStatus]):
    """Port and SIM status: one request per cycle, fed directly by status pushes in between."""

    config_entry: GsmGatewayConfigEntry

    def __init__(self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, gateway: Gateway) -> None:
        """Poll at the configured status interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} status",
            update_interval=timedelta(seconds=entry.options.get(CONF_STATUS_INTERVAL, DEFAULT_STATUS_INTERVAL)),
            # Equal data (frozen dataclasses) notifies nobody, so an unchanged poll writes no state.
            always_update=False,
        )
        self.gateway = gateway
        self._notified: tuple[bool, GatewayStatus | None] | None = None

    async def _async_update_data(self) -> GatewayStatus:
        return await _call_gateway(self.config_entry, self.gateway.get_status)

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Tell port entities only about their own port, when it changed (everyone when availability changed).

        Unchanged ports keep their objects (EJOIN reuses them), so a poll in which one port changed wakes that
        port's entities and the gateway's, not hundreds of others.
        """
        previous = self._notified
        current: GatewayStatus | None = self.data
        self._notified = (self.last_update_success, current)
        if previous is None or previous[0] != self.last_update_success or previous[1] is None or current is None:
            super().async_update_listeners()
            return
        old_ports, new_ports = previous[1].ports, current.ports
        for update_callback, context in list(self._listeners.values()):
            if isinstance(context, PortListener) and old_ports.get(context.port) is new_ports.get(context.port):
                continue
            try:
                update_callback()
            except Exception:  # one broken listener must not keep the others from updating
                self.logger.exception("Unexpected error updating a listener of %s", self.name)

    @callback
    def async_apply_status(self, status: GatewayStatus) -> None:
        """A full status push: same as a poll result."""
        self.async_set_updated_data(status)

    @callback
    def async_apply_slot(self, slot: SlotStatus) -> None:
        """A single-slot push: merge it into the current data, so entities update at once."""
        if self.data is None or slot.ref is None or slot.ref.slot is None:
            return
        port_number, slot_number = slot.ref.port, slot.ref.slot
        port = self.data.ports.get(port_number) or PortStatus(port=port_number, slots={})
        slots = dict(port.slots)
        slots[slot_number] = slot
        active_slot = slot_number if slot.active else port.active_slot
        if not slot.active and port.active_slot == slot_number:
            active_slot = None
        ports = dict(self.data.ports)
        ports[port_number] = replace(port, slots=slots, active_slot=active_slot)
        self.async_set_updated_data(replace(self.data, ports=ports))


@dataclass(frozen=True, kw_only=True)
class GatewayStatistics:
    """Counters per SIM slot, keyed by canonical label (`1A`)."""

    sms_total: dict[str, SmsStatistics] = field(default_factory=dict)
    sms_today: dict[str, SmsStatistics] = field(default_factory=dict)
    calls_total: dict[str, CallStatistics] = field(default_factory=dict)


class GatewayStatisticsCoordinator(DataUpdateCoordinator[GatewayStatistics]):
    """SMS and call statistics, polled slowly.

    Reaching the gateway is the status coordinator's business: on a connection error this one keeps its data and
    asks for a status poll, so an outage is logged once; its entities follow the status coordinator's availability.
    """

    config_entry: GsmGatewayConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, gateway: Gateway, status: GatewayStatusCoordinator
    ) -> None:
        """Poll at the configured statistics interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} statistics",
            update_interval=timedelta(seconds=entry.options.get(CONF_STATISTICS_INTERVAL, DEFAULT_STATISTICS_INTERVAL)),
            always_update=False,
        )
        self.gateway = gateway
        self.status = status

    async def _async_update_data(self) -> GatewayStatistics:
        previous: GatewayStatistics | None = self.data  # None until the first successful poll
        if previous is None:
            return await _call_gateway(self.config_entry, self._fetch)
        if not self.status.last_update_success:
            return previous
        return await _call_gateway(self.config_entry, lambda: self._fetch_or_keep(previous))

    async def _fetch_or_keep(self, previous: GatewayStatistics) -> GatewayStatistics:
        try:
            return await self._fetch()
        except GatewayConnectionError:
            # The gateway may be gone: the status poll decides (and logs it); the counters keep their last values.
            await self.status.async_request_refresh()
            return previous

    async def _fetch(self) -> GatewayStatistics:
        capabilities = self.gateway.capabilities
        result: dict[str, Any] = {}
        if Capability.SMS_STATISTICS in capabilities:
            total = await self.gateway.get_sms_statistics(StatisticsPeriod.CUMULATIVE)
            today = await self.gateway.get_sms_statistics(StatisticsPeriod.TODAY)
            result["sms_total"] = {stat.ref.label: stat for stat in total}
            result["sms_today"] = {stat.ref.label: stat for stat in today}
        if Capability.CALL_STATISTICS in capabilities:
            calls = await self.gateway.get_call_statistics(StatisticsPeriod.CUMULATIVE)
            result["calls_total"] = {stat.ref.label: stat for stat in calls}
        return GatewayStatistics(**result)
