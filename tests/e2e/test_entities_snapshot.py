"""Every entity of a 4-port x 2-slot gateway of each vendor: names, classes, categories, states."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.gsm_gateway.const import DOMAIN


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
@pytest.mark.parametrize(
    "platform", [Platform.BUTTON, Platform.EVENT, Platform.SELECT, Platform.SENSOR, Platform.SWITCH, Platform.TEXT]
)
async def test_entities(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    vendor: str,
    platform: Platform,
) -> None:
    with patch("custom_components.gsm_gateway.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    if not entries:
        # This vendor has no entity on this platform (e.g. Synway has no buttons): nothing to show, nothing faked.
        assert (vendor, platform) in NO_ENTITIES
        return
    await snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)
    # Every entity sits on the gateway device or on a port device of this gateway.
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(config_entry.unique_id)), config_entry.entry_id
    )
    assert gateway is not None
    allowed = {gateway.id} | {port.id for port in dr.async_entries_for_parent_device(device_registry, gateway.id)}
    assert {entry.device_id for entry in entries} <= allowed


NO_ENTITIES = {
    ("synway", Platform.BUTTON),
    ("synway", Platform.SELECT),
    ("synway", Platform.SWITCH),
    ("dinstar", Platform.SELECT),
}
