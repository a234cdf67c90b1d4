"""State of a simulated Dinstar gateway: ports and SIMs, the send queue and its records, inbox, USSD, CDRs.

Wire numbering throughout (ports 0-31, slots 0-3). No HTTP here; `simulator.dinstar.server` serves it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import itertools
import math
import random
from typing import Any

from ..data import SimCard, make_imei, make_sim
from .stk import StkSession

REGISTER_OK = "REGISTER_OK"
GSM7_ALPHABET = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def segments(text: str, encoding: str) -> int:
    """SMS parts a text needs (concatenated SMS: 153 septets or 67 UCS-2 characters per part)."""
    if encoding == "gsm-7bit" and all(char in GSM7_ALPHABET for char in text):
        return 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    return 1 if len(text) <= 70 else math.ceil(len(text) / 67)


@dataclass
class SimSlot:
    """A SIM slot and its card (None: empty)."""

    card: SimCard | None
    pin: str = "1234"
    pin_locked: bool = False


@dataclass
class Port:
    """One GSM/LTE module and its SIM slots."""

    index: int
    imei: str
    slots: list[SimSlot]
    multi_sim: bool
    module_type: str = "GSM"
    active: int = 0
    reg: str = REGISTER_OK
    powered: bool = True
    blocked: bool = False
    busy: bool = False
    signal: int = 20
    call_state: str = "Idle"
    gprs: str = "detached"
    ussd_reply: str = ""
    call_forward: dict[str, str] = field(default_factory=dict)
    call_forward_checked: dict[str, str] = field(default_factory=dict)
    stk: StkSession = field(default_factory=StkSession)
    next_ref_id: int = 0

    @property
    def card(self) -> SimCard | None:
        """The card in the active slot."""
        return self.slots[self.active].card

    @property
    def wire_slot(self) -> int:
        """The slot as the wire reports it: 0-3, or 255 on single-SIM ports."""
        return self.active if self.multi_sim else 255

    @property
    def registered(self) -> bool:
        """True when the port can send."""
        return self.powered and self.card is not None and self.reg == REGISTER_OK

    def settle_registration(self) -> None:
        """The state the module reaches after power-up, a reset or a slot change."""
        if not self.powered:
            self.reg = "POWER_OFF"
        elif self.card is None:
            self.reg = "NO_SIM"
        elif self.slots[self.active].pin_locked:
            self.reg = "PIN_REQUIRE"
        else:
            self.reg = REGISTER_OK

    def take_ref_ids(self, count: int) -> int:
        """The first of `count` reference ids (0-255, wrapping)."""
        first = self.next_ref_id
        self.next_ref_id = (first + count) % 256
        return first


@dataclass
class InboxMessage:
    """A received SMS in the device's database."""

    sms_id: int
    port: int
    slot: int
    number: str
    smsc: str
    received: datetime
    text: str
    read: bool = False


@dataclass
class SentRecord:
    """A `query_sms_result` row: SENDING from the moment the message is queued, then SENT_OK, FAILED, DELIVERED."""

    port: int
    slot: int
    number: str
    user_id: int | None
    time: datetime
    status: str
    count: int
    succ_count: int
    ref_id: int
    imsi: str
    text: str
    report: bool = True


@dataclass
class QueuedSms:
    """One recipient of a send task, waiting in the queue; `record` is its result row (SENDING meanwhile)."""

    task_id: int
    ports: list[int]
    record: SentRecord


@dataclass
class DeliverRecord:
    """A `query_sms_deliver_status` row."""

    port: int
    number: str
    time: datetime
    ref_id: int
    status_code: int
    imsi: str


@dataclass
class CallRecord:
    """A `get_cdr` row."""

    port: int
    start: datetime
    answer: datetime | None
    duration: int
    source: str
    destination: str
    direction: str
    ip: str = ""
    codec: str = "G.711A"
    hangup: str = "called"
    gsm_code: int = 16
    bcch: str = ""


