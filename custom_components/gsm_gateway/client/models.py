"""Typed models shared by every gateway dialect.

Dialects turn their wire formats into these; the Home Assistant layer only ever sees these.
All models are frozen. Identifiers (IMEI, IMSI, ICCID, phone numbers) are excluded from `repr`, so a model
that ends up in a log line or traceback does not leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
import hashlib
from typing import Any

from .ports import SlotRef


class Vendor(StrEnum):
    """Gateway families (API dialects)."""

    EJOIN = "ejoin"  # Skyline and EJOIN goip_*.html API
    DINSTAR = "dinstar"  # Dinstar UC/DWG "new-version API"
    SYNWAY = "synway"  # Synway SMG /API/TaskHandle + /API/QueryInfo


VENDOR_NAMES: Mapping[Vendor, str] = {
    Vendor.EJOIN: "Skyline/EJOIN",
    Vendor.DINSTAR: "Dinstar",
    Vendor.SYNWAY: "Synway",
}


class Capability(StrEnum):
    """What a gateway can do. The Home Assistant layer only offers what is in `Gateway.capabilities`."""

    STATUS_PUSH = "status_push"  # the device pushes status changes
    SMS_PUSH = "sms_push"  # the device pushes incoming SMS
    PUSH_TARGET_API = "push_target_api"  # the push URL can be set through the API
    INBOX_POLL = "inbox_poll"  # incoming SMS can be read back by cursor or time window
    INBOX_DELETE = "inbox_delete"  # read messages can be deleted on the device
    DELIVERY_REPORTS = "delivery_reports"
    SEND_REPORTS = "send_reports"  # per-recipient sent/failed results
    USSD = "ussd"
    SMS_STATISTICS = "sms_statistics"
    CALL_STATISTICS = "call_statistics"
    SIM_SLOTS = "sim_slots"  # several SIM slots per port, one active
    SWITCH_SLOT = "switch_slot"
    LOCK = "lock"
    LOCK_SLOT = "lock_slot"  # one SIM slot can be locked on its own (not only the whole port)
    LED = "led"
    RESET_MODULE = "reset_module"
    MODULE_POWER = "module_power"
    REDIAL = "redial"
    REBOOT = "reboot"
    SAVE = "save"
    SET_IMEI = "set_imei"
    SET_SIM_NUMBER = "set_sim_number"
    ESIM = "esim"
    SMS_TASKS = "sms_tasks"  # list/pause/resume/delete queued send tasks
    SEND_QUEUE = "send_queue"  # how many SMS wait in the gateway's send queue (`get_queue_count`)
    SMS_CANCEL = "sms_cancel"  # queued sends cancelled by the task ids of their send (`cancel_sms_tasks`)
    USSD_CANCEL = "ussd_cancel"  # a port's USSD session ended on the device (`cancel_ussd`)
    PROXY = "proxy"
    IP_LISTS = "ip_lists"
    REPORT_POLL = "report_poll"  # send results and delivery reports of own sends can be read back (`fetch_reports`)
    CALL_FORWARD = "call_forward"
    CDR = "cdr"
    STK = "stk"
    MMS = "mms"  # incoming MMS
    MMS_SEND = "mms_send"  # `Gateway.send_mms`
    SEND_OPTIONS = "send_options"  # `SendOptions` of a send are honoured (SMS centre, interval, timeout)


class SimState(StrEnum):
    """Normalised state of a SIM slot. Each dialect maps its own codes here; the raw code and text are kept."""

    NO_SIM = "no_sim"
    IDLE = "idle"  # SIM present, not the active slot
    REGISTERING = "registering"
    REGISTERED = "registered"
    IN_CALL = "in_call"
    NO_BALANCE = "no_balance"
    REGISTRATION_FAILED = "registration_failed"
    LOCKED_BY_DEVICE = "locked_by_device"
    LOCKED_BY_OPERATOR = "locked_by_operator"
    SIM_ERROR = "sim_error"
    CARD_DETECTED = "card_detected"
    USER_LOCKED = "user_locked"
    INTERCALLING = "intercalling"
    INTERCALL_HOLDING = "intercall_holding"
    ACCESSING_NETWORK = "accessing_network"
    MODULE_TIMEOUT = "module_timeout"
    PIN_REQUIRED = "pin_required"
    PUK_REQUIRED = "puk_required"
    POWER_OFF = "power_off"
    UNKNOWN = "unknown"


REGISTERED_STATES = frozenset({SimState.REGISTERED, SimState.IN_CALL, SimState.NO_BALANCE})


class Encoding(StrEnum):
    """SMS encoding to request. AUTO lets the client pick GSM-7 when the text allows it."""

    AUTO = "auto"
    GSM7 = "gsm7"
    UCS2 = "ucs2"


class RedialMode(IntEnum):
    """Skyline/EJOIN redial modes."""

    FLIGHT = 0  # the SIM registers again (may get a new IP)
    FAST = 1  # redial without registering again


class StatisticsPeriod(IntEnum):
    """Time window of gateway statistics."""

    LAST_HOUR = 0
    LAST_TWO_HOURS = 1
    TODAY = 2
    CUMULATIVE = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionSettings:
    """How to reach a gateway. The password is kept out of `repr`."""

    host: str
    port: int = 80
    use_https: bool = False
    verify_ssl: bool = True
    username: str
    password: str = field(repr=False)
    timeout: float = 10.0
    # Skyline/EJOIN v2.4: sign requests with a `crypt_sess.json` session instead of putting the password in each
    # query string. Other dialects have no such session and ignore it.
    encrypted_session: bool = False

    @property
    def base_url(self) -> str:
        """Scheme, host and port, without credentials."""
        scheme = "https" if self.use_https else "http"
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{scheme}://{host}:{self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceInfo:
    """What a gateway says about itself."""

    vendor: Vendor
    model: str | None = None
    firmware: str | None = None
    mac: str | None = None  # lower case, colon separated
    serial: str | None = None
    ip: str | None = None
    port_count: int
    slot_count: int = 1

    @property
    def unique_id(self) -> str:
        """Stable id for Home Assistant: the MAC address, or the serial number when the MAC is unknown."""
        if self.mac:
            return self.mac
        if self.serial:
            return f"{self.vendor.value}-{self.serial.lower()}"
        msg = "gateway reported neither a MAC address nor a serial number"
        raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotStatus:
    """One SIM slot as last reported."""

    ref: SlotRef | None  # None when the notation was unknown; `label` then holds the raw text
    label: str  # canonical label (`1A`) or the stripped raw label
    raw_label: str
    state: SimState
    status_code: int | None = None
    status_text: str = ""  # the device's own words, shown next to the state
    active: bool = True  # the slot the port's module is using
    balance: float | None = None
    operator: str | None = None
    sim_number: str | None = field(default=None, repr=False)
    imei: str | None = field(default=None, repr=False)
    imsi: str | None = field(default=None, repr=False)
    iccid: str | None = field(default=None, repr=False)
    signal: int | None = None  # raw: 0-31 CSQ on every known dialect
    signal_dbm: int | None = None  # derived from CSQ when known
    locked: bool | None = None
    led: bool | None = None
    network_type: str | None = None
    call_state: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortStatus:
    """A port (GSM/LTE module) and its SIM slots."""

    port: int
    slots: Mapping[int, SlotStatus]  # by 1-based slot number
    active_slot: int | None = None

    @property
    def active(self) -> SlotStatus | None:
        """The slot in use, or None when no slot is active."""
        if self.active_slot is None:
            return None
        return self.slots.get(self.active_slot)

    @property
    def state(self) -> SimState:
        """State of the port: its active SIM's; with none active, user-locked, idle (SIMs present) or no SIM.

        Locking the SIM in use leaves a port with no active slot on some firmware; it then reads user-locked.
        """
        if (active := self.active) is not None:
            return active.state
        states = {slot.state for slot in self.slots.values()}
        if SimState.USER_LOCKED in states:
            return SimState.USER_LOCKED
        if states - {SimState.NO_SIM}:
            return SimState.IDLE
        return SimState.NO_SIM


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayStatus:
    """Everything a status poll or push says: device info and every port."""

    device: DeviceInfo
    ports: Mapping[int, PortStatus]  # by 1-based port number
    unparsed_labels: tuple[str, ...] = ()  # rows whose port notation was unknown


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOptions:
    """How the gateway should send, where it can be told per send (`Capability.SEND_OPTIONS`); None: its default.

    A dialect without the capability refuses options that are set rather than ignore them.
    """

    smsc: str | None = field(default=None, repr=False)  # the SMS centre's number
    interval_ms: int | None = None  # pause between two messages of the send
    result_timeout: int | None = None  # seconds the gateway waits for each message's send result

    @property
    def given(self) -> tuple[str, ...]:
        """Names of the options that are set."""
        values = {"smsc": self.smsc, "interval_ms": self.interval_ms, "result_timeout": self.result_timeout}
        return tuple(name for name, value in values.items() if value is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsRequest:
    """One text to one or more recipients."""

    recipients: tuple[str, ...] = field(repr=False)
    text: str = field(repr=False)
    ports: tuple[SlotRef, ...] = ()  # empty: the gateway chooses
    encoding: Encoding = Encoding.AUTO
    delivery_report: bool = False
    options: SendOptions = SendOptions()


@dataclass(frozen=True, slots=True, kw_only=True)
class MmsAttachment:
    """One file of an MMS: `kind` is its type as gateways name it (`client.mms.MMS_KINDS`: jpg, gif, txt, mp3)."""

    kind: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class MmsRequest:
    """One MMS (a title, an optional text and attachments) to one or more recipients (`Capability.MMS_SEND`)."""

    recipients: tuple[str, ...] = field(repr=False)
    title: str = field(repr=False)
    text: str = field(default="", repr=False)
    attachments: tuple[MmsAttachment, ...]
    ports: tuple[SlotRef, ...] = ()  # empty: the gateway chooses
    options: SendOptions = SendOptions()


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipientResult:
    """Whether the gateway accepted the message for one recipient."""

    recipient: str = field(repr=False)
    accepted: bool
    task_id: str | None = None
    code: int | str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    """The gateway's answer to a send: task ids and per-recipient acceptance."""

    task_ids: tuple[str, ...]
    recipients: tuple[RecipientResult, ...]
    requests_made: int = 1

    @property
    def all_accepted(self) -> bool:
        """True when every recipient was accepted."""
        return all(result.accepted for result in self.recipients)


