"""Data coordinators (fast port status, slower statistics) and the typed runtime data of an entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .client import (
    CallStatistics,
    Capability,
    Gateway,
    GatewayConnectionError,
    GatewayError,
    GatewayStatus,
    ProxyFeature,
    ProxyMode,
    ProxyResource,
    SmsStatistics,
    StatisticsPeriod,
)
from .const import (
    CONF_STATISTICS_INTERVAL,
    CONF_STATUS_INTERVAL,
    DEFAULT_STATISTICS_INTERVAL,
    DEFAULT_STATUS_INTERVAL,
    LOGGER,
)
from .devices import GatewayDevices
from .errors import update_error
from .receiver import Receiver


@dataclass(frozen=True, kw_only=True)
class GsmGatewayRuntimeData:
    """Everything a loaded entry owns, built completely by setup before it is assigned."""

    gateway: Gateway
    status: GatewayStatusCoordinator
    statistics: GatewayStatisticsCoordinator | None
    proxy: ProxyStateCoordinator | None
    devices: GatewayDevices
    receiver: Receiver


type GsmGatewayConfigEntry = ConfigEntry[GsmGatewayRuntimeData]


async def _call_gateway[T](entry: ConfigEntry, call: Callable[[], Awaitable[T]]) -> T:
    """Run a poll, turning client errors into the exceptions the coordinator understands."""
    try:
        return await call()
    except GatewayError as err:
        raise update_error(err, entry.title) from err


class GatewayStatusCoordinator(DataUpdateCoordinator[GatewayStatus]):
    """Port and SIM status: one request per cycle, fed directly by status pushes in between.

    `always_update=False`: status data is made of frozen dataclasses, so a poll that changed nothing compares
    equal and notifies no entity (an unchanged poll writes no state). Entities then write only when what they
    show changed (`GsmGatewayEntity.shown_state`).
    """

    config_entry: GsmGatewayConfigEntry

    def __init__(self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, gateway: Gateway) -> None:
        """Poll at the configured status interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} status",
            update_interval=timedelta(seconds=entry.options.get(CONF_STATUS_INTERVAL, DEFAULT_STATUS_INTERVAL)),
            always_update=False,
        )
        self.gateway = gateway

    async def _async_update_data(self) -> GatewayStatus:
        return await _call_gateway(self.config_entry, self.gateway.get_status)


@dataclass(frozen=True, kw_only=True)
class GatewayStatistics:
    """Counters per SIM slot, keyed by canonical label (`1A`)."""

    sms_total: dict[str, SmsStatistics] = field(default_factory=dict)
    sms_today: dict[str, SmsStatistics] = field(default_factory=dict)
    calls_total: dict[str, CallStatistics] = field(default_factory=dict)


# Seconds between message activity on the gateway and the statistics read that follows it (the device counts first).
ACTIVITY_REFRESH_DELAY = 5.0


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
        self._activity_refresh = Debouncer(
            hass, LOGGER, cooldown=ACTIVITY_REFRESH_DELAY, immediate=False, function=self.async_refresh
        )

        @callback
        def stopping(_event: Event) -> None:
            self._activity_refresh.async_shutdown()  # Home Assistant does not unload entries when it stops

        entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, stopping))

    @callback
    def async_note_activity(self) -> None:
        """A message came in or went out: read the counters again soon, once per burst.

        Statistics are polled every few minutes; without this, a port would show "SMS received 0" right under an
        SMS received seconds ago.
        """
        self._activity_refresh.async_schedule_call()

    @override
    async def async_shutdown(self) -> None:
        """Also drop a pending activity read (unload, or Home Assistant stopping)."""
        await super().async_shutdown()
        self._activity_refresh.async_shutdown()

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


PROXY_SCAN_INTERVAL = timedelta(minutes=5)
type ProxyFlags = dict[tuple[ProxyResource, ProxyMode], bool | None]


class ProxyStateCoordinator(DataUpdateCoordinator[ProxyFlags]):
    """The on/off flags of every proxy resource in every mode, polled slowly and read again after every change.

    Like the statistics, reaching the gateway is the status coordinator's business: while it fails, or when only
    this read cannot connect, the last flags stay and the proxy switches follow the status's availability.
    """

    config_entry: GsmGatewayConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, proxy: ProxyFeature, status: GatewayStatusCoordinator
    ) -> None:
        """Poll every `PROXY_SCAN_INTERVAL`."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} proxy",
            update_interval=PROXY_SCAN_INTERVAL,
            always_update=False,
        )
        self.proxy = proxy
        self.status = status

    async def _async_update_data(self) -> ProxyFlags:
        previous: ProxyFlags | None = self.data  # None until the first successful read
        if previous is not None and not self.status.last_update_success:
            return previous
        try:
            return {
                (resource, mode): (await self.proxy.state(resource, mode)).enabled
                for mode in ProxyMode
                for resource in ProxyResource
            }
        except GatewayConnectionError as err:
            if previous is None:
                raise update_error(err, self.config_entry.title) from err
            await self.status.async_request_refresh()
            return previous
        except GatewayError as err:
            raise update_error(err, self.config_entry.title) from err
