"""State of a simulated Synway SMG gateway: ports, SIMs, inbox, outbox, send tasks and USSD exchanges.

No HTTP here: `simulator/synway/server.py` turns requests into calls on `SynwayState` and writes the answers with
`simulator/synway/format.py`. Ports and slots are 1-based in this module; wire numbering is the server's job.
Send tasks move on with time (`advance()`): wait, then sending, then sent (or failed / timeout).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import random
import time

from ..data import SimCard, make_imei, make_sim

CONNECTED = 1
ROAMING = 5
UNCONNECTED = 0
CONNECTING = 2
PORT_IDLE = 0
PORT_UNAVAILABLE = 11

WAIT, SENDING, SENT, FAILED, TIMEOUT = 1, 2, 3, 4, 5
SOURCE_API = 2


@dataclass
class Port:
    """One GSM/LTE module and its SIM slots."""

    number: int
    imei: str
    sims: dict[int, SimCard | None]
    active_slot: int = 1
    port_state: int = PORT_IDLE
    connect_state: int = CONNECTED
    port_type: str = "WCDMA"

    @property
    def sim(self) -> SimCard | None:
        """The SIM in the active slot."""
        return self.sims.get(self.active_slot)

    @property
    def registered(self) -> bool:
        """True when the module can send: connected (or roaming) with a SIM."""
        return self.sim is not None and self.connect_state in {CONNECTED, ROAMING}


@dataclass
class ReceivedSms:
    """One inbox record."""

    at: datetime  # naive device local time
    port: int
    slot: int
    sender: str
    text: str
    sim_number: str | None


@dataclass
class SentSms:
    """One outbox record."""

    at: datetime
    port: int
    slot: int
    recipient: str
    source: int
    text: str
    sim_number: str | None


@dataclass
class SendEntry:
    """One recipient of a send task."""

    number: str
    allowed_ports: list[int]
    port: int | None = None
    status: int = WAIT
    created: float = field(default_factory=time.monotonic)
    sending_since: float = 0.0


@dataclass
class SendTask:
    """One `txsms` request."""

    task_id: int
    user_id: str
    text: str
    entries: list[SendEntry]


@dataclass
class UssdExchange:
    """One `txussd` code and its reply."""

    port: int
    order: int
    at: datetime
    code: str
    sent: bool
    reply: str | None = None
    reply_text: str = ""
    reply_due: float | None = None


class SynwayState:
    """Everything a Synway gateway remembers."""

    def __init__(self, *, ports: int, slots: int, rng: random.Random) -> None:
        """Fill every slot with a SIM; every module gets an IMEI."""
        self.rng = rng
        self.slot_count = slots
        self.ports = {
            number: Port(number=number, imei=make_imei(rng), sims={slot: make_sim(rng) for slot in range(1, slots + 1)})
            for number in range(1, ports + 1)
        }
        self.inbox: list[ReceivedSms] = []
        self.outbox: list[SentSms] = []
        self.tasks: dict[int, SendTask] = {}
        self.ussd: list[UssdExchange] = []
        self.receipts: dict[tuple[int, str], str] = {}
        self.failing_numbers: set[str] = set()
        self.undelivered_numbers: set[str] = set()
        self.ussd_replies: dict[str, str] = {}
        self.default_ussd_reply = "Your balance is 12.34 EUR. Valid until 2030-01-01."
        self.clock_offset = 0.0
        self.send_step = 0.3  # seconds per send stage
        self.send_timeout = 3.0  # seconds a recipient waits for a usable port before it times out
        self.ussd_delay = 0.3
        self.reboot_until = 0.0
        self._next_task = 0
        self._next_port = 0

    # --- time ------------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The device clock: UTC (the simulated device runs on UTC), shifted by `clock_offset`, naive."""
        return (datetime.now(UTC) + timedelta(seconds=self.clock_offset)).replace(tzinfo=None, microsecond=0)

    # --- ports -------------------------------------------------------------------------------------------------

    def port_numbers(self) -> list[int]:
        """Every port, in order."""
        return sorted(self.ports)

    def reboot(self, seconds: float) -> None:
        """Every module registers again during `seconds`."""
        self.reboot_until = time.monotonic() + seconds
        for port in self.ports.values():
            if port.sim is not None:
                port.connect_state = CONNECTING

    def remove_sim(self, number: int, slot: int | None = None) -> None:
        """Take the SIM out of a slot (the active one by default)."""
        port = self.ports[number]
        port.sims[slot or port.active_slot] = None
        if port.sim is None:
            port.connect_state = UNCONNECTED
            port.port_state = PORT_UNAVAILABLE

    def insert_sim(self, number: int, slot: int | None = None) -> SimCard:
        """Put a new SIM into a slot (the active one by default)."""
        port = self.ports[number]
        sim = make_sim(self.rng)
        port.sims[slot or port.active_slot] = sim
        if port.sim is sim:
            port.connect_state = CONNECTED
            port.port_state = PORT_IDLE
        return sim

    # --- SMS -------------------------------------------------------------------------------------------------

    def deliver(
        self, number: int, sender: str, text: str, *, slot: int | None = None, at: datetime | None = None
    ) -> ReceivedSms:
        """An SMS arrives on a port."""
        port = self.ports[number]
        used_slot = slot or port.active_slot
        sim = port.sims.get(used_slot)
        sms = ReceivedSms(
            at=at or self.now(),
            port=number,
            slot=used_slot,
            sender=sender,
            text=text,
            sim_number=sim.number if sim else None,
        )
        self.inbox.append(sms)
        return sms

    def create_task(self, user_id: str, numbers: Sequence[str], ports: Sequence[int], text: str) -> SendTask:
        """Queue a send task; recipients are spread over `ports` (empty: any port)."""
        allowed = [port for port in ports if port in self.ports] or self.port_numbers()
        task = SendTask(
            task_id=self._next_task,
            user_id=user_id,
            text=text,
            entries=[SendEntry(number=number, allowed_ports=allowed) for number in numbers],
        )
        self._next_task += 1
        self.tasks[task.task_id] = task
        return task

    def _pick_port(self, entry: SendEntry) -> int | None:
        usable = [number for number in entry.allowed_ports if self.ports[number].registered]
        if not usable:
            return None
        choice = usable[self._next_port % len(usable)]
        self._next_port += 1
        return choice

    def advance(self, *, finish: bool = False) -> None:
        """Move send tasks, USSD replies and a reboot on by the time passed (`finish`: to the end now)."""
        now = time.monotonic()
        if self.reboot_until and now >= self.reboot_until:
            self.reboot_until = 0.0
            for port in self.ports.values():
                if port.connect_state == CONNECTING and port.sim is not None:
                    port.connect_state = CONNECTED
        for task in self.tasks.values():
            for entry in task.entries:
                self._advance_entry(task, entry, now, finish=finish)
        for exchange in self.ussd:
            if exchange.reply is None and exchange.reply_due is not None and (finish or now >= exchange.reply_due):
                exchange.reply = exchange.reply_text

    def _advance_entry(self, task: SendTask, entry: SendEntry, now: float, *, finish: bool) -> None:
        if entry.status == WAIT and (finish or now - entry.created >= self.send_step):
            entry.port = self._pick_port(entry)
            if entry.port is not None:
                entry.status = SENDING
                # Polled lazily: sending started when the wait was over, not when someone looked.
                entry.sending_since = min(now, entry.created + self.send_step)
            elif finish or now - entry.created >= self.send_timeout:
                entry.status = TIMEOUT
        if (
            entry.status == SENDING
            and entry.port is not None
            and (finish or now - entry.sending_since >= self.send_step)
        ):
            port = self.ports[entry.port]
            sim = port.sim
            if entry.number in self.failing_numbers or (sim is not None and sim.balance <= 0):
                entry.status = FAILED
                return
            entry.status = SENT
            self.outbox.append(
                SentSms(
                    at=self.now(),
                    port=entry.port,
                    slot=port.active_slot,
                    recipient=entry.number,
                    source=SOURCE_API,
                    text=task.text,
                    sim_number=sim.number if sim else None,
                )
            )
            self.receipts[entry.port, entry.number] = "FAIL" if entry.number in self.undelivered_numbers else "OK"

    # --- USSD ------------------------------------------------------------------------------------------------

    def send_ussd(self, number: int, code: str) -> UssdExchange:
        """Send a USSD code from a port; a registered port gets a reply after `ussd_delay`."""
        port = self.ports[number]
        order = 1 + max((item.order for item in self.ussd if item.port == number), default=-1)
        exchange = UssdExchange(port=number, order=order, at=self.now(), code=code, sent=port.registered)
        if exchange.sent:
            exchange.reply_text = self.ussd_replies.get(code, self.default_ussd_reply)
            exchange.reply_due = time.monotonic() + self.ussd_delay
        self.ussd.append(exchange)
        return exchange