@dataclass(frozen=True, slots=True, kw_only=True)
class MultipartInfo:
    """Concatenated-SMS header of one part."""

    reference: int
    part: int  # 1-based
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomingSms:
    """A received SMS. `message_id` is the same whether the message came by push or by polling."""

    message_id: str
    port_label: str
    ref: SlotRef | None
    sender: str = field(repr=False)
    recipient: str = field(default="", repr=False)
    text: str = field(repr=False)
    received_at: datetime  # always time-zone aware
    smsc: str | None = field(default=None, repr=False)
    iccid: str | None = field(default=None, repr=False)
    imsi: str | None = field(default=None, repr=False)
    multipart: MultipartInfo | None = None
    device_sms_id: int | None = None  # the device's own id, where it has one (used for deletion)
    sent_at: datetime | None = None  # service-centre timestamp (SCTS), where the gateway passes it on
    # False when the push carried no device time and `received_at` (hence `message_id`) is the time it reached us:
    # the same message read back by polling then has another id (EJOIN legacy plain-text forward).
    time_exact: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReportEvent:
    """The network confirmed (or refused) delivery of a sent SMS to its recipient.

    `reference` is the dialect's own id of the report where it has one (Dinstar `ref_id`); `report_id` is the same
    for the pushed and the polled copy of one report, so callers can fire each report once.
    """

    port_label: str
    ref: SlotRef | None
    recipient: str = field(repr=False)
    delivered: bool
    status_code: int | None = None
    task_id: str | None = None
    reported_at: datetime | None = None
    reference: str | None = None

    @property
    def report_id(self) -> str:
        """Stable id: from the report's own content where it has any, else from the task it answers."""
        if self.reference is not None or self.reported_at is not None:
            moment = self.reported_at.isoformat() if self.reported_at is not None else ""
            basis = f"{self.port_label}|{self.recipient}|{self.reference or ''}|{moment}|{self.status_code}"
        else:
            basis = f"task|{self.task_id}|{self.recipient}"
        return "dr-" + hashlib.sha256(basis.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True, kw_only=True)
