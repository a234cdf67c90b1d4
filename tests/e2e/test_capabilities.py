"""The capability x vendor matrix: what each dialect declares is what a user gets through Home Assistant.

Every `Capability` has one check here: an async function that proves, end to end against a simulator, what the
user sees when the capability works (an event with its documented fields, an entity, an action's response, or a
request that reached the device). The checks drive the simulators with small per-vendor helpers (`Device`), and
look only through Home Assistant (states, registries, the bus, actions) and at the requests the device received.

Each (vendor, capability) pair runs its check against a simulator configured so that every conditional capability
of the dialect is present (two ports with two SIM slots, the later EJOIN firmware, IMEIs reported), after asserting
with a connected client that the device has exactly the declared set. A declared capability's check must pass; an
undeclared one's must fail (quickly): a check that passes for a vendor that does not declare it fails the matrix,
so the declaration can neither promise what does not work nor hide what does.
"""

# ruff: noqa: ARG002 - a dialect without a feature ignores the arguments of its `Device` method
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.gsm_gateway.client import (
    Capability,
    ConnectionSettings,
    Vendor,
    create_gateway,
    declared_capabilities,
)
from custom_components.gsm_gateway.const import (
    CONF_DELETE_AFTER_DELIVERY,
    CONF_MANAGE_PUSH_TARGET,
    DOMAIN,
    EVENT_CALL_RECORD,
    EVENT_DELIVERY_REPORT,
    EVENT_ESIM_PROGRESS,
    EVENT_MMS_RECEIVED,
    EVENT_PORT_STATUS_CHANGED,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    EVENT_USSD_RECEIVED,
    INBOX_POLL_INTERVAL,
)
from custom_components.gsm_gateway.coordinator import ACTIVITY_REFRESH_DELAY, QUEUE_BUSY_INTERVAL, QUEUE_REFRESH_DELAY
from custom_components.gsm_gateway.reports import POLL_INTERVAL as REPORT_POLL_INTERVAL
from custom_components.gsm_gateway.services import dinstar, esim, ussd
from custom_components.gsm_gateway.services.common import ACTION_CAPABILITIES
from simulator import GatewaySimulator
from simulator.base import RecordedRequest
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator
from tests.conftest import SimulatorFactory

from .conftest import WEBHOOK_ID, entry_data, port_device_id, update_entity

SENDER = "+491711234567"
DELIVERED_NUMBER = "+491700000001"
FAILING_NUMBER = "+491700000002"
SMSC = "+491770610000"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(64)) + b"\xff\xd9"
IMEI = "490154203237518"  # valid check digit
SIM_NUMBER = "+491701234567"
ACTIVATION_CODE = "LPA:1$smdp.example.com$MATCHING-ID-1234"
QUEUED_NUMBERS = ["+491700000011", "+491700000012", "+491700000013"]
UNKNOWN_TASK_ID = "999999"  # no simulator has queued a task with this id
PATIENCE = 5.0  # seconds a declared capability may take to show (loopback; it usually takes milliseconds)
SHORT_PATIENCE = 0.5  # an undeclared capability is expected not to show: fail fast


class NotOnThisDeviceError(Exception):
    """The simulated device has no way to do what a check asks of it (its API has no such thing)."""


@dataclass(frozen=True)
class Command:
    """A state-changing request that reached the device, in words common to the dialects."""

    name: str  # lock, unlock, led_on, led_off, reset, redial, reboot, save, slot, power_on, power_off, imei, number
    port: int | None = None
    slot: int | None = None  # 1-based; None: the whole port (or the active slot)


def _label(text: str) -> tuple[int | None, int | None]:
    """(port, slot) of an EJOIN port label such as `1`, `1B` or `1.02`."""
    text = text.strip()
    if "." in text:
        port, _, slot = text.partition(".")
        return int(port), int(slot)
    digits = text.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    letter = text[len(digits) :]
    return (int(digits) if digits.isdigit() else None), (ord(letter) - ord("A") + 1 if len(letter) == 1 else None)


class Device:
    """How to make one simulated dialect do things, and how to read its requests. No Home Assistant in here."""

    def __init__(self, sim: GatewaySimulator) -> None:
        """Drive `sim`."""
        self.sim = sim

    async def prepare(self, webhook_url: str) -> None:
        """Make the device quick (tests should not wait for send queues) and let it know the push URL if it must."""

    async def deliver_sms(self, port: int, sender: str, text: str) -> None:
        """An SMS arrives on a port's active SIM."""
        raise NotImplementedError

    async def deliver_mms(self, port: int, sender: str, subject: str, text: str, attachment: tuple[str, int]) -> None:
        """An MMS arrives on a port."""
        raise NotOnThisDeviceError(f"{self.sim.vendor}: no MMS")

    async def finish_call(self, port: int, *, source: str, destination: str, seconds: int) -> None:
        """A call on a port is answered and ends after `seconds`."""
        raise NotOnThisDeviceError(f"{self.sim.vendor}: no calls")

    async def drop_off_network(self, port: int) -> None:
        """The SIM in use on a port loses its registration."""
        raise NotImplementedError

    async def use_slot(self, port: int, slot: int) -> None:
        """The device itself moves a port to another SIM slot (not through Home Assistant)."""
        raise NotOnThisDeviceError(f"{self.sim.vendor}: one SIM per port")

    async def fail_number(self, number: str) -> None:
        """Sends to `number` fail."""
        raise NotImplementedError

    async def progress(self) -> None:
        """Let the device finish what is queued and push what it buffered."""

    async def hold_sends(self, *, hold: bool = True) -> None:
        """From now on, SMS wait in the device's queue (`hold=False`: they go out again)."""
        raise NotOnThisDeviceError(f"{self.sim.vendor}: no send queue to hold")

    def queued(self) -> int:
        """SMS waiting in the device's send queue."""
        return 0

    def sent_numbers(self) -> list[str]:
        """Numbers the device has sent an SMS to (handed to the network)."""
        return []

    async def slow_ussd(self, seconds: float) -> None:
        """The network takes `seconds` to answer a USSD code."""

    def ussd_codes(self, since: int = 0) -> list[str]:
        """USSD codes the device was asked to send since request number `since`."""
        return []

    def ussd_cancels(self, since: int = 0) -> list[int]:
        """Ports whose USSD session the device was asked to end since request number `since`."""
        return []

    def commands(self, since: int = 0) -> list[Command]:
        """State-changing commands among the requests since request number `since`."""
        return []

    def deletions(self, since: int = 0) -> list[RecordedRequest]:
        """Requests since `since` that deleted received SMS on the device."""
        return []

    def sent_mms(self) -> list[tuple[list[str], str, str, list[tuple[str, bytes]]]]:
        """Every MMS the device accepted: recipients, title, text, and the attachments as (kind, data)."""
        raise NotOnThisDeviceError(f"{self.sim.vendor}: no MMS sending")

    def send_options(self) -> list[tuple[str, int, int]]:
        """The SMS centre, interval (ms) and send timeout (s) of every send task the device accepted."""
        raise NotOnThisDeviceError(f"{self.sim.vendor}: no send options")


