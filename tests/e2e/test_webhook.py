"""Pushes to the webhook: every Skyline/EJOIN push type, end to end from the simulator and from spec payloads."""

from __future__ import annotations

import asyncio
import base64
from contextlib import AbstractContextManager
import json
import logging
from pathlib import Path
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import (
    CONF_ALLOW_ANY_SOURCE,
    CONF_MANAGE_PUSH_TARGET,
    EVENT_DELIVERY_REPORT,
    EVENT_MMS_RECEIVED,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    LOGGER,
)
from simulator.ejoin import EjoinSimulator

from .conftest import WEBHOOK_ID, port_device_id, short_push_buffers

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ejoin"
PATH = f"/api/webhook/{WEBHOOK_ID}"


@pytest.fixture
async def client(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    return await hass_client_no_auth()


@pytest.fixture
async def pushing_sim(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> EjoinSimulator:
    """The integration takes the simulator's push target over, as a user who allowed it would have it."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_MANAGE_PUSH_TARGET: True})
    # Short device-side buffers, so the test does not wait for the production periods.
    with short_push_buffers(sms_count=2, sms_period=1, report_count=1, report_period=1):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        # Home Assistant's HTTP server only listens once a client is made; then it has a URL the gateway can reach.
        client = await hass_client_no_auth()
        hass.config.internal_url = str(client.make_url("/")).rstrip("/")
        await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert sim.status_url == str(client.make_url(PATH))
    assert sim.sms_url == str(client.make_url(PATH))
    sim.sms_cnt, sim.sms_prd = 2, 0  # what the next send would set; pushes at once
    return sim


async def wait_for(events: list[Event], count: int) -> None:
    for _ in range(200):
        if len(events) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} events, got {len(events)}")


async def test_pushed_sms_fires_one_event(
    hass: HomeAssistant, pushing_sim: EjoinSimulator, config_entry: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = pushing_sim.deliver_sms(2, None, "+491711234567", "Your code is 482913")
    await wait_for(events, 1)
    await hass.async_block_till_done()
    data = events[0].data
    assert data["config_entry_id"] == config_entry.entry_id
    assert data["device_id"] == port_device_id(hass, config_entry, 2)
    assert data["port"] == "2A"
    assert data["sender"] == "+491711234567"
    assert data["text"] == "Your code is 482913"
    assert data["recipient"] == pushing_sim.ports[1].slots[0].sim.number
    assert data["received_at"].endswith("+00:00")
    assert data["message_id"]
    state = hass.states.get("event.ejoin_gateway_port_2_messages")
    assert state.attributes["event_type"] == "sms_received"
    assert state.attributes["text"] == "Your code is 482913"
    assert entry.sms_id == 1


@pytest.mark.parametrize(
    "variants", [{"sms_headers"}, {"sms_headers", "scts_hex_tz"}, {"inbox_extra"}, {"label_dotted"}]
)
async def test_pushed_sms_variants(hass: HomeAssistant, pushing_sim: EjoinSimulator, variants: set[str]) -> None:
    pushing_sim.variants |= variants
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    pushing_sim.deliver_sms(3, None, "Google", "G-123456 is your code")
    await wait_for(events, 1)
    assert events[0].data["text"] == "G-123456 is your code"
    assert events[0].data["sender"] == "Google"
    assert events[0].data["port"] == "3A"


async def test_legacy_plain_text_forward(hass: HomeAssistant, pushing_sim: EjoinSimulator) -> None:
    pushing_sim.sms_cnt = 1  # the old forwarding mechanism: one plain-text POST per SMS
    pushing_sim.variants.add("legacy_octet")
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    pushing_sim.deliver_sms(1, None, "+491711234567", "plain old forward")
    await wait_for(events, 1)
    assert events[0].data["text"] == "plain old forward"
    assert events[0].data["port"] == "1A"


@pytest.mark.parametrize("variants", [set(), {"dr_number"}])
async def test_delivery_report(hass: HomeAssistant, pushing_sim: EjoinSimulator, variants: set[str]) -> None:
    pushing_sim.variants |= variants
    pushing_sim.send_interval = 0.01
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await hass.services.async_call(
        "gsm_gateway",
        "send_sms",
        {"recipients": ["+491719999999"], "message": "hello", "port": "1A", "delivery_report": True},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    await wait_for(events, 1)
    assert events[0].data["recipient"] == "+491719999999"
    assert events[0].data["delivered"] is True
    assert events[0].data["port"] == "1A"
    assert events[0].data["task_id"] == response["task_ids"][0]


async def test_reports_of_sends_home_assistant_did_not_make_are_ignored(
    hass: HomeAssistant, pushing_sim: EjoinSimulator
) -> None:
    """A report for a number Home Assistant never texted (another system, or a forged push) fires nothing."""
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    pushing_sim.deliver_report(1, None, "+491719999999", code=0)
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert events == []


async def test_sent_and_failed_reports(hass: HomeAssistant, pushing_sim: EjoinSimulator) -> None:
    sent = async_capture_events(hass, EVENT_SMS_SENT)
    failed = async_capture_events(hass, EVENT_SMS_FAILED)
    assert pushing_sim.sr_url is None
    pushing_sim.failing_recipients.add("+491700000002")
    pushing_sim.send_interval = 0.01
    response = await hass.services.async_call(
        "gsm_gateway",
        "send_sms",
        {"recipients": ["+491700000001", "+491700000002"], "message": "hello"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    await wait_for(failed, 1)
    await wait_for(sent, 1)
    assert failed[0].data["recipient"] == "+491700000002"
    assert failed[0].data["reason"]
    assert failed[0].data["task_id"] in response["task_ids"]
    assert sent[0].data["recipient"] == "+491700000001"


async def test_mms(hass: HomeAssistant, pushing_sim: EjoinSimulator) -> None:
    events = async_capture_events(hass, EVENT_MMS_RECEIVED)
    assert await pushing_sim.deliver_mms(2, "+491711234567", "Holiday", "Look!", [("image/jpeg", b"\xff\xd8" * 100)])
    await wait_for(events, 1)
    data = events[0].data
    assert data["subject"] == "Holiday"
    assert data["text"] == "Look!"
    assert data["sender"] == "+491711234567"
    assert data["attachments"] == [{"type": "image/jpeg", "size": 200}]


async def test_spec_payloads(hass: HomeAssistant, client: TestClient) -> None:
    received = async_capture_events(hass, EVENT_SMS_RECEIVED)
    reports = async_capture_events(hass, EVENT_SMS_FAILED)
    for name in (
        "recv_sms_push.json",
        "status_report_push.json",
        "dev_status_example.json",
        "port_status_example.json",
    ):
        response = await client.post(PATH, data=(FIXTURES / name).read_bytes())
        assert response.status == 200, name
    await hass.async_block_till_done()
    assert len(received) == 1
    assert received[0].data["sender"] == "10010"
    assert received[0].data["port"] == "1B"
    assert received[0].data["text"].startswith("尊敬的用户")
    assert reports == []  # the spec's status report answers tasks Home Assistant never sent


def gateway_elsewhere() -> AbstractContextManager[object]:
    """The gateway's host resolves to an address the test client does not post from."""
    return patch("custom_components.gsm_gateway.receiver.async_resolve_sources", return_value=frozenset({"192.0.2.7"}))


async def test_refuses_other_senders(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with gateway_elsewhere():
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    client = await hass_client_no_auth()
    body = (FIXTURES / "recv_sms_push.json").read_bytes()
    response = await client.post(PATH, data=body)
    assert response.status == 403
    warnings = [r for r in caplog.records if r.name == LOGGER.name and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "sender is not the gateway" in warnings[0].getMessage()
    # The same reason again within minutes is not repeated at warning level.
    assert (await client.post(PATH, data=body)).status == 403
    assert len([r for r in caplog.records if r.name == LOGGER.name and r.levelno == logging.WARNING]) == 1


async def test_any_source_option(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    hass.config_entries.async_update_entry(config_entry, options={CONF_ALLOW_ANY_SOURCE: True})
    with gateway_elsewhere():
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    client = await hass_client_no_auth()
    response = await client.post(PATH, data=(FIXTURES / "recv_sms_push.json").read_bytes())
    assert response.status == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"\x00\xff garbage", 400),
        (b'{"type": "recv-sms", "sms": "nope"}', 400),
        (b'{"type": "no-such-type"}', 400),
        (b"[1, 2, 3]", 400),
        (b"x" * (4 * 1024 * 1024 + 1), 413),
    ],
)
async def test_bad_bodies_get_4xx_and_one_line_without_content(
    hass: HomeAssistant, client: TestClient, caplog: pytest.LogCaptureFixture, body: bytes, status: int
) -> None:
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    response = await client.post(PATH, data=body)
    assert response.status == status
    lines = [r for r in caplog.records if r.name == LOGGER.name and r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert "garbage" not in lines[0].getMessage()
    assert not any(r.exc_info for r in caplog.records if r.name == LOGGER.name)
    await hass.async_block_till_done()
    assert events == []


async def test_only_post(client: TestClient) -> None:
    assert (await client.get(PATH)).status == 405


async def test_a_burst_on_one_port_triggers_the_event_entity_for_every_message(
    hass: HomeAssistant, client: TestClient
) -> None:
    """An automation on the port's event entity runs once per message of a burst, with that message's text."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {"trigger": "state", "entity_id": "event.ejoin_gateway_port_1_messages"},
                "actions": {"event": "burst_seen", "event_data": {"text": "{{ trigger.to_state.attributes.text }}"}},
            }
        },
    )
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    seen = async_capture_events(hass, "burst_seen")
    rows = [
        [0, "1A", 1764000000 + n, "+4917011", "", base64.b64encode(f"part {n}".encode()).decode()] for n in range(3)
    ]
    response = await client.post(PATH, data=json.dumps({"type": "recv-sms", "sms_num": 3, "sms": rows}))
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["text"] for event in events] == ["part 0", "part 1", "part 2"]
    assert [event.data["text"] for event in seen] == ["part 0", "part 1", "part 2"]
    assert hass.states.get("event.ejoin_gateway_port_1_messages").attributes["text"] == "part 2"
