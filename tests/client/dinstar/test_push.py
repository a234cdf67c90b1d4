"""Pushed bodies: the spec's examples, the simulator's pushes (all kinds, batched, URL-encoded), bad bodies."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import re

import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.events import (
    CallRecordEvent,
    DeliveryReportEvent,
    DevicePowerEvent,
    GatewayAlertEvent,
    PushEvent,
    PushRequest,
    SendReportEvent,
    SimRegistrationEvent,
    SmsReceivedEvent,
    UssdReceivedEvent,
)
from custom_components.gsm_gateway.client.exceptions import GatewayPushError
from custom_components.gsm_gateway.client.models import ConnectionSettings, SimState
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import GatewayFactory, PushReceiver, SimFactory, fixture_bytes


@pytest.fixture
def offline() -> DinstarGateway:
    """A client that is never connected: parse_push needs no I/O."""
    settings = ConnectionSettings(host="192.0.2.1", username="admin", password="admin")
    return DinstarGateway(None, settings)  # type: ignore[arg-type]


def _parse(client: DinstarGateway, body: bytes | str) -> list[PushEvent]:
    data = body.encode() if isinstance(body, str) else body
    return client.parse_push(PushRequest(body=data, content_type="application/json"))


# --- the spec's examples --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sms_push.txt", "sms_push_6_4.json"])
def test_spec_sms_push(offline: DinstarGateway, name: str) -> None:
    [event] = _parse(offline, fixture_bytes(name))
    assert isinstance(event, SmsReceivedEvent)
    sms = event.sms
    assert (sms.text, sms.sender, sms.smsc, sms.port_label, sms.device_sms_id) == (
        "test",
        "6717",
        "+8613800757511",
        "2A",
        1,
    )
    assert sms.received_at == datetime(2016, 7, 12, 15, 46, 18, tzinfo=UTC)
    serial = "da00-0030-1901-2817" if name.endswith(".json") else "xxxx-xxxx-xxxx-xxxx"
    assert sms.message_id == f"dinstar:{serial}:1:20160712154618"


@pytest.mark.parametrize("name", ["sms_result_push.json", "sms_result_push_3_4.json"])
def test_spec_sms_result_push(offline: DinstarGateway, name: str) -> None:
    [event] = _parse(offline, fixture_bytes(name))
    assert isinstance(event, SendReportEvent)
    assert (event.recipient, event.port_label, event.sent, event.reason, event.task_id) == (
        "10086",
        "2A",
        True,
        "DELIVERED",
        None,
    )
    assert event.sent_at == datetime(2016, 7, 12, 1, 46, 2, tzinfo=UTC)


@pytest.mark.parametrize("name", ["sms_deliver_status_push.json", "sms_deliver_status_push_4_4.txt"])
def test_spec_delivery_push(offline: DinstarGateway, name: str) -> None:
    [event] = _parse(offline, fixture_bytes(name))
    assert isinstance(event, DeliveryReportEvent)
    assert (event.recipient, event.delivered, event.status_code, event.port_label) == ("10086", True, 0, "2A")
    assert event.reported_at == datetime(2016, 7, 12, 15, 46, 53, tzinfo=UTC)


def test_spec_ussd_push(offline: DinstarGateway) -> None:
    [event] = _parse(offline, fixture_bytes("ussd_push.txt"))
    assert isinstance(event, UssdReceivedEvent)
    assert (event.port_label, event.text) == ("2A", "Thank you!")


def test_spec_register_push_two_objects(offline: DinstarGateway) -> None:
    up, down = _parse(offline, fixture_bytes("register_push.txt"))
    assert isinstance(up, SimRegistrationEvent)
    assert isinstance(down, SimRegistrationEvent)
    assert (up.port_label, up.ref, up.registered, up.state) == ("9C", SlotRef(9, 3), True, SimState.REGISTERED)
    assert (up.iccid, up.imsi, up.sim_number) == ("89860040191844710023", "460004642148063", "13714637674")
    assert (down.registered, down.state, down.iccid, down.imsi) == (False, SimState.NO_SIM, None, None)


def test_spec_cdr_push(offline: DinstarGateway) -> None:
    [event] = _parse(offline, fixture_bytes("cdr_push.json"))
    assert isinstance(event, CallRecordEvent)
    assert event.port_label == "3A"
    assert event.record.duration == 3
    assert event.record.direction == "ip->gsm"
    assert (event.record.source_number, event.record.destination_number) == ("1010", "6717")


def test_spec_device_push(offline: DinstarGateway) -> None:
    [off] = _parse(offline, fixture_bytes("device_push_off.json"))
    [on] = _parse(offline, fixture_bytes("device_push_on.json"))
    assert off == DevicePowerEvent(powered_on=False, ip="172.18.55.142", mac="f8:a0:3d:48:e5:19", port_count=32)
    assert isinstance(on, DevicePowerEvent)
    assert on.powered_on


def test_spec_exception_push(offline: DinstarGateway) -> None:
    [event] = _parse(offline, fixture_bytes("exception_push.json"))
    assert event == GatewayAlertEvent(port_label="1A", ref=SlotRef(1, 1), kind="call_fail", action="reset")


# --- liberal forms ------------------------------------------------------------------------------------------------


def test_several_sections_and_messages_in_one_push(offline: DinstarGateway) -> None:
    body = {
        "sn": "ABCD-0001-0002-0003",
        "sms": [
            {"incoming_sms_id": 5, "port": "3", "number": 100, "timestamp": "2026-01-01 10:00:00", "text": "a"},
            {
                "incoming_sms_id": 6,
                "port": 4,
                "number": "+49",
                "timestamp": "2026-01-01 10:00:01",
                "text": "Hi%20there%21",
            },
        ],
        "ussd": {"port": 0, "text": "Balance%3A%205%20EUR"},
        "sms_result": [
            {"port": 0, "number": "1", "status": "SENDING", "user_id": 1},
            {"port": 0, "number": "2", "status": "FAILED", "user_id": 2},
            {"port": 0, "number": "3", "status": "odd", "user_id": "3"},
        ],
        "sms_deliver_status": [{"port": 1, "number": "2", "status_code": 64, "user_id": 9}],
        "register": [{"port": 2, "status": "Mobile Registered"}, {"port": 2, "status": "down", "iccid": "8949"}],
        "exception_info": [{"type": "reboot"}],
        "future_event": {"anything": 1},
    }
    events = _parse(offline, json.dumps(body))
    kinds = [type(event).__name__ for event in events]
    assert kinds == [
        "SmsReceivedEvent",
        "SmsReceivedEvent",
        "SendReportEvent",
        "SendReportEvent",
        "DeliveryReportEvent",
        "UssdReceivedEvent",
        "SimRegistrationEvent",
        "SimRegistrationEvent",
        "GatewayAlertEvent",
    ]
    first, second, failed, odd, delivery, ussd, registered, dropped, alert = events
    assert isinstance(first, SmsReceivedEvent)
    assert (first.sms.sender, first.sms.port_label) == ("100", "4A")
    assert first.sms.message_id.startswith("dinstar:abcd-0001-0002-0003:5:")
    assert isinstance(second, SmsReceivedEvent)
    assert second.sms.text == "Hi there!"
    assert isinstance(failed, SendReportEvent)
    assert (failed.sent, failed.task_id, failed.reason) == (False, "2", "FAILED")
    assert isinstance(odd, SendReportEvent)
    assert (odd.sent, odd.task_id, odd.reason) == (False, "3", "odd")
    assert isinstance(delivery, DeliveryReportEvent)
    assert (delivery.delivered, delivery.task_id, delivery.reported_at) == (False, "9", None)
    assert isinstance(ussd, UssdReceivedEvent)
    assert ussd.text == "Balance: 5 EUR"
    assert isinstance(registered, SimRegistrationEvent)
    assert registered.state is SimState.REGISTERED
    assert isinstance(dropped, SimRegistrationEvent)
    assert dropped.state is SimState.REGISTRATION_FAILED
    assert alert == GatewayAlertEvent(port_label="", ref=None, kind="reboot", action="")


def test_top_level_array_and_serial_fallback(offline: DinstarGateway) -> None:
    offline._serial = "conn-ected-seri-al00"
    body = '[{"sms":[{"incoming_sms_id":1,"port":0,"text":"x","timestamp":"bad"}]}, {"sn":"", "ussd":[]}]'
    [event] = _parse(offline, body)
    assert isinstance(event, SmsReceivedEvent)
    assert event.sms.message_id == "dinstar:conn-ected-seri-al00:1:"
    assert event.sms.received_at.tzinfo is not None


def test_message_without_id_gets_a_content_id(offline: DinstarGateway) -> None:
    body = '{"sn":"a","sms":[{"port":0,"number":"1","timestamp":"2026-01-01 00:00:00","text":"x"}]}'
    [first] = _parse(offline, body)
    [again] = _parse(offline, body)
    assert isinstance(first, SmsReceivedEvent)
    assert isinstance(again, SmsReceivedEvent)
    assert first.sms.message_id == again.sms.message_id
    assert first.sms.message_id.startswith("dinstar:a:h")
    assert first.sms.device_sms_id is None


def test_object_with_serial_and_nothing_known(offline: DinstarGateway) -> None:
    assert _parse(offline, '{"sn":"a-b-c-d","heartbeat":1}') == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not JSON"),
        (b"sms=hello", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"hello": "world"}', "not a Dinstar push"),
        (b'{"sn":"a","sms":"hello +4915112345678"}', "sms is not a list"),
        (b'{"sn":"a","sms":["+4915112345678"]}', "sms[0] is not an object"),
        (b'{"sn":"a","sms":[{"number":"+4915112345678","text":"secret"}]}', "sms[0]: port is missing"),
        (b'{"sn":"a","register":[{"port":"x"}]}', "register[0]: port is missing"),
        (b'{"sn":"a","device":"on"}', "device is not an object"),
        (b'{"sn":"a","device":{"status":"rebooting"}}', "neither power_on nor power_off"),
        (b'{"sn":"a","exception_info":[1,2]}', "exception_info is not an object"),
        (b'{"sn":"a","cdr":[{"port":-1}]}', "cdr[0]: port is missing"),
    ],
)
def test_bad_pushes(offline: DinstarGateway, body: bytes, message: str) -> None:
    with pytest.raises(GatewayPushError, match=re.escape(message)) as error:
        _parse(offline, body)
    assert "4915112345678" not in str(error.value)
    assert "secret" not in str(error.value)


def test_device_push_odd_mac(offline: DinstarGateway) -> None:
    [event] = _parse(offline, '{"sn":"a","device":{"status":"POWER_ON","MAC":"not-a-mac","port_number":"8"}}')
    assert event == DevicePowerEvent(powered_on=True, ip=None, mac=None, port_count=8)


# --- pushed by the simulator ---------------------------------------------------------------------------------


async def _pushed_events(client: DinstarGateway, receiver: PushReceiver, count: int) -> list[PushEvent]:
    bodies = await receiver.wait_for(count)
    return [event for body in bodies for event in client.parse_push(PushRequest(body=body))]


async def test_every_kind_of_push(gateway: DinstarGateway, sim: DinstarSimulator, push_receiver: PushReceiver) -> None:
    await sim.control("set_push_url", {"url": push_receiver.url})
    await sim.control("deliver_sms", {"port": 1, "text": "in"})
    await sim.control("set_reg", {"port": 2, "reg": "NO_SIM"})
    await sim.control("set_reg", {"port": 2, "reg": "REGISTER_OK"})
    await sim.control("add_call", {"port": 3, "duration": 42})
    await sim.control("add_call", {"port": 3, "answered": False})  # not pushed
    await sim.control("raise_exception", {"port": 4, "type": "sim_fail", "action": "block"})
    await gateway.send_ussd(SlotRef(1), "*100#")
    events = await _pushed_events(gateway, push_receiver, 6)
    kinds = [type(event) for event in events]
    assert kinds == [
        SmsReceivedEvent,
        SimRegistrationEvent,
        SimRegistrationEvent,
        CallRecordEvent,
        GatewayAlertEvent,
        UssdReceivedEvent,
    ]
    down, up = events[1], events[2]
    assert isinstance(down, SimRegistrationEvent)
    assert isinstance(up, SimRegistrationEvent)
    assert (down.port_label, down.registered, up.registered) == ("2A", False, True)
    assert up.iccid == sim.state.ports[1].card.iccid  # type: ignore[union-attr]
    record = events[3]
    assert isinstance(record, CallRecordEvent)
    assert record.record.duration == 42
    alert = events[4]
    assert alert == GatewayAlertEvent(port_label="4A", ref=SlotRef(4, 1), kind="sim_fail", action="block")
    ussd = events[5]
    assert isinstance(ussd, UssdReceivedEvent)
    assert ussd.text.startswith("Your balance is ")


async def test_reboot_pushes_power_and_registration(
    gateway: DinstarGateway, sim: DinstarSimulator, push_receiver: PushReceiver
) -> None:
    await sim.control("set_push_url", {"url": push_receiver.url})
    await sim.control("reboot", {})
    events = await _pushed_events(gateway, push_receiver, 10)
    power = [event for event in events if isinstance(event, DevicePowerEvent)]
    assert [event.powered_on for event in power] == [False, True]
    assert power[0].port_count == 4
    assert power[0].mac is not None
    assert sum(isinstance(event, SimRegistrationEvent) for event in events) == 8


@pytest.mark.parametrize("variants", [{"batch-push"}, {"batch-push", "concatenated-push"}])
async def test_batched_pushes(
    dinstar_sim: SimFactory, make_gateway: GatewayFactory, push_receiver: PushReceiver, variants: set[str]
) -> None:
    sim = await dinstar_sim(variants=variants | {"url-encoded-text"})
    client = make_gateway(sim.url)
    await sim.control("set_push_url", {"url": push_receiver.url})
    for index in range(3):
        await sim.control("deliver_sms", {"port": index + 1, "text": f"batched {index} äöü"})
    await sim.control("raise_exception", {"port": 1, "type": "call_fail"})
    events = await _pushed_events(client, push_receiver, 1)
    assert len(push_receiver.bodies) == 1
    texts = [event.sms.text for event in events if isinstance(event, SmsReceivedEvent)]
    assert texts == ["batched 0 äöü", "batched 1 äöü", "batched 2 äöü"]
    assert any(isinstance(event, GatewayAlertEvent) for event in events)
    body = push_receiver.bodies[0]
    assert body.count(b'"sn"') == (4 if "concatenated-push" in variants else 1)
    assert b"%C3%A4" in body


async def test_delivery_report_push(
    gateway: DinstarGateway, sim: DinstarSimulator, push_receiver: PushReceiver
) -> None:
    from custom_components.gsm_gateway.client.models import SmsRequest

    await sim.control("set_push_url", {"url": push_receiver.url})
    await gateway.send_sms(SmsRequest(recipients=("+4915100000009",), text="x", delivery_report=True))
    events = await _pushed_events(gateway, push_receiver, 2)
    [report] = [event for event in events if isinstance(event, DeliveryReportEvent)]
    assert (report.recipient, report.delivered, report.status_code) == ("+4915100000009", True, 0)


async def test_push_url_cleared(sim: DinstarSimulator, push_receiver: PushReceiver) -> None:
    await sim.control("set_push_url", {"url": push_receiver.url})
    await sim.control("set_push_url", {"url": None})
    await sim.control("deliver_sms", {"port": 1, "text": "quiet"})
    assert sim.pushes == []
    assert push_receiver.bodies == []