class EjoinDevice(Device):
    """Skyline/EJOIN: `goip_send_cmd.html` commands, `goip_get_sms.html?sms_del=1` deletions."""

    sim: EjoinSimulator

    async def prepare(self, webhook_url: str) -> None:
        self.sim.send_interval = self.sim.delivery_delay = self.sim.esim_delay = 0.02
        self.sim.register_delay = 0.05
        for port in self.sim.ports:  # a SIM in every slot
            for number, slot in enumerate(port.slots, start=1):
                if slot.sim is None:
                    await self.sim.control("insert_sim", {"port": port.port, "slot": number})

    async def deliver_sms(self, port: int, sender: str, text: str) -> None:
        await self.sim.control("deliver_sms", {"port": port, "sender": sender, "text": text})
        await self.progress()

    async def deliver_mms(self, port: int, sender: str, subject: str, text: str, attachment: tuple[str, int]) -> None:
        kind, size = attachment
        await self.sim.control(
            "deliver_sms",
            {
                "kind": "mms",
                "port": port,
                "sender": sender,
                "subject": subject,
                "text": text,
                "attachments": [[kind, size]],
            },
        )

    async def finish_call(self, port: int, *, source: str, destination: str, seconds: int) -> None:
        await self.sim.control("record_call", {"port": port, "connected": True, "seconds": seconds})

    async def drop_off_network(self, port: int) -> None:
        await self.sim.control("set_sim_status", {"port": port, "code": 6})  # registration failed

    async def use_slot(self, port: int, slot: int) -> None:
        self.sim.ports[port - 1].active = slot

    async def fail_number(self, number: str) -> None:
        self.sim.failing_recipients.add(number)

    async def progress(self) -> None:
        await self.sim.control("flush", {})

    async def hold_sends(self, *, hold: bool = True) -> None:
        await self.sim.control("hold_sends", {"hold": hold})

    def queued(self) -> int:
        return sum(len(task.recipients) - task.next_index for task in self.sim.queue)

    def sent_numbers(self) -> list[str]:
        return [number for number, _port in self.sim.sent_log]

    def ussd_codes(self, since: int = 0) -> list[str]:
        return [
            request.query["ussd"] for request in self.sim.requests[since:] if request.path == "/goip_send_ussd.html"
        ]

    def commands(self, since: int = 0) -> list[Command]:
        found: list[Command] = []
        names = {"ledon": "led_on", "ledoff": "led_off", "switch": "slot"}
        for request in self.sim.requests[since:]:
            if request.path != "/goip_send_cmd.html":
                continue
            if request.query.get("op") == "set":
                for key, _value in parse_qsl(request.body.decode(), keep_blank_values=True):
                    base, _, index = key.partition("(")
                    if base in {"sim_imei", "sim_number"} and index.rstrip(")").isdigit():
                        port, slot = divmod(int(index.rstrip(")")), self.sim.slot_count)
                        found.append(Command("imei" if base == "sim_imei" else "number", port + 1, slot + 1))
                continue
            if not request.body:
                continue
            body = request.json()
            for op in body.get("ops", []) if body.get("op") == "multiple" else [body]:
                port, slot = _label(str(op.get("ports", "")))
                found.append(Command(names.get(op["op"], op["op"]), port, slot))
        return found

    def deletions(self, since: int = 0) -> list[RecordedRequest]:
        return [
            request
            for request in self.sim.requests[since:]
            if request.path == "/goip_get_sms.html" and request.query.get("sms_del") == "1"
        ]

    def sent_mms(self) -> list[tuple[list[str], str, str, list[tuple[str, bytes]]]]:
        return [
            (task.recipients, task.mms_title, task.text, task.attachments)
            for task in self.sim.accepted_tasks
            if task.sms_type in {1, 2}
        ]

    def send_options(self) -> list[tuple[str, int, int]]:
        return [(task.smsc, task.interval_ms, task.timeout) for task in self.sim.accepted_tasks]


class DinstarDevice(Device):
    """Dinstar: the push URL is typed into the web UI (here: the control API); `set_port_info` commands."""

    sim: DinstarSimulator

    async def prepare(self, webhook_url: str) -> None:
        await self.sim.control(
            "configure", {"send_interval": 0.02, "send_duration": 0.01, "delivery_delay": 0.02, "ussd_delay": 0.02}
        )
        await self.sim.control("set_push_url", {"url": webhook_url})

    async def deliver_sms(self, port: int, sender: str, text: str) -> None:
        await self.sim.control("deliver_sms", {"port": port, "sender": sender, "text": text})

    async def finish_call(self, port: int, *, source: str, destination: str, seconds: int) -> None:
        await self.sim.control(
            "add_call", {"port": port, "duration": seconds, "source": source, "destination": destination}
        )

    async def drop_off_network(self, port: int) -> None:
        await self.sim.control("set_reg", {"port": port, "reg": "UNREGISTER"})

    async def use_slot(self, port: int, slot: int) -> None:
        self.sim.state.ports[port - 1].active = slot - 1

    async def fail_number(self, number: str) -> None:
        await self.sim.control("fail_number", {"number": number})

    async def progress(self) -> None:
        await self.sim.control("flush", {})

    async def hold_sends(self, *, hold: bool = True) -> None:
        await self.sim.control("hold_sends", {"hold": hold})

    def queued(self) -> int:
        return len(self.sim.state.queue)

    def sent_numbers(self) -> list[str]:
        return [record.number for record in self.sim.state.sent if record.status != "SENDING"]

    async def slow_ussd(self, seconds: float) -> None:
        await self.sim.control("configure", {"ussd_delay": seconds})

    def _ussd(self, since: int, command: str) -> list[dict[str, Any]]:
        bodies = [request.json() for request in self.sim.requests[since:] if request.path == "/api/send_ussd"]
        return [body for body in bodies if body.get("command", "send") == command]

    def ussd_codes(self, since: int = 0) -> list[str]:
        return [body["text"] for body in self._ussd(since, "send")]

    def ussd_cancels(self, since: int = 0) -> list[int]:
        return [port + 1 for body in self._ussd(since, "cancel") for port in body["port"]]

    def commands(self, since: int = 0) -> list[Command]:
        names = {"block": "lock", "unblock": "unlock"}
        found: list[Command] = []
        for request in self.sim.requests[since:]:
            if request.path != "/api/set_port_info":
                continue
            query = request.query
            action, param = query.get("action", ""), query.get("param", "")
            name = {"power": f"power_{param}"}.get(action, names.get(action, action))
            slot = int(param) + 1 if action == "slot" and param.isdigit() else None
            found.append(Command(name, int(query["port"]) + 1, slot))
        return found


