"""`send_ussd` end to end: a synchronous reply (EJOIN), a pushed reply (Dinstar), a polled reply (Synway, Dinstar
without pushes), the timeout that leaves the reply to an event, and refusals."""

from __future__ import annotations

import asyncio

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import CONF_RECEIVE_MODE, EVENT_USSD_RECEIVED, ReceiveMode
from custom_components.gsm_gateway.receiver import UssdSession
from custom_components.gsm_gateway.services import ussd
from simulator.base import GatewaySimulator
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator

from .conftest import WEBHOOK_ID, port_device_id
from .test_services_common import call


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ussd, "USSD_POLL_INTERVAL", 0.05)


async def wait_for(events: list[Event], count: int) -> None:
    for _ in range(300):
        if len(events) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} events, got {len(events)}")


async def test_ejoin_answers_in_the_request(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    balance = sim.ports[1].slots[0].sim.balance
    response = await call(hass, "send_ussd", port="2", code="*100#")
    assert sim.ussd_requests == [("2A", "*100#")]
    (request,) = sim.requests_to("/goip_send_ussd.html")
    assert request.query["port"] == "2"
    assert response == {"port": "2", "status": "replied", "reply": f"Your balance is {balance:.2f} EUR."}
    await hass.async_block_till_done()
    assert len(events) == 1
    assert events[0].data["text"] == response["reply"]
    assert events[0].data["device_id"] == port_device_id(hass, init_integration, 2)


async def test_ejoin_without_reply(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    sim.variants.add("ussd_no_resp")
    response = await call(hass, "send_ussd", port="1A", code="*100#")
    assert response == {"port": "1A", "status": "no_reply", "reply": None}


async def test_ejoin_refusal(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    sim.set_sim_status(3, None, 6)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "send_ussd", port="3", code="*100#")
    assert raised.value.translation_key == "command_refused"
    assert raised.value.translation_placeholders["reason"] == "SIM Unregistered"


async def test_bad_code_is_refused(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "send_ussd", port="1", code="balance please")
    assert raised.value.translation_key == "invalid_request"
    assert sim.ussd_requests == []


@pytest.fixture
async def pushing_dinstar(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: DinstarSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> DinstarSimulator:
    """The Dinstar simulator pushes to Home Assistant's webhook (set in the device's web UI in real life)."""
    client = await hass_client_no_auth()
    await sim.control("set_push_url", {"url": str(client.make_url(f"/api/webhook/{WEBHOOK_ID}"))})
    return sim


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_reply_comes_by_push(
    hass: HomeAssistant, init_integration: MockConfigEntry, pushing_dinstar: DinstarSimulator
) -> None:
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    await pushing_dinstar.control("set_ussd_reply", {"code": "*101#", "text": "Your number is 0170 1234567"})
    response = await call(hass, "send_ussd", port="2", code="*101#")
    assert response == {"port": "2A", "status": "replied", "reply": "Your number is 0170 1234567"}
    (request,) = pushing_dinstar.requests_to("/api/send_ussd")
    assert request.json() == {"port": [1], "command": "send", "text": "*101#"}
    await hass.async_block_till_done()
    assert [event.data["text"] for event in events] == ["Your number is 0170 1234567"]  # once, from the push


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_refusal_names_the_port_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, pushing_dinstar: DinstarSimulator
) -> None:
    await pushing_dinstar.control("set_reg", {"port": 3, "reg": "SEARCHING_NETWORK"})
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "send_ussd", port="3", code="*100#")
    assert raised.value.translation_key == "ussd_refused"
    assert raised.value.translation_placeholders["code"] == "503"


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_without_pushes_polls(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: DinstarSimulator
) -> None:
    hass.config_entries.async_update_entry(config_entry, options={CONF_RECEIVE_MODE: ReceiveMode.POLL_ONLY})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    # A reply from earlier is on the device: the action must wait for the new one, not return the old one.
    sim.state.ports[0].ussd_reply = "An old reply"
    await sim.control("set_ussd_reply", {"code": "*100#", "text": "Balance 5.00"})
    response = await call(hass, "send_ussd", port="1", code="*100#", timeout=5)
    assert response == {"port": "1A", "status": "replied", "reply": "Balance 5.00"}
    assert len(sim.requests_to("/api/query_ussd_reply")) >= 2
    await hass.async_block_till_done()
    assert [event.data["text"] for event in events] == ["Balance 5.00"]


@pytest.mark.parametrize("vendor", ["synway"])
async def test_synway_reply_is_polled(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator
) -> None:
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    await sim.control("set_ussd_reply", {"code": "*100#", "text": "Balance 12.34"})
    # The previous exchange had the same reply: a new one must still be recognised.
    first = await call(hass, "send_ussd", port="2", code="*100#", timeout=10)
    second = await call(hass, "send_ussd", port="2", code="*100#", timeout=10)
    assert first == second == {"port": "2A", "status": "replied", "reply": "Balance 12.34"}
    assert [exchange.code for exchange in sim.state.ussd] == ["*100#", "*100#"]
    await hass.async_block_till_done()
    assert [event.data["text"] for event in events] == ["Balance 12.34", "Balance 12.34"]


@pytest.mark.parametrize("vendor", ["synway"])
async def test_reply_after_the_timeout_comes_as_an_event(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator
) -> None:
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    response = await call(hass, "send_ussd", port="1", code="*100#", timeout=0)
    assert response == {"port": "1A", "status": "pending", "reply": None, "reply_event": EVENT_USSD_RECEIVED}
    await wait_for(events, 1)
    assert events[0].data["port"] == "1A"
    assert events[0].data["text"] == sim.state.default_ussd_reply


@pytest.mark.parametrize("vendor", ["synway"])
async def test_synway_refusal(hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator) -> None:
    await sim.control("remove_sim", {"port": 4})
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "send_ussd", port="4", code="*100#")
    assert raised.value.translation_key == "ussd_refused"


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_pushed_reply_after_the_timeout(
    hass: HomeAssistant, init_integration: MockConfigEntry, pushing_dinstar: DinstarSimulator
) -> None:
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    response = await call(hass, "send_ussd", port="1", code="*100#", timeout=0)
    assert response["status"] == "pending"
    await wait_for(events, 1)  # the push still fires the event


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_two_waiters_on_one_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, pushing_dinstar: DinstarSimulator
) -> None:
    """A second code while the first waits is refused (one session per port); the first still gets its reply."""
    pushing_dinstar.ussd_delay = 0.5
    first = hass.async_create_task(call(hass, "send_ussd", port="1", code="*100#"))
    for _ in range(200):
        if pushing_dinstar.requests_to("/api/send_ussd"):
            break
        await asyncio.sleep(0.01)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "send_ussd", port="1", code="*101#")
    assert raised.value.translation_key == "ussd_busy"
    assert len(pushing_dinstar.requests_to("/api/send_ussd")) == 1  # the second never reached the device
    assert (await first)["status"] == "replied"
    assert (await call(hass, "send_ussd", port="1", code="*101#"))["status"] == "replied"  # free again


