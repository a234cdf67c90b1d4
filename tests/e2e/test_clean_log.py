"""A clean log: a gateway of each vendor, the UI's texts loaded, polls and diagnostics, and no warning about us.

Issue 14, done when: "a Home Assistant log with the UI opened and every action description loaded has no warning or
error from this integration". A user reads any such line as a broken integration.
"""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import CONF_WEBHOOK_ID, DOMAIN, EVENT_SMS_RECEIVED
from tests.conftest import SimulatorFactory

from .conftest import entry_data, unique_id_of

VENDORS = ("ejoin", "dinstar", "synway")
CATEGORIES = ("config", "options", "entity", "exceptions", "issues", "services", "selector")
# Home Assistant's own notice for every custom integration, whatever it does: not a line about this one's behaviour.
NOT_TESTED_BY_HOME_ASSISTANT = "which has not been tested by Home Assistant"


def slow_step_in_debug_mode(record: logging.LogRecord) -> bool:
    """asyncio's "Executing <Task ...> took 0.1 seconds": the test harness runs the loop in debug mode, which Home
    Assistant does not, and on a loaded machine any step of a set-up can pass 0.1 s. Speed is measured by
    `scripts/bench`, not here."""
    return record.name == "asyncio" and record.getMessage().startswith("Executing <")


def about_us(record: logging.LogRecord) -> bool:
    """A warning or error of this integration, or one that names it."""
    return record.levelno >= logging.WARNING and (
        record.name.startswith("custom_components.gsm_gateway") or "gsm_gateway" in record.getMessage()
    )


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_day_with_every_vendor_logs_nothing_about_us(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    received = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entries: list[MockConfigEntry] = []
    for number, vendor in enumerate(VENDORS):
        sim = await simulator_factory(vendor, ports=4, slots=2)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"{vendor} gateway",
            data={**entry_data(sim, vendor), CONF_WEBHOOK_ID: f"{number}" * 64},
            unique_id=await unique_id_of(hass, sim),
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await settle(hass)
        assert entry.state is ConfigEntryState.LOADED, vendor
        await sim.control("deliver_sms", {"port": 1, "sender": "+491711234567", "text": f"hello from {vendor}"})
        entries.append(entry)

    # The UI: every action's description, and the texts of every screen.
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert "send_sms" in descriptions
    for category in CATEGORIES:
        strings = await async_get_translations(hass, "en", category, [DOMAIN])
        assert any(key.startswith(f"component.{DOMAIN}.") for key in strings), category

    # A day of polls: status, statistics, the inbox catch-up and send results.
    now = dt_util.utcnow()
    for minutes in (1, 2, 5, 10, 30, 60, 24 * 60):
        async_fire_time_changed(hass, now + timedelta(minutes=minutes))
        await settle(hass)

    assert sorted(event.data["text"] for event in received) == sorted(f"hello from {vendor}" for vendor in VENDORS)

    # What a user opens: the diagnostics and the options of each gateway.
    for entry in entries:
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
        assert diagnostics["device"]["vendor"] == entry.data["vendor"]
        result = await hass.config_entries.options.async_init(entry.entry_id)
        assert result["type"] is FlowResultType.FORM
        hass.config_entries.options.async_abort(result["flow_id"])
        assert entry.state is ConfigEntryState.LOADED

    lines = [
        f"{record.levelname} {record.name}: {record.getMessage()}"
        for record in caplog.records
        if about_us(record)
        and NOT_TESTED_BY_HOME_ASSISTANT not in record.getMessage()
        and not slow_step_in_debug_mode(record)
    ]
    assert lines == []
