"""eSIM actions end to end: the EJOIN simulator's jobs finish asynchronously (`esim_delay`) and can fail (`esim_fail`)."""

from __future__ import annotations

import asyncio

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.gsm_gateway.const import EVENT_ESIM_PROGRESS
from custom_components.gsm_gateway.services import esim
from simulator.ejoin import EjoinSimulator
from tests.e2e.conftest import port_device_id

from .test_services_common import call

CODE = "LPA:1$smdp.example.com$MATCHING-ID-1234"


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(esim, "ESIM_POLL_INTERVAL", 0.05)


def states(events: list[Event]) -> list[str]:
    return [event.data["state"] for event in events]


async def test_list_esims(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    response = await call(hass, "list_esims", ports="1,3")
    assert [item["port"] for item in response["esims"]] == ["1", "3"]
    first = response["esims"][0]
    assert first["eid"] == sim.esims[1].eid
    assert first["profiles"][0] == {
        "port": "1A",
        "enabled": True,
        "iccid": sim.esims[1].profiles[1].iccid,
        "provider": "Demo Mobile",
        "status": "0",
    }
    assert first["profiles"][1]["enabled"] is False
    assert sim.requests_to("/goip_get_esims.html")[-1].query["ports"] == "1,3"


async def test_list_esims_of_a_port_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await call(hass, "list_esims", device_id=port_device_id(hass, init_integration, 4))
    assert [item["port"] for item in response["esims"]] == ["4"]


async def test_write_follows_the_job_to_success(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    events = async_capture_events(hass, EVENT_ESIM_PROGRESS)
    response = await call(hass, "write_esim", port="2B", activation_code=CODE, confirmation_code="1234")
    (request,) = sim.requests_to("/goip_write_esims.html")
    assert request.json() == [{"port": 2, "slot": 2, "ac": CODE, "cc": "1234"}]
    assert response["port"] == "2B"
    assert response["operation"] == "write"
    assert response["state"] == "succeeded"
    profile = response["esim"]["profiles"][1]
    assert profile["enabled"] is True
    assert profile["provider"] == "Demo Mobile"
    assert sim.esims[2].profiles[2].exists
    await hass.async_block_till_done()
    assert states(events) == ["submitted", "pending", "succeeded"]
    assert {event.data["port"] for event in events} == {"2B"}
    assert events[0].data["device_id"] == port_device_id(hass, init_integration, 2)
    assert CODE not in str([event.data for event in events])


async def test_write_failure_names_the_device_s_reason(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.esim_fail = True
    events = async_capture_events(hass, EVENT_ESIM_PROGRESS)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "write_esim", port="3B", activation_code=CODE)
    assert raised.value.translation_key == "esim_failed"
    assert raised.value.translation_placeholders["reason"] == "profile download failed"
    assert "profile download failed" in str(raised.value)
    await hass.async_block_till_done()
    assert states(events) == ["submitted", "pending", "failed"]
    assert events[-1].data["reason"] == "profile download failed"


async def test_delete(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    response = await call(hass, "delete_esim", port="1A")
    assert sim.requests_to("/goip_delete_esims.html")[0].json() == [{"port": 1, "slot": 1}]
    assert response["state"] == "succeeded"
    assert response["esim"]["profiles"][0]["enabled"] is False
    assert not sim.esims[1].profiles[1].exists


async def test_timeout_leaves_the_job_to_events(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.esim_delay = 0.8
    events = async_capture_events(hass, EVENT_ESIM_PROGRESS)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "delete_esim", port="4A", timeout=1)
    assert raised.value.translation_key == "esim_timeout"
    assert "gsm_gateway_esim_progress" in str(raised.value)
    for _ in range(300):
        if events and events[-1].data["state"] == "succeeded":
            break
        await asyncio.sleep(0.01)
    assert states(events) == ["submitted", "pending", "succeeded"]


async def test_gateway_stops_answering_while_following(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(esim, "MAX_POLL_ERRORS", 2)
    sim.esim_delay = 5.0
    events = async_capture_events(hass, EVENT_ESIM_PROGRESS)
    task = hass.async_create_task(call(hass, "write_esim", port="1B", activation_code=CODE, timeout=30))
    for _ in range(300):
        if sim.requests_to("/goip_write_esims.html"):
            break
        await asyncio.sleep(0.01)
    sim.inject("500", "500")  # the submission went through; the reads that follow it fail
    with pytest.raises(HomeAssistantError) as raised:
        await task
    assert raised.value.translation_key == "esim_failed"
    assert "stopped answering" in raised.value.translation_placeholders["reason"]
    assert states(events) == ["submitted", "unknown"]


async def test_busy_port_is_the_device_s_refusal(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    writing = hass.async_create_task(call(hass, "write_esim", port="2B", activation_code=CODE))
    for _ in range(300):
        if sim.requests_to("/goip_write_esims.html"):
            break
        await asyncio.sleep(0.01)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "delete_esim", port="2A")
    assert raised.value.translation_key == "command_refused"
    assert raised.value.translation_placeholders["reason"] == "port busy"
    assert (await writing)["state"] == "succeeded"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"port": "2", "activation_code": CODE}, "slot_required"),
        ({"port": "2A", "activation_code": "   "}, "activation_code_required"),
    ],
)
async def test_bad_input(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, data: dict[str, str], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "write_esim", **data)
    assert raised.value.translation_key == key
    assert sim.requests_to("/goip_write_esims.html") == []


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_other_vendors(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "write_esim", port="1A", activation_code=CODE)
    assert raised.value.translation_key == "action_unsupported"


async def test_following_ends_after_the_limit(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(esim, "ESIM_JOB_LIMIT", 0.3)
    sim.esim_delay = 5.0
    events = async_capture_events(hass, EVENT_ESIM_PROGRESS)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "write_esim", port="3B", activation_code=CODE, timeout=5)
    assert raised.value.translation_key == "esim_failed"
    assert states(events) == ["submitted", "pending", "timed_out"]
