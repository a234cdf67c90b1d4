"""The receive pipeline of one gateway: pushes and polls come in, each report leaves as exactly one event.

    gateway ──push──▶ PushWebhook ──parse──▶ Receiver.async_handle ──▶ status coordinator (status pushes)
                                                   │                 ├─▶ Inbox ──▶ EventDispatcher (SMS), RecentMessages
                                                   │                 └─▶ EventDispatcher (reports, USSD, MMS)
    gateway ◀──poll── catch-up: Inbox.async_catch_up at start, after each reconnect and every few minutes
    PushTargetManager points the gateway's pushes at the webhook (when the user allowed it) and watches it.

The pipeline takes plain arguments (the gateway, the status coordinator, the devices and its settings), so nothing
here reaches into a config entry's runtime data; setup builds it and `async_stop` undoes everything it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .client import (
    CallRecordEvent,
    Capability,
    DeliveryReportEvent,
    DevicePowerEvent,
    DeviceStatusEvent,
    Gateway,
    GatewayAlertEvent,
    GatewayError,
    GatewayStatus,
    MmsReceivedEvent,
    PortStatus,
    PortStatusEvent,
    PushEvent,
    SendReportEvent,
    SimRegistrationEvent,
    SlotRef,
    SlotStatus,
    SmsReceivedEvent,
    UssdReceivedEvent,
)
from .const import (
    CONF_ALLOW_ANY_SOURCE,
    CONF_DELETE_AFTER_DELIVERY,
    CONF_MANAGE_PUSH_TARGET,
    CONF_RECEIVE_MODE,
    CONF_WEBHOOK_ID,
    DOMAIN,
    INBOX_POLL_INTERVAL,
    INBOX_POLL_INTERVAL_POLL_ONLY,
    LOGGER,
    ReceiveMode,
)
from .devices import GatewayDevices
from .dispatch import EventDispatcher
from .inbox import Inbox, ReceivedMessage
from .push_target import CONF_PREVIOUS_PUSH_TARGET, PushTargetManager, async_restore_push_target
from .recent import RecentMessages
from .reports import POLL_INTERVAL as REPORT_POLL_INTERVAL, Reports
from .webhook import PushWebhook, async_resolve_sources


@dataclass(frozen=True, kw_only=True)
class ReceiveSettings:
    """What the pipeline needs to know about its config entry."""

    entry_id: str
    title: str
    entry_data: Mapping[str, Any]  # host and webhook id (the push URL is built from them)
    poll_only: bool
    manage_push_target: bool
    allow_any_source: bool
    delete_after_delivery: bool

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> ReceiveSettings:
        """The settings of a config entry (its data and options)."""
        options = entry.options
        return cls(
            entry_id=entry.entry_id,
            title=entry.title,
            entry_data=dict(entry.data),
            poll_only=options.get(CONF_RECEIVE_MODE) == ReceiveMode.POLL_ONLY,
            manage_push_target=bool(options.get(CONF_MANAGE_PUSH_TARGET)),
            allow_any_source=bool(options.get(CONF_ALLOW_ANY_SOURCE, False)),
            delete_after_delivery=bool(options.get(CONF_DELETE_AFTER_DELIVERY)),
        )


class PushedStatus:
    """Pushed statuses merged into the polled one, slot by slot; an unchanged push gives the polled status itself.

    A push cannot reshape the gateway: ports it does not have and slots beyond its slot count are left out, and the
    device info (port count, MAC, firmware) stays as polled. A `dev-status` push may list each port's active slot
    only (what Skyline/EJOIN firmware sends every period): the other slots keep their polled state. A pushed slot
    equal to the one shown keeps the shown object, so only ports that really changed are new objects and an
    unchanged push updates no entity (a SIM bank pushes up to 2,048 rows).
    """

    def __init__(self) -> None:
        """Nothing pushed yet."""
        # (port, slot) -> (the slot as last pushed, the slot it left in the status): a slot pushed again unchanged,
        # onto the status it left, is known without comparing it field by field.
        self._seen: dict[tuple[int, int], tuple[SlotStatus, SlotStatus | None]] = {}

    def merge(self, status: GatewayStatus, pushed: GatewayStatus) -> GatewayStatus:
        """`status` with a pushed `dev-status` merged in."""
        slot_count = status.device.slot_count
        ports: dict[int, PortStatus] | None = None
        for number, pushed_port in pushed.ports.items():
            if (port := status.ports.get(number)) is None:
                continue
            slots = {slot: value for slot, value in pushed_port.slots.items() if slot <= slot_count}
            active = pushed_port.active_slot if pushed_port.active_slot in slots else None
            if active is None and port.active_slot not in slots:
                active = port.active_slot  # the slot in use was not pushed: it still is
            merged = self._merge_port(port, slots, active)
            if merged is not port:
                ports = ports if ports is not None else dict(status.ports)
                ports[number] = merged
        return status if ports is None else replace(status, ports=ports)

    def merge_slot(self, status: GatewayStatus, slot: SlotStatus) -> GatewayStatus:
        """`status` with one pushed slot (`port-status`) merged in; itself when the push names no slot it has."""
        if slot.ref is None or slot.ref.slot is None or slot.ref.slot > status.device.slot_count:
            return status
        if (port := status.ports.get(slot.ref.port)) is None:
            return status
        number = slot.ref.slot
        active = number if slot.active else (None if port.active_slot == number else port.active_slot)
        merged = self._merge_port(port, {number: slot}, active)
        return status if merged is port else replace(status, ports={**status.ports, port.port: merged})

    def _merge_port(self, port: PortStatus, pushed: dict[int, SlotStatus], active: int | None) -> PortStatus:
        """`port` with the `pushed` slots and `active` as its active slot; itself when nothing changed."""
        slots: dict[int, SlotStatus] | None = None
        for number, slot in pushed.items():
            shown = port.slots.get(number)
            kept = self._kept(port.port, number, shown, slot)
            if kept is not shown:
                slots = slots if slots is not None else dict(port.slots)
                slots[number] = kept
        previous = port.active_slot
        if active != previous and previous is not None and previous not in pushed and previous in port.slots:
            slots = slots if slots is not None else dict(port.slots)
            slots[previous] = replace(port.slots[previous], active=False)  # no longer the slot in use
        if slots is None and active == previous:
            return port
        return replace(port, slots=dict(sorted((slots or port.slots).items())), active_slot=active)

    def _kept(self, port: int, number: int, shown: SlotStatus | None, pushed: SlotStatus) -> SlotStatus:
        """The slot to show: the shown object when the pushed slot equals it."""
        seen = self._seen.get((port, number))
        if seen is not None and seen[0] is pushed and seen[1] is shown and shown is not None:
            return shown
        kept = shown if shown is not None and shown == pushed else pushed
        self._seen[port, number] = (pushed, kept)
        return kept


class UssdSession:
    """A USSD code of `send_ussd` waiting for its reply on one port.

    One per port, because a reply does not say which code it answers. `cancel_ussd` ends it early (`end`): the
    action still waiting returns `cancelled`, a background poll for the reply stops, and the port is free again.
    """

    def __init__(self) -> None:
        """A session that has not ended; `poll` is set when the reply is read in the background."""
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.poll: asyncio.Task[str | None] | None = None

    def follow(self, poll: asyncio.Task[str | None]) -> asyncio.Task[str | None]:
        """Read the reply in the background with `poll` (stopped at once when the session ended meanwhile)."""
        self.poll = poll
        if self.ended.done():
            poll.cancel()
        return poll

    def end(self) -> None:
        """Stop waiting for the reply."""
        if not self.ended.done():
            self.ended.set_result(None)
        if self.poll is not None:
            self.poll.cancel()


class Receiver:
    """Webhook, inbox, catch-up polling, push target and events of one gateway."""

    def __init__(
        self,
        hass: HomeAssistant,
        gateway: Gateway,
        *,
        status: DataUpdateCoordinator[GatewayStatus],
        devices: GatewayDevices,
        settings: ReceiveSettings,
        remember_previous_target: Callable[[Mapping[str, Any]], None],
        on_activity: Callable[[], None] = lambda: None,
    ) -> None:
        """Build the pipeline; nothing runs until `async_start`. `on_activity`: a message came in or went out."""
        self.hass = hass
        self.gateway = gateway
        self.status = status
        self.settings = settings
        self._remember_previous_target = remember_previous_target
        capabilities = gateway.capabilities
        self.dispatcher = EventDispatcher(hass, entry_id=settings.entry_id, devices=devices, on_activity=on_activity)
        self.reports: Reports | None = None
        if {Capability.SEND_REPORTS, Capability.DELIVERY_REPORTS} & capabilities:
            self.reports = Reports(hass, settings.entry_id, gateway, self.dispatcher.async_report)
        self.recent = RecentMessages()  # the latest SMS per port, for voice assistants (llm.py)
        self.inbox: Inbox | None = None
        if {Capability.SMS_PUSH, Capability.INBOX_POLL} & capabilities:
            self.inbox = Inbox(hass, settings.entry_id, gateway, self._sms_received, on_report=self._on_inbox_report)
            self.inbox.delete_after_delivery = (
                settings.delete_after_delivery and Capability.INBOX_DELETE in capabilities
            )
        self.webhook: PushWebhook | None = None
        self.push_target: PushTargetManager | None = None
        self.ussd_sessions: dict[int, UssdSession] = {}  # by port: the USSD code waiting for its reply there
        self._pushed_status = PushedStatus()
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def receives_pushes(self) -> bool:
        """True when the gateway's pushes have a webhook to go to."""
        return self.webhook is not None

    async def async_start(self) -> None:
        """Fire port status changes, restore and catch up the inbox, and start listening to pushes."""
        self._watch_port_status()
        capabilities = self.gateway.capabilities
        if self.reports is not None:
            await self.reports.async_load()
            if Capability.REPORT_POLL in capabilities:
                self._start_report_polling()
        self._unsubscribe.append(self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._stopping))
        if self.inbox is not None:
            await self.inbox.async_load()
            self._unsubscribe.append(self.inbox.async_close_when_stopping())
            if Capability.INBOX_POLL in capabilities:
                self._start_catch_up()
        if {Capability.SMS_PUSH, Capability.STATUS_PUSH} & capabilities and not self.settings.poll_only:
            settings = self.settings
            self.webhook = PushWebhook(
                self.hass,
                webhook_id=settings.entry_data[CONF_WEBHOOK_ID],
                title=settings.title,
                sources=await async_resolve_sources(settings.entry_data[CONF_HOST]),
                allow_any_source=settings.allow_any_source,
                parse=self.gateway.parse_push,
                handle=self.async_handle,
            )
            self._unsubscribe.append(self.webhook.async_register())
            self.push_target = PushTargetManager(
                self.hass,
                self.gateway,
                entry_id=settings.entry_id,
                title=settings.title,
                entry_data=settings.entry_data,
                enabled=settings.manage_push_target,
                remember_previous=self._remember_previous_target,
            )
            self._unsubscribe.append(self.push_target.async_stop)
            self._spawn(self.push_target.async_start(), "push target")

    async def async_stop(self) -> None:
        """Undo everything `async_start` did; the inbox writes what it has seen."""
        while self._unsubscribe:
            self._unsubscribe.pop()()
        for task in self._tasks:
            task.cancel()
        if self.reports is not None:
            self.reports.async_shutdown()
            await self.reports.async_save_now()
        if self.inbox is not None:
            self.inbox.async_shutdown()
            await self.inbox.async_save_now()

    @callback
    def _stopping(self, _event: Event) -> None:
        """Fire no report once Home Assistant starts stopping (it would not be remembered after its final write)."""
        if self.reports is not None:
            self.reports.async_shutdown()

    def _spawn(self, coroutine: Coroutine[Any, Any, None], what: str) -> None:
        task = self.hass.async_create_background_task(coroutine, f"{DOMAIN} {what} {self.settings.title}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- pushes -----------------------------------------------------------------------------------------

    @callback
    def async_handle(self, events: Iterable[PushEvent]) -> None:
        """Apply every event of one push, in order."""
        for event in events:
            self._apply(event)

    @callback
    def _apply(self, event: PushEvent) -> None:
        if not self._of_a_known_port(event):
            LOGGER.debug("Ignored a %s for a port %s does not have", type(event).__name__, self.settings.title)
            return
        match event:
            case DeviceStatusEvent() | PortStatusEvent():
                self._apply_status(event)
            case SmsReceivedEvent(sms=sms):
                if self.inbox is not None:
                    self.inbox.async_receive(sms)
            case UssdReceivedEvent():
                self.dispatcher.async_ussd_reply(event.ref, event.port_label, event.text)
            case SimRegistrationEvent() | DevicePowerEvent():
                self._spawn(self.status.async_request_refresh(), "status refresh")
            case DeliveryReportEvent() | SendReportEvent():
                if self.reports is not None:
                    self.reports.async_receive(event)
            case MmsReceivedEvent() | CallRecordEvent() | GatewayAlertEvent():
                self.dispatcher.async_report(event)

    def _of_a_known_port(self, event: PushEvent) -> bool:
        """False for an event that names a port the gateway does not have (forged, or a notation gone wrong)."""
        ref = getattr(event, "ref", None)
        if isinstance(event, SmsReceivedEvent):
            ref = event.sms.ref
        return not isinstance(ref, SlotRef) or ref.port in self.status.data.ports

    @callback
    def _apply_status(self, event: DeviceStatusEvent | PortStatusEvent) -> None:
        """A pushed status merged into the polled data (the receiver starts after the first poll).

        An unchanged push notifies nobody (it would make every entity compare what it shows), unless the last poll
        failed: a push then says the gateway is back.
        """
        data = self.status.data
        if isinstance(event, DeviceStatusEvent):
            merged = self._pushed_status.merge(data, event.status)
        else:
            merged = self._pushed_status.merge_slot(data, event.slot)
        if merged is not data or not self.status.last_update_success:
            self.status.async_set_updated_data(merged)

    @callback
    def _sms_received(self, message: ReceivedMessage) -> None:
        """A new SMS: fire its event, and remember it for assistants."""
        self.dispatcher.async_sms_received(message)
        self.recent.async_add(message)

    @callback
    def _on_inbox_report(self, report: DeliveryReportEvent, baseline: bool) -> None:
        if self.reports is not None:
            self.reports.async_receive(report, baseline=baseline)

    # --- polls ------------------------------------------------------------------------------------------

    @callback
    def _watch_port_status(self) -> None:
        """Fire `port_status_changed` whenever new status data (polled or pushed) changes a port's state."""
        previous = self.status.data

        @callback
        def fire_status_changes() -> None:
            nonlocal previous
            current = self.status.data
            if self.status.last_update_success and current is not previous:
                self.dispatcher.async_status_changed(previous, current)
                previous = current

        self._unsubscribe.append(self.status.async_add_listener(fire_status_changes))

    @callback
    def _start_report_polling(self) -> None:
        """Ask the gateway for awaited send results and delivery reports every few seconds, while any are awaited."""
        reports = self.reports
        assert reports is not None  # noqa: S101 - only called with a ledger

        async def poll() -> None:
            try:
                fired = await reports.async_poll()
            except GatewayError as err:
                LOGGER.debug("Reading the send results of %s failed, will retry: %s", self.settings.title, err)
                return
            if fired:
                LOGGER.debug("Read %d send results and delivery reports of %s", fired, self.settings.title)

        @callback
        def schedule(_now: object = None) -> None:
            if reports.awaited:
                self._spawn(poll(), "report poll")

        self._unsubscribe.append(
            async_track_time_interval(self.hass, schedule, REPORT_POLL_INTERVAL, cancel_on_shutdown=True)
        )

    @callback
    def _start_catch_up(self) -> None:
        """Catch the inbox up now, after every reconnect, and periodically."""
        inbox = self.inbox
        assert inbox is not None  # noqa: S101 - only called with an inbox
        pushes_sms = Capability.SMS_PUSH in self.gateway.capabilities
        interval = INBOX_POLL_INTERVAL_POLL_ONLY if self.settings.poll_only or not pushes_sms else INBOX_POLL_INTERVAL
        status = self.status
        was_online = status.last_update_success

        async def catch_up() -> None:
            try:
                new = await inbox.async_catch_up()
            except GatewayError as err:
                LOGGER.debug("Inbox catch-up of %s failed, will retry: %s", self.settings.title, err)
                return
            if new:
                LOGGER.debug("Inbox catch-up of %s delivered %d missed SMS", self.settings.title, new)

        @callback
        def schedule(_now: object = None) -> None:
            # Cancelled by `async_stop`, so no catch-up outlives its inbox.
            self._spawn(catch_up(), "inbox catch-up")

        @callback
        def on_status_update() -> None:
            nonlocal was_online
            if status.last_update_success and not was_online:
                schedule()  # back online: pick up what arrived (and was not pushed) while we could not reach it
            was_online = status.last_update_success

        schedule()
        self._unsubscribe.append(async_track_time_interval(self.hass, schedule, interval, cancel_on_shutdown=True))
        self._unsubscribe.append(status.async_add_listener(on_status_update))


async def async_forget(
    hass: HomeAssistant, gateway: Gateway, *, entry_id: str, title: str, entry_data: Mapping[str, Any]
) -> None:
    """The gateway was removed from Home Assistant: restore its push target and forget the inbox."""
    if CONF_PREVIOUS_PUSH_TARGET in entry_data:
        await async_restore_push_target(title, entry_data, gateway)
    await Inbox(hass, entry_id, gateway, lambda _message: None).async_remove()
    await Reports(hass, entry_id, gateway, lambda _report: None).async_remove()
