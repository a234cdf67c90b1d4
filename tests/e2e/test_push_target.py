"""Pointing the gateway at Home Assistant: take-over, the repairs, and restoring the target on removal."""

from __future__ import annotations

import logging

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, UnknownHandler
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import CONF_MANAGE_PUSH_TARGET, DOMAIN, LOGGER
from custom_components.gsm_gateway.push_target import CHECK_INTERVAL
from simulator.ejoin import EjoinSimulator

from .conftest import WEBHOOK_ID

OLD_TARGET = "http://192.0.2.10:8000/sms-collector"


@pytest.fixture
async def managed(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, hass_client_no_auth: ClientSessionGenerator
) -> MockConfigEntry:
    """The gateway had another push target; the user let HA take it over."""
    sim.sms_url = sim.status_url = OLD_TARGET
    assert await async_setup_component(hass, "repairs", {})
    hass.config_entries.async_update_entry(config_entry, options={CONF_MANAGE_PUSH_TARGET: True})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    client = await hass_client_no_auth()
    hass.config.internal_url = str(client.make_url("/")).rstrip("/")
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return config_entry


def our_url(hass: HomeAssistant) -> str:
    return f"{hass.config.internal_url}/api/webhook/{WEBHOOK_ID}"


async def test_take_over_and_restore_on_removal(
    hass: HomeAssistant, managed: MockConfigEntry, sim: EjoinSimulator
) -> None:
    assert sim.sms_url == our_url(hass)
    assert sim.status_url == our_url(hass)
    assert sim.status_period >= 60

    assert await hass.config_entries.async_remove(managed.entry_id)
    await hass.async_block_till_done()
    assert sim.sms_url == OLD_TARGET  # given back as it was read
    assert sim.status_period == 0  # ours stopped: the API cannot read what the status target was before


async def setup_managed(hass: HomeAssistant, entry: MockConfigEntry, client_factory: ClientSessionGenerator) -> None:
    assert await async_setup_component(hass, "repairs", {})
    hass.config_entries.async_update_entry(entry, options={CONF_MANAGE_PUSH_TARGET: True})
    assert await hass.config_entries.async_setup(entry.entry_id)
    client = await client_factory()
    hass.config.internal_url = str(client.make_url("/")).rstrip("/")
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_firmware_that_does_not_say_its_target_is_taken_over_anyway(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`op=get` refused with code 15: the gateway still pushes to Home Assistant, and the log says what is lost."""
    sim.sms_url = sim.status_url = OLD_TARGET
    sim.variants.add("no_get")
    await setup_managed(hass, config_entry, hass_client_no_auth)
    assert sim.sms_url == our_url(hass)
    assert sim.status_url == our_url(hass)
    assert "cannot give the previous one back" in caplog.text
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"push_target_failed_{config_entry.entry_id}")

    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert (sim.sms_url, sim.status_period) == (None, 0)  # ours cleared
    assert "the previous one was never known" in caplog.text


async def test_a_target_that_cannot_be_set_raises_a_repair_that_fixes_it(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, hass_client_no_auth: ClientSessionGenerator
) -> None:
    issue_id = f"push_target_failed_{config_entry.entry_id}"
    sim.faults.reset_paths = ("/goip_send_cmd.html",)  # the gateway cannot be configured right now
    await setup_managed(hass, config_entry, hass_client_no_auth)
    assert sim.sms_url is None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable

    sim.faults.reset_paths = ()
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, context={"issue_id": issue_id})
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sim.sms_url == our_url(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_failed_take_over_is_tried_again(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, hass_client_no_auth: ClientSessionGenerator
) -> None:
    sim.faults.reset_paths = ("/goip_send_cmd.html",)
    await setup_managed(hass, config_entry, hass_client_no_auth)
    sim.faults.reset_paths = ()
    async_fire_time_changed(hass, dt_util.utcnow() + CHECK_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sim.sms_url == our_url(hass)
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"push_target_failed_{config_entry.entry_id}")


async def test_changed_target_raises_a_repair_that_fixes_it(
    hass: HomeAssistant, managed: MockConfigEntry, sim: EjoinSimulator
) -> None:
    issue_id = f"push_target_changed_{managed.entry_id}"
    sim.sms_url = "http://203.0.113.5/other-server?token=secret123"
    async_fire_time_changed(hass, dt_util.utcnow() + CHECK_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)

    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert "secret123" not in str(issue.translation_placeholders)

    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, context={"issue_id": issue_id})
    assert result["type"] is FlowResultType.FORM
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sim.sms_url == our_url(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_no_reachable_url_raises_a_repair(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await async_setup_component(hass, "webhook", {})  # sets up http, which records its address
    monkeypatch.setattr(hass.config, "api", None)  # no address known, and no internal URL configured
    hass.config_entries.async_update_entry(config_entry, options={CONF_MANAGE_PUSH_TARGET: True})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"no_push_url_{config_entry.entry_id}")
    assert issue is not None
    assert not issue.is_fixable
    assert sim.sms_url is None  # nothing was changed on the device


async def test_not_managed_leaves_the_device_alone(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    assert sim.sms_url is None
    assert not [req for req in sim.requests_to("/goip_get_status.html") if "url" in req.query or "period" in req.query]


async def test_repair_reports_a_failed_take_over(
    hass: HomeAssistant, managed: MockConfigEntry, sim: EjoinSimulator
) -> None:
    issue_id = f"push_target_changed_{managed.entry_id}"
    sim.sms_url = "http://203.0.113.5/other"
    async_fire_time_changed(hass, dt_util.utcnow() + CHECK_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, context={"issue_id": issue_id})
    sim.inject("500", "500")
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "take_over_failed"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_unload(managed.entry_id)
    with pytest.raises(UnknownHandler):
        await manager.async_init(DOMAIN, context={"issue_id": issue_id})


async def test_taking_over_is_logged_once(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reload (adding a recipient reloads too) that finds the gateway pointing here says nothing new."""
    await setup_managed(hass, config_entry, hass_client_no_auth)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        assert await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    said = [
        record
        for record in caplog.records
        if record.levelno == logging.INFO and record.getMessage().endswith("now pushes to Home Assistant")
    ]
    assert said == []
    assert sim.sms_url == our_url(hass)


def _said(caplog: pytest.LogCaptureFixture, level: int, ending: str) -> int:
    return sum(1 for record in caplog.records if record.levelno == level and record.getMessage().endswith(ending))


@pytest.mark.parametrize("refuses_get", [False, True], ids=["reads_its_target", "does_not_say"])
async def test_the_first_start_says_it_takes_over_once(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    refuses_get: bool,
) -> None:
    """One INFO line for the take-over (and, on firmware that does not say its target, one warning), then silence."""
    sim.sms_url = sim.status_url = OLD_TARGET
    if refuses_get:
        sim.variants.add("no_get")
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()  # Home Assistant's URL is known before the gateway is set up
    hass.config.internal_url = str(client.make_url("/")).rstrip("/")
    hass.config_entries.async_update_entry(config_entry, options={CONF_MANAGE_PUSH_TARGET: True})
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        for _ in range(2):  # restarts of the entry find everything as it was
            assert await hass.config_entries.async_reload(config_entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
    assert sim.sms_url == our_url(hass)
    assert _said(caplog, logging.INFO, "now pushes to Home Assistant") == 1
    warned = _said(caplog, logging.WARNING, "cannot give the previous one back when the gateway is removed")
    assert warned == (1 if refuses_get else 0)
