"""The config flow: detection, errors that recover, confirmation, reauth, reconfigure, options, recipients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from yarl import URL

from custom_components.gsm_gateway.const import (
    CONF_ADVANCED,
    CONF_ALLOW_ANY_SOURCE,
    CONF_DEFAULT_ENCODING,
    CONF_DEFAULT_PORT,
    CONF_DELETE_AFTER_DELIVERY,
    CONF_DELIVERY_REPORTS,
    CONF_MANAGE_PUSH_TARGET,
    CONF_RECEIVE_MODE,
    CONF_RECIPIENT_NUMBER,
    CONF_RECIPIENT_PORT,
    CONF_STATISTICS_INTERVAL,
    CONF_STATUS_INTERVAL,
    CONF_USE_HTTPS,
    CONF_VENDOR,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SUBENTRY_RECIPIENT,
)
from simulator import GatewaySimulator
from simulator.ejoin import EjoinSimulator
from tests.conftest import SimulatorFactory

from .conftest import unique_id_of


def connection_input(sim: GatewaySimulator, **overrides: Any) -> dict[str, Any]:
    url = URL(sim.url)
    data: dict[str, Any] = {CONF_HOST: url.host, CONF_PORT: url.port, CONF_USE_HTTPS: False, CONF_VERIFY_SSL: True}
    return data | overrides


def user_input(sim: GatewaySimulator, **overrides: Any) -> dict[str, Any]:
    return connection_input(sim) | {CONF_USERNAME: sim.username, CONF_PASSWORD: sim.password} | overrides


async def start_flow(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return dict(result)


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
async def test_user_flow_detects_each_vendor(hass: HomeAssistant, sim: GatewaySimulator, vendor: str) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["type"] is FlowResultType.FORM
    # How pushes reach Home Assistant, per vendor: set by HA, typed in by the user, or none (polling).
    assert result["step_id"] == {"ejoin": "confirm", "dinstar": "confirm_manual", "synway": "confirm_poll"}[vendor]
    assert result["description_placeholders"]["ports"] == "4"
    push_url = result["description_placeholders"]["push_url"]

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == await unique_id_of(hass, sim)
    assert entry.data[CONF_VENDOR] == vendor
    assert len(entry.data[CONF_WEBHOOK_ID]) == 64
    assert entry.data[CONF_PASSWORD] == sim.password
    assert entry.state is ConfigEntryState.LOADED
    # The URL to type into the gateway's web interface, where the user must type it.
    assert push_url.endswith(f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}") if vendor == "dinstar" else not push_url


async def test_confirm_when_the_current_target_cannot_be_read_now(hass: HomeAssistant, sim: EjoinSimulator) -> None:
    """A connection problem while reading the current target is not a refusal: the usual confirm step."""
    sim.faults.reset_paths = ("/goip_send_cmd.html",)
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["step_id"] == "confirm"


async def test_confirm_says_when_the_previous_target_cannot_be_given_back(
    hass: HomeAssistant, sim: EjoinSimulator
) -> None:
    """Firmware that refuses `op=get`: the confirm step says its current push target cannot be restored."""
    sim.variants.add("no_get")
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["step_id"] == "confirm_unrestorable"
    assert CONF_MANAGE_PUSH_TARGET in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MANAGE_PUSH_TARGET: True})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_confirm_offers_push_takeover_for_ejoin(hass: HomeAssistant, sim: GatewaySimulator) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert CONF_MANAGE_PUSH_TARGET in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MANAGE_PUSH_TARGET: False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options == {CONF_MANAGE_PUSH_TARGET: False}


async def test_vendor_override(hass: HomeAssistant, sim: GatewaySimulator) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_ADVANCED: {CONF_VENDOR: "ejoin"}})
    )
    assert result["step_id"] == "confirm"
    # The override skips detection: only the chosen dialect's endpoints were asked.
    assert not [req for req in sim.requests if req.path.startswith(("/api/", "/API/"))]


@pytest.fixture
async def not_a_gateway(socket_enabled: None) -> AsyncIterator[str]:
    """A web server that is not a gateway (a router's login page)."""

    async def not_found(_request: web.Request) -> web.Response:
        return web.Response(status=404, text="Not Found")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", not_found)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    (_host, port), *_ = runner.addresses
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_not_a_gateway_then_recover(hass: HomeAssistant, sim: GatewaySimulator, not_a_gateway: str) -> None:
    result = await start_flow(hass)
    wrong = URL(not_a_gateway)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_HOST: wrong.host, CONF_PORT: wrong.port})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "not_a_gateway"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["step_id"] == "confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("break_it", "overrides", "errors"),
    [
        (None, {CONF_PORT: 1}, {CONF_HOST: "cannot_connect"}),
        (lambda sim: setattr(sim.faults, "wrong_credentials", True), {}, {CONF_PASSWORD: "invalid_auth"}),
        (lambda sim: sim.inject("bad_json"), {CONF_ADVANCED: {CONF_VENDOR: "ejoin"}}, {"base": "unknown"}),
    ],
    ids=["cannot_connect", "invalid_auth", "unknown"],
)
async def test_errors_recover(
    hass: HomeAssistant, sim: GatewaySimulator, break_it: Any, overrides: dict[str, Any], errors: dict[str, str]
) -> None:
    result = await start_flow(hass)
    if break_it is not None:
        break_it(sim)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim, **overrides))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    sim.clear_faults()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["step_id"] == "confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_already_configured_updates_host(hass: HomeAssistant, sim: GatewaySimulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=await unique_id_of(hass, sim),
        data={**user_input(sim), CONF_HOST: "localhost", CONF_VENDOR: "ejoin", CONF_WEBHOOK_ID: "b" * 64},
    )
    entry.add_to_hass(hass)
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "address_updated"
    assert entry.data[CONF_HOST] == "127.0.0.1"