@pytest.mark.parametrize("vendor", ["synway"])
async def test_polls_survive_a_failed_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator
) -> None:
    sim.state.ussd_delay = 0.3
    task = hass.async_create_task(call(hass, "send_ussd", port="3", code="*100#", timeout=10))
    for _ in range(200):
        if any("txussd" in request.body.decode() for request in sim.requests):
            break
        await asyncio.sleep(0.01)
    sim.inject("500")  # the next read fails; the one after gets the reply
    assert (await task)["status"] == "replied"


@pytest.mark.parametrize("vendor", ["synway"])
async def test_no_reply_at_all(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ussd, "USSD_FOLLOW_LIMIT", 0.3)
    sim.state.ussd_delay = 60.0
    response = await call(hass, "send_ussd", port="1", code="*100#", timeout=10)
    assert response["status"] == "pending"


@pytest.mark.parametrize("vendor", ["synway"])
async def test_many_codes_at_once_share_one_session_per_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator
) -> None:
    """200 codes at once on one port: one is sent and polled for; the others are refused at once, not polled."""
    sim.state.ussd_delay = 0.3
    results = await asyncio.gather(
        *(call(hass, "send_ussd", port="3", code="*100#", timeout=5) for _ in range(200)), return_exceptions=True
    )
    refused = [result for result in results if isinstance(result, ServiceValidationError)]
    assert len(refused) == 199
    assert {error.translation_key for error in refused} == {"ussd_busy"}
    assert [exchange.code for exchange in sim.state.ussd] == ["*100#"]