class SynwayDevice(Device):
    """Synway: polled only; `deletesms` (or `delete` on an inbox query) deletes received SMS."""

    sim: SynwaySimulator

    async def prepare(self, webhook_url: str) -> None:
        self.sim.state.send_step = 0.02
        self.sim.state.ussd_delay = 0.02

    async def deliver_sms(self, port: int, sender: str, text: str) -> None:
        await self.sim.control("deliver_sms", {"port": port, "sender": sender, "text": text})

    async def drop_off_network(self, port: int) -> None:
        await self.sim.control("set_port", {"port": port, "connect_state": 0})

    async def fail_number(self, number: str) -> None:
        await self.sim.control("set_number_outcome", {"number": number, "outcome": "fail"})

    async def progress(self) -> None:
        await self.sim.control("complete_sends", {})

    async def slow_ussd(self, seconds: float) -> None:
        self.sim.state.ussd_delay = seconds

    def ussd_codes(self, since: int = 0) -> list[str]:
        bodies = [request.json() for request in self.sim.requests[since:] if b"txussd" in request.body]
        return [str(body["ussd"]) for body in bodies]

    def deletions(self, since: int = 0) -> list[RecordedRequest]:
        found = []
        for request in self.sim.requests[since:]:
            try:
                body = {key.lower(): str(value) for key, value in request.json().items()}
            except ValueError, AttributeError:
                continue
            event = body.get("event", "").lower()
            if event == "deletesms" or (event.endswith("queryrxsms") and body.get("delete") in {"1", "true", "yes"}):
                found.append(request)
        return found


DEVICES: Mapping[Vendor, type[Device]] = {
    Vendor.EJOIN: EjoinDevice,
    Vendor.DINSTAR: DinstarDevice,
    Vendor.SYNWAY: SynwayDevice,
}


class Case:
    """One vendor's simulator and Home Assistant, ready to set up the gateway with the options a check needs."""

    def __init__(
        self,
        hass: HomeAssistant,
        vendor: Vendor,
        sim: GatewaySimulator,
        entry: MockConfigEntry,
        webhook_url: str,
        files: Path,
    ) -> None:
        """Bind the pieces; `start` sets the gateway up. `files` is a folder for the user's files."""
        self.hass = hass
        self.files = files
        self.vendor = vendor
        self.sim = sim
        self.device = DEVICES[vendor](sim)
        self.entry = entry
        self.webhook_url = webhook_url
        self.patience = PATIENCE
        self._offset = timedelta()

    async def start(self, **options: Any) -> None:
        """Set the gateway up; the user allowed it to take the push target over (where the gateway can)."""
        self.hass.config_entries.async_update_entry(self.entry, options={CONF_MANAGE_PUSH_TARGET: True, **options})
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.settle()

    async def settle(self) -> None:
        """Let pushes and requests travel over loopback and Home Assistant act on them."""
        for _ in range(3):
            await asyncio.sleep(0.01)
            await self.hass.async_block_till_done(wait_background_tasks=True)

    async def advance(self, delta: timedelta) -> None:
        """Fire Home Assistant's timers as if `delta` passed (real time keeps running for the loopback I/O)."""
        self._offset += delta
        async_fire_time_changed(self.hass, dt_util.utcnow() + self._offset)
        await self.settle()

    async def until(self, condition: Callable[[], object], what: str) -> None:
        """Wait (up to the case's patience, in real time) until `condition()` is true."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"{self.vendor}: {what} (waited {self.patience} s)")
            await asyncio.sleep(0.02)
            await self.hass.async_block_till_done()

    async def drive(self, condition: Callable[[], object], what: str) -> None:
        """Let the device work and Home Assistant poll for its reports, round by round, until `condition()`.

        Each round lets the device finish and push what is pending, then moves Home Assistant's clock one report
        poll on; five rounds (50 s) stay well below the inbox catch-up interval, so polled reports come from the
        report polling alone.
        """
        for _ in range(5 if self.patience >= PATIENCE else 3):
            await asyncio.sleep(0.05)
            await self.device.progress()
            await self.settle()
            if condition():
                return
            await self.advance(REPORT_POLL_INTERVAL)
            if condition():
                return
        await self.until(condition, what)

    def capture(self, event_type: str) -> list[Event]:
        """Every `event_type` fired from now on."""
        return async_capture_events(self.hass, event_type)

    def entity(self, platform: str, key: str) -> str:
        """The entity id of this gateway's entity `key` (`port_1_lock`, `reboot`, ...); fails when there is none."""
        entity_id = er.async_get(self.hass).async_get_entity_id(platform, DOMAIN, f"{self.entry.unique_id}_{key}")
        assert entity_id is not None, f"{self.vendor} has no {platform} entity {key}"
        return entity_id

    def state(self, entity_id: str) -> str:
        """The state of an entity, which must exist."""
        state = self.hass.states.get(entity_id)
        assert state is not None, f"{entity_id} has no state"
        return state.state

    def number(self, entity_id: str) -> float:
        """The state of a sensor as a number (fails for `unknown` and `unavailable`)."""
        return float(self.state(entity_id))

    def port_device(self, port: int) -> str:
        """The device id of a port."""
        return port_device_id(self.hass, self.entry, port)

    async def call(self, action: str, **data: Any) -> Any:
        """Call one of the integration's actions as an automation would, with its response when it has one."""
        response = self.hass.services.supports_response(DOMAIN, action).value != "none"
        return await self.hass.services.async_call(DOMAIN, action, data, blocking=True, return_response=response)

    async def entity_action(self, domain: str, service: str, entity_id: str, **data: Any) -> None:
        """Use an entity as the UI does (turn a switch on, press a button, choose an option)."""
        await self.hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True)
        await self.settle()

    async def receive_sms(self, port: int, text: str) -> Event:
        """An SMS arrives on the device and reaches Home Assistant by whatever way this gateway has."""
        received = self.capture(EVENT_SMS_RECEIVED)
        await self.device.deliver_sms(port, SENDER, text)
        await self.settle()
        if not received:
            await self.advance(INBOX_POLL_INTERVAL + timedelta(seconds=1))
        await self.until(lambda: received, f"the SMS on port {port} never fired {EVENT_SMS_RECEIVED}")
        return received[0]

    def assert_event_of_port(self, event: Event, port: int) -> None:
        """The README's common event fields: the entry, the port's device, and the port's label."""
        assert event.data["config_entry_id"] == self.entry.entry_id
        assert event.data["device_id"] == self.port_device(port)
        assert _label(event.data["port"])[0] == port, event.data["port"]

    def assert_sms_event(self, event: Event, port: int, text: str) -> None:
        """`gsm_gateway_sms_received` with the fields README.md documents."""
        self.assert_event_of_port(event, port)
        data = event.data
        assert data["sender"] == SENDER
        assert data["text"] == text
        assert "recipient" in data
        assert dt_util.parse_datetime(data["received_at"]).tzinfo is not None
        assert data["message_id"]


