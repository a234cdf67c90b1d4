"""Dinstar pushes through the webhook, and poll-only Synway: the same events, exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient
from homeassistant.components import automation, webhook
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import (
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_GATEWAY_ALERT,
    EVENT_PORT_STATUS_CHANGED,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    EVENT_USSD_RECEIVED,
)
from simulator.dinstar import DinstarSimulator
from simulator.synway import SynwaySimulator

from .conftest import WEBHOOK_ID, port_device_id

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dinstar"
PATH = f"/api/webhook/{WEBHOOK_ID}"


async def settle(hass: HomeAssistant) -> None:
    for _ in range(5):
        await asyncio.sleep(0.05)
        await hass.async_block_till_done(wait_background_tasks=True)


async def wait_for(events: list[Event], count: int) -> None:
    for _ in range(300):
        if len(events) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} events, got {len(events)}")


@pytest.fixture
async def dinstar_client(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: DinstarSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> TestClient:
    """Dinstar's push target is set in its web UI; here: the simulator's control API."""
    client = await hass_client_no_auth()
    await sim.control("set_push_url", {"url": str(client.make_url(PATH))})
    return client


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_pushes_become_events(
    hass: HomeAssistant, dinstar_client: TestClient, sim: DinstarSimulator, init_integration: MockConfigEntry
) -> None:
    received = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await sim.control("deliver_sms", {"port": 2, "sender": "+491711234567", "text": "Dinstar says hi"})
    await wait_for(received, 1)
    assert received[0].data["port"] == "2A"
    assert received[0].data["text"] == "Dinstar says hi"
    assert received[0].data["smsc"] == "+491770610000"
    assert received[0].data["device_id"] == port_device_id(hass, init_integration, 2)

    sent = async_capture_events(hass, EVENT_SMS_SENT)
    failed = async_capture_events(hass, EVENT_SMS_FAILED)
    delivered = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await sim.control("fail_number", {"number": "+491700000002"})
    await hass.services.async_call(
        "gsm_gateway",
        "send_sms",
        {"recipients": ["+491700000001", "+491700000002"], "message": "hi", "delivery_report": True},
        blocking=True,
    )
    await sim.control("flush", {})
    await wait_for(failed, 1)
    await wait_for(sent, 1)
    await wait_for(delivered, 1)
    assert failed[0].data["recipient"] == "+491700000002"
    assert sent[0].data["recipient"] == "+491700000001"
    assert delivered[0].data["recipient"] == "+491700000001"
    assert delivered[0].data["delivered"] is True

    ussd = async_capture_events(hass, EVENT_USSD_RECEIVED)
    response = await hass.services.async_call(
        "gsm_gateway", "send_ussd", {"port": "1", "code": "*100#"}, blocking=True, return_response=True
    )
    await wait_for(ussd, 1)
    assert ussd[0].data["text"]
    assert response is not None


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_registration_push_refreshes_status(
    hass: HomeAssistant, dinstar_client: TestClient, sim: DinstarSimulator
) -> None:
    changes = async_capture_events(hass, EVENT_PORT_STATUS_CHANGED)
    await sim.control("set_reg", {"port": 3, "reg": "UNREGISTER"})
    await wait_for(changes, 1)
    assert changes[0].data["port"].startswith("3")
    assert changes[0].data["previous_status"] == "registered"


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_exception_push_fires_a_gateway_alert_and_its_device_trigger(
    hass: HomeAssistant,
    dinstar_client: TestClient,
    sim: DinstarSimulator,
    init_integration: MockConfigEntry,
    service_calls: list[ServiceCall],
) -> None:
    """An "Abnormal" push (`exception_info`) is `gsm_gateway_gateway_alert` with its documented fields, and the
    port's *Gateway alert* device trigger runs an automation."""
    port_3 = port_device_id(hass, init_integration, 3)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "trigger": {"platform": "device", "domain": DOMAIN, "device_id": port_3, "type": "gateway_alert"},
                    "action": {
                        "service": "test.automation",
                        "data_template": {
                            "type": "{{ trigger.event.data.type }}",
                            "action": "{{ trigger.event.data.action }}",
                            "port": "{{ trigger.event.data.port }}",
                        },
                    },
                }
            ]
        },
    )
    alerts = async_capture_events(hass, EVENT_GATEWAY_ALERT)

    await sim.control("raise_exception", {"port": 3, "type": "call_fail", "action": "reset"})
    await wait_for(alerts, 1)
    await settle(hass)

    assert [alert.data for alert in alerts] == [
        {
            "config_entry_id": init_integration.entry_id,
            "device_id": port_3,
            "port": "3A",
            "type": "call_fail",
            "action": "reset",
        }
    ]
    assert [dict(call.data) for call in service_calls] == [{"type": "call_fail", "action": "reset", "port": "3A"}]

    # An alert on another port does not run port 3's automation.
    await sim.control("raise_exception", {"port": 1, "type": "sim_fail", "action": "block"})
    await wait_for(alerts, 2)
    await settle(hass)
    assert alerts[1].data["device_id"] == port_device_id(hass, init_integration, 1)
    assert (alerts[1].data["type"], alerts[1].data["action"]) == ("sim_fail", "block")
    assert len(service_calls) == 1


@pytest.mark.parametrize("vendor", ["dinstar"])
@pytest.mark.parametrize(
    "name",
    [
        "sms_push.txt",
        "sms_push_6_4.json",
        "sms_result_push.json",
        "sms_deliver_status_push.json",
        "ussd_push.txt",
        "register_push.txt",
        "cdr_push.json",
        "device_push_on.json",
        "device_push_off.json",
        "exception_push.json",
    ],
)
async def test_dinstar_spec_payloads_are_accepted(hass: HomeAssistant, dinstar_client: TestClient, name: str) -> None:
    response = await dinstar_client.post(PATH, data=(FIXTURES / name).read_bytes())
    assert response.status == 200, name
    await hass.async_block_till_done()


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_exactly_once_with_lost_pushes_and_a_reboot(
    hass: HomeAssistant, dinstar_client: TestClient, sim: DinstarSimulator, init_integration: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    offset = timedelta()

    async def catch_up() -> None:
        nonlocal offset
        offset += timedelta(minutes=2, seconds=1)
        async_fire_time_changed(hass, dt_util.utcnow() + offset)
        await settle(hass)

    await sim.control("deliver_sms", {"port": 1, "sender": "+4917011", "text": "pushed"})
    await wait_for(events, 1)
    sim.faults.pushes_paused = True
    await sim.control("deliver_sms", {"port": 2, "sender": "+4917011", "text": "lost push"})
    await catch_up()
    assert [e.data["text"] for e in events] == ["pushed", "lost push"]
    await sim.control("reboot", {})
    await sim.control("deliver_sms", {"port": 3, "sender": "+4917011", "text": "after reboot"})
    await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    await catch_up()
    assert [e.data["text"] for e in events] == ["pushed", "lost push", "after reboot"]


@pytest.mark.parametrize("vendor", ["synway"])
async def test_synway_polls_exactly_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator
) -> None:
    assert WEBHOOK_ID not in hass.data.get(webhook.DOMAIN, {})  # nothing to push: no webhook
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await sim.control("deliver_sms", {"port": 1, "sender": "+4917011", "text": "polled: one"})
    await sim.control("deliver_sms", {"port": 2, "sender": "+4917022", "text": "polled: two"})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=21))
    await settle(hass)
    assert sorted(e.data["text"] for e in events) == ["polled: one", "polled: two"]
    # Overlapping windows and a reload read them again; nothing fires twice.
    await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=42))
    await settle(hass)
    assert len(events) == 2