class DinstarState:
    """Everything a simulated Dinstar gateway remembers."""

    def __init__(
        self, *, ports: int, slots: int, rng: random.Random, now: Callable[[], datetime], module_type: str = "GSM"
    ) -> None:
        """`ports` modules with `slots` SIM slots each (1: single-SIM ports, slot 255 on the wire)."""
        self.rng = rng
        self.now = now
        multi = slots > 1
        self.ports = [
            Port(
                index=index,
                imei=make_imei(rng),
                slots=[SimSlot(card=make_sim(rng)) for _ in range(max(slots, 1))],
                multi_sim=multi,
                module_type=module_type,
                signal=rng.randrange(12, 31),
            )
            for index in range(ports)
        ]
        self.queue: deque[QueuedSms] = deque()
        self.sent: list[SentRecord] = []
        self.delivered: list[DeliverRecord] = []
        self.inbox: list[InboxMessage] = []
        self.cdrs: list[CallRecord] = []
        self.failing_numbers: set[str] = set()
        self.undeliverable_numbers: set[str] = set()
        self.ussd_replies: dict[str, str] = {}
        self.live_tasks: set[int] = set()
        self._task_ids = itertools.count(1)
        self._sms_ids = itertools.count(1)
        self._round_robin = 0

    # --- sending ------------------------------------------------------------------------------------------------

    def can_send_from(self, ports: list[int] | None) -> bool:
        """True when at least one of `ports` (None: any) can send now."""
        return any(self._usable(port) for port in self._candidates(ports))

    def _candidates(self, ports: list[int] | None) -> list[Port]:
        return [self.ports[index] for index in ports] if ports else list(self.ports)

    @staticmethod
    def _usable(port: Port) -> bool:
        return port.registered and not port.blocked

    def _next_port(self, ports: list[int] | None) -> Port | None:
        """The next usable port among `ports` (None: any), round robin; None when none can send."""
        candidates = [port for port in self._candidates(ports) if self._usable(port)]
        if not candidates:
            return None
        port = candidates[self._round_robin % len(candidates)]
        self._round_robin += 1
        return port

    def _place(self, record: SentRecord, port: Port) -> None:
        """Put a message on `port`: its slot, SIM and reference ids."""
        card = port.card
        record.port, record.slot = port.index, port.wire_slot
        record.imsi = card.imsi if card else ""
        record.ref_id = port.take_ref_ids(record.count)

    def enqueue(
        self, text: str, entries: list[dict[str, Any]], ports: list[int] | None, encoding: str, report: bool
    ) -> int:
        """Queue one task; returns its id. Each message is placed on a port now and listed as SENDING."""
        task_id = next(self._task_ids)
        for entry in entries:
            personal = text
            for value in entry.get("text_param") or []:
                personal = personal.replace("#param#", str(value), 1)
            record = SentRecord(
                port=0,
                slot=255,
                number=entry["number"],
                user_id=entry.get("user_id"),
                time=self.now(),
                status="SENDING",
                count=segments(personal, encoding),
                succ_count=0,
                ref_id=0,
                imsi="",
                text=personal,
                report=report,
            )
            self._place(record, self._next_port(ports) or self._candidates(ports)[0])
            self.queue.append(QueuedSms(task_id=task_id, ports=list(ports or []), record=record))
            self.sent.append(record)
        self.live_tasks.add(task_id)
        return task_id

    def drop_queued(self, task_id: int | None = None) -> None:
        """Forget queued messages (of one task, or all): they leave the queue and the result list, never sent."""
        dropped = [item for item in self.queue if task_id is None or item.task_id == task_id]
        if not dropped:
            return
        self.queue = deque(item for item in self.queue if task_id is not None and item.task_id != task_id)
        gone = {id(item.record) for item in dropped}
        self.sent = [record for record in self.sent if id(record) not in gone]

    def stop_task(self, task_id: int) -> bool:
        """Drop the queued messages of a task; False when the task is unknown or finished."""
        if task_id not in self.live_tasks:
            return False
        self.drop_queued(task_id)
        self.live_tasks.discard(task_id)
        return True

    def start_sending(self, item: QueuedSms) -> SentRecord:
        """The queued message goes out on its port, or on another usable one when its own cannot send.

        Its SENDING record is kept (and moved); it is FAILED when none of the task's ports can send.
        """
        record = item.record
        record.time = self.now()
        if not self._usable(self.ports[record.port]):
            port = self._next_port(item.ports)
            if port is None:
                record.status = "FAILED"
            else:
                self._place(record, port)
        if not any(queued.task_id == item.task_id for queued in self.queue):
            self.live_tasks.discard(item.task_id)
        return record

    def finish_sending(self, record: SentRecord) -> None:
        """The network answered: SENT_OK, or FAILED for numbers told to fail and from SIMs without credit."""
        if record.status != "SENDING":
            return
        card = self.ports[record.port].card
        if record.number in self.failing_numbers or (card is not None and card.balance <= 0):
            record.status = "FAILED"
        else:
            record.status = "SENT_OK"
            record.succ_count = record.count

    def deliver_report(self, record: SentRecord) -> DeliverRecord:
        """The recipient's network reported back: status 0, or 65 for numbers told to be undeliverable."""
        undeliverable = record.number in self.undeliverable_numbers
        if not undeliverable:
            record.status = "DELIVERED"
        report = DeliverRecord(
            port=record.port,
            number=record.number,
            time=self.now(),
            ref_id=record.ref_id,
            status_code=65 if undeliverable else 0,
            imsi=record.imsi,
        )
        self.delivered.append(report)
        return report

    # --- receiving ----------------------------------------------------------------------------------------------

    def receive(
        self, port: int, number: str, text: str, smsc: str = "+491770610000", received: datetime | None = None
    ) -> InboxMessage:
        """A new SMS arrives on `port`."""
        message = InboxMessage(
            sms_id=next(self._sms_ids),
            port=port,
            slot=self.ports[port].wire_slot,
            number=number,
            smsc=smsc,
            received=received or self.now(),
            text=text,
        )
        self.inbox.append(message)
        return message

    def clear_inbox(self) -> None:
        """Forget every message and restart the numbering (a new database)."""
        self.inbox.clear()
        self._sms_ids = itertools.count(1)

    # --- USSD ---------------------------------------------------------------------------------------------------

    def ussd_answer(self, port: Port, code: str) -> str:
        """What the network answers to `code`."""
        if code in self.ussd_replies:
            return self.ussd_replies[code]
        card = port.card
        if code.startswith(("*100", "*101", "*102")) and card is not None:
            return f"Your balance is {card.balance:.2f} EUR"
        return "Thank you!"