def task_ids(send_response: Mapping[str, Any]) -> set[str]:
    """The task ids a `send_sms` response gives its recipients (what the reports of each recipient carry)."""
    return {recipient["task_id"] for recipient in send_response["recipients"]}


def same_number(first: str, second: str) -> bool:
    """Phone numbers equal but for the international prefix's spelling."""
    return first.lstrip("+").removeprefix("00") == second.lstrip("+").removeprefix("00")


# --- the checks, one per capability ------------------------------------------------------------------------------


async def check_status_push(case: Case) -> None:
    """A SIM drops off the network: Home Assistant hears it at once (no poll: the clock does not move)."""
    await case.start()
    sensor = case.entity("sensor", "port_1_status")
    before = case.state(sensor)
    changes = case.capture(EVENT_PORT_STATUS_CHANGED)
    await case.device.drop_off_network(1)
    await case.until(lambda: changes, f"no {EVENT_PORT_STATUS_CHANGED} without a poll")
    case.assert_event_of_port(changes[0], 1)
    data = changes[0].data
    assert data["previous_status"] == before
    assert data["status"] != before
    assert "status_code" in data
    assert case.state(sensor) == data["status"]


async def check_sms_push(case: Case) -> None:
    """An SMS fires its event at once (no poll: the clock does not move)."""
    await case.start()
    received = case.capture(EVENT_SMS_RECEIVED)
    await case.device.deliver_sms(2, SENDER, "pushed to Home Assistant")
    await case.until(lambda: received, f"no {EVENT_SMS_RECEIVED} without a poll")
    case.assert_sms_event(received[0], 2, "pushed to Home Assistant")


async def check_push_target_api(case: Case) -> None:
    """The user allowed it: Home Assistant itself pointed the gateway's pushes at its webhook."""
    await case.start()
    url = case.webhook_url
    carrying = [
        request
        for request in case.sim.requests
        if url in request.query.values() or url in unquote(request.body.decode(errors="replace"))
    ]
    assert carrying, f"{case.vendor}: no request told the gateway to push to {url}"


async def check_inbox_poll(case: Case) -> None:
    """Pushes are lost on the way: the periodic catch-up still delivers the SMS."""
    await case.start()
    case.sim.faults.pushes_paused = True
    received = case.capture(EVENT_SMS_RECEIVED)
    await case.device.deliver_sms(2, SENDER, "caught up by polling")
    await case.settle()
    assert not received
    await case.advance(INBOX_POLL_INTERVAL + timedelta(seconds=1))
    await case.until(lambda: received, f"the catch-up did not fire {EVENT_SMS_RECEIVED}")
    case.assert_sms_event(received[0], 2, "caught up by polling")


async def check_inbox_delete(case: Case) -> None:
    """With the option on, a message that fired its event is deleted on the device (at the next catch-up)."""
    await case.start(**{CONF_DELETE_AFTER_DELIVERY: True})
    since = len(case.sim.requests)
    await case.receive_sms(1, "delete me once delivered")
    await case.advance(INBOX_POLL_INTERVAL + timedelta(seconds=1))
    await case.until(lambda: case.device.deletions(since), "the delivered SMS was not deleted on the device")


async def check_delivery_reports(case: Case) -> None:
    """A send that asked for a delivery report gets `gsm_gateway_delivery_report`, the vendor's normal way."""
    await case.start()
    delivered = case.capture(EVENT_DELIVERY_REPORT)
    response = await case.call("send_sms", recipients=[DELIVERED_NUMBER], message="report back", delivery_report=True)
    await case.drive(lambda: delivered, f"no {EVENT_DELIVERY_REPORT}")
    case.assert_event_of_port(delivered[0], _label(delivered[0].data["port"])[0] or 0)
    data = delivered[0].data
    assert same_number(data["recipient"], DELIVERED_NUMBER)
    assert data["delivered"] is True
    assert "status_code" in data
    assert data["task_id"] in task_ids(response)


async def check_send_reports(case: Case) -> None:
    """Each recipient of a send gets its result: `gsm_gateway_sms_sent` or `gsm_gateway_sms_failed` with a reason."""
    await case.start()
    await case.device.fail_number(FAILING_NUMBER)
    sent = case.capture(EVENT_SMS_SENT)
    failed = case.capture(EVENT_SMS_FAILED)
    response = await case.call("send_sms", recipients=[DELIVERED_NUMBER, FAILING_NUMBER], message="two results")
    await case.drive(lambda: sent and failed, f"no {EVENT_SMS_SENT} and {EVENT_SMS_FAILED}")
    assert same_number(sent[0].data["recipient"], DELIVERED_NUMBER)
    assert sent[0].data["task_id"] in task_ids(response)
    assert same_number(failed[0].data["recipient"], FAILING_NUMBER)
    assert failed[0].data["task_id"] in task_ids(response)
    assert failed[0].data["reason"]
    case.assert_event_of_port(sent[0], _label(sent[0].data["port"])[0] or 0)


