"""SIM and port actions end to end: IMEI, SIM number, redial, active slot, module power."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.client.imei import luhn_valid
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator

from .conftest import update_entity
from .test_services_common import call, commands

IMEI = "490154203237518"  # the textbook example, Luhn-valid


def set_requests(sim: EjoinSimulator) -> list[str]:
    return [
        request.body.decode() for request in sim.requests_to("/goip_send_cmd.html") if request.query.get("op") == "set"
    ]


def test_luhn() -> None:
    assert luhn_valid(IMEI)
    assert not luhn_valid("490154203237519")


async def test_set_imei_uses_the_slot_index(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await call(hass, "set_imei", port="3B", imei="49015420-323751-8")
    # n = (port - 1) * slots + (slot - 1) = 2 * 2 + 1
    assert set_requests(sim) == [f"sim_imei(5)={IMEI}"]
    assert sim.ports[2].slots[1].imei == IMEI
    assert response == {"port": "3B", "confirmed": True, "parameters_confirmed": 1, "parameters_requested": 1}


async def test_set_imei_of_a_bare_port_writes_its_active_slot(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.ports[1].active = 2
    await update_entity(hass, "select.ejoin_gateway_port_2_active_sim_slot")
    assert hass.states.get("select.ejoin_gateway_port_2_active_sim_slot").state == "B"
    response = await call(hass, "set_imei", port="2", imei=IMEI)
    assert set_requests(sim) == [f"sim_imei(3)={IMEI}"]
    assert response["port"] == "2B"


@pytest.mark.parametrize(
    ("imei", "key", "placeholders"),
    [
        ("49015420323751", "imei_length", {"count": "14"}),
        ("4901542032375180", "imei_length", {"count": "16"}),
        ("49015420323751x", "imei_length", {"count": "15"}),
        ("490154203237519", "imei_check_digit", None),
    ],
)
async def test_bad_imei_is_refused_before_sending(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: EjoinSimulator,
    imei: str,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "set_imei", port="1A", imei=imei)
    assert raised.value.translation_key == key
    assert raised.value.translation_placeholders == placeholders
    assert imei not in str(raised.value)
    assert set_requests(sim) == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # the SIM number sensor is off by default
async def test_set_sim_number(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    assert hass.states.get("select.ejoin_gateway_port_4_active_sim_slot").state == "A"
    assert hass.states.get("sensor.ejoin_gateway_port_4_sim_number").state != "+491701234567"
    response = await call(hass, "set_sim_number", port="4A", number="+49 170 1234567")
    assert set_requests(sim) == ["sim_number(6)=%2B491701234567"]
    assert sim.ports[3].slots[0].number == "+491701234567"
    assert response["confirmed"] is True
    # Home Assistant read the status again: port 4's SIM (slot A, the active one) shows its new number.
    assert hass.states.get("sensor.ejoin_gateway_port_4_sim_number").state == "+491701234567"


async def test_set_sim_number_refuses_words(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "set_sim_number", port="4A", number="call me")
    assert raised.value.translation_key == "invalid_sim_number"
    assert set_requests(sim) == []


async def test_device_failure_is_a_translated_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.inject("500")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "set_imei", port="1A", imei=IMEI)
    assert raised.value.translation_key == "invalid_response"
    await sim.stop()
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "set_imei", port="1A", imei=IMEI)
    assert raised.value.translation_key == "communication_error"


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_imei_and_number_use_set_port_info(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    response = await call(hass, "set_imei", port="2", imei=IMEI)
    assert sim.state.ports[1].imei == IMEI
    assert response["port"] == "2A"
    assert response["confirmed"] is True
    await call(hass, "set_sim_number", port="2", number="+491701234567")
    card = sim.state.ports[1].card
    assert card is not None
    assert card.number == "+491701234567"
    actions = [request.query.get("action") for request in sim.requests_to("/api/set_port_info")]
    assert actions == ["imei", "number"]


async def test_redial_many_ports(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    response = await call(hass, "redial", ports="1,3", mode="flight", delay=5)
    assert commands(sim) == [{"type": "command", "op": "redial", "ports": "1,3", "mode": 0, "delay": 5}]
    assert response == {"ports": ["1", "3"], "mode": "flight"}
    assert [redial["port"] for redial in sim.redials] == [1, 3]


async def test_redial_delay_only_in_flight_mode(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "redial", ports="1", mode="fast", delay=5)
    assert raised.value.translation_key == "redial_delay_fast"
    assert commands(sim) == []


async def test_switch_slot_of_several_ports(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await call(hass, "switch_slot", ports="2-3", slot="b")
    assert commands(sim) == [
        {"type": "command", "op": "switch", "ports": "2B"},
        {"type": "command", "op": "switch", "ports": "3B"},
    ]
    assert response == {"ports": ["2B", "3B"]}
    assert [sim.ports[1].active, sim.ports[2].active] == [2, 2]
    assert hass.states.get("select.ejoin_gateway_port_2_active_sim_slot").state == "B"


async def test_switch_slot_labels(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    await call(hass, "switch_slot", ports="3B,4.02")
    assert [command["ports"] for command in commands(sim)] == ["3B", "4B"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"ports": "1"}, "slot_required"),
        ({"ports": "1", "slot": "C"}, "invalid_slot"),
        ({"ports": "1", "slot": "?"}, "invalid_slot"),
    ],
)
async def test_switch_slot_needs_a_slot(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, data: dict[str, str], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "switch_slot", **data)
    assert raised.value.translation_key == key
    assert commands(sim) == []


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_module_power(hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator) -> None:
    response = await call(hass, "set_module_power", ports="2-3", power_on=False)
    assert response == {"ports": ["2", "3"], "power_on": False}
    assert [port.powered for port in sim.state.ports] == [True, False, False, True]
    params = [
        (request.query.get("port"), request.query.get("param")) for request in sim.requests_to("/api/set_port_info")
    ]
    assert params == [("1", "off"), ("2", "off")]
    assert hass.states.get("sensor.dinstar_gateway_port_2_status").state == "power_off"
    await call(hass, "set_module_power", ports="2-3", power_on=True)
    assert all(port.powered for port in sim.state.ports)
