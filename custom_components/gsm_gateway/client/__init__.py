"""Async client library for multi-port SIM gateways (Skyline/EJOIN, Dinstar, Synway).

This facade is the public API: import from `client`, never from a dialect subpackage. No Home Assistant imports
are allowed anywhere in this package (a test enforces it).

`Gateway` is the common interface. What only some gateways can do is an optional feature object on it, None
unless the gateway has the capability: `gateway.proxy`, `gateway.ip_lists`, `gateway.esim`,
`gateway.call_forwarding`, `gateway.call_records`, `gateway.sim_toolkit`.

Standalone use::

    async with create_gateway(Vendor.EJOIN, None, settings) as gateway:  # owns and closes its own session
        await gateway.connect()
        print(await gateway.get_status())
"""

from __future__ import annotations

from .call_forwarding import CallForwardCondition, CallForwardInfo, CallForwardingFeature
from .call_records import CallDetailRecord, CallRecordFeature
from .detect import create_gateway, declared_capabilities, detect_gateway
from .esim import EsimFeature, EsimInfo, EsimJobProgress, EsimJobState, EsimOperation, EsimProfile
from .events import (
    CallRecordEvent,
    DeliveryReportEvent,
    DevicePowerEvent,
    DeviceStatusEvent,
    GatewayAlertEvent,
    MmsReceivedEvent,
    PortStatusEvent,
    PushEvent,
    PushRequest,
    SendReportEvent,
    SimRegistrationEvent,
    SmsReceivedEvent,
    UssdReceivedEvent,
)
from .exceptions import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayError,
    GatewayNotRecognizedError,
    GatewayPushError,
    GatewayRequestError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnsupportedError,
)
from .gateway import Gateway, ProbeOutcome
from .imei import IMEI_LENGTH, luhn_valid
from .ip_lists import IpListConfig, IpListFeature, IpListKind
from .models import (
    REGISTERED_STATES,
    VENDOR_NAMES,
    CallStatistics,
    Capability,
    ConnectionSettings,
    DeviceInfo,
    Encoding,
    GatewayStatus,
    InboxPage,
    IncomingSms,
    MultipartInfo,
    PortStatus,
    RecipientResult,
    RedialMode,
    SendResult,
    SentMessage,
    SetResult,
    SimState,
    SlotStatus,
    SmsRequest,
    SmsStatistics,
    SmsTask,
    SmsTaskList,
    StatisticsPeriod,
    TaskResult,
    UssdResult,
    Vendor,
)
from .ports import SlotRef, canonical_label, format_selector, parse_label, parse_selector, slot_letter, slot_number
from .proxy import (
    ProxyConfig,
    ProxyEntry,
    ProxyFeature,
    ProxyMode,
    ProxyResource,
    ProxyState,
    ProxyUser,
    ProxyUserConfig,
    UrlListConfig,
)
from .sim_toolkit import SimToolkitFeature, StkInputType, StkItem, StkView

__all__ = [
    "IMEI_LENGTH",
    "REGISTERED_STATES",
    "VENDOR_NAMES",
    "CallDetailRecord",
    "CallForwardCondition",
    "CallForwardInfo",
    "CallForwardingFeature",
    "CallRecordEvent",
    "CallRecordFeature",
    "CallStatistics",
    "Capability",
    "ConnectionSettings",
    "DeliveryReportEvent",
    "DeviceInfo",
    "DevicePowerEvent",
    "DeviceStatusEvent",
    "Encoding",
    "EsimFeature",
    "EsimInfo",
    "EsimJobProgress",
    "EsimJobState",
    "EsimOperation",
    "EsimProfile",
    "Gateway",
    "GatewayAlertEvent",
    "GatewayAuthError",
    "GatewayCommandError",
    "GatewayConnectionError",
    "GatewayError",
    "GatewayNotRecognizedError",
    "GatewayPushError",
    "GatewayRequestError",
    "GatewayResponseError",
    "GatewayStatus",
    "GatewayTimeoutError",
    "GatewayUnsupportedError",
    "InboxPage",
    "IncomingSms",
    "IpListConfig",
    "IpListFeature",
    "IpListKind",
    "MmsReceivedEvent",
    "MultipartInfo",
    "PortStatus",
    "PortStatusEvent",
    "ProbeOutcome",
    "ProxyConfig",
    "ProxyEntry",
    "ProxyFeature",
    "ProxyMode",
    "ProxyResource",
    "ProxyState",
    "ProxyUser",
    "ProxyUserConfig",
    "PushEvent",
    "PushRequest",
    "RecipientResult",
    "RedialMode",
    "SendReportEvent",
    "SendResult",
    "SentMessage",
    "SetResult",
    "SimRegistrationEvent",
    "SimState",
    "SimToolkitFeature",
    "SlotRef",
    "SlotStatus",
    "SmsReceivedEvent",
    "SmsRequest",
    "SmsStatistics",
    "SmsTask",
    "SmsTaskList",
    "StatisticsPeriod",
    "StkInputType",
    "StkItem",
    "StkView",
    "TaskResult",
    "UrlListConfig",
    "UssdReceivedEvent",
    "UssdResult",
    "Vendor",
    "canonical_label",
    "create_gateway",
    "declared_capabilities",
    "detect_gateway",
    "format_selector",
    "luhn_valid",
    "parse_label",
    "parse_selector",
    "slot_letter",
    "slot_number",
]