async def check_report_poll(case: Case) -> None:
    """No push reaches Home Assistant, yet the send's result and delivery report arrive: it asks the gateway."""
    await case.start()
    case.sim.faults.pushes_paused = True
    sent = case.capture(EVENT_SMS_SENT)
    delivered = case.capture(EVENT_DELIVERY_REPORT)
    response = await case.call("send_sms", recipients=[DELIVERED_NUMBER], message="polled back", delivery_report=True)
    await case.drive(lambda: sent and delivered, f"no polled {EVENT_SMS_SENT} and {EVENT_DELIVERY_REPORT}")
    assert sent[0].data["task_id"] in task_ids(response)
    assert delivered[0].data["task_id"] in task_ids(response)
    assert delivered[0].data["delivered"] is True


async def check_ussd(case: Case) -> None:
    """`send_ussd` answers with the network's reply, which also fires `gsm_gateway_ussd_received`."""
    await case.start()
    replies = case.capture(EVENT_USSD_RECEIVED)
    response = await case.call("send_ussd", port="1", code="*100#", timeout=5)
    assert response["status"] == "replied", response
    assert response["reply"]
    await case.until(lambda: replies, f"no {EVENT_USSD_RECEIVED}")
    case.assert_event_of_port(replies[0], 1)
    assert replies[0].data["text"] == response["reply"]


async def check_ussd_cancel(case: Case) -> None:
    """`cancel_ussd` ends the port's session on the gateway and Home Assistant's wait: a new code can go at once."""
    await case.start()
    await case.device.slow_ussd(60.0)
    since = len(case.sim.requests)
    # Not a task of Home Assistant's: `until` lets Home Assistant finish its tasks, and this one waits for a minute.
    waiting = asyncio.get_running_loop().create_task(case.call("send_ussd", port="1", code="*100#", timeout=60))
    await case.until(lambda: case.device.ussd_codes(since) or waiting.done(), "the code never reached the gateway")
    response = await case.call("cancel_ussd", port="1")
    assert _label(response["port"])[0] == 1, response
    assert response["stopped_waiting"] is True, (response, waiting.done() and waiting.result())
    assert (await waiting)["status"] == "cancelled"
    assert case.device.ussd_cancels(since) == [1]
    await case.device.slow_ussd(0.02)
    again = await case.call("send_ussd", port="1", code="*101#", timeout=5)
    assert again["status"] == "replied", again


async def check_sms_statistics(case: Case) -> None:
    """SMS counters per port and for the gateway, which follow a received SMS."""
    await case.start()
    received = case.entity("sensor", "port_1_sms_received")
    for key in ("port_1_sms_sent", "port_1_sms_failed", "port_1_sms_sent_ok", "port_1_sms_unsent", "sms_sent_today"):
        case.number(case.entity("sensor", key))
    today = case.entity("sensor", "sms_received_today")
    before, before_today = case.number(received), case.number(today)
    await case.receive_sms(1, "count me")
    await case.advance(timedelta(seconds=ACTIVITY_REFRESH_DELAY + 1))
    await case.until(lambda: case.number(received) == before + 1, "SMS received did not count the SMS")
    assert case.number(today) == before_today + 1


async def check_call_statistics(case: Case) -> None:
    """Call counters per port (calls, ASR, ACD, PDD), which follow a call."""
    await case.start()
    calls = case.entity("sensor", "port_1_calls")
    before = case.number(calls)
    await case.device.finish_call(1, source=SENDER, destination="100", seconds=42)
    await update_entity(case.hass, calls)
    assert case.number(calls) == before + 1
    assert case.number(case.entity("sensor", "port_1_call_acd")) > 0
    for key in ("port_1_call_asr", "port_1_call_pdd"):
        case.number(case.entity("sensor", key))


async def check_sim_slots(case: Case) -> None:
    """A port shows its SIM slots and which one is in use, and follows the device when it moves to another."""
    await case.start()
    select = case.entity("select", "port_1_active_slot")
    state = case.hass.states.get(select)
    assert state is not None
    assert state.attributes["options"][:2] == ["A", "B"]
    assert state.state == "A"
    await case.device.use_slot(1, 2)
    await update_entity(case.hass, select)
    assert case.state(select) == "B"


async def check_switch_slot(case: Case) -> None:
    """Choosing another SIM slot in the select switches the device, which then reports that slot in use."""
    await case.start()
    select = case.entity("select", "port_1_active_slot")
    since = len(case.sim.requests)
    await case.entity_action("select", "select_option", select, option="B")
    assert Command("slot", 1, 2) in case.device.commands(since)
    await update_entity(case.hass, select)
    assert case.state(select) == "B"


async def _switch_reaches_device(case: Case, key: str, reached: Callable[[Command], bool]) -> None:
    """Turning the switch on sends its command to the device, and the switch then shows on."""
    await case.start()
    switch = case.entity("switch", key)
    since = len(case.sim.requests)
    await case.entity_action("switch", "turn_on", switch)
    assert any(reached(command) for command in case.device.commands(since)), case.device.commands(since)
    assert case.state(switch) == "on"


async def check_lock(case: Case) -> None:
    """The port's SIM lock switch turned on locks the port's SIM (the one in use, or the whole port)."""
    await _switch_reaches_device(case, "port_1_lock", lambda command: (command.name, command.port) == ("lock", 1))


async def check_lock_slot(case: Case) -> None:
    """The lock switch of one SIM slot (not the one in use) locks that slot on the device."""
    await _switch_reaches_device(case, "port_1_slot_2_lock", lambda command: command == Command("lock", 1, 2))


async def check_led(case: Case) -> None:
    """The port's LED switch turned on reaches the device."""
    await _switch_reaches_device(case, "port_1_led", lambda command: (command.name, command.port) == ("led_on", 1))


async def _button_reaches_device(case: Case, key: str, expected: Command) -> None:
    await case.start()
    button = case.entity("button", key)
    since = len(case.sim.requests)
    await case.entity_action("button", "press", button)
    assert expected in case.device.commands(since), case.device.commands(since)


async def check_reset_module(case: Case) -> None:
    """The port's Reset module button restarts that module."""
    await _button_reaches_device(case, "port_1_reset_module", Command("reset", 1, None))


async def check_redial(case: Case) -> None:
    """The port's Redial button makes its SIM dial into the network again."""
    await _button_reaches_device(case, "port_1_redial", Command("redial", 1, None))


async def check_reboot(case: Case) -> None:
    """The gateway's Reboot button reboots it."""
    await _button_reaches_device(case, "reboot", Command("reboot"))


