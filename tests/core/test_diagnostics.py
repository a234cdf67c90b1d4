"""Diagnostics of each vendor's fixture gateway: what a maintainer sees, with secrets and identifiers redacted."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, CONF_RECIPIENT_PORT, SUBENTRY_RECIPIENT


@pytest.mark.usefixtures("mock_gateway")
@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"], indirect=True)
async def test_diagnostics(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    hass.config_entries.async_add_subentry(
        mock_config_entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: "+491709876543", CONF_RECIPIENT_PORT: "1A"},
            subentry_type=SUBENTRY_RECIPIENT,
            title="Grandma Erna",
            unique_id="+491709876543",
        ),
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry) == snapshot
