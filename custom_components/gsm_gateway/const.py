"""Constants of the GSM Gateway integration."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "gsm_gateway"
LOGGER = logging.getLogger(__package__)

# Config entry data (how to reach the device)
CONF_VENDOR: Final = "vendor"
CONF_USE_HTTPS: Final = "use_https"
CONF_ENCRYPTED_SESSION: Final = "encrypted_session"
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_ADVANCED: Final = "advanced"

# Options (how the integration behaves)
CONF_STATUS_INTERVAL: Final = "status_interval"
CONF_STATISTICS_INTERVAL: Final = "statistics_interval"
CONF_DEFAULT_PORT: Final = "default_port"
CONF_DEFAULT_ENCODING: Final = "default_encoding"
CONF_DELIVERY_REPORTS: Final = "delivery_reports"
CONF_RECEIVE_MODE: Final = "receive_mode"
CONF_MANAGE_PUSH_TARGET: Final = "manage_push_target"
CONF_ALLOW_ANY_SOURCE: Final = "allow_any_source"
CONF_DELETE_AFTER_DELIVERY: Final = "delete_after_delivery"
CONF_SLOT_ENTITIES: Final = "slot_entities"

DEFAULT_STATUS_INTERVAL: Final = 30
DEFAULT_STATISTICS_INTERVAL: Final = 300
MIN_STATUS_INTERVAL: Final = 10
MIN_STATISTICS_INTERVAL: Final = 60
DEFAULT_PORT_AUTO: Final = "auto"
DEFAULT_HTTP_PORT: Final = 80
DEFAULT_USERNAME: Final = "root"

# Catch-up polling of the inbox runs at start-up, after every reconnect, and at this interval.
INBOX_POLL_INTERVAL: Final = timedelta(minutes=2)
INBOX_POLL_INTERVAL_POLL_ONLY: Final = timedelta(seconds=20)


class SlotEntities(StrEnum):
    """Which SIM slots get entities of their own (status and lock of a slot, active or not)."""

    ALL = "all"
    WITH_SIM = "with_sim"  # the slots a SIM was seen in
    NONE = "none"


# Ports with more slots than one SIM board holds are a SIM bank's: up to 2,048 slots, whose entities would cost more
# than they tell (docs/scale.md). Smaller multi-SIM gateways keep an entity per slot by default.
SIM_BANK_SLOTS: Final = 8


def default_slot_entities(slot_count: int) -> SlotEntities:
    """The `slot_entities` option until the user chooses: every slot, or none on a SIM bank."""
    return SlotEntities.NONE if slot_count > SIM_BANK_SLOTS else SlotEntities.ALL


class ReceiveMode(StrEnum):
    """How incoming SMS reach Home Assistant."""

    PUSH_AND_POLL = "push_poll"  # pushes for speed, polling as a safety net
    POLL_ONLY = "poll"


# Config subentries
SUBENTRY_RECIPIENT: Final = "recipient"
CONF_RECIPIENT_NUMBER: Final = "number"
CONF_RECIPIENT_PORT: Final = "port"

# Bus events (a public contract: documented in README.md)
EVENT_SMS_RECEIVED: Final = "gsm_gateway_sms_received"
EVENT_DELIVERY_REPORT: Final = "gsm_gateway_delivery_report"
EVENT_SMS_SENT: Final = "gsm_gateway_sms_sent"
EVENT_SMS_FAILED: Final = "gsm_gateway_sms_failed"
EVENT_USSD_RECEIVED: Final = "gsm_gateway_ussd_received"
EVENT_MMS_RECEIVED: Final = "gsm_gateway_mms_received"
EVENT_PORT_STATUS_CHANGED: Final = "gsm_gateway_port_status_changed"
EVENT_ESIM_PROGRESS: Final = "gsm_gateway_esim_progress"
EVENT_GATEWAY_ALERT: Final = "gsm_gateway_gateway_alert"
EVENT_CALL_RECORD: Final = "gsm_gateway_call_record"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_PORT: Final = "port"