async def check_save(case: Case) -> None:
    """The gateway's Save configuration button saves it."""
    await _button_reaches_device(case, "save", Command("save"))


async def check_module_power(case: Case) -> None:
    """`set_module_power` switches a port's module off on the device."""
    await case.start()
    since = len(case.sim.requests)
    response = await case.call("set_module_power", ports="1", power_on=False)
    assert response == {"ports": ["1"], "power_on": False}
    assert Command("power_off", 1, None) in case.device.commands(since)


async def check_set_imei(case: Case) -> None:
    """`set_imei` writes the IMEI on the device, which confirms it."""
    await case.start()
    since = len(case.sim.requests)
    response = await case.call("set_imei", port="1", imei=IMEI)
    assert response["confirmed"] is True
    assert _label(response["port"]) == (1, 1)
    assert any(command.name == "imei" and command.port == 1 for command in case.device.commands(since))
    assert case.state(case.entity("sensor", "port_1_imei")) == IMEI


async def check_set_sim_number(case: Case) -> None:
    """`set_sim_number` stores the SIM's number on the device, which confirms it."""
    await case.start()
    since = len(case.sim.requests)
    response = await case.call("set_sim_number", port="1", number=SIM_NUMBER)
    assert response["confirmed"] is True
    assert any(command.name == "number" and command.port == 1 for command in case.device.commands(since))
    assert case.state(case.entity("sensor", "port_1_sim_number")) == SIM_NUMBER


async def check_sms_tasks(case: Case) -> None:
    """A send waits in the gateway's queue: it can be listed, paused and deleted."""
    await case.start()
    numbers = [f"+4917000001{n:02}" for n in range(50)]  # a queue that takes a while to send
    sent = await case.call("send_sms", recipients=numbers, message="queued", port="1")
    await case.call("pause_sms_tasks", all=True)
    listed = await case.call("list_sms_tasks", ports="1")
    ours = [task for task in listed["tasks"] if task["task_id"] in sent["task_ids"]]
    assert ours, listed
    assert all(task["paused"] for task in ours)
    await case.call("delete_sms_tasks", all=True)
    listed = await case.call("list_sms_tasks", ports="1")
    assert not [task for task in listed["tasks"] if task["task_id"] in sent["task_ids"]]


async def check_send_queue(case: Case) -> None:
    """The gateway's SMS waiting sensor counts a send soon after it, and follows the SMS out of the queue."""
    await case.start()
    sensor = case.entity("sensor", "sms_waiting")
    assert case.number(sensor) == 0
    await case.device.hold_sends()
    await case.call("send_sms", recipients=QUEUED_NUMBERS, message="wait in the queue", port="1")
    await case.advance(timedelta(seconds=QUEUE_REFRESH_DELAY + 1))
    await case.until(lambda: case.number(sensor) == len(QUEUED_NUMBERS), "SMS waiting did not count the send")
    await case.device.hold_sends(hold=False)
    await case.until(lambda: set(QUEUED_NUMBERS) <= set(case.device.sent_numbers()), "the held SMS never went out")
    assert case.device.queued() == 0
    await case.advance(QUEUE_BUSY_INTERVAL + timedelta(seconds=1))
    await case.until(lambda: case.number(sensor) == 0, "SMS waiting did not follow the SMS out")


async def check_sms_cancel(case: Case) -> None:
    """`cancel_sms` with a send's task ids: never sent; an id the gateway does not know is reported, not an error."""
    await case.start()
    await case.device.hold_sends()
    sent = await case.call("send_sms", recipients=QUEUED_NUMBERS, message="cancel me", port="1")
    response = await case.call("cancel_sms", task_ids=[*sent["task_ids"], UNKNOWN_TASK_ID])
    statuses = {result["task_id"]: result["status"] for result in response["results"]}
    assert statuses == {**dict.fromkeys(sent["task_ids"], "cancelled"), UNKNOWN_TASK_ID: "not_found"}, response
    assert case.device.queued() == 0
    await case.device.hold_sends(hold=False)
    await case.device.progress()
    await case.settle()
    assert not set(QUEUED_NUMBERS) & set(case.device.sent_numbers())


async def check_esim(case: Case) -> None:
    """eSIM profiles are listed, and a profile download is followed to its end with progress events."""
    await case.start()
    listed = await case.call("list_esims", ports="1")
    assert listed["esims"][0]["port"] == "1"
    assert listed["esims"][0]["eid"]
    progress = case.capture(EVENT_ESIM_PROGRESS)
    response = await case.call("write_esim", port="1B", activation_code=ACTIVATION_CODE, timeout=10)
    assert response["state"] == "succeeded"
    states = [event.data["state"] for event in progress]
    assert (states[0], states[-1]) == ("submitted", "succeeded")
    assert {event.data["operation"] for event in progress} == {"write"}
    case.assert_event_of_port(progress[0], 1)


async def check_proxy(case: Case) -> None:
    """The gateway's proxies: listed by `list_proxies`, and switched on with their switch."""
    await case.start()
    listed = await case.call("list_proxies", mode="http")
    assert listed["http"]["proxy"]["enabled"] is False
    switch = case.entity("switch", "proxy_http")
    await case.entity_action("switch", "turn_on", switch)
    assert case.state(switch) == "on"
    listed = await case.call("list_proxies", mode="http")
    assert listed["http"]["proxy"]["enabled"] is True


async def check_ip_lists(case: Case) -> None:
    """The gateway's IP lists: read, and changed (the answer is read back from the device)."""
    await case.start()
    listed = await case.call("list_ip_lists")
    assert {"whitelist", "blacklist"} <= listed.keys()
    updated = await case.call("update_ip_list", list="blacklist", add=["10.9.8.7"])
    assert "10.9.8.7" in updated["blacklist"]["entries"]


async def check_call_forward(case: Case) -> None:
    """Call forwarding is set on a port and read back from the network."""
    await case.start()
    response = await case.call("set_call_forward", port="1", condition="busy", number=SIM_NUMBER)
    assert response == {"port": "1", "condition": "busy"}
    checked = await case.call("check_call_forward", ports="1")
    assert checked == {"ports": [{"port": "1", "rules": {"busy": SIM_NUMBER}}]}