class SendReportEvent:
    """The gateway finished sending one SMS of a task: sent or failed (pushed, or read back by `fetch_reports`)."""

    task_id: str | None
    recipient: str = field(repr=False)
    port_label: str = ""
    ref: SlotRef | None = None
    sent: bool
    reason: str = ""
    sent_at: datetime | None = None

    @property
    def report_id(self) -> str:
        """Stable id: one final result per recipient of a task (the port and time when there is no task)."""
        if self.task_id is not None:
            basis = f"task|{self.task_id}|{self.recipient}"
        else:
            basis = f"{self.port_label}|{self.recipient}|{self.sent_at.isoformat() if self.sent_at else ''}"
        return "sr-" + hashlib.sha256(basis.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """One recipient of a send made by this caller, whose reports are still awaited (`Gateway.fetch_reports`)."""

    task_id: str
    recipient: str = field(repr=False)
    sent_at: datetime
    port_label: str = ""  # the port that sent it, once a result said so
    want_result: bool = True
    want_delivery: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxPage:
    """A batch of incoming SMS read back from the gateway and the cursor to continue from.

    `cursor` is JSON-serialisable and opaque to callers; persist it and pass it back.
    `more` is True when the gateway has more messages right away.
    `restarted` is True when the device's message numbering restarted (reboot), so the batch may repeat
    messages seen before; callers de-duplicate by `message_id`.
    `reports` are delivery reports the device keeps among its received messages (Skyline/EJOIN); callers
    de-duplicate them by `report_id`.
    """

    messages: tuple[IncomingSms, ...]
    cursor: Mapping[str, Any]
    more: bool = False
    restarted: bool = False
    reports: tuple[DeliveryReportEvent, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UssdResult:
    """Result of sending a USSD code. `reply` is set when the gateway answered synchronously."""

    port_label: str
    accepted: bool
    reply: str | None = None
    code: int | str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsStatistics:
    """SMS counters of one SIM slot."""

    ref: SlotRef
    received: int = 0
    sent: int = 0
    sent_ok: int = 0
    sent_failed: int = 0
    consecutive_failed: int = 0
    unsent: int = 0
    sending: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStatistics:
    """Call counters of one SIM slot."""

    ref: SlotRef
    calls: int = 0
    alerted: int = 0
    connected: int = 0
    failed: int = 0
    no_carrier: str | None = None  # "n/m"
    pdd: float | None = None  # seconds
    acd: float | None = None  # seconds
    asr: float | None = None  # percent
    total_minutes: int | None = None
    actual_seconds: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskResult:
    """The device's answer for one SMS task (pause/resume/delete/send)."""

    task_id: str
    code: int | None
    text: str

    @property
    def ok(self) -> bool:
        """True when the device reported code 0."""
        return self.code == 0


class CancelOutcome(StrEnum):
    """What became of one task a caller asked the gateway to cancel."""

    CANCELLED = "cancelled"  # it was waiting and will not be sent (or not any further)
    NOT_FOUND = "not_found"  # the device no longer knows it: already sent, failed, cancelled, or never queued
    REFUSED = "refused"  # the device knows it but would not cancel it (its code and text say why)


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelResult:
    """The device's answer for one task of `Gateway.cancel_sms_tasks`, with its own code and words."""

    task_id: str
    outcome: CancelOutcome
    code: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsTask:
    """A queued send task on the gateway."""

    task_id: str
    paused: bool
    ports: str = ""
    recipients: tuple[str, ...] = field(default=(), repr=False)
    text: str | None = field(default=None, repr=False)
    encoding: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsTaskList:
    """The queued send tasks of a port, as far as the client read them.

    `total` is the number of tasks the device reported (`total_num`; None when it reported none). `truncated` is
    True when the client stopped paging at its page limit while the device may have had more: `tasks` is then the
    beginning of the queue only.
    """

    tasks: tuple[SmsTask, ...] = ()
    total: int | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResult:
    """Outcome of an `op=set` style write: how many parameters the device confirmed."""

    confirmed: int
    requested: int

    @property
    def ok(self) -> bool:
        """True when the device confirmed every parameter."""
        return self.confirmed >= self.requested
