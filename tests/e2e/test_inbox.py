"""Exactly once: every SMS the gateway received fires one event, across dropped pushes, reloads and reboots."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import CONF_DELETE_AFTER_DELIVERY, CONF_MANAGE_PUSH_TARGET, EVENT_SMS_RECEIVED
from simulator.ejoin import EjoinSimulator

from .conftest import short_push_buffers


async def settle(hass: HomeAssistant, rounds: int = 5) -> None:
    """Let pushes travel over loopback and the events fire."""
    for _ in range(rounds):
        await asyncio.sleep(0.05)
        await hass.async_block_till_done(wait_background_tasks=True)


class Clock:
    """Fires Home Assistant's timers as if time moved on (real time keeps running for the loopback I/O)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    async def catch_up_timer(self, hass: HomeAssistant) -> None:
        self.offset += timedelta(minutes=2, seconds=1)
        async_fire_time_changed(hass, dt_util.utcnow() + self.offset)
        await settle(hass)


@pytest.fixture
async def pushing(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, hass_client_no_auth: ClientSessionGenerator
) -> MockConfigEntry:
    hass.config_entries.async_update_entry(config_entry, options={CONF_MANAGE_PUSH_TARGET: True})
    with short_push_buffers(sms_count=2, sms_period=1):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        client = await hass_client_no_auth()
        hass.config.internal_url = str(client.make_url("/")).rstrip("/")
        await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    sim.sms_cnt, sim.sms_prd = 2, 0
    return config_entry


def texts(events: list[Event]) -> list[str]:
    return [event.data["text"] for event in events]


async def test_exactly_once_across_drops_reloads_and_reboots(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator
) -> None:
    clock = Clock()
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    already_there = len(sim.inbox)

    # Pushes work: each message fires at once; the next catch-up finds them again and fires nothing.
    for n in range(3):
        sim.deliver_sms(1 + n % 4, None, "+491711234567", f"push {n}")
    await settle(hass)
    assert texts(events) == ["push 0", "push 1", "push 2"]
    await clock.catch_up_timer(hass)
    assert len(events) == 3

    # Pushes are lost on the way: the periodic catch-up delivers the messages.
    sim.faults.pushes_paused = True
    for n in range(3):
        sim.deliver_sms(2, None, "+491711234567", f"dropped {n}")
    await settle(hass)
    assert len(events) == 3
    await clock.catch_up_timer(hass)
    assert texts(events)[3:] == ["dropped 0", "dropped 1", "dropped 2"]
    sim.faults.pushes_paused = False

    # Home Assistant is down (the entry unloaded): the catch-up at start-up delivers what arrived meanwhile.
    assert await hass.config_entries.async_unload(pushing.entry_id)
    for n in range(3):
        sim.deliver_sms(3, None, "+491711234567", f"while down {n}")
    await settle(hass)
    assert await hass.config_entries.async_setup(pushing.entry_id)
    await settle(hass)
    assert texts(events)[6:] == ["while down 0", "while down 1", "while down 2"]

    # The gateway reboots: new ssrc, its stored messages numbered again from 1. Only the new ones fire.
    sim.reboot()
    sim.faults.pushes_paused = True
    for n in range(2):
        sim.deliver_sms(4, None, "+491711234567", f"after reboot {n}")
    await clock.catch_up_timer(hass)
    assert texts(events)[9:] == ["after reboot 0", "after reboot 1"]

    assert len(events) == 11 == len(sim.inbox) - already_there
    ids = [event.data["message_id"] for event in events]
    assert len(set(ids)) == 11


