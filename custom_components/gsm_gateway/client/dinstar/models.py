"""Typed models of the Dinstar UC/DWG "new-version API" that have no vendor-neutral equivalent.

They come with the Dinstar-only methods of `DinstarGateway` (send results, delivery statuses, port information,
USSD per port, the incoming-SMS batch). Call forwarding, CDRs and STK menus are shared feature models
(`client/call_forwarding.py`, `client/call_records.py`, `client/sim_toolkit.py`). Like the shared models they
are frozen, and phone numbers and SIM identifiers stay out of `repr`.

Ports are shown the way users see them everywhere in this product: `ref` is a 1-based `SlotRef` and
`port_label` its canonical label (`1A`); `wire_port` is the device's own 0-based number where it matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..models import IncomingSms
from ..ports import SlotRef


class InfoType(StrEnum):
    """What `get_port_info` can report (`info_type`). Request names as the spec's table spells them."""

    TYPE = "type"
    IMEI = "imei"
    IMSI = "imsi"
    ICCID = "iccid"
    SMSC = "smsc"
    NUMBER = "number"
    REG = "reg"
    SLOT = "slot"
    CALL_STATE = "callstate"
    SIGNAL = "signal"
    GPRS = "gprs"
    REMAIN_CREDIT = "remain_credit"
    REMAIN_MONTHLY_CREDIT = "remain_monthly_credit"
    REMAIN_DAILY_CREDIT = "remain_daily_credit"
    REMAIN_DAILY_CALLTIME = "remain_daily_calltime"
    REMAIN_HOURLY_CALLTIME = "remain_hourly_calltime"
    REMAIN_DAILY_CONNECT = "remain_daily_connect"
    CALL_FORWARD = "CallForward"


class PortAction(StrEnum):
    """What `set_port_info` can do (`action`)."""

    SLOT = "slot"
    RESET = "reset"
    POWER = "power"
    IMEI = "imei"
    NUMBER = "number"
    LOCK = "lock"
    UNLOCK = "unlock"
    BLOCK = "block"
    UNBLOCK = "unblock"
    CALL_FORWARD = "CallForward"
    CHECK_CALL_FORWARD = "CheckCallForward"


class SmsSendStatus(StrEnum):
    """Status of one sent SMS (`query_sms_result`, `sms_result` push)."""

    SENDING = "SENDING"
    SENT_OK = "SENT_OK"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"  # a word the spec does not list; `status_text` keeps it


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsRecipient:
    """One recipient of a template send: `params` replace the `#param#` placeholders of the text in order."""

    number: str = field(repr=False)
    params: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsSendRecord:
    """The device's record of one sent SMS."""

    port_label: str
    ref: SlotRef | None
    number: str = field(repr=False)
    user_id: int | None = None
    sent_at: datetime | None = None
    status: SmsSendStatus
    status_text: str = ""
    segments: int | None = None
    segments_sent: int | None = None
    ref_id: int | None = None  # first reference id, matches delivery statuses
    imsi: str | None = field(default=None, repr=False)

    @property
    def final(self) -> bool:
        """True once the device will not change this record any more (sent, delivered or failed)."""
        return self.status in {SmsSendStatus.SENT_OK, SmsSendStatus.DELIVERED, SmsSendStatus.FAILED}


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryStatusRecord:
    """One SMS status report the network sent back (`query_sms_deliver_status`, `sms_deliver_status` push)."""

    port_label: str
    ref: SlotRef | None
    number: str = field(repr=False)
    sent_at: datetime | None = None
    ref_id: int | None = None
    status_code: int | None = None  # TP-Status: 0-31 done, 32-63 still trying, 64-255 failed
    imsi: str | None = field(default=None, repr=False)

    @property
    def delivered(self) -> bool:
        """True when the network completed the delivery (TP-Status 0-31)."""
        return self.status_code is not None and 0 <= self.status_code < 32

    @property
    def permanent_failure(self) -> bool:
        """True when the network gave up (TP-Status 64-255)."""
        return self.status_code is not None and self.status_code >= 64


@dataclass(frozen=True, slots=True, kw_only=True)
class PortInfo:
    """One row of `get_port_info`: what the device reports about a port and its active SIM."""

    wire_port: int  # 0-based, as on the wire
    ref: SlotRef  # 1-based port, 1-based active slot
    port_label: str
    wire_slot: int | None = None  # 0-3, 255 (single SIM) or None when not reported
    module_type: str | None = None  # GSM, CDMA, WCDMA, LTE, UNKNOWN
    imei: str | None = field(default=None, repr=False)
    imsi: str | None = field(default=None, repr=False)
    iccid: str | None = field(default=None, repr=False)
    smsc: str | None = field(default=None, repr=False)
    number: str | None = field(default=None, repr=False)
    reg: str | None = None  # the device's own registration word
    call_state: str | None = None
    signal: int | None = None  # 0-31
    gprs: str | None = None
    remain_credit: str | None = None
    remain_monthly_credit: str | None = None
    remain_daily_credit: str | None = None
    remain_daily_call_time: str | None = None
    remain_hourly_call_time: str | None = None
    remain_daily_connect: str | None = None
    operator: str | None = None  # not in the spec; kept when a firmware adds it
    call_forward: Mapping[str, str] | None = field(default=None, repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)  # keys this client does not know

    @property
    def multi_sim(self) -> bool:
        """True when the port reports a real slot (0-3) rather than 255."""
        return self.wire_slot is not None and self.wire_slot != 255


@dataclass(frozen=True, slots=True, kw_only=True)
class UssdPortResult:
    """Whether one port took a USSD request: 200 sent, 486 busy, 503 not registered."""

    port_label: str
    ref: SlotRef | None
    status: int | None
    accepted: bool
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class UssdReply:
    """The last USSD reply a port received (empty text: none yet)."""

    port_label: str
    ref: SlotRef | None
    text: str = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomingBatch:
    """What `query_incoming_sms` returned, with the device's read/unread counters."""

    messages: tuple[IncomingSms, ...]
    read: int | None = None
    unread: int | None = None
