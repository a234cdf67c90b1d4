"""State of a simulated Skyline/EJOIN gateway: ports and slots, the send queue, the inbox, counters and eSIMs."""

from __future__ import annotations

from dataclasses import dataclass, field
import random
import time

from ..data import SimCard, luhn_check_digit, make_imei, make_sim

REGISTERED = 3
REGISTERING = 2
NO_SIM = 0
IDLE = 1
USER_LOCKED = 12

STATUS_TEXTS = {
    0: "No SIM card",
    1: "Idle SIM card",
    2: "Registering",
    3: "Registered",
    4: "Call connected",
    5: "No balance or alarm",
    6: "Register failed",
    7: "SIM card locked by device",
    8: "SIM card locked by operator",
    9: "Recognize SIM card error",
    11: "Card Detected",
    12: "User locked",
    13: "Port inter-calling",
    14: "Inter-calling holding",
    15: "Access Mobile Network",
    16: "Module response timeout",
}

# Windows of `type` in the statistics requests: last hour, last two hours, today (approximated as 24 h), all.
STAT_WINDOWS = {0: 3600.0, 1: 7200.0, 2: 86400.0, 3: None}


@dataclass
class Counters:
    """Timestamped events of one SIM slot; statistics are computed from them, so they count what happened."""

    sms: list[tuple[float, str]] = field(default_factory=list)  # received / sent_ok / sent_failed
    calls: list[tuple[float, bool, int]] = field(default_factory=list)  # (when, connected, seconds)
    consecutive_failed: int = 0

    def count(self, kind: str, window: float | None, now: float) -> int:
        """How many `kind` events fell in the window."""
        return sum(1 for at, what in self.sms if what == kind and (window is None or now - at <= window))

    def calls_in(self, window: float | None, now: float) -> list[tuple[float, bool, int]]:
        """Calls that fell in the window."""
        return [call for call in self.calls if window is None or now - call[0] <= window]


@dataclass
class SlotState:
    """One SIM slot."""

    imei: str
    sim: SimCard | None
    status: int = REGISTERED  # the module's state while this slot is active
    locked: bool = False
    number: str | None = None  # written with `sim_number(n)`; else the SIM's own number
    counters: Counters = field(default_factory=Counters)

    @property
    def sim_number(self) -> str:
        """The number shown in status rows."""
        if self.number is not None:
            return self.number
        return self.sim.number if self.sim else ""


@dataclass
class PortState:
    """One port (module) with its slots."""

    port: int
    slots: list[SlotState]
    active: int = 1  # 1-based slot in use
    led: bool = True
    seq: int = 0  # port-status sequence
    public_ip: str = ""
    rx_tx: str = "0/0"
    signal: int = 20

    def slot(self, number: int) -> SlotState:
        """Slot by 1-based number."""
        return self.slots[number - 1]

    def code(self, number: int) -> int:
        """Status code of a slot as the device reports it."""
        slot = self.slot(number)
        if slot.sim is None:
            return NO_SIM
        if slot.locked:
            return USER_LOCKED
        if number != self.active:
            return IDLE
        return slot.status


@dataclass
class QueuedTask:
    """A send task in the queue."""

    tid: int
    ports: list[tuple[int, int]]  # (port, slot) candidates, resolved at submission
    from_text: str
    recipients: list[str]
    text: str
    charset: str
    coding: int
    sms_type: int
    success_report: bool
    failure_report: bool
    delivery_report: bool
    smsc: str = ""  # `smsc`, as given
    interval_ms: int = 0  # `intvl`: the pause between two SMS of the task
    timeout: int = 30  # `tmo`, seconds
    mms_title: str = ""  # `smstitle` of an MMS
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (kind, data) of an MMS, as decoded
    paused: bool = False
    next_index: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def done(self) -> bool:
        """True when every recipient has a result."""
        return self.next_index >= len(self.recipients)


@dataclass
class InboxEntry:
    """A received SMS or delivery report as the device stores it."""

    sms_id: int
    flag: int  # 0 SMS, 1 delivery report
    port: int
    slot: int
    received: int  # Unix seconds
    sender: str
    recipient: str
    text: str  # SMS body, or the delivery report's original content
    smsc: str = ""
    report_code: int = 0
    concat: tuple[int, int, int] | None = None  # (reference, part, total) of a part the device did not join


@dataclass
class EsimProfileState:
    """One profile slot of a port's eSIM."""

    slot: int
    exists: bool = False
    enabled: bool = False
    iccid: str = ""
    ac: str = ""
    cc: str = ""
    provider: str = ""
    op: int = 0  # 0 none, 1 writing, 2 deleting
    status: int = 0  # 0 nothing pending, 1 submitted, 2 in progress, 3 error
    reason: str = ""


@dataclass
class EsimState:
    """A port's eSIM."""

    eid: str
    profiles: dict[int, EsimProfileState]

    @property
    def busy(self) -> bool:
        """True while a job runs on this port."""
        return any(profile.status in {1, 2} for profile in self.profiles.values())


@dataclass
class UrlList:
    """A proxy URL white- or blacklist."""

    enabled: bool = False
    urls: list[str] = field(default_factory=list)


@dataclass
class ProxyModeState:
    """Everything configured for one proxy mode (http or socks5)."""

    enabled: bool = False
    proxies: dict[str, dict[str, object]] = field(default_factory=dict)
    users_enabled: bool = False
    users: dict[str, dict[str, object]] = field(default_factory=dict)
    white: UrlList = field(default_factory=UrlList)
    black: UrlList = field(default_factory=UrlList)
    access_log: bool = False


def make_ports(rng: random.Random, port_count: int, slot_count: int) -> list[PortState]:
    """Ports with realistic SIMs: most slots filled, a few empty, the first slot active."""
    ports: list[PortState] = []
    for number in range(1, port_count + 1):
        slots = []
        for slot_number in range(1, slot_count + 1):
            empty = slot_number > 1 and rng.random() < 0.2
            slots.append(SlotState(imei=make_imei(rng), sim=None if empty else make_sim(rng)))
        ports.append(
            PortState(
                port=number,
                slots=slots,
                public_ip=f"10.{number // 256}.{number % 256}.{rng.randrange(2, 250)}",
                signal=rng.randrange(8, 31),
            )
        )
    return ports


def make_esims(rng: random.Random, ports: list[PortState], slot_count: int) -> dict[int, EsimState]:
    """An eSIM on every port, with a profile in slot 1."""
    esims: dict[int, EsimState] = {}
    for port in ports:
        profiles = {number: EsimProfileState(slot=number) for number in range(1, slot_count + 1)}
        first = profiles[1]
        first.exists = first.enabled = True
        first.iccid = make_iccid(rng)
        first.provider = "Demo Mobile"
        esims[port.port] = EsimState(
            eid="8904903200" + "".join(str(rng.randrange(10)) for _ in range(22)), profiles=profiles
        )
    return esims


def make_iccid(rng: random.Random) -> str:
    """A Luhn-valid 20-digit ICCID."""
    body = "8949" + "".join(str(rng.randrange(10)) for _ in range(15))
    return body + luhn_check_digit(body)


def now() -> float:
    """Wall-clock seconds (one place, so tests can reason about it)."""
    return time.time()
