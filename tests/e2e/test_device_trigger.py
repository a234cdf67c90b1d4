"""Device triggers: "SMS received on port 2" in the automation editor, and the event entity per port."""

from __future__ import annotations

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_get_device_automations

from custom_components.gsm_gateway.const import DOMAIN, EVENT_PORT_STATUS_CHANGED, EVENT_SMS_RECEIVED
from custom_components.gsm_gateway.device_trigger import TRIGGER_EVENTS, async_get_triggers
from simulator.ejoin import EjoinSimulator

from .conftest import update_entity


def port_device(hass: HomeAssistant, entry: MockConfigEntry, port: int) -> str:
    device = dr.async_get(hass).async_get_child_device_by_identifier(
        (DOMAIN, f"{entry.unique_id}_port_{port}"), entry.entry_id
    )
    assert device is not None
    return device.id


async def test_triggers_are_listed_for_ports(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    device_id = port_device(hass, init_integration, 2)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device_id)
    ours = sorted(trigger["type"] for trigger in triggers if trigger["domain"] == DOMAIN)
    assert ours == sorted(TRIGGER_EVENTS)


async def test_trigger_fires_for_its_port_only(
    hass: HomeAssistant, init_integration: MockConfigEntry, service_calls: list[ServiceCall]
) -> None:
    port_2 = port_device(hass, init_integration, 2)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "trigger": {"platform": "device", "domain": DOMAIN, "device_id": port_2, "type": "sms_received"},
                    "action": {
                        "service": "test.automation",
                        "data_template": {"text": "{{ trigger.event.data.text }}"},
                    },
                }
            ]
        },
    )
    hass.bus.async_fire(EVENT_SMS_RECEIVED, {"device_id": port_device(hass, init_integration, 3), "text": "no"})
    hass.bus.async_fire(EVENT_SMS_RECEIVED, {"device_id": port_2, "text": "yes"})
    await hass.async_block_till_done()
    assert [call.data["text"] for call in service_calls] == ["yes"]


async def test_no_triggers_for_other_devices(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain="other")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id, identifiers={("other", "x")})

    assert await async_get_triggers(hass, device.id) == []
    assert await async_get_triggers(hass, "missing") == []


async def test_port_status_changed_event(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    events: list[dict[str, object]] = []
    hass.bus.async_listen(EVENT_PORT_STATUS_CHANGED, lambda event: events.append(dict(event.data)))
    sim.set_sim_status(2, None, 6)
    await update_entity(hass, "sensor.ejoin_gateway_port_2_status")
    assert events == [
        {
            "config_entry_id": init_integration.entry_id,
            "device_id": port_device(hass, init_integration, 2),
            "port": "2A",
            "status": "registration_failed",
            "previous_status": "registered",
            "status_code": 6,
        }
    ]
