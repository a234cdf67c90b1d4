"""The device registry (the gateway and a child device per port) and every entity of each platform, per vendor."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.gsm_gateway.const import DOMAIN

VENDORS = ["ejoin", "dinstar", "synway"]
# What a vendor's fixture gateway cannot do, so its platform has no entity at all.
NO_ENTITIES = {
    ("dinstar", Platform.SELECT),
    ("synway", Platform.BUTTON),
    ("synway", Platform.SELECT),
    ("synway", Platform.SWITCH),
}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("vendor", VENDORS, indirect=True)
async def test_devices(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(mock_config_entry.unique_id)), mock_config_entry.entry_id
    )
    assert gateway is not None
    assert dr.async_entries_for_config_entry(device_registry, mock_config_entry.entry_id) == [gateway]
    assert gateway == snapshot(name="gateway")
    ports = dr.async_entries_for_parent_device(device_registry, gateway.id)
    assert ports == dr.async_child_entries_for_config_entry(device_registry, mock_config_entry.entry_id)
    for port in sorted(ports, key=lambda device: sorted(device.identifiers)):
        assert port == snapshot(name=next(identifier for _domain, identifier in port.identifiers))


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "mock_gateway")
@pytest.mark.parametrize("vendor", VENDORS, indirect=True)
@pytest.mark.parametrize(
    "platform", [Platform.BUTTON, Platform.EVENT, Platform.SELECT, Platform.SENSOR, Platform.SWITCH]
)
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    vendor: str,
    platform: Platform,
) -> None:
    with patch("custom_components.gsm_gateway.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(entity_registry, mock_config_entry.entry_id)
    if (vendor, platform) in NO_ENTITIES:
        assert entries == []
        return
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)
    # Every entity sits on the gateway's device or on one of its port devices.
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(mock_config_entry.unique_id)), mock_config_entry.entry_id
    )
    assert gateway is not None
    allowed = {gateway.id} | {port.id for port in dr.async_entries_for_parent_device(device_registry, gateway.id)}
    assert {entry.device_id for entry in entries} <= allowed