async def test_adding_the_same_gateway_again_changes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator
) -> None:
    data = dict(init_integration.data)
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert dict(init_integration.data) == data


async def test_reauth(hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator) -> None:
    entry = init_integration
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    sim.faults.wrong_credentials = True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "root", CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
    sim.faults.wrong_credentials = False
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: sim.username, CONF_PASSWORD: sim.password}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_reauth_other_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator_factory: SimulatorFactory
) -> None:
    other = await simulator_factory("ejoin", ports=4, slots=2, seed=99)
    entry = init_integration
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PORT: URL(other.url).port})
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: other.username, CONF_PASSWORD: other.password}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


async def test_reconfigure(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator, simulator_factory: SimulatorFactory
) -> None:
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    other = await simulator_factory("ejoin", ports=4, slots=2, seed=99)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], connection_input(sim, **{CONF_PORT: 1}))
    assert result["errors"] == {CONF_HOST: "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], connection_input(other))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"

    # The gateway moved to another port.
    await sim.stop()
    await sim.start()
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], connection_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == URL(sim.url).port
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


def status_reads(sim: GatewaySimulator, vendor: str) -> int:
    """How often the gateway was asked for the status of its ports."""
    if vendor == "synway":  # one path for every query: the status read is the one asking for connection states
        return sum(request.json()["event"] == "getportconnectstate" for request in sim.requests_to("/API/QueryInfo"))
    return len(sim.requests_to({"ejoin": "/goip_get_status.html", "dinstar": "/api/get_port_info"}[vendor]))


