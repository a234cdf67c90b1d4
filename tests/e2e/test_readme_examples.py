"""The README's automation examples: valid as written, and the first one works end to end."""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
from typing import Any

from homeassistant.components import automation
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import yaml

from custom_components.gsm_gateway.const import CONF_MANAGE_PUSH_TARGET
from simulator.ejoin import EjoinSimulator

from .conftest import short_push_buffers

README = Path(__file__).parents[2] / "README.md"


def automation_examples() -> list[dict[str, Any]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Automation examples", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    return [yaml.safe_load(block) for block in blocks]


def test_there_are_five_examples() -> None:
    names = [example["alias"] for example in automation_examples()]
    assert len(names) == 5, names


@pytest.mark.parametrize("index", range(5))
async def test_examples_are_valid_automations(hass: HomeAssistant, index: int) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    config = await async_validate_config_item(hass, f"example_{index}", automation_examples()[index])
    assert config is not None
    assert config.validation_error is None, config.validation_error


async def test_first_example_forwards_an_injected_sms(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    phone: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    assert await async_setup_component(hass, automation.DOMAIN, {automation.DOMAIN: [automation_examples()[0]]})
    hass.config_entries.async_update_entry(config_entry, options={CONF_MANAGE_PUSH_TARGET: True})
    with short_push_buffers(sms_count=2, sms_period=1):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        client = await hass_client_no_auth()
        hass.config.internal_url = str(client.make_url("/")).rstrip("/")
        await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    sim.sms_cnt, sim.sms_prd = 2, 0

    sim.deliver_sms(3, None, "+491711234567", "The parcel is at the neighbour's")
    for _ in range(100):
        await asyncio.sleep(0.02)
        await hass.async_block_till_done()
        if phone:
            break
    assert len(phone) == 1
    assert phone[0].data == {
        "title": "SMS from +491711234567 (port 3A)",
        "message": "The parcel is at the neighbour's",
    }