async def check_cdr(case: Case) -> None:
    """A finished call is in `get_call_records`, and its pushed record fires `gsm_gateway_call_record`."""
    await case.start()
    pushed = case.capture(EVENT_CALL_RECORD)
    await case.device.finish_call(1, source=SENDER, destination="100", seconds=42)
    response = await case.call("get_call_records", ports="1")
    record = next(record for record in response["records"] if record["source"] == SENDER)
    assert (record["destination"], record["duration"]) == ("100", 42)
    assert dt_util.parse_datetime(record["start"]).tzinfo is not None
    await case.until(lambda: pushed, f"no {EVENT_CALL_RECORD}")
    case.assert_event_of_port(pushed[0], 1)
    data = pushed[0].data
    assert (data["source_number"], data["destination_number"], data["duration"]) == (SENDER, "100", 42)
    assert {"direction", "started_at", "answered_at", "hangup", "gsm_code"} <= data.keys()


async def check_stk(case: Case) -> None:
    """The SIM Toolkit menu of a port is shown and can be navigated."""
    await case.start()
    root = await case.call("sim_toolkit", port="1")
    assert root["title"]
    assert root["items"]
    chosen = await case.call("sim_toolkit", port="1", command="select", item=root["items"][0]["item"])
    assert chosen["frame_id"] != root["frame_id"]


async def check_mms_send(case: Case) -> None:
    """`send_mms` sends a picture from a folder the user allowed: the gateway gets an MMS with the title and the
    file, and its send result fires `gsm_gateway_sms_sent` like any send's.
    """
    await case.start()
    picture = case.files / "doorbell.jpg"
    await case.hass.async_add_executor_job(picture.write_bytes, JPEG)
    case.hass.config.allowlist_external_dirs.add(str(case.files))
    sent = case.capture(EVENT_SMS_SENT)
    response = await case.call(
        "send_mms",
        recipients=[DELIVERED_NUMBER],
        title="Front door",
        message="Someone rang",
        attachments=[str(picture)],
    )
    assert [item["accepted"] for item in response["recipients"]] == [True]
    assert case.device.sent_mms() == [([DELIVERED_NUMBER], "Front door", "Someone rang", [("jpg", JPEG)])]
    await case.drive(lambda: sent, f"no {EVENT_SMS_SENT} for the MMS")
    assert sent[0].data["task_id"] in task_ids(response)


async def check_send_options(case: Case) -> None:
    """`send_sms` with an SMS centre, an interval and a send timeout: the gateway gets them with the send."""
    await case.start()
    response = await case.call(
        "send_sms",
        recipients=[DELIVERED_NUMBER, FAILING_NUMBER],
        message="paced",
        smsc=SMSC,
        interval=200,
        send_timeout=90,
    )
    assert all(item["accepted"] for item in response["recipients"])
    assert case.device.send_options() == [(SMSC, 200, 90)]  # one task: the interval spaces its two SMS


async def check_mms(case: Case) -> None:
    """An MMS pushed by the gateway fires `gsm_gateway_mms_received` with its documented fields."""
    await case.start()
    received = case.capture(EVENT_MMS_RECEIVED)
    await case.device.deliver_mms(2, SENDER, "Holiday", "Look!", ("image/jpeg", 200))
    await case.until(lambda: received, f"no {EVENT_MMS_RECEIVED}")
    case.assert_event_of_port(received[0], 2)
    data = received[0].data
    assert (data["sender"], data["subject"], data["text"]) == (SENDER, "Holiday", "Look!")
    assert data["attachments"] == [{"type": "image/jpeg", "size": 200}]
    assert "recipient" in data
    assert data["message_id"]
    assert dt_util.parse_datetime(data["received_at"]).tzinfo is not None


CHECKS: Mapping[Capability, Callable[[Case], Awaitable[None]]] = {
    Capability.STATUS_PUSH: check_status_push,
    Capability.SMS_PUSH: check_sms_push,
    Capability.PUSH_TARGET_API: check_push_target_api,
    Capability.INBOX_POLL: check_inbox_poll,
    Capability.INBOX_DELETE: check_inbox_delete,
    Capability.DELIVERY_REPORTS: check_delivery_reports,
    Capability.SEND_REPORTS: check_send_reports,
    Capability.USSD: check_ussd,
    Capability.USSD_CANCEL: check_ussd_cancel,
    Capability.SMS_STATISTICS: check_sms_statistics,
    Capability.CALL_STATISTICS: check_call_statistics,
    Capability.SIM_SLOTS: check_sim_slots,
    Capability.SWITCH_SLOT: check_switch_slot,
    Capability.LOCK: check_lock,
    Capability.LOCK_SLOT: check_lock_slot,
    Capability.LED: check_led,
    Capability.RESET_MODULE: check_reset_module,
    Capability.MODULE_POWER: check_module_power,
    Capability.REDIAL: check_redial,
    Capability.REBOOT: check_reboot,
    Capability.SAVE: check_save,
    Capability.SET_IMEI: check_set_imei,
    Capability.SET_SIM_NUMBER: check_set_sim_number,
    Capability.ESIM: check_esim,
    Capability.SMS_TASKS: check_sms_tasks,
    Capability.SEND_QUEUE: check_send_queue,
    Capability.SMS_CANCEL: check_sms_cancel,
    Capability.PROXY: check_proxy,
    Capability.IP_LISTS: check_ip_lists,
    Capability.REPORT_POLL: check_report_poll,
    Capability.CALL_FORWARD: check_call_forward,
    Capability.CDR: check_cdr,
    Capability.STK: check_stk,
    Capability.MMS: check_mms,
    Capability.MMS_SEND: check_mms_send,
    Capability.SEND_OPTIONS: check_send_options,
}

# (vendor, capability) -> why the check does not give what the declaration says yet: a declared capability that does
# not reach the user, or an undeclared one that does. Strict: once fixed, the mark fails and must go.
KNOWN_GAPS: Mapping[tuple[Vendor, Capability], str] = {}


# --- the matrix -----------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The actions' own pauses (polling a USSD reply or an eSIM job, letting the network answer) made short."""
    monkeypatch.setattr(ussd, "USSD_POLL_INTERVAL", 0.02)
    monkeypatch.setattr(esim, "ESIM_POLL_INTERVAL", 0.02)
    monkeypatch.setattr(dinstar, "CALL_FORWARD_SETTLE", 0.0)
    monkeypatch.setattr(dinstar, "STK_POLL_INTERVAL", 0.01)


