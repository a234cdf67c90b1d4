"""`send_sms` with failover, end to end against the simulators: only a definite "not sent" moves a recipient on.

Asserted through what Home Assistant shows: the action's response (which gateway and port finally sent, every
attempt), its translated error, and the send-result events. What the simulated gateways really sent is counted on
them, per recipient: nobody gets the message twice unless the caller asked for at-least-once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway import connection
from custom_components.gsm_gateway.client import ConnectionSettings
from custom_components.gsm_gateway.const import (
    CONF_MANAGE_PUSH_TARGET,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_SMS_FAILED,
    EVENT_SMS_SENT,
)
from simulator import GatewaySimulator
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator
from tests.conftest import SimulatorFactory

from .conftest import WEBHOOK_ID, entry_data, short_push_buffers, unique_id_of

ALICE = "+491700000001"
BOB = "+491700000002"
NO_BALANCE = 5  # Skyline/EJOIN status "No balance or alarm"
REGISTER_FAILED = 6


async def send(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(DOMAIN, "send_sms", data, blocking=True, return_response=True)
    assert isinstance(response, dict)
    return response


def attempts(item: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(gateway, port, outcome) of every attempt for one recipient."""
    return [(attempt["gateway"], attempt["port"], attempt["outcome"]) for attempt in item["attempts"]]


def ejoin_sends(sim: EjoinSimulator) -> Counter[str]:
    """How many SMS the simulated gateway really sent, per number."""
    return Counter(number for number, _ in sim.sent_log)


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


@contextmanager
def request_timeout(seconds: float) -> Iterator[None]:
    """Entries set up in the block give up on a request after `seconds` (the production default is 10 s)."""
    original = connection.connection_settings

    def shorter(data: Any) -> ConnectionSettings:
        return replace(original(data), timeout=seconds)

    with patch.object(connection, "connection_settings", shorter):
        yield


type GatewayFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
async def add_gateway(hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator) -> GatewayFactory:
    """Add a gateway for a started simulator; Skyline/EJOIN ones push their results to Home Assistant.

    Home Assistant's HTTP server starts listening when the first test client is made, after the first gateway
    loaded every integration it needs; that gateway then reloads to point its pushes there.
    """
    client: TestClient | None = None
    count = 0

    async def add(sim: GatewaySimulator, vendor: str = "ejoin") -> MockConfigEntry:
        nonlocal client, count
        count += 1
        webhook_id = WEBHOOK_ID if count == 1 else f"{count:x}" * 64
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Gateway {'ABC'[count - 1]}",
            data=entry_data(sim, vendor) | {CONF_WEBHOOK_ID: webhook_id},
            unique_id=await unique_id_of(hass, sim),
            options={CONF_MANAGE_PUSH_TARGET: True} if vendor == "ejoin" else {},
        )
        entry.add_to_hass(hass)
        with short_push_buffers(sms_count=2, sms_period=1, report_count=1, report_period=1):
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
            if client is None:
                client = await hass_client_no_auth()
                hass.config.internal_url = str(client.make_url("/")).rstrip("/")
                assert await hass.config_entries.async_reload(entry.entry_id)
                await hass.async_block_till_done(wait_background_tasks=True)
        if vendor == "dinstar":  # typed into the device's web UI by the user
            await sim.control("set_push_url", {"url": str(client.make_url(f"/api/webhook/{webhook_id}"))})
        sim.requests.clear()
        return entry

    return add


@pytest.fixture
async def gateway_a(simulator_factory: SimulatorFactory) -> EjoinSimulator:
    sim = await simulator_factory("ejoin", ports=4, slots=2)
    assert isinstance(sim, EjoinSimulator)
    return sim


@pytest.fixture
async def entry_a(add_gateway: GatewayFactory, gateway_a: EjoinSimulator) -> MockConfigEntry:
    entry = await add_gateway(gateway_a)
    assert gateway_a.status_url is not None  # Home Assistant took the push target over
    return entry


