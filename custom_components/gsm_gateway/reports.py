"""Send results and delivery reports: each one fires exactly one event, whether it was pushed, polled, or both.

The ledger remembers the recipients of every send made from Home Assistant (`async_track`) until their result and,
when one was asked for, their delivery report arrived, or waiting for them timed out. Reports reach it

- by push (the webhook): Skyline/EJOIN status reports and delivery reports, Dinstar `sms_result` and
  `sms_deliver_status` (once the push URL is set in the gateway's web interface);
- from the inbox catch-up: Skyline/EJOIN keeps delivery reports among its received messages;
- by polling, on gateways that can be asked (`Capability.REPORT_POLL`: Dinstar, Synway), while anything is awaited.

A caller that must know how one recipient's send ended (`send_sms` with failover) asks for a future with
`async_wait_for_result`: the ledger resolves it with the send result when it fires that result's event, whichever
path brought it, and with None when the ledger shuts down first.

Every report has a `report_id` that its pushed and polled copies share. Ids of recent reports are persisted with
what is awaited, so a report fires once across restarts too. A delivery report that names no task (Skyline/EJOIN
reports only the number) is matched to the oldest awaiting send to that number, on the same port when known.
Decisions and latencies per gateway: docs/receiving.md, "Send results and delivery reports".
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .client import Capability, DeliveryReportEvent, Gateway, SendReportEvent, SendResult, SentMessage
from .const import DOMAIN, LOGGER
from .ledger_store import LedgerStore

SEEN_LIMIT = 10_000
RESULT_WAIT = timedelta(hours=1)  # a send result later than this is not waited for
DELIVERY_WAIT = timedelta(days=2)  # networks retry undeliverable SMS for about that long
POLL_INTERVAL = timedelta(seconds=10)

type Report = SendReportEvent | DeliveryReportEvent


@dataclass(kw_only=True)
class Awaited:
    """One recipient of a send from Home Assistant, and what is still to come for it."""

    task_id: str
    recipient: str
    sent_at: datetime
    port_label: str = ""
    want_result: bool = True
    want_delivery: bool = False

    @property
    def done(self) -> bool:
        """Nothing more to wait for."""
        return not (self.want_result or self.want_delivery)

    def expired(self, now: datetime) -> bool:
        """Waited long enough for what is still missing."""
        if self.want_delivery:
            return now - self.sent_at > DELIVERY_WAIT
        return now - self.sent_at > RESULT_WAIT

    def to_json(self) -> dict[str, Any]:
        """Storage form."""
        return {
            "task_id": self.task_id,
            "recipient": self.recipient,
            "sent_at": self.sent_at.isoformat(),
            "port": self.port_label,
            "result": self.want_result,
            "delivery": self.want_delivery,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Awaited:
        """From storage."""
        return cls(
            task_id=str(data["task_id"]),
            recipient=str(data["recipient"]),
            sent_at=datetime.fromisoformat(data["sent_at"]),
            port_label=str(data.get("port", "")),
            want_result=bool(data.get("result", True)),
            want_delivery=bool(data.get("delivery", False)),
        )


def awaited_of(result: SendResult, capabilities: frozenset[Capability], *, delivery_report: bool) -> list[Awaited]:
    """What to wait for after a send: a result where the gateway reports results, a delivery report if asked for."""
    want_result = Capability.SEND_REPORTS in capabilities
    want_delivery = delivery_report and Capability.DELIVERY_REPORTS in capabilities
    if not (want_result or want_delivery):
        return []
    now = dt_util.utcnow()
    return [
        Awaited(
            task_id=item.task_id,
            recipient=item.recipient,
            sent_at=now,
            want_result=want_result,
            want_delivery=want_delivery,
        )
        for item in result.recipients
        if item.accepted and item.task_id is not None
    ]


# Sends that finished while their entry was reloading, by entry id: the next ledger of the entry takes them.
AWAITED_LATER: HassKey[dict[str, list[Awaited]]] = HassKey(f"{DOMAIN}_awaited_later")


@callback
def async_track_later(hass: HomeAssistant, entry_id: str, result: SendResult, *, delivery_report: bool) -> None:
    """A send finished while its entry had no running ledger (a reload): the entry's next ledger waits for it.

    Without the gateway at hand, a result is awaited and a delivery report when one was asked for; a ledger whose
    gateway cannot answer one lets it expire.
    """
    capabilities = frozenset({Capability.SEND_REPORTS, Capability.DELIVERY_REPORTS})
    later = hass.data.setdefault(AWAITED_LATER, {})
    later.setdefault(entry_id, []).extend(awaited_of(result, capabilities, delivery_report=delivery_report))


def _same_number(number: str) -> str:
    return number.strip().removeprefix("+").removeprefix("00")


class Reports:
    """What Home Assistant sent and is waiting to hear about, and the reports already fired."""

    def __init__(self, hass: HomeAssistant, entry_id: str, gateway: Gateway, fire: Callable[[Report], None]) -> None:
        """`fire` fires the report's event; it is called exactly once per report."""
        self.hass = hass
        self.entry_id = entry_id
        self.gateway = gateway
        self._fire = fire
        self._store = LedgerStore(hass, entry_id, "reports", self._data_to_save)
        self._awaited: list[Awaited] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._poll_lock = asyncio.Lock()
        # Callers waiting for one recipient's send result, by (task id, number as compared).
        self._result_waiters: dict[tuple[str, str], list[asyncio.Future[SendReportEvent | None]]] = {}
        self.closed = False

    # --- persistence ------------------------------------------------------------------------------------

    async def async_load(self) -> None:
        """Restore what is awaited and which reports already fired, and take sends made during a reload."""
        stored = await self._store.async_load()
        self._awaited.extend(self.hass.data.get(AWAITED_LATER, {}).pop(self.entry_id, []))
        if stored is None:
            return
        self._seen = OrderedDict.fromkeys(stored.get("seen", []))
        for raw in stored.get("awaited", []):
            try:
                self._awaited.append(Awaited.from_json(raw))
            except KeyError, TypeError, ValueError:  # a hand-edited or older file: drop that entry only
                LOGGER.warning("Dropped an unreadable awaited send result from storage")

    def _data_to_save(self) -> dict[str, Any]:
        return {"awaited": [awaited.to_json() for awaited in self._awaited], "seen": list(self._seen)}

    async def async_save_now(self) -> None:
        """Write at once (unload)."""
        await self._store.async_save_now()

    async def async_remove(self) -> None:
        """Forget everything (entry removed)."""
        await self._store.async_remove()

    # --- sends ------------------------------------------------------------------------------------------

    @property
    def awaited(self) -> int:
        """How many recipients still wait for a result or a delivery report."""
        return len(self._awaited)

    @callback
    def async_track(self, result: SendResult, *, delivery_report: bool) -> None:
        """Wait for the reports of every recipient the gateway accepted."""
        self._awaited.extend(awaited_of(result, self.gateway.capabilities, delivery_report=delivery_report))
        self._store.async_changed()

    @callback
    def async_wait_for_result(self, task_id: str, recipient: str) -> asyncio.Future[SendReportEvent | None]:
        """A future resolved with this recipient's send result when its event fires (None: the ledger closed).

        Ask right after `async_track`, without awaiting in between, so the result cannot fire unseen. A caller that
        stops waiting cancels the future; the ledger then forgets it.
        """
        future: asyncio.Future[SendReportEvent | None] = self.hass.loop.create_future()
        if self.closed:
            future.set_result(None)
            return future
        key = (task_id, _same_number(recipient))
        self._result_waiters.setdefault(key, []).append(future)

        def forget(done: asyncio.Future[SendReportEvent | None]) -> None:
            waiting = self._result_waiters.get(key, [])
            if done in waiting:
                waiting.remove(done)
            if not waiting:
                self._result_waiters.pop(key, None)

        future.add_done_callback(forget)
        return future

    @callback
    def _resolve_waiters(self, awaited: Awaited, report: SendReportEvent) -> None:
        for future in list(self._result_waiters.get((awaited.task_id, _same_number(awaited.recipient)), [])):
            if not future.done():
                future.set_result(report)

    # --- reports ----------------------------------------------------------------------------------------

    @callback
    def async_receive(self, report: Report, *, baseline: bool = False) -> bool:
        """Take one report (pushed or polled); True when it was new and fired.

        `baseline`: a report that was on the gateway before Home Assistant started listening; it is remembered
        without firing, like the messages already there when a gateway is added.
        """
        if self.closed or report.report_id in self._seen:
            return False
        self._mark_seen(report.report_id)
        self._store.async_changed()
        if baseline:
            return False
        if (awaited := self._match(report)) is None:
            # Not an answer to a send from Home Assistant (sent by someone else, long expired, or forged): the events
            # promise results of Home Assistant's own sends, and a push must not make up others.
            LOGGER.debug("Ignored a %s that answers no send of Home Assistant", type(report).__name__)
            return False
        if isinstance(report, SendReportEvent):
            awaited.want_result = False
            awaited.want_delivery = awaited.want_delivery and report.sent  # a failed SMS is never delivered
            awaited.port_label = report.port_label or awaited.port_label
        else:
            awaited.want_delivery = False
            if report.task_id is None:
                report = replace(report, task_id=awaited.task_id)
        if awaited.done:
            self._awaited.remove(awaited)
        self._fire(report)
        if isinstance(report, SendReportEvent):
            self._resolve_waiters(awaited, report)
        return True

    def _mark_seen(self, report_id: str) -> None:
        self._seen[report_id] = None
        while len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)

    def _match(self, report: Report) -> Awaited | None:
        """The awaited send this report answers: by task, else (delivery reports) by number and port."""
        recipient = _same_number(report.recipient)
        wants_delivery = isinstance(report, DeliveryReportEvent)
        candidates = [
            awaited
            for awaited in self._awaited
            if _same_number(awaited.recipient) == recipient
            and (awaited.want_delivery if wants_delivery else awaited.want_result)
        ]
        if report.task_id is not None:
            return next((awaited for awaited in candidates if awaited.task_id == report.task_id), None)
        if not wants_delivery:
            return None
        same_port = [awaited for awaited in candidates if awaited.port_label in {"", report.port_label}]
        return min(same_port, key=lambda awaited: awaited.sent_at, default=None)

    # --- polling ----------------------------------------------------------------------------------------

    async def async_poll(self) -> int:
        """Ask the gateway for the reports still awaited (gateways with `REPORT_POLL`); return how many fired.

        Client errors propagate (the caller tries again later). Awaited sends that waited too long are dropped.
        """
        async with self._poll_lock:
            self._expire(dt_util.utcnow())
            if not self._awaited or Capability.REPORT_POLL not in self.gateway.capabilities:
                return 0
            sent = [
                SentMessage(
                    task_id=awaited.task_id,
                    recipient=awaited.recipient,
                    sent_at=awaited.sent_at,
                    port_label=awaited.port_label,
                    want_result=awaited.want_result,
                    want_delivery=awaited.want_delivery,
                )
                for awaited in self._awaited
            ]
            reports = await self.gateway.fetch_reports(sent)
            return sum(self.async_receive(report) for report in reports)

    def _expire(self, now: datetime) -> None:
        expired = [awaited for awaited in self._awaited if awaited.expired(now)]
        if expired:
            LOGGER.debug("Stopped waiting for the reports of %d sent SMS", len(expired))
            self._awaited = [awaited for awaited in self._awaited if awaited not in expired]
            self._store.async_changed()

    @callback
    def async_shutdown(self) -> None:
        """Fire nothing more (unload, or Home Assistant stopping); whoever waits for a result hears None."""
        self.closed = True
        for waiting in list(self._result_waiters.values()):
            for future in list(waiting):
                if not future.done():
                    future.set_result(None)
