"""Data coordinators (fast port status, slower statistics and send queue) and the typed runtime data of an entry."""

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
    GatewayUnsupportedError,
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
    queue: SendQueueCoordinator | None = None


type GsmGatewayConfigEntry = ConfigEntry[GsmGatewayRuntimeData]


async def _call_gateway[T](entry: ConfigEntry, call: Callable[[], Awaitable[T]]) -> T:
    """Run a poll, turning client errors into the exceptions the coordinator understands."""
    try:
        return await call()
    except GatewayError as err:
        raise update_error(err, entry.title) from err


async def _follow_status[T](
    entry: ConfigEntry,
    status: GatewayStatusCoordinator,
    previous: T | None,
    fetch: Callable[[], Awaitable[T]],
) -> T:
    """A poll that leaves reaching the gateway to the status coordinator (statistics, send queue).

    The first read fails like any poll. Later, while the status poll fails, the last data stay; a read that cannot
    connect keeps them too and asks for a status poll, which decides (and logs the outage once).
    """
    if previous is None:
        return await _call_gateway(entry, fetch)
    if not status.last_update_success:
        return previous

    async def fetch_or_keep() -> T:
        try:
            return await fetch()
        except GatewayConnectionError:
            await status.async_request_refresh()
            return previous

    return await _call_gateway(entry, fetch_or_keep)


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


class ReadSoonCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """A slow read that follows the status coordinator, and reads again soon when asked (once per burst).

    Statistics and the send queue change when messages come and go; polling them every few minutes would show a
    count from before a message the user just saw. `async_read_soon` asks for one read `read_soon_delay` seconds
    later, however many times it is called meanwhile.
    """

    config_entry: GsmGatewayConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GsmGatewayConfigEntry,
        status: GatewayStatusCoordinator,
        *,
        name: str,
        update_interval: timedelta,
        read_soon_delay: float,
    ) -> None:
        """Poll every `update_interval`; `status` decides whether the gateway is reachable."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} {name}",
            update_interval=update_interval,
            always_update=False,
        )
        self.status = status
        self._read_soon = Debouncer(
            hass, LOGGER, cooldown=read_soon_delay, immediate=False, function=self.async_refresh
        )

        @callback
        def stopping(_event: Event) -> None:
            self._read_soon.async_shutdown()  # Home Assistant does not unload entries when it stops

        entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, stopping))

    @callback
    def async_read_soon(self) -> None:
        """Read again a little later; calls until then join that read."""
        self._read_soon.async_schedule_call()

    @override
    async def async_shutdown(self) -> None:
        """Also drop a pending read (unload, or Home Assistant stopping)."""
        await super().async_shutdown()
        self._read_soon.async_shutdown()


# Seconds between message activity on the gateway and the statistics read that follows it (the device counts first).
ACTIVITY_REFRESH_DELAY = 5.0


class GatewayStatisticsCoordinator(ReadSoonCoordinator[GatewayStatistics]):
    """SMS and call statistics, polled slowly.

    Reaching the gateway is the status coordinator's business: on a connection error this one keeps its data and
    asks for a status poll, so an outage is logged once; its entities follow the status coordinator's availability.
    """

    def __init__(
        self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, gateway: Gateway, status: GatewayStatusCoordinator
    ) -> None:
        """Poll at the configured statistics interval."""
        super().__init__(
            hass,
            entry,
            status,
            name="statistics",
            update_interval=timedelta(seconds=entry.options.get(CONF_STATISTICS_INTERVAL, DEFAULT_STATISTICS_INTERVAL)),
            read_soon_delay=ACTIVITY_REFRESH_DELAY,
        )
        self.gateway = gateway

    @callback
    def async_note_activity(self) -> None:
        """A message came in or went out: read the counters again soon.

        Without it a port would show "SMS received 0" right under an SMS received seconds ago.
        """
        self.async_read_soon()

    async def _async_update_data(self) -> GatewayStatistics:
        previous: GatewayStatistics | None = self.data  # None until the first successful poll
        return await _follow_status(self.config_entry, self.status, previous, self._fetch)

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


# Seconds between a send or a cancel from Home Assistant and the queue read that follows it: a burst of sends (a
# notification to a group) is read once, and the device has queued them by then.
QUEUE_REFRESH_DELAY = 2.0
# While SMS wait, the queue is read this often, so its sensor follows them out; an empty queue is read at the
# statistics interval.
QUEUE_BUSY_INTERVAL = timedelta(seconds=30)


class SendQueueCoordinator(ReadSoonCoordinator[int | None]):
    """How many SMS wait in the gateway's send queue (`Gateway.get_queue_count`).

    The cost of a read depends on the gateway (Skyline/EJOIN: one request per port), so the queue is read at the
    statistics interval while it is empty, every `QUEUE_BUSY_INTERVAL` while SMS wait, and `QUEUE_REFRESH_DELAY`
    after a send or a cancel from Home Assistant (`async_note_change`). Reaching the gateway is the status
    coordinator's business, as for the statistics. None: the firmware has no queue after all (the client then
    drops `SEND_QUEUE`); the queue is not read again.
    """

    def __init__(
        self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, gateway: Gateway, status: GatewayStatusCoordinator
    ) -> None:
        """Poll at the statistics interval until SMS wait."""
        self.idle_interval = timedelta(seconds=entry.options.get(CONF_STATISTICS_INTERVAL, DEFAULT_STATISTICS_INTERVAL))
        super().__init__(
            hass,
            entry,
            status,
            name="send queue",
            update_interval=self.idle_interval,
            read_soon_delay=QUEUE_REFRESH_DELAY,
        )
        self.gateway = gateway

    @callback
    def async_note_change(self) -> None:
        """Home Assistant queued or cancelled SMS: read the queue again soon, once per burst."""
        if Capability.SEND_QUEUE in self.gateway.capabilities:  # not on firmware that turned out to have no queue
            self.async_read_soon()

    async def _async_update_data(self) -> int | None:
        previous: int | None = self.data  # None until the first successful read
        count: int | None = await _follow_status(self.config_entry, self.status, previous, self._count)
        if count is None:
            self.update_interval = None
        else:
            self.update_interval = QUEUE_BUSY_INTERVAL if count else self.idle_interval
        return count

    async def _count(self) -> int | None:
        try:
            return await self.gateway.get_queue_count()
        except GatewayUnsupportedError:
            return None


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
