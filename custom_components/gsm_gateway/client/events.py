"""Typed events parsed from what a gateway pushes (or from polled reports that mean the same thing).

The two report types (`DeliveryReportEvent`, `SendReportEvent`) live in `models` because polls return them too;
they are re-exported here.

`Gateway.parse_push` turns one pushed HTTP body into a list of these. A body it cannot read raises
`GatewayPushError`; nothing else escapes a parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .call_records import CallDetailRecord
from .models import DeliveryReportEvent, GatewayStatus, IncomingSms, SendReportEvent, SimState, SlotStatus
from .ports import SlotRef


@dataclass(frozen=True, slots=True, kw_only=True)
class PushRequest:
    """One HTTP request as the gateway sent it to the webhook."""

    body: bytes = field(repr=False)
    content_type: str = ""
    query: Mapping[str, str] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # e.g. EJOIN MMS `Emms-*` headers


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceStatusEvent:
    """Full device status (EJOIN `dev-status`)."""

    status: GatewayStatus
    sequence: int | None = None
    period: int | None = None  # seconds until the next one


@dataclass(frozen=True, slots=True, kw_only=True)
class PortStatusEvent:
    """One SIM slot changed (EJOIN `port-status`, Dinstar `register`)."""

    slot: SlotStatus
    sequence: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsReceivedEvent:
    """An incoming SMS (one part, for concatenated messages the gateway did not join)."""

    sms: IncomingSms


@dataclass(frozen=True, slots=True, kw_only=True)
class MmsReceivedEvent:
    """An incoming MMS. Attachments are summarised, not kept: (content type, size in bytes)."""

    port_label: str
    ref: SlotRef | None
    sender: str = field(repr=False)
    recipient: str = field(default="", repr=False)
    subject: str = field(default="", repr=False)
    text: str = field(default="", repr=False)
    received_at: datetime
    attachments: tuple[tuple[str, int], ...] = ()
    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UssdReceivedEvent:
    """A USSD reply arrived."""

    port_label: str
    ref: SlotRef | None
    text: str = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimRegistrationEvent:
    """A SIM registered or dropped off the network (Dinstar `register`)."""

    port_label: str
    ref: SlotRef | None
    registered: bool
    state: SimState
    sim_number: str | None = field(default=None, repr=False)
    iccid: str | None = field(default=None, repr=False)
    imsi: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class DevicePowerEvent:
    """The gateway powered on or off (Dinstar `device`)."""

    powered_on: bool
    ip: str | None = None
    mac: str | None = None
    port_count: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecordEvent:
    """An answered call finished (Dinstar `cdr`)."""

    port_label: str
    ref: SlotRef | None
    record: CallDetailRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayAlertEvent:
    """The gateway reported an abnormal condition (Dinstar `exception_info`)."""

    port_label: str
    ref: SlotRef | None
    kind: str
    action: str = ""


type PushEvent = (
    DeviceStatusEvent
    | PortStatusEvent
    | SmsReceivedEvent
    | MmsReceivedEvent
    | DeliveryReportEvent
    | SendReportEvent
    | UssdReceivedEvent
    | SimRegistrationEvent
    | DevicePowerEvent
    | CallRecordEvent
    | GatewayAlertEvent
)

__all__ = [
    "CallRecordEvent",
    "DeliveryReportEvent",
    "DevicePowerEvent",
    "DeviceStatusEvent",
    "GatewayAlertEvent",
    "MmsReceivedEvent",
    "PortStatusEvent",
    "PushEvent",
    "PushRequest",
    "SendReportEvent",
    "SimRegistrationEvent",
    "SmsReceivedEvent",
    "UssdReceivedEvent",
]
