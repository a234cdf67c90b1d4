"""Dinstar extras end to end: call forwarding, call detail records and SIM Toolkit menus."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.services import dinstar
from simulator.dinstar import DinstarSimulator

from .test_services_common import call

pytestmark = pytest.mark.parametrize("vendor", ["dinstar"])


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dinstar, "CALL_FORWARD_SETTLE", 0.0)
    monkeypatch.setattr(dinstar, "STK_POLL_INTERVAL", 0.01)


def set_port_info(sim: DinstarSimulator) -> list[dict[str, Any]]:
    return [dict(request.query) for request in sim.requests_to("/api/set_port_info")]


async def test_set_and_check_call_forward(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    response = await call(hass, "set_call_forward", port="2", condition="busy", number="+49 170 1234567")
    assert response == {"port": "2", "condition": "busy"}
    assert set_port_info(sim) == [{"port": "1", "action": "CallForward", "param": "Busy", "number": "+491701234567"}]
    assert sim.state.ports[1].call_forward == {"Busy": "+491701234567"}

    checked = await call(hass, "check_call_forward", ports="1-2")
    assert checked == {"ports": [{"port": "1", "rules": {}}, {"port": "2", "rules": {"busy": "+491701234567"}}]}
    assert [query["action"] for query in set_port_info(sim)[1:]] == ["CheckCallForward", "CheckCallForward"]

    await call(hass, "set_call_forward", port="2", condition="cancel_all", number="+491700000000")
    assert set_port_info(sim)[-1] == {"port": "1", "action": "CallForward", "param": "CancelAll"}
    assert sim.state.ports[1].call_forward == {}


async def test_check_reports_ports_that_cannot_answer(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    await sim.control("set_reg", {"port": 3, "reg": "SEARCHING_NETWORK"})
    checked = await call(hass, "check_call_forward")
    assert [item["port"] for item in checked["ports"]] == ["1", "2", "3", "4"]
    assert "error" in checked["ports"][2]
    assert checked["ports"][0] == {"port": "1", "rules": {}}


async def test_check_with_no_port_able_to_answer(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    await sim.control("set_reg", {"port": 1, "reg": "SEARCHING_NETWORK"})
    checked = await call(hass, "check_call_forward", ports="1")
    assert checked == {"ports": [{"port": "1", "error": checked["ports"][0]["error"]}]}
    assert not sim.requests_to("/api/get_port_info")[-1].query.get("info_type", "").startswith("CallForward")


async def test_forwarding_needs_a_number(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "set_call_forward", port="1", condition="unconditional")
    assert raised.value.translation_key == "call_forward_number_required"
    assert set_port_info(sim) == []


async def test_call_records(hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator) -> None:
    await sim.control("add_call", {"port": 1, "duration": 42, "source": "+491701111111", "destination": "100"})
    await sim.control("add_call", {"port": 3, "answered": False})
    response = await call(hass, "get_call_records")
    assert [record["port"] for record in response["records"]] == ["1A", "3A"]
    first = response["records"][0]
    assert first["duration"] == 42
    assert first["source"] == "+491701111111"
    assert first["destination"] == "100"
    assert dt_util.parse_datetime(first["start"]).tzinfo is not None
    assert response["records"][1]["answered"] is None

    only_port_3 = await call(hass, "get_call_records", ports="3")
    assert [record["port"] for record in only_port_3["records"]] == ["3A"]
    assert sim.requests_to("/api/get_cdr")[-1].json() == {"port": [2]}


async def test_call_records_in_a_window(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    await sim.control("add_call", {"port": 1})
    sim.time_zone = dt_util.get_default_time_zone()  # the device clock runs in Home Assistant's zone
    later = dt_util.now() + timedelta(hours=1)
    response = await call(hass, "get_call_records", start=later.replace(tzinfo=None).isoformat())
    assert response == {"records": []}
    assert "time_after" in sim.requests_to("/api/get_cdr")[-1].json()


async def test_sim_toolkit_navigation(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    root = await call(hass, "sim_toolkit", port="2")
    assert root["title"] == "SIM Services"
    assert root["input"] == "menu"
    assert root["items"] == [
        {"item": 1, "text": "Balance"},
        {"item": 2, "text": "Services"},
        {"item": 3, "text": "Help"},
    ]
    services = await call(hass, "sim_toolkit", port="2", command="select", item=2)
    assert services["input"] == "select_item"
    topup = await call(hass, "sim_toolkit", port="2", command="select", item=2)
    assert topup["input"] == "digits"
    done = await call(hass, "sim_toolkit", port="2", command="ok", input="1234")
    assert done["text"] == "Voucher 1234 accepted"
    back = await call(hass, "sim_toolkit", port="2", command="cancel")
    assert back["title"] == "Top up"
    home = await call(hass, "sim_toolkit", port="2", command="home")
    assert home["title"] == "SIM Services"
    stk_go = [request.json() for request in sim.requests_to("/STKGo")]
    assert stk_go == [
        {"port": 1, "item": 2},
        {"port": 1, "item": 2},
        {"port": 1, "action": "ok", "param": "1234"},
        {"port": 1, "action": "cancel"},
        {"port": 1, "action": "home"},
    ]


async def test_sim_toolkit_refusals(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "sim_toolkit", port="1", command="select")
    assert raised.value.translation_key == "stk_item_required"
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "sim_toolkit", port="1", command="select", item=9)
    assert raised.value.translation_key == "command_refused"


async def test_sim_toolkit_screen_that_does_not_change(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command after which the device keeps showing the same frame: the action waits at most STK_SETTLE."""
    monkeypatch.setattr(dinstar, "STK_SETTLE", 0.05)
    monkeypatch.setattr(sim.state.ports[0].stk, "home", lambda: None)
    screen = await call(hass, "sim_toolkit", port="1", command="home")
    assert screen["title"] == "SIM Services"
    assert len(sim.requests_to("/GetSTKCurrFrameIndex")) == 1 + 5  # before, then every poll until STK_SETTLE