@pytest.mark.parametrize(("vendor", "limit"), [("dinstar", 60), ("ejoin", 182), ("synway", 255)])
async def test_a_code_longer_than_the_gateway_takes_is_refused_before_sending(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator, limit: int
) -> None:
    asked = len(sim.requests)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "send_ussd", port="1", code="*" + "1" * (limit - 1) + "#")
    assert raised.value.translation_key == "ussd_too_long"
    assert raised.value.translation_placeholders == {
        "title": init_integration.title,
        "length": str(limit + 1),
        "limit": str(limit),
    }
    assert sim.requests[asked:] == []  # nothing sent, not even the read of the previous reply


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_the_longest_code_goes_through(
    hass: HomeAssistant, init_integration: MockConfigEntry, pushing_dinstar: DinstarSimulator
) -> None:
    code = "*" + "1" * 58 + "#"
    assert (await call(hass, "send_ussd", port="1", code=code, timeout=5))["status"] == "replied"
    assert pushing_dinstar.requests_to("/api/send_ussd")[-1].json()["text"] == code


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_cancel_ends_a_polled_session(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: DinstarSimulator
) -> None:
    """Poll-only: `cancel_ussd` ends the session on the device, the waiting action and its background poll."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_RECEIVE_MODE: ReceiveMode.POLL_ONLY})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    sim.ussd_delay = 60.0
    waiting = asyncio.get_running_loop().create_task(call(hass, "send_ussd", port="2", code="*100#", timeout=60))
    for _ in range(200):
        if sim.requests_to("/api/send_ussd") and len(sim.requests_to("/api/query_ussd_reply")) >= 2:
            break  # sent, and polled for its reply at least once
        await asyncio.sleep(0.01)
    response = await call(hass, "cancel_ussd", port="2")
    assert response == {"port": "2A", "stopped_waiting": True}
    assert sim.requests_to("/api/send_ussd")[-1].json() == {"port": [1], "command": "cancel", "text": ""}
    assert await asyncio.wait_for(waiting, 5) == {"port": "2A", "status": "cancelled", "reply": None}
    polls = len(sim.requests_to("/api/query_ussd_reply"))
    await asyncio.sleep(0.2)
    assert len(sim.requests_to("/api/query_ussd_reply")) == polls  # the background poll stopped too

    sim.ussd_delay = 0.01
    again = await call(hass, "send_ussd", port="2", code="*101#", timeout=5)  # the port is free at once
    assert again["status"] == "replied"
    assert (await call(hass, "cancel_ussd", port="2")) == {"port": "2A", "stopped_waiting": False}


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_cancel_refused_by_the_gateway(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    await sim.control("set_reg", {"port": 3, "reg": "SEARCHING_NETWORK"})
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "cancel_ussd", port="3")
    assert raised.value.translation_key == "ussd_cancel_refused"
    assert raised.value.translation_placeholders["code"] == "503"
    assert raised.value.translation_placeholders["port"] == "3A"


@pytest.mark.parametrize("vendor", ["ejoin", "synway"])
async def test_cancel_is_refused_where_the_gateway_cannot(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator
) -> None:
    asked = len(sim.requests)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "cancel_ussd", port="1")
    assert raised.value.translation_placeholders["action"] == "cancel_ussd"
    assert sim.requests[asked:] == []


async def test_a_session_ended_before_its_poll_starts_stops_the_poll(hass: HomeAssistant) -> None:
    session = UssdSession()
    session.end()
    session.end()  # twice is harmless
    poll = session.follow(hass.async_create_task(asyncio.sleep(60, result=None)))
    await asyncio.sleep(0)
    assert poll.cancelled()
