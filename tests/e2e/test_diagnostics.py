"""Diagnostics: everything a maintainer needs, nothing that identifies a SIM or a person."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, SUBENTRY_RECIPIENT
from custom_components.gsm_gateway.push_target import CONF_PREVIOUS_PUSH_TARGET
from simulator.ejoin import EjoinSimulator

from .conftest import WEBHOOK_ID


async def test_diagnostics_redact_identifiers(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, hass_client: ClientSessionGenerator
) -> None:
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: "+491709876543"},
            subentry_type=SUBENTRY_RECIPIENT,
            title="Grandma Erna",
            unique_id="+491709876543",
        ),
    )
    previous_target = "http://user:s3cret@203.0.113.9:8000/collector?token=abcdef123456"
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_PREVIOUS_PUSH_TARGET: {"sms_url": previous_target}}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    text = json.dumps(diagnostics)

    # Nothing that identifies the device or where it is, nor a URL that may carry a token.
    mac = config_entry.unique_id
    host = config_entry.data[CONF_HOST]
    secrets = [sim.password, WEBHOOK_ID, "+491709876543", "Grandma Erna", mac, host, "s3cret", "abcdef123456"]
    for port in sim.ports:
        for slot in port.slots:
            secrets.append(slot.imei)
            if slot.sim is not None:
                secrets += [slot.sim.iccid, slot.sim.imsi, slot.sim.number]
    leaked = [secret for secret in secrets if secret and secret in text]
    assert leaked == []

    assert diagnostics["device"]["vendor"] == "ejoin"
    assert diagnostics["device"]["port_count"] == 4
    assert "sms_push" in diagnostics["capabilities"]
    assert diagnostics["status"]["ports"]["1"]["slots"]["1"]["state"] == "registered"
    assert diagnostics["status"]["ports"]["1"]["slots"]["1"]["imei"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["statistics"]["sms_total"]["1A"]["sent"] == 0
