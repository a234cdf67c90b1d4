"""Device triggers: "SMS received on port 3", "Port 3 status changed", ... in the automation editor."""

from __future__ import annotations

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_EVENT_DATA, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .const import (
    DOMAIN,
    EVENT_CALL_RECORD,
    EVENT_DELIVERY_REPORT,
    EVENT_GATEWAY_ALERT,
    EVENT_PORT_STATUS_CHANGED,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    EVENT_USSD_RECEIVED,
)

TRIGGER_EVENTS = {
    "sms_received": EVENT_SMS_RECEIVED,
    "delivery_report": EVENT_DELIVERY_REPORT,
    "sms_sent": EVENT_SMS_SENT,
    "sms_failed": EVENT_SMS_FAILED,
    "ussd_received": EVENT_USSD_RECEIVED,
    "port_status_changed": EVENT_PORT_STATUS_CHANGED,
    "gateway_alert": EVENT_GATEWAY_ALERT,
    "call_record": EVENT_CALL_RECORD,
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend({vol.Required(CONF_TYPE): vol.In(list(TRIGGER_EVENTS))})


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, str]]:
    """Every trigger for the gateway device and each port device of this integration."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None or not any(domain == DOMAIN for domain, _ in device.identifiers):
        return []
    return [
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: device_id, CONF_TYPE: trigger}
        for trigger in TRIGGER_EVENTS
    ]


async def async_attach_trigger(
    hass: HomeAssistant, config: ConfigType, action: TriggerActionType, trigger_info: TriggerInfo
) -> CALLBACK_TYPE:
    """Listen to the bus event of the trigger type, for this device."""
    return await event_trigger.async_attach_trigger(
        hass,
        event_trigger.TRIGGER_SCHEMA(
            {
                CONF_PLATFORM: "event",
                event_trigger.CONF_EVENT_TYPE: TRIGGER_EVENTS[config[CONF_TYPE]],
                CONF_EVENT_DATA: {CONF_DEVICE_ID: config[CONF_DEVICE_ID]},
            }
        ),
        action,
        trigger_info,
        platform_type="device",
    )