@pytest.fixture
async def case(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    hass_client_no_auth: ClientSessionGenerator,
    entity_registry_enabled_by_default: None,
    vendor: str,
    tmp_path: Path,
) -> Case:
    """The vendor's simulator with every conditional capability present, and Home Assistant reachable by pushes."""
    dialect = Vendor(vendor)
    sim = await simulator_factory(vendor, ports=2, slots=2)
    url = URL(sim.url)
    settings = ConnectionSettings(
        host=str(url.host), port=int(url.port or 80), username=sim.username, password=sim.password, timeout=5
    )
    async with create_gateway(dialect, None, settings) as gateway:
        device = await gateway.connect()
        assert gateway.capabilities == set(declared_capabilities(dialect)), (
            "the simulator should have every capability the dialect declares"
        )
    # Home Assistant's HTTP server listens once a client is made; then it has a URL the gateway can push to. Its
    # routes are fixed from then on: the components that add views (webhook, notify's repairs) are set up first.
    for component in ("webhook", "notify"):
        assert await async_setup_component(hass, component, {})
    client = await hass_client_no_auth()
    hass.config.internal_url = str(client.make_url("/")).rstrip("/")
    entry = MockConfigEntry(
        domain=DOMAIN, title=f"{vendor} gateway", data=entry_data(sim, vendor), unique_id=device.unique_id
    )
    entry.add_to_hass(hass)
    matrix_case = Case(hass, dialect, sim, entry, f"{hass.config.internal_url}/api/webhook/{WEBHOOK_ID}", tmp_path)
    await matrix_case.device.prepare(matrix_case.webhook_url)
    sim.requests.clear()
    return matrix_case


def matrix() -> list[Any]:
    """Every (vendor, capability) pair, marked where a known gap keeps a declared capability from the user."""
    return [
        pytest.param(
            vendor.value,
            capability,
            id=f"{vendor.value}-{capability.value}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[vendor, capability])]
            if (vendor, capability) in KNOWN_GAPS
            else [],
        )
        for vendor in Vendor
        for capability in Capability
    ]


@pytest.mark.parametrize(("vendor", "capability"), matrix())
async def test_capability(case: Case, vendor: str, capability: Capability) -> None:
    check = CHECKS[capability]
    if (case.vendor, capability) in KNOWN_GAPS:
        case.patience = SHORT_PATIENCE  # expected to fail: no need to wait long
    if capability in declared_capabilities(case.vendor):
        await check(case)
        return
    case.patience = SHORT_PATIENCE
    try:
        await check(case)
    except Exception:  # noqa: BLE001 - any failure of the check is what an undeclared capability should give
        return
    pytest.fail(
        f"{vendor} does not declare {capability.value}, but its end-to-end check passed: "
        "declare it (client DECLARED_CAPABILITIES) or make the check prove what the capability promises"
    )


def test_every_capability_has_an_end_to_end_check() -> None:
    assert set(CHECKS) == set(Capability), f"capabilities without a check: {set(Capability) - set(CHECKS)}"


# --- every action is refused exactly where its capability is missing -------------------------------------------

ACTION_SAMPLES: Mapping[str, Mapping[str, Any]] = {
    "send_sms": {"recipients": [DELIVERED_NUMBER], "message": "hello"},
    "send_mms": {"recipients": [DELIVERED_NUMBER], "title": "hello", "attachments": ["media-source://none/x.jpg"]},
    "set_imei": {"port": "1", "imei": IMEI},
    "set_sim_number": {"port": "1", "number": SIM_NUMBER},
    "redial": {"ports": "1"},
    "switch_slot": {"ports": "1", "slot": "B"},
    "set_module_power": {"ports": "1", "power_on": True},
    "send_ussd": {"port": "1", "code": "*100#", "timeout": 0},
    "cancel_ussd": {"port": "1"},
    "list_sms_tasks": {},
    "pause_sms_tasks": {"all": True},
    "resume_sms_tasks": {"all": True},
    "delete_sms_tasks": {"all": True},
    "cancel_sms": {"task_ids": [UNKNOWN_TASK_ID]},
    "list_esims": {"ports": "1"},
    "write_esim": {"port": "2B", "activation_code": ACTIVATION_CODE, "timeout": 5},
    "delete_esim": {"port": "2B", "timeout": 5},
    "list_proxies": {},
    "set_proxy_enabled": {"mode": "http", "feature": "proxy", "enabled": True},
    "add_proxy": {"mode": "http", "name": "office", "listen_port": 8080},
    "update_proxy": {"mode": "http", "name": "office", "active": False},
    "delete_proxy": {"mode": "http", "names": ["office"]},
    "add_proxy_user": {"mode": "socks5", "name": "alice", "password": "s3cret-pw"},
    "update_proxy_user": {"mode": "socks5", "name": "alice", "interfaces": "1"},
    "delete_proxy_user": {"mode": "socks5", "names": ["alice"]},
    "add_proxy_urls": {"mode": "http", "list": "blacklist", "urls": ["ads.example.com"]},
    "remove_proxy_urls": {"mode": "http", "list": "blacklist", "urls": ["ads.example.com"]},
    "list_ip_lists": {},
    "update_ip_list": {"list": "blacklist", "add": ["10.9.8.7"]},
    "set_call_forward": {"port": "1", "condition": "busy", "number": SIM_NUMBER},
    "check_call_forward": {"ports": "1"},
    "get_call_records": {},
    "sim_toolkit": {"port": "1"},
}


@pytest.mark.parametrize("vendor", [vendor.value for vendor in Vendor])
async def test_every_action_is_refused_exactly_where_its_capability_is_missing(case: Case, vendor: str) -> None:
    await case.start()
    assert set(ACTION_CAPABILITIES) == set(case.hass.services.async_services_for_domain(DOMAIN))
    assert set(ACTION_SAMPLES) == set(ACTION_CAPABILITIES), "every action needs sample data in ACTION_SAMPLES"
    declared = declared_capabilities(Vendor(vendor))
    wrong: list[str] = []
    for action, capability in ACTION_CAPABILITIES.items():
        try:
            await case.call(action, **ACTION_SAMPLES[action])
        except HomeAssistantError as err:
            refused = err.translation_key == "action_unsupported"
        else:
            refused = False
        if refused != (capability is not None and capability not in declared):
            wrong.append(f"{action} ({capability}): {'refused' if refused else 'not refused'}")
        await case.settle()
    assert not wrong, f"{vendor}: actions that do not behave as registered: {wrong}"


def test_port_labels_of_the_helpers() -> None:
    assert _label("1") == (1, None)
    assert _label("12B") == (12, 2)
    assert _label("3.02") == (3, 2)
