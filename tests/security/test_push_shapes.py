"""A push cannot reshape the gateway: port count, MAC and firmware come from polls; pushes only update states."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
import json

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import EVENT_SMS_RECEIVED
from tests.e2e.conftest import WEBHOOK_ID

PATH = f"/api/webhook/{WEBHOOK_ID}"


def dev_status(max_ports: int, rows: list[dict[str, object]]) -> bytes:
    return json.dumps(
        {
            "type": "dev-status",
            "seq": 99,
            "expires": 60,
            "mac": "02-00-00-00-00-01",
            "ip": "192.0.2.1",
            "ver": "forged-firmware",
            "max-ports": max_ports,
            "max-slot": 2,
            "status": rows,
        }
    ).encode()


def counts(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[int, int]:
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return len(entities), len(devices)


@pytest.mark.parametrize("max_ports", [1, 1024])
async def test_a_dev_status_push_cannot_add_or_remove_ports(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator, max_ports: int
) -> None:
    before = counts(hass, init_integration)
    firmware = dr.async_get(hass).async_get_device_by_identifier(
        ("gsm_gateway", str(init_integration.unique_id)), init_integration.entry_id
    )
    client = await hass_client_no_auth()
    rows = [{"port": f"{port}A", "st": 12, "sig": 20} for port in (1, 900)]  # port 900 does not exist
    response = await client.post(PATH, data=dev_status(max_ports, rows))
    assert response.status == 200
    await hass.async_block_till_done()
    assert counts(hass, init_integration) == before
    assert hass.states.get("sensor.ejoin_gateway_port_1_status").state == "user_locked"  # the state did apply
    assert hass.states.get("sensor.ejoin_gateway_port_4_status") is not None
    gateway = dr.async_get(hass).async_get_device_by_identifier(
        ("gsm_gateway", str(init_integration.unique_id)), init_integration.entry_id
    )
    assert gateway is not None
    assert firmware is not None
    assert gateway.sw_version == firmware.sw_version


async def test_messages_of_ports_the_gateway_does_not_have_are_dropped(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    rows = [[0, f"{port}A", 1764000000, "+4917011", "", "aGVsbG8="] for port in (2, 77)]
    response = await client.post(PATH, data=json.dumps({"type": "recv-sms", "sms_num": 2, "sms": rows}))
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["port"] for event in events] == ["2A"]


async def test_event_fields_carry_no_control_characters_and_are_capped(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    text = "alarm\x1b[2J\x07 line\n" + "x" * 50_000
    sender = "+4917011\x1b]0;pwned\x07"
    body = base64.b64encode(text.encode()).decode()
    rows = [[0, "2A", 1764000000, sender, "", body]]
    response = await client.post(PATH, data=json.dumps({"type": "recv-sms", "sms_num": 1, "sms": rows}))
    assert response.status == 200
    await hass.async_block_till_done()
    (event,) = events
    assert event.data["text"].startswith("alarm[2J line\n")
    assert len(event.data["text"]) == 10_000
    assert "\x1b" not in event.data["sender"]
    assert "\x07" not in event.data["sender"]


async def test_a_trickled_body_is_cut_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sender that trickles its body holds the handler no longer than the read timeout."""
    monkeypatch.setattr("custom_components.gsm_gateway.webhook.READ_TIMEOUT", 0.3)
    client = await hass_client_no_auth()

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" "
            await asyncio.sleep(0.1)

    response = await client.post(PATH, data=trickle())
    assert response.status == 408


async def test_pushes_at_once_are_limited(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Four slow pushes at once are taken; a fifth meanwhile is refused, and taken again once they are done."""
    client = await hass_client_no_auth()
    release = asyncio.Event()

    async def held() -> AsyncIterator[bytes]:
        yield b'{"type": "recv-sms", "sms_num": 0, "sms": []'
        await release.wait()
        yield b"}"

    slow = [asyncio.create_task(client.post(PATH, data=held())) for _ in range(4)]
    await asyncio.sleep(0.2)
    refused = await client.post(PATH, data=b'{"type": "recv-sms", "sms_num": 0, "sms": []}')
    assert refused.status == 503
    release.set()
    assert [response.status for response in await asyncio.gather(*slow)] == [200] * 4
    again = await client.post(PATH, data=b'{"type": "recv-sms", "sms_num": 0, "sms": []}')
    assert again.status == 200


async def test_an_oversized_value_is_cut_to_what_a_state_holds(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Found by fuzzing: a 5,000-character operator name made Home Assistant log an error and show "unknown"."""
    client = await hass_client_no_auth()
    body = {"type": "port-status", "seq": 3, "port": "1A", "st": 3, "sig": 31, "opr": "x" * 5000}
    response = await client.post(PATH, data=json.dumps(body).encode())
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get("sensor.ejoin_gateway_port_1_operator").state == "x" * 255
    assert "longer than 255" not in caplog.text