@pytest.mark.parametrize(
    ("vendor", "vendor_options"),
    [
        ("ejoin", {CONF_MANAGE_PUSH_TARGET: False, CONF_DELETE_AFTER_DELIVERY: True}),
        ("dinstar", {}),
        ("synway", {CONF_DELETE_AFTER_DELIVERY: False}),
    ],
)
async def test_options_flow_reloads(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: GatewaySimulator,
    vendor: str,
    vendor_options: dict[str, Any],
) -> None:
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == {"ejoin": "init", "dinstar": "init_manual", "synway": "init_poll"}[vendor]
    offered = {str(key) for key in result["data_schema"].schema}
    assert set(vendor_options) <= offered
    assert (CONF_MANAGE_PUSH_TARGET in offered) == (CONF_MANAGE_PUSH_TARGET in vendor_options)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_STATUS_INTERVAL: 15.0,
            CONF_STATISTICS_INTERVAL: 600.0,
            CONF_DEFAULT_PORT: "2",
            CONF_DEFAULT_ENCODING: "ucs2",
            CONF_DELIVERY_REPORTS: True,
            CONF_RECEIVE_MODE: "poll",
            CONF_ALLOW_ANY_SOURCE: False,
            **vendor_options,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_STATUS_INTERVAL] == 15
    assert entry.options[CONF_DEFAULT_PORT] == "2"
    assert entry.state is ConfigEntryState.LOADED

    # Reloaded with the new options: the gateway's status is read every 15 seconds now (30 by default). Home
    # Assistant schedules a poll up to a second early, and `async_fire_time_changed` adds half a second.
    reads = status_reads(sim, vendor)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=13))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert status_reads(sim, vendor) == reads
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=16))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert status_reads(sim, vendor) == reads + 1


async def test_recipient_subentry(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    """Recipients come, change and go without reloading the gateway; their notify entity follows."""
    entry = init_integration
    connects = len(sim.requests_to("/goip_get_status.html"))
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_RECIPIENT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "not a number"}
    )
    assert result["errors"] == {CONF_RECIPIENT_NUMBER: "invalid_number"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "+49 170 123-4567", CONF_RECIPIENT_PORT: " 2A "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    subentry = next(iter(entry.subentries.values()))
    assert subentry.title == "Mum"
    assert dict(subentry.data) == {CONF_RECIPIENT_NUMBER: "+491701234567", CONF_RECIPIENT_PORT: "2A"}
    assert hass.states.get("notify.mum") is not None

    result = await entry.start_subentry_reconfigure_flow(hass, subentry.subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "x"}
    )
    assert result["errors"] == {CONF_RECIPIENT_NUMBER: "invalid_number"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mother", CONF_RECIPIENT_NUMBER: "+491700000000"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    subentry = next(iter(entry.subentries.values()))
    assert subentry.title == "Mother"
    assert dict(subentry.data) == {CONF_RECIPIENT_NUMBER: "+491700000000"}
    assert hass.states.get("notify.mum").attributes["friendly_name"] == "Mother"
    await hass.services.async_call(
        "notify", "send_message", {"entity_id": "notify.mum", "message": "hello"}, blocking=True
    )
    (request,) = sim.requests_to("/goip_post_sms.html")
    assert request.json()["tasks"][0]["to"] == "+491700000000"  # the new number, without a reload

    assert hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
    await hass.async_block_till_done()
    assert hass.states.get("notify.mum") is None
    assert entry.state is ConfigEntryState.LOADED
    # The gateway was never set up again for any of this (setup reads the status first).
    assert len(sim.requests_to("/goip_get_status.html")) == connects


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_push_instructions_without_a_reachable_url(
    hass: HomeAssistant, sim: GatewaySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await start_flow(hass)  # sets up http, which records its address
    monkeypatch.setattr(hass.config, "api", None)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["step_id"] == "confirm_no_url"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await hass.config_entries.options.async_init(result["result"].entry_id)
    assert result["step_id"] == "init_no_url"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**result["data_schema"]({}), CONF_STATUS_INTERVAL: 45}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_STATUS_INTERVAL] == 45


async def test_options_of_a_gateway_that_is_not_loaded_abort(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: GatewaySimulator
) -> None:
    await sim.stop()  # the gateway cannot be reached: the entry retries setup
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
