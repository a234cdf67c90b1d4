"""Polling: unavailable and back (one log line each), no state writes for unchanged data, pushes apply at once."""

from __future__ import annotations

from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.gsm_gateway.const import LOGGER
from simulator.ejoin import EjoinSimulator

from .conftest import WEBHOOK_ID

STATUS = "sensor.ejoin_gateway_port_1_status"


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int = 31) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_unavailable_then_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: EjoinSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = URL(sim.url).port
    caplog.set_level(logging.INFO, logger="custom_components.gsm_gateway")
    await sim.stop()
    await poll(hass, freezer)
    assert hass.states.get(STATUS).state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.ejoin_gateway_port_1_sms_sent").state == STATE_UNAVAILABLE
    await poll(hass, freezer, seconds=301)  # statistics are due too: still one line
    went = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name == LOGGER.name]
    assert went == [
        (
            "Error fetching ejoin gateway status data: Cannot talk to ejoin gateway: "
            "goip_get_status.html: cannot talk to 127.0.0.1 (ClientConnectorError)"
        )
    ]

    await sim.start(port=port)
    caplog.clear()
    await poll(hass, freezer)
    assert hass.states.get(STATUS).state == "registered"
    assert hass.states.get("sensor.ejoin_gateway_port_1_sms_sent").state == "0"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name == LOGGER.name] == [
        "Fetching ejoin gateway status data recovered"
    ]


async def test_unchanged_poll_writes_no_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, freezer: FrozenDateTimeFactory
) -> None:
    await poll(hass, freezer)  # settle anything the first minutes change
    changes: list[str] = []
    hass.bus.async_listen(EVENT_STATE_CHANGED, lambda event: changes.append(event.data["entity_id"]))
    requests_before = len(sim.requests_to("/goip_get_status.html"))

    await poll(hass, freezer)
    assert len(sim.requests_to("/goip_get_status.html")) == requests_before + 1
    assert changes == []

    sim.set_sim_status(2, None, 6)
    await poll(hass, freezer)
    assert hass.states.get("sensor.ejoin_gateway_port_2_status").state == "registration_failed"
    assert "sensor.ejoin_gateway_port_2_status" in changes
    others = [e for e in changes if not e.startswith("sensor.ejoin_gateway_port_2_")]
    assert others == ["sensor.ejoin_gateway_ports_registered"]


async def test_pushed_status_applies_without_polling(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    client = await hass_client_no_auth()
    body = {"type": "port-status", "port": "3A", "seq": 9, "st": 12, "bal": "1.00", "opr": "26201 Telekom.de"}
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=json.dumps(body))
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get("sensor.ejoin_gateway_port_3_status").state == "user_locked"
    assert hass.states.get("switch.ejoin_gateway_port_3_sim_lock").state == "on"


async def test_a_changed_value_writes_only_its_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, freezer: FrozenDateTimeFactory
) -> None:
    await poll(hass, freezer)
    writes: list[str] = []
    hass.bus.async_listen(EVENT_STATE_CHANGED, lambda event: writes.append(event.data["entity_id"]))
    hass.bus.async_listen(  # a write of an unchanged state is reported too; Home Assistant wants a filter for it
        EVENT_STATE_REPORTED,
        lambda event: writes.append(event.data["entity_id"]),
        event_filter=callback(lambda _data: True),
    )
    sim.ports[0].signal = 5 if sim.ports[0].signal != 5 else 6
    await poll(hass, freezer)
    assert writes == ["sensor.ejoin_gateway_port_1_signal"]


async def test_unreadable_statistics_answer_is_one_log_line(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    statistics = init_integration.runtime_data.statistics
    assert statistics is not None
    sim.inject("500")
    await statistics.async_refresh()
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == LOGGER.name]
    assert [r.getMessage() for r in lines] == [
        (
            "Error fetching ejoin gateway statistics data: ejoin gateway gave an answer that cannot be read: "
            "goip_get_sms_stat.html: HTTP 500"
        )
    ]
    assert lines[0].exc_info is None  # no traceback
    assert hass.states.get("sensor.ejoin_gateway_port_1_sms_sent").state == STATE_UNAVAILABLE

    await statistics.async_refresh()
    assert hass.states.get("sensor.ejoin_gateway_port_1_sms_sent").state == "0"


async def test_statistics_follow_message_activity_within_seconds(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """A received SMS shows in the port's "SMS received" counter seconds later, not at the next 5-minute poll."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)  # timers start on the frozen clock
    # The first catch-up (a background task) marks what is on the gateway as already there: let it finish first, or
    # it may take the SMS below for an old one that must not fire.
    await hass.async_block_till_done(wait_background_tasks=True)
    counter = "sensor.ejoin_gateway_port_2_sms_received"
    before = int(hass.states.get(counter).state)
    sim.deliver_sms(2, None, "+491711234567", "count me")
    freezer.tick(timedelta(minutes=2, seconds=1))  # the inbox catch-up fetches the message and fires its event
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert int(hass.states.get(counter).state) == before + 1