async def test_a_port_without_balance_is_skipped(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    """The status says port 1 has no balance: the SMS goes from port 2 at once, and the response says why."""
    gateway_a.set_sim_status(1, None, NO_BALANCE)  # pushed as a port-status change
    await wait_until(
        lambda: (state := hass.states.get("sensor.gateway_a_port_1_status")) is not None and state.state == "no_balance"
    )

    response = await send(hass, recipients=[ALICE], message="Alarm: water in the basement", port="1", failover=True)

    (item,) = response["recipients"]
    assert (item["outcome"], item["gateway"], item["port"]) == ("sent", "Gateway A", "2A")
    assert attempts(item) == [("Gateway A", "2A", "sent")]
    assert response["skipped"] == [
        {"config_entry_id": entry_a.entry_id, "gateway": "Gateway A", "port": "1A", "reason": "no_balance"}
    ]
    assert response["outcomes"] == {"sent": 1, "accepted": 0, "ambiguous": 0, "failed": 0}
    assert ejoin_sends(gateway_a) == {ALICE: 1}


def sent_counts(sim: GatewaySimulator) -> Counter[str]:
    """What a simulated gateway really sent, per number (each dialect keeps its own record)."""
    if isinstance(sim, EjoinSimulator):
        return Counter(number for number, _ in sim.sent_log)
    if isinstance(sim, DinstarSimulator):
        return Counter(record.number for record in sim.state.sent if record.status in {"SENT_OK", "DELIVERED"})
    assert isinstance(sim, SynwaySimulator)
    return Counter(sms.recipient for sms in sim.state.outbox)


async def test_a_refusal_fails_over_to_the_next_port(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    """Home Assistant still sees port 1 registered; the gateway's answer refuses it, so port 2 sends."""
    gateway_a.ports[0].slot(1).status = REGISTER_FAILED  # on the device only: no status push, no poll yet
    response = await send(hass, recipients=[ALICE], message="Alarm", port="1", failover=True)

    (item,) = response["recipients"]
    assert attempts(item) == [("Gateway A", "1A", "refused"), ("Gateway A", "2A", "sent")]
    refused = item["attempts"][0]
    assert (refused["code"], refused["reason"]) == (5, "SIM Unregistered")
    assert (item["outcome"], item["port"], item["accepted"]) == ("sent", "2A", True)
    assert sent_counts(gateway_a) == {ALICE: 1}
    assert len(gateway_a.requests_to("/goip_post_sms.html")) == 2


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
async def test_a_failure_report_fails_over_to_the_next_port(
    hass: HomeAssistant, simulator_factory: SimulatorFactory, add_gateway: GatewayFactory, vendor: str
) -> None:
    """Port 1's SIM has no credit: the gateway accepts, then reports the send failed; port 2 sends it.

    Skyline/EJOIN and Dinstar push the result; Synway's is read back (polled every 0.2 s here instead of 10 s).
    """
    sim = await simulator_factory(vendor, ports=4, slots=2)
    with patch("custom_components.gsm_gateway.receiver.REPORT_POLL_INTERVAL", timedelta(seconds=0.2)):
        entry = await add_gateway(sim, vendor)
    await sim.control("set_balance", {"port": 1, "balance": 0})
    failed = async_capture_events(hass, EVENT_SMS_FAILED)
    sent = async_capture_events(hass, EVENT_SMS_SENT)

    response = await send(hass, recipients=[ALICE], message="Alarm", port="1", failover=True, deadline=60)

    (item,) = response["recipients"]
    first, second = item["attempts"]
    assert (first["outcome"], second["outcome"]) == ("failed", "sent")
    assert first["port"].startswith("1")
    assert second["port"].startswith("2")
    assert first["task_id"] != second["task_id"]
    assert item | {"attempts": None} == {
        "recipient": ALICE,
        "outcome": "sent",
        "accepted": True,
        "config_entry_id": entry.entry_id,
        "gateway": "Gateway A",
        "port": second["port"],
        "task_id": second["task_id"],
        "code": second["code"],
        "reason": second["reason"],
        "attempts": None,
    }
    assert response["task_ids"] == [first["task_id"], second["task_id"]]
    assert response["requests"] == 2
    # Each attempt is a send of its own: its result fired as usual.
    assert [event.data["task_id"] for event in failed] == [first["task_id"]]
    assert [event.data["task_id"] for event in sent] == [second["task_id"]]
    assert sent_counts(sim) == {ALICE: 1}


async def test_the_ejoin_failure_report_says_what_the_network_said(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    await gateway_a.control("set_balance", {"port": 1, "balance": 0})
    response = await send(hass, recipients=[ALICE], message="Alarm", port="1", failover=True)
    failed = response["recipients"][0]["attempts"][0]
    assert failed["reason"] == "7 Server Error; 21 Short message transfer rejected"


async def test_an_unreachable_gateway_fails_over_to_another(
    hass: HomeAssistant,
    add_gateway: GatewayFactory,
    gateway_a: EjoinSimulator,
    simulator_factory: SimulatorFactory,
) -> None:
    """Gateway A is switched off (Home Assistant has not noticed yet): its connection is refused, B sends."""
    entry_a = await add_gateway(gateway_a)
    gateway_b = await simulator_factory("ejoin", ports=2, slots=1, seed=2)
    entry_b = await add_gateway(gateway_b)
    await gateway_a.stop()

    response = await send(
        hass, config_entry_id=entry_a.entry_id, recipients=[ALICE, BOB], message="Alarm", failover=True
    )

    for item in response["recipients"]:
        assert (item["outcome"], item["config_entry_id"], item["gateway"]) == ("sent", entry_b.entry_id, "Gateway B")
        assert [attempt["outcome"] for attempt in item["attempts"]][-1] == "sent"
        unreachable = [attempt for attempt in item["attempts"] if attempt["outcome"] == "unreachable"]
        assert all(attempt["gateway"] == "Gateway A" for attempt in unreachable)
    # The first recipient to find A down spares the other a second try there.
    assert sum(
        attempt["outcome"] == "unreachable" for item in response["recipients"] for attempt in item["attempts"]
    ) in {1, 2}
    assert "cannot talk to" in response["recipients"][0]["attempts"][0]["reason"]
    assert sent_counts(gateway_b) == {ALICE: 1, BOB: 1}


async def test_a_gateway_that_never_loaded_is_skipped(
    hass: HomeAssistant, add_gateway: GatewayFactory, simulator_factory: SimulatorFactory
) -> None:
    """Gateway A was down when Home Assistant started: the alarm goes through B, and the response says A was skipped."""
    gateway_b = await simulator_factory("ejoin", ports=2, slots=1, seed=2)
    entry_b = await add_gateway(gateway_b)
    down = await simulator_factory("ejoin", ports=2, slots=1, seed=3)
    data = entry_data(down, "ejoin")
    await down.stop()
    entry_a = MockConfigEntry(domain=DOMAIN, title="Gateway A", data=data, unique_id="down")
    entry_a.add_to_hass(hass)
    await hass.config_entries.async_setup(entry_a.entry_id)
    await hass.async_block_till_done()

    response = await send(hass, config_entry_id=entry_a.entry_id, recipients=[ALICE], message="x", failover=True)

    assert response["skipped"] == [
        {"config_entry_id": entry_a.entry_id, "gateway": "Gateway A", "port": None, "reason": "not_loaded"}
    ]
    assert response["recipients"][0]["config_entry_id"] == entry_b.entry_id
    assert sent_counts(gateway_b) == {ALICE: 1}


@pytest.fixture
async def slow_gateway(add_gateway: GatewayFactory, gateway_a: EjoinSimulator) -> EjoinSimulator:
    """Gateway A with a client that gives up after 0.5 s; the next request will be answered after 1 s."""
    with request_timeout(0.5):
        await add_gateway(gateway_a)
    gateway_a.faults.response_delay = 1.0
    return gateway_a


async def answered_late(sim: EjoinSimulator) -> None:
    """The first send request reached the gateway; later ones are answered at once again."""
    await wait_until(lambda: bool(sim.requests_to("/goip_post_sms.html")))
    sim.faults.response_delay = 0.0


async def test_an_ambiguous_timeout_is_not_resent(hass: HomeAssistant, slow_gateway: EjoinSimulator) -> None:
    """No answer in time: the gateway may have the task (it does), so nothing is sent again, and the action says so."""
    watcher = hass.async_create_task(answered_late(slow_gateway))
    response = await send(hass, recipients=[ALICE], message="Alarm", port="1", failover=True)
    await watcher

    (item,) = response["recipients"]
    assert attempts(item) == [("Gateway A", "1A", "ambiguous")]
    assert item["attempts"][0]["reason"].startswith("goip_post_sms.html: no answer from")
    assert (item["outcome"], item["accepted"], item["port"]) == ("ambiguous", False, "1A")
    assert response["outcomes"] == {"sent": 0, "accepted": 0, "ambiguous": 1, "failed": 0}
    await wait_until(lambda: bool(slow_gateway.sent_log))  # the late request was acted on after all
    assert sent_counts(slow_gateway) == {ALICE: 1}
    assert len(slow_gateway.requests_to("/goip_post_sms.html")) == 1


async def test_at_least_once_resends_after_an_ambiguous_timeout(
    hass: HomeAssistant, slow_gateway: EjoinSimulator
) -> None:
    """Asked for at-least-once, the next port sends too: the recipient gets the alarm twice, as the caller accepted."""
    watcher = hass.async_create_task(answered_late(slow_gateway))
    response = await send(hass, recipients=[ALICE], message="Alarm", port="1", failover=True, at_least_once=True)
    await watcher

    (item,) = response["recipients"]
    assert attempts(item) == [("Gateway A", "1A", "ambiguous"), ("Gateway A", "2A", "sent")]
    assert item["outcome"] == "sent"
    await wait_until(lambda: len(slow_gateway.sent_log) == 2)
    assert sent_counts(slow_gateway) == {ALICE: 2}


async def test_no_result_before_the_deadline_is_not_resent(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    """The result push never arrives: the action waits until the deadline, then says it was accepted, unconfirmed."""
    gateway_a.faults.pushes_paused = True
    sending = hass.async_create_task(send(hass, recipients=[ALICE], message="Alarm", failover=True, deadline=30))
    await wait_until(lambda: bool(gateway_a.sent_log))
    await asyncio.sleep(0.1)
    assert not sending.done()  # waiting for the result
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    response = await sending

    (item,) = response["recipients"]
    assert attempts(item) == [("Gateway A", "1A", "accepted")]
    assert (item["outcome"], item["accepted"], item["reason"]) == ("accepted", True, "no send result within 30 s")
    assert response["deadline"] == 30
    assert sent_counts(gateway_a) == {ALICE: 1}
    assert len(gateway_a.requests_to("/goip_post_sms.html")) == 1


async def test_results_that_cannot_come_are_not_waited_for(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Skyline/EJOIN pushes results only, and Home Assistant does not manage its push target: accepted is all."""
    response = await send(hass, recipients=[ALICE], message="Alarm", failover=True)
    (item,) = response["recipients"]
    assert attempts(item) == [("ejoin gateway", "1A", "accepted")]
    assert item["reason"] == "this gateway cannot report send results to Home Assistant"
    await wait_until(lambda: bool(sim.sent_log))
    assert sent_counts(sim) == {ALICE: 1}


async def test_a_final_failure_raises_a_translated_error_without_numbers(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    """Every SIM fails for Alice's number: the action fails and says so in counts; Bob's SMS went out."""
    await gateway_a.control("fail_recipients", {"numbers": [ALICE]})
    failed = async_capture_events(hass, EVENT_SMS_FAILED)
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=[ALICE, BOB], message="Alarm", failover=True, max_attempts=2)

    assert raised.value.translation_key == "failover_failed"
    assert raised.value.translation_placeholders == {
        "failed": "1",
        "total": "2",
        "attempts": "2",
        "reason": "failed: 6 Timeout",
    }
    message = str(raised.value)
    assert message == "1 of 2 recipients could not be sent by any gateway (2 attempts). Last reason: failed: 6 Timeout"
    assert ALICE.lstrip("+") not in message
    assert BOB.lstrip("+") not in message
    assert [event.data["recipient"] for event in failed] == [ALICE, ALICE]
    assert sent_counts(gateway_a) == {BOB: 1}


async def test_nothing_to_try_raises(hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator) -> None:
    for port in range(1, 5):
        gateway_a.set_sim_status(port, None, REGISTER_FAILED)
    await wait_until(
        lambda: all(
            (state := hass.states.get(f"sensor.gateway_a_port_{port}_status")) is not None
            and state.state == "registration_failed"
            for port in range(1, 5)
        )
    )
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=[ALICE], message="Alarm", failover=True)
    assert raised.value.translation_placeholders == {
        "failed": "1",
        "total": "1",
        "attempts": "0",
        "reason": "no registered SIM on any loaded gateway",
    }
    assert gateway_a.requests_to("/goip_post_sms.html") == []


async def test_many_recipients_each_sent_exactly_once(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    """Ten recipients at once while port 1 has no credit: every one is sent once, none twice."""
    await gateway_a.control("set_balance", {"port": 1, "balance": 0})
    gateway_a.send_interval = 0.05  # the device sends one SMS at a time
    numbers = [f"+4917100000{index:02d}" for index in range(10)]
    response = await send(hass, recipients=numbers, message="Alarm", port="1", failover=True)

    assert response["outcomes"] == {"sent": 10, "accepted": 0, "ambiguous": 0, "failed": 0}
    assert all(item["port"] != "1A" for item in response["recipients"])
    assert sent_counts(gateway_a) == dict.fromkeys(numbers, 1)


async def test_failover_gateways_choose_and_order_the_fallbacks(
    hass: HomeAssistant, add_gateway: GatewayFactory, gateway_a: EjoinSimulator, simulator_factory: SimulatorFactory
) -> None:
    entry_a = await add_gateway(gateway_a)
    gateway_b = await simulator_factory("ejoin", ports=2, slots=1, seed=2)
    await add_gateway(gateway_b)
    gateway_c = await simulator_factory("ejoin", ports=2, slots=1, seed=3)
    entry_c = await add_gateway(gateway_c)
    await gateway_a.stop()

    response = await send(
        hass,
        config_entry_id=entry_a.entry_id,
        failover_gateways=[entry_c.entry_id],  # B is not a fallback for this alarm
        recipients=[ALICE],
        message="Alarm",
        failover=True,
    )

    assert [attempt["gateway"] for attempt in response["recipients"][0]["attempts"]] == ["Gateway A", "Gateway C"]
    assert sent_counts(gateway_c) == {ALICE: 1}
    assert sent_counts(gateway_b) == {}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"deadline": 60}, "failover_fields_without_failover"),
        ({"failover": False, "at_least_once": True}, "failover_fields_without_failover"),
        ({"failover": True, "recipients": [f"+49170000{n:04d}" for n in range(21)]}, "failover_too_many_recipients"),
        ({"failover": True, "failover_gateways": ["nope"]}, "device_not_found"),
        ({"failover": True, "config_entry_id": "nope"}, "gateway_not_loaded"),
        ({"failover": True, "port": "9"}, "invalid_port"),
        ({"failover": True, "message": ""}, "empty_message"),
    ],
)
async def test_bad_failover_input_is_refused_before_sending(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator, data: dict[str, Any], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, **({"recipients": [ALICE], "message": "x"} | data))
    assert raised.value.translation_key == key
    assert gateway_a.requests_to("/goip_post_sms.html") == []


async def test_without_failover_nothing_changes(
    hass: HomeAssistant, entry_a: MockConfigEntry, gateway_a: EjoinSimulator
) -> None:
    """A plain send to a port that cannot send still fails with the gateway's refusal; nothing else is tried."""
    gateway_a.ports[0].slot(1).status = REGISTER_FAILED
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=[ALICE], message="Alarm", port="1")
    assert raised.value.translation_key == "send_rejected"
    assert len(gateway_a.requests_to("/goip_post_sms.html")) == 1
