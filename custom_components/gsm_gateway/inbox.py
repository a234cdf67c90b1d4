"""The exactly-once inbox: every SMS the gateway received fires exactly one `gsm_gateway_sms_received` event.

Messages arrive by push, by catch-up polling, or by both. Each has a `message_id` that is the same either
way. The inbox keeps, in Home Assistant's storage:

- the read cursor of the gateway (EJOIN `ssrc`/`next_sms`, Dinstar `incoming_sms_id`, Synway time window),
- the ids of the most recent messages (`SEEN_LIMIT`), to drop repeats (push + poll, reboots, overlapping windows),
- the parts of concatenated messages still waiting for their siblings.

Seen ids and cursor are written in one save, as soon as the events fired (`ledger_store.py` says why); a message is
marked seen in the same synchronous step that fires its event, so a push and a poll racing for the same message
cannot both fire it.

Decisions (docs/receiving.md):
- When a gateway is added, the messages already on it are marked seen without firing: events start from now.
- A repeat older than the newest `SEEN_LIMIT` ids (a device that re-lists more than that after a reboot) would
  fire again; deleting messages after delivery (an option) keeps the device's inbox below that.
- Parts of a concatenated SMS fire one event when complete, or after `MULTIPART_TIMEOUT` with the parts that
  arrived (`incomplete: true`). At most `MAX_WAITING_MESSAGES` wait at once: forged or lost parts cannot grow
  memory or storage without bound (the oldest fires incomplete when another one starts).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .client import DeliveryReportEvent, Gateway, GatewayError, IncomingSms, MultipartInfo, SlotRef, parse_label
from .const import LOGGER
from .ledger_store import LedgerStore

SEEN_LIMIT = 10_000
MULTIPART_TIMEOUT = timedelta(minutes=5)
MAX_PAGES_PER_CATCH_UP = 1000
# Concatenated messages waiting for parts at once; one more fires the oldest with what it has (`incomplete`).
# An SMS has at most 255 parts, so at most 255 x this many parts wait (and are stored).
MAX_WAITING_MESSAGES = 100
MAX_PARTS = 255  # the most parts a concatenated SMS can have (the header's count is one byte)
# A push without the device's time (EJOIN legacy forward) and its polled copy have different ids; they are matched
# by port, sender and text when they reach us within this window of each other (see docs/receiving.md).
COUNTERPART_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, kw_only=True)
class ReceivedMessage:
    """A complete message, ready to become an event."""

    message_id: str
    port_label: str
    ref: SlotRef | None
    sender: str
    recipient: str
    text: str
    received_at: datetime
    smsc: str | None
    parts: int = 1
    incomplete: bool = False


def _posix(at: float | str) -> float:
    """A stored arrival time: POSIX seconds, or an ISO 8601 text as earlier files hold it."""
    return datetime.fromisoformat(at).timestamp() if isinstance(at, str) else float(at)


def _sms_to_json(sms: IncomingSms) -> dict[str, Any]:
    return {
        "message_id": sms.message_id,
        "port_label": sms.port_label,
        "sender": sms.sender,
        "recipient": sms.recipient,
        "text": sms.text,
        "received_at": sms.received_at.isoformat(),
        "smsc": sms.smsc,
        "multipart": None
        if sms.multipart is None
        else [sms.multipart.reference, sms.multipart.part, sms.multipart.total],
    }


def _sms_from_json(data: Mapping[str, Any]) -> IncomingSms:
    multipart = data.get("multipart")
    return IncomingSms(
        message_id=data["message_id"],
        port_label=data["port_label"],
        ref=parse_label(data["port_label"]),
        sender=data["sender"],
        recipient=data.get("recipient", ""),
        text=data["text"],
        received_at=datetime.fromisoformat(data["received_at"]),
        smsc=data.get("smsc"),
        multipart=None
        if multipart is None
        else MultipartInfo(reference=multipart[0], part=multipart[1], total=multipart[2]),
    )


class Inbox:
    """De-duplicates, assembles and delivers incoming SMS; persists what it has seen."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        gateway: Gateway,
        deliver: Callable[[ReceivedMessage], None],
        on_report: Callable[[DeliveryReportEvent, bool], object] = lambda _report, _baseline: None,
    ) -> None:
        """`deliver` fires the event; it is called exactly once per message.

        `on_report` takes the delivery reports a catch-up finds among the received messages (Skyline/EJOIN), with
        True for those that were there before Home Assistant started listening.
        """
        self.hass = hass
        self.gateway = gateway
        self._deliver = deliver
        self._on_report = on_report
        self._store = LedgerStore(hass, entry_id, "inbox", self._data_to_save)
        self._seen: OrderedDict[str, None] = OrderedDict()  # message ids, oldest first
        self._unfired: set[str] = set()  # seen ids whose event never fired (marked seen when already on the gateway)
        self._cursor: dict[str, Any] | None = None
        self._pending: dict[tuple[str, str, int], dict[int, IncomingSms]] = {}
        self._pending_timers: dict[tuple[str, str, int], CALLBACK_TYPE] = {}
        self._catch_up_lock = asyncio.Lock()
        self.initialized = False
        self.duplicates = 0
        self.delivered = 0
        self.delete_after_delivery = False
        self._to_delete: list[IncomingSms] = []
        # counterpart key -> (arrival here in POSIX seconds, whether the message's time was exact) of messages not
        # matched yet, ordered by last change so the stale ones are at the front. Entries are tuples that are replaced,
        # never changed: a save copies the dict alone, and what it copies is already what the file holds.
        self._unmatched: OrderedDict[str, tuple[tuple[float, bool], ...]] = OrderedDict()
        self.closed = False

    # --- persistence ---------------------------------------------------------------------------------------

    async def async_load(self) -> None:
        """Restore cursor, seen ids and waiting parts."""
        stored = await self._store.async_load()
        if stored is None:
            return
        self.initialized = True
        self._cursor = stored.get("cursor")
        # Older files do not say which fired: treat those as not fired (never deleted on the gateway).
        fired = stored.get("unfired") is not None
        self._seen = OrderedDict.fromkeys(stored.get("seen", []))
        unfired = stored.get("unfired", []) if fired else self._seen
        self._unfired = {message_id for message_id in unfired if message_id in self._seen}
        for key, entries in stored.get("unmatched", {}).items():  # stored oldest first
            self._unmatched[key] = tuple((_posix(at), bool(exact)) for at, exact in entries)
        for raw in stored.get("pending", []):
            try:
                self._add_part(_sms_from_json(raw))
            except KeyError, TypeError, ValueError:  # a hand-edited or older file: drop that part only
                LOGGER.warning("Dropped an unreadable waiting SMS part from storage")

    def _data_to_save(self) -> dict[str, Any]:
        return {
            "cursor": self._cursor,
            "seen": list(self._seen),
            "unfired": list(self._unfired),
            "pending": [_sms_to_json(part) for parts in self._pending.values() for part in parts.values()],
            "unmatched": dict(self._unmatched),
        }

    async def async_save_now(self) -> None:
        """Write at once (unload)."""
        await self._store.async_save_now()

    async def async_remove(self) -> None:
        """Forget everything (entry removed)."""
        await self._store.async_remove()

    @callback
    def async_close_when_stopping(self) -> CALLBACK_TYPE:
        """Deliver nothing once Home Assistant starts stopping; returns the remover.

        An event fired after the final write would not be remembered and would fire again after the restart.
        What arrives from the stop on stays on the gateway (the cursor has not passed it): the next start catches
        it up.
        """
        if self.hass.is_stopping:
            self.async_shutdown()

        @callback  # without it Home Assistant would run the listener in a worker thread
        def stopping(_event: Event) -> None:
            self.async_shutdown()

        return self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, stopping)

    @callback
    def async_shutdown(self) -> None:
        """Stop delivering (a catch-up still in flight finishes silently) and cancel multipart timers (unload).

        Waiting parts stay in storage; the entry's next inbox picks them up.
        """
        self.closed = True
        for cancel in self._pending_timers.values():
            cancel()
        self._pending_timers.clear()

    # --- receiving ------------------------------------------------------------------------------------------

    def is_seen(self, message_id: str) -> bool:
        """True when this message already fired (or is part of a message that did)."""
        return message_id in self._seen

    def _fired(self, message_id: str) -> bool:
        return message_id in self._seen and message_id not in self._unfired

    def _mark_seen(self, message_id: str, *, fired: bool = True) -> None:
        self._seen[message_id] = None
        self._seen.move_to_end(message_id)
        if fired:
            self._unfired.discard(message_id)
        else:
            self._unfired.add(message_id)
        while len(self._seen) > SEEN_LIMIT:
            self._unfired.discard(self._seen.popitem(last=False)[0])

    @callback
    def async_receive(self, sms: IncomingSms) -> bool:
        """Take one message (or part); True when it was new. Never awaits, so pushes and polls cannot race."""
        if self.closed:
            return False
        if sms.message_id in self._seen or self._is_pending(sms):
            self.duplicates += 1
            return False
        if sms.multipart is None and self._matches_counterpart(sms):
            self._mark_seen(sms.message_id)
            self.duplicates += 1
            self._store.async_changed()
            return False
        if sms.multipart is not None and 1 < sms.multipart.total <= MAX_PARTS:
            self._add_part(sms)
            self._store.async_changed()
            return True
        self._mark_seen(sms.message_id)
        self._fire(
            ReceivedMessage(
                message_id=sms.message_id,
                port_label=sms.port_label,
                ref=sms.ref,
                sender=sms.sender,
                recipient=sms.recipient,
                text=sms.text,
                received_at=sms.received_at,
                smsc=sms.smsc,
            ),
            [sms],
        )
        self._store.async_changed()
        return True

    def _matches_counterpart(self, sms: IncomingSms) -> bool:
        """True when `sms` is the other copy of a message that fired with an inexact time (or vice versa).

        Only an exact and an inexact copy match, one to one: two pushes are two messages, and so are two polled
        rows, even with the same text.
        """
        now = dt_util.utcnow().timestamp()
        self._forget_stale_counterparts(now)
        key = hashlib.sha256(f"{sms.port_label}\x1f{sms.sender}\x1f{sms.text}".encode()).hexdigest()[:20]
        window = COUNTERPART_WINDOW.total_seconds()
        entries = [entry for entry in self._unmatched.pop(key, ()) if now - entry[0] <= window]
        match = next((index for index, (_, exact) in enumerate(entries) if exact != sms.time_exact), None)
        if match is None:
            entries.append((now, sms.time_exact))
        else:
            del entries[match]
        if entries:
            self._unmatched[key] = tuple(entries)  # re-inserted at the end: the front stays the oldest
        return match is not None

    def _forget_stale_counterparts(self, now: float) -> None:
        window = COUNTERPART_WINDOW.total_seconds()
        while self._unmatched:
            key, entries = next(iter(self._unmatched.items()))
            if now - entries[-1][0] <= window and len(self._unmatched) <= SEEN_LIMIT:
                return
            del self._unmatched[key]

    def _fire(self, message: ReceivedMessage, parts: list[IncomingSms]) -> None:
        self.delivered += 1
        self._deliver(message)
        if self.delete_after_delivery:
            self._to_delete.extend(parts)

    # --- concatenated messages ------------------------------------------------------------------------------

    @staticmethod
    def _part_key(sms: IncomingSms, multipart: MultipartInfo) -> tuple[str, str, int]:
        return (sms.port_label, sms.sender, multipart.reference)

    def _is_pending(self, sms: IncomingSms) -> bool:
        if sms.multipart is None:
            return False
        parts = self._pending.get(self._part_key(sms, sms.multipart), {})
        return any(part.message_id == sms.message_id for part in parts.values())

    def _add_part(self, sms: IncomingSms) -> None:
        if (multipart := sms.multipart) is None:
            return
        key = self._part_key(sms, multipart)
        if key not in self._pending:
            while len(self._pending) >= MAX_WAITING_MESSAGES:  # forged or lost parts: the oldest gives way
                self._complete(next(iter(self._pending)), incomplete=True)
        parts = self._pending.setdefault(key, {})
        parts[multipart.part] = sms
        if len(parts) >= multipart.total:
            self._complete(key, incomplete=False)
        elif key not in self._pending_timers:
            # Counted from arrival here (device clocks can be far off); parts restored after a restart start anew.

            @callback  # without it Home Assistant would run the timer in a worker thread
            def expired(_now: datetime) -> None:
                self._complete(key, incomplete=True)

            self._pending_timers[key] = async_call_later(self.hass, MULTIPART_TIMEOUT, expired)

    @callback
    def _complete(self, key: tuple[str, str, int], *, incomplete: bool) -> None:
        parts = self._pending.pop(key, None)
        if cancel := self._pending_timers.pop(key, None):
            cancel()
        if not parts:
            return
        ordered = [parts[number] for number in sorted(parts)]
        first = ordered[0]
        ids = sorted(part.message_id for part in ordered)
        for part in ordered:
            self._mark_seen(part.message_id)
        self._fire(
            ReceivedMessage(
                message_id=hashlib.sha256("|".join(ids).encode()).hexdigest()[:20],
                port_label=first.port_label,
                ref=first.ref,
                sender=first.sender,
                recipient=first.recipient,
                text="".join(part.text for part in ordered),
                received_at=first.received_at,
                smsc=first.smsc,
                parts=len(ordered),
                incomplete=incomplete,
            ),
            ordered,
        )
        self._store.async_changed()

    # --- catch-up polling -----------------------------------------------------------------------------------

    async def async_catch_up(self) -> int:
        """Read everything the gateway received since the stored cursor; return how many were new.

        Connection errors propagate (the caller retries later); the cursor only moves past messages that
        have been delivered.
        """
        async with self._catch_up_lock:
            new = 0
            first_run = not self.initialized
            for _ in range(MAX_PAGES_PER_CATCH_UP):
                page = await self.gateway.fetch_inbox(self._cursor)
                if self.closed:  # unloaded while waiting for the gateway: the next inbox reads this page again
                    break
                for sms in page.messages:
                    if first_run:
                        self._mark_seen(sms.message_id, fired=False)
                    elif self.async_receive(sms):
                        new += 1
                    elif self.delete_after_delivery and self._fired(sms.message_id) and sms.device_sms_id:
                        # It fired from a push (which carries no device id): delete its polled copy now.
                        self._to_delete.append(sms)
                for report in page.reports:
                    self._on_report(report, first_run)
                self._cursor = dict(page.cursor)
                self.initialized = True
                self._store.async_changed()
                if not page.more:
                    break
            await self._flush_deletions()
            return new

    async def _flush_deletions(self) -> None:
        if not self._to_delete:
            return
        batch, self._to_delete = self._to_delete, []
        try:
            await self.gateway.delete_inbox(batch)
        except GatewayError as err:
            LOGGER.warning("Could not delete %d delivered SMS from the gateway: %s", len(batch), err)
