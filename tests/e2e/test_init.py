"""Setting up, unloading and removing a gateway; setup errors; ports that come and go."""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.gsm_gateway import async_remove_config_entry_device
from custom_components.gsm_gateway.const import CONF_WEBHOOK_ID, DOMAIN
from simulator import GatewaySimulator
from simulator.ejoin import EjoinSimulator
from simulator.ejoin.state import make_ports

from .conftest import WEBHOOK_ID, update_entity, update_entity_again


async def test_load_and_unload(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.ejoin_gateway_port_1_status").state == "registered"
    assert hass.states.get("sensor.ejoin_gateway_ports_registered").state == "4"

    registry = dr.async_get(hass)
    gateway = registry.async_get_device_by_identifier((DOMAIN, str(entry.unique_id)), entry.entry_id)
    assert gateway is not None
    assert gateway.manufacturer == "Skyline/EJOIN"
    assert gateway.sw_version == sim.firmware
    assert gateway.connections == {(dr.CONNECTION_NETWORK_MAC, sim.mac.replace("-", ":"))}
    assert gateway.configuration_url == sim.url
    ports = dr.async_entries_for_parent_device(registry, gateway.id)
    assert sorted(port.name for port in ports) == ["Port 1", "Port 2", "Port 3", "Port 4"]
    assert WEBHOOK_ID in hass.data[webhook.DOMAIN]

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert WEBHOOK_ID not in hass.data[webhook.DOMAIN]
    assert hass.states.get("sensor.ejoin_gateway_port_1_status").state == "unavailable"


async def test_setup_retries_while_unreachable(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: GatewaySimulator
) -> None:
    await sim.stop()
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert config_entry.error_reason_translation_key == "communication_error"


async def test_setup_auth_failure_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: GatewaySimulator
) -> None:
    sim.faults.wrong_credentials = True
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == config_entry.entry_id


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
async def test_reauth_started_by_a_poll_names_the_gateway(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: GatewaySimulator, vendor: str
) -> None:
    """The password changed on the gateway after setup: a poll starts reauthentication, whose form names the entry."""
    entry = init_integration
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    sim.faults.wrong_credentials = True
    await update_entity(hass, f"sensor.{vendor}_gateway_port_1_status")

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [(flow["context"]["source"], flow["context"]["entry_id"]) for flow in flows] == [
        (SOURCE_REAUTH, entry.entry_id)
    ]
    assert flows[0]["context"]["title_placeholders"] == {"name": entry.title}  # the flow's title in the UI
    # What the frontend shows when the user opens the flow (it reads the flow's current step).
    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["title"] == entry.title == f"{vendor} gateway"

    strings = await async_get_translations(hass, "en", "config", [DOMAIN])
    prefix = f"component.{DOMAIN}.config"
    shown = [
        strings[f"{prefix}.flow_title"].format(**flows[0]["context"]["title_placeholders"]),
        strings[f"{prefix}.step.reauth_confirm.title"].format(**placeholders),
        strings[f"{prefix}.step.reauth_confirm.description"].format(**placeholders),
    ]
    assert shown[1] == f"Log in to {vendor} gateway again"
    assert not [text for text in shown if "{" in text or "}" in text]


async def test_setup_refuses_another_device(hass: HomeAssistant, sim: GatewaySimulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="00:11:22:33:44:55",
        data={
            "host": "127.0.0.1",
            "port": URL(sim.url).port,
            "username": sim.username,
            "password": sim.password,
            "vendor": "ejoin",
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == "wrong_device"


async def test_ports_appear_and_go(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    entry = init_integration
    registry = dr.async_get(hass)
    gateway = registry.async_get_device_by_identifier((DOMAIN, str(entry.unique_id)), entry.entry_id)
    assert gateway is not None

    (new_port,) = make_ports(sim.rng, 1, sim.slot_count)
    new_port.port = 5
    sim.ports.append(new_port)
    await update_entity(hass, "sensor.ejoin_gateway_ports_registered")
    assert hass.states.get("sensor.ejoin_gateway_port_5_status").state == "registered"
    assert len(dr.async_entries_for_parent_device(registry, gateway.id)) == 5

    sim.ports.pop()
    await update_entity_again(hass, "sensor.ejoin_gateway_ports_registered")
    assert len(dr.async_entries_for_parent_device(registry, gateway.id)) == 4
    assert hass.states.get("sensor.ejoin_gateway_port_5_status") is None


async def test_the_gateway_device_follows_a_firmware_update(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    registry = dr.async_get(hass)
    sim.firmware = "532-604-924-041-100-999"
    await update_entity(hass, "sensor.ejoin_gateway_ports_registered")
    gateway = registry.async_get_device_by_identifier(
        (DOMAIN, str(init_integration.unique_id)), init_integration.entry_id
    )
    assert gateway is not None
    assert gateway.sw_version == "532-604-924-041-100-999"


async def test_user_may_remove_only_ports_the_gateway_lost(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = init_integration
    registry = dr.async_get(hass)
    gateway = registry.async_get_device_by_identifier((DOMAIN, str(entry.unique_id)), entry.entry_id)
    assert gateway is not None
    present = registry.async_get_child_device_by_identifier((DOMAIN, f"{entry.unique_id}_port_1"), entry.entry_id)
    gone = registry.async_get_or_create_child(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{entry.unique_id}_port_3x")},
        parent_device_id=gateway.id,
    )
    lost = registry.async_get_or_create_child(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{entry.unique_id}_port_9")},
        parent_device_id=gateway.id,
    )
    assert present is not None
    assert not await async_remove_config_entry_device(hass, entry, present)
    assert not await async_remove_config_entry_device(hass, entry, gateway)
    assert not await async_remove_config_entry_device(hass, entry, gone)
    assert await async_remove_config_entry_device(hass, entry, lost)
