"""The send queue end to end: the gateway's "SMS waiting" sensor and `cancel_sms`, against the simulators' queues.

The simulators hold their queue on request (`/_sim/hold_sends`), so the SMS of a send stay counted until released.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from yarl import URL

from custom_components.gsm_gateway import coordinator
from custom_components.gsm_gateway.const import DOMAIN
from simulator.base import GatewaySimulator
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator

from .conftest import update_entity, update_entity_again
from .test_services_common import call

RECIPIENTS = ["+491701111111", "+491702222222", "+491703333333"]


@pytest.fixture(autouse=True)
def quick_queue_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue is read 50 ms after a send or cancel instead of 2 s (the delay is real time: a debouncer's)."""
    monkeypatch.setattr(coordinator, "QUEUE_REFRESH_DELAY", 0.05)


def waiting(hass: HomeAssistant, vendor: str) -> str:
    state = hass.states.get(f"sensor.{vendor}_gateway_sms_in_send_queue")
    assert state is not None
    return state.state


async def until(hass: HomeAssistant, condition: Callable[[], bool], what: str) -> None:
    for _ in range(250):
        if condition():
            return
        await asyncio.sleep(0.02)
        await hass.async_block_till_done()
    raise AssertionError(what)


async def hold(sim: GatewaySimulator, *, held: bool = True) -> None:
    await sim.control("hold_sends", {"hold": held})


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar"])
async def test_the_sensor_follows_sends_and_cancels(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator, vendor: str
) -> None:
    assert waiting(hass, vendor) == "0"
    await hold(sim)
    sent = await call(hass, "send_sms", recipients=RECIPIENTS, message="wait", port="2")
    await until(hass, lambda: waiting(hass, vendor) == "3", "the sensor did not count the send")

    response = await call(hass, "cancel_sms", task_ids=[sent["task_ids"][0]])
    [result] = response["results"]
    assert (result["task_id"], result["status"]) == (sent["task_ids"][0], "cancelled")
    # EJOIN: a task per recipient; Dinstar: one task for the whole send.
    left = "2" if vendor == "ejoin" else "0"
    await until(hass, lambda: waiting(hass, vendor) == left, "the sensor did not follow the cancel")


async def test_deleting_tasks_is_followed_too(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    await hold(sim)
    sent = await call(hass, "send_sms", recipients=RECIPIENTS, message="wait", port="2")
    await until(hass, lambda: waiting(hass, "ejoin") == "3", "the sensor did not count the send")
    await call(hass, "delete_sms_tasks", task_ids=sent["task_ids"][1:])
    await until(hass, lambda: waiting(hass, "ejoin") == "1", "the sensor did not follow the deletion")


async def test_cancel_answers_per_task(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    await hold(sim)
    sent = await call(hass, "send_sms", recipients=RECIPIENTS[:1], message="wait", port="1")
    [task_id] = sent["task_ids"]
    response = await call(hass, "cancel_sms", task_ids=[task_id, f" {task_id} ", "424242"])
    assert response == {
        "results": [
            {"task_id": task_id, "status": "cancelled", "code": 0, "text": "OK"},
            {"task_id": "424242", "status": "not_found", "code": None, "text": "task not found"},
        ]
    }
    assert [request.json() for request in sim.requests_to("/goip_remove_sms.html")] == [
        {"tids": [int(task_id), 424242]}
    ]
    again = await call(hass, "cancel_sms", task_ids=[task_id])  # none of them queued: the device says 404
    assert again["results"][0]["status"] == "not_found"
    await hold(sim, held=False)
    await asyncio.sleep(0.5)
    assert sim.sent_log == []


@pytest.mark.parametrize("task_ids", [[], ["12a"], ["12345678901"], "x"])
async def test_cancel_takes_task_ids_only(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, task_ids: object
) -> None:
    with pytest.raises(Exception, match="task_ids"):
        await call(hass, "cancel_sms", task_ids=task_ids)
    assert sim.requests_to("/goip_remove_sms.html") == []


@pytest.mark.parametrize("vendor", ["synway"])
async def test_synway_has_no_queue(hass: HomeAssistant, init_integration: MockConfigEntry, vendor: str) -> None:
    assert not [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), init_integration.entry_id)
        if entry.unique_id.endswith("_sms_waiting")
    ]
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "cancel_sms", task_ids=["1"])
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_placeholders["action"] == "cancel_sms"


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_firmware_without_a_queue_query_has_no_sensor(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: DinstarSimulator
) -> None:
    sim.variants.add("no-queue")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.dinstar_gateway_sms_in_send_queue") is None
    await call(hass, "send_sms", recipients=RECIPIENTS[:1], message="x", port="1")  # no queue read follows
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert not [request for request in sim.requests if "queue" in request.path or "sms_count" in request.path][3:]


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_a_queue_query_that_goes_away_leaves_the_sensor_unknown(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator
) -> None:
    sensor = "sensor.dinstar_gateway_sms_in_send_queue"
    sim.variants.add("no-queue")
    await update_entity(hass, sensor)
    assert hass.states.get(sensor).state == STATE_UNKNOWN
    asked = len(sim.requests)
    await call(hass, "send_sms", recipients=RECIPIENTS[:1], message="x", port="1")
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert not [request for request in sim.requests[asked:] if request.path == "/api/query_sms_in_queue"]


async def test_the_count_stays_while_the_gateway_is_away(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, freezer: FrozenDateTimeFactory
) -> None:
    assert await hass.config_entries.async_setup(config_entry.entry_id)  # timers start on the frozen clock
    await hass.async_block_till_done()
    sensor = "sensor.ejoin_gateway_sms_in_send_queue"
    await hold(sim)
    await call(hass, "send_sms", recipients=RECIPIENTS[:2], message="wait", port="1")
    await update_entity(hass, sensor)  # the clock is frozen: no waiting for the read after the send
    assert hass.states.get(sensor).state == "2"

    # The queue read cannot connect while the status poll still could: the count stays, the status poll decides.
    sim.faults.reset_paths = ("/goip_get_tasks.html",)
    asked = len(sim.requests_to("/goip_get_status.html"))
    await update_entity_again(hass, sensor)
    assert hass.states.get(sensor).state == "2"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(sim.requests_to("/goip_get_status.html")) > asked
    sim.faults.reset_paths = ()

    port = URL(sim.url).port
    await sim.stop()
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(sensor).state == STATE_UNAVAILABLE
    await update_entity_again(hass, sensor)  # while the status poll fails, the queue is not read
    assert hass.states.get(sensor).state == STATE_UNAVAILABLE

    await sim.start(port=port)
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(sensor).state in {"2", "0"}  # the restarted simulator may have dropped its queue


async def test_no_queue_read_once_home_assistant_is_stopping(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    await hold(sim)
    await call(hass, "send_sms", recipients=RECIPIENTS[:1], message="wait", port="1")  # a read is due in 50 ms
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    asked = len(sim.requests_to("/goip_get_tasks.html"))
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert len(sim.requests_to("/goip_get_tasks.html")) == asked
    assert waiting(hass, "ejoin") == "0"