async def test_messages_already_on_the_gateway_do_not_fire(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.deliver_sms(1, None, "+491711234567", "old news")
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    assert events == []
    # The baseline is remembered: neither the next catch-up nor one after a reload fires the old message.
    sim.deliver_sms(2, None, "+491711234567", "new")
    await Clock().catch_up_timer(hass)
    assert texts(events) == ["new"]
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    assert texts(events) == ["new"]


async def test_delete_after_delivery(hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator) -> None:
    clock = Clock()
    hass.config_entries.async_update_entry(config_entry, options={CONF_DELETE_AFTER_DELIVERY: True})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sim.deliver_sms(1, None, "+491711234567", "delete me later")
    await clock.catch_up_timer(hass)
    assert texts(events) == ["delete me later"]
    assert "1" in [request.query.get("sms_del") for request in sim.requests_to("/goip_get_sms.html")]
    assert [entry.text for entry in sim.inbox] == []


async def test_delete_never_touches_messages_that_did_not_fire(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Messages already on the gateway when it was added never fired: a reboot that lists them again keeps them."""
    clock = Clock()
    sim.deliver_sms(1, None, "+491711234567", "there before Home Assistant")
    hass.config_entries.async_update_entry(config_entry, options={CONF_DELETE_AFTER_DELIVERY: True})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    sim.reboot()  # numbered again from 1: the next catch-up reads the old message once more
    await clock.catch_up_timer(hass)
    assert [entry.text for entry in sim.inbox] == ["there before Home Assistant"]


async def test_messages_that_did_not_fire_are_remembered_across_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """The ledger says which messages never fired: after a restart of the entry they are still never deleted."""
    clock = Clock()
    sim.deliver_sms(1, None, "+491711234567", "there before Home Assistant")
    hass.config_entries.async_update_entry(config_entry, options={CONF_DELETE_AFTER_DELIVERY: True})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    sim.reboot()
    await clock.catch_up_timer(hass)
    assert [entry.text for entry in sim.inbox] == ["there before Home Assistant"]


async def test_delete_after_delivery_of_pushed_messages(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """A message that fired from a push (which carries no device id) is deleted when the catch-up finds it."""
    clock = Clock()
    hass.config_entries.async_update_entry(pushing, options={**pushing.options, CONF_DELETE_AFTER_DELIVERY: True})
    await hass.config_entries.async_reload(pushing.entry_id)
    await settle(hass)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sim.deliver_sms(1, None, "+491711234567", "pushed, then deleted")
    await settle(hass)
    assert texts(events) == ["pushed, then deleted"]
    await clock.catch_up_timer(hass)
    assert "pushed, then deleted" not in [entry.text for entry in sim.inbox]
    assert len(events) == 1


async def test_parts_of_a_long_sms_fire_one_event(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator
) -> None:
    clock = Clock()
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    parts = ["This is a long message that ", "the gateway did not join, ", "so Home Assistant does."]
    sim.deliver_sms_parts(2, "+491711234567", parts, reference=42)
    await settle(hass)
    assert texts(events) == ["".join(parts)]
    assert events[0].data["parts"] == 3
    assert events[0].data["incomplete"] is False
    # The catch-up reads the three parts again: nothing fires twice.
    await clock.catch_up_timer(hass)
    assert len(events) == 1


async def test_missing_part_fires_what_arrived_after_the_timeout(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator
) -> None:
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sim.deliver_sms_parts(3, "+491711234567", ["first ", "lost ", "third"], reference=9, skip=frozenset({2}))
    await settle(hass)
    assert events == []
    # Waiting parts survive a reload (they are stored), then time out.
    await hass.config_entries.async_reload(pushing.entry_id)
    await settle(hass)
    assert events == []
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5, seconds=1))
    await settle(hass)
    assert texts(events) == ["first third"]
    assert events[0].data["incomplete"] is True
    assert events[0].data["parts"] == 2


async def test_waiting_parts_are_bounded(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator, hass_storage: dict[str, Any]
) -> None:
    """Parts of 130 long messages that never complete: at most 100 wait; the oldest fire incomplete, in order."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    for reference in range(130):
        sim.deliver_sms_parts(1, "+491711234567", [f"m{reference} ", "lost"], reference=reference, skip=frozenset({2}))
    await settle(hass, rounds=20)
    assert texts(events) == [f"m{reference} " for reference in range(30)]
    assert {event.data["incomplete"] for event in events} == {True}
    await hass.config_entries.async_unload(pushing.entry_id)
    stored = hass_storage[f"gsm_gateway.{pushing.entry_id}.inbox"]["data"]["pending"]
    assert len(stored) == 100


async def test_a_fired_message_is_written_at_once(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator, hass_storage: dict[str, Any]
) -> None:
    """Its id reaches storage right after its event, not a second later: a hard kill re-fires only a write in
    flight, and a crash loop never re-fires what an earlier start delivered."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sim.deliver_sms(1, None, "+491711234567", "written at once")
    await settle(hass, rounds=2)  # 0.1 s of real time, no timer moved on
    assert texts(events) == ["written at once"]
    assert events[0].data["message_id"] in hass_storage[f"gsm_gateway.{pushing.entry_id}.inbox"]["data"]["seen"]


async def test_nothing_fires_once_home_assistant_is_stopping(
    hass: HomeAssistant, pushing: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """An event after the final write would not be remembered and would fire again: the next start delivers it."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    pushed_before = len(sim.pushes)
    sim.deliver_sms(1, None, "+491711234567", "during the shutdown")
    await settle(hass)
    assert [push.delivered for push in sim.pushes[pushed_before:]] == [True]  # received, and not delivered on
    assert events == []

    # The next start (same storage) catches it up, once.
    assert await hass.config_entries.async_unload(pushing.entry_id)
    assert await hass.config_entries.async_setup(pushing.entry_id)
    await settle(hass)
    assert texts(events) == ["during the shutdown"]
