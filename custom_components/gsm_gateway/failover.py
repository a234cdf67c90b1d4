"""Failover for important messages: `send_sms` with `failover: true` tries other SIMs and gateways until one sends.

Each recipient travels on its own (one request per recipient and attempt) along a list of routes: the chosen port
(else the gateway's default port), the gateway's other ports with a registered SIM, then the other gateways the same
way. A recipient moves on to the next route only after a definite "not sent":

- refused: the gateway's answer rejects the recipient (SIM unregistered, no balance, ...) or the whole request;
- failed: the gateway accepted it, then reported the send failed (the `gsm_gateway_sms_failed` of that task);
- unreachable: no connection to the gateway could be opened, so the request never left Home Assistant.

Every other outcome may have sent the message, so it ends the recipient's attempts (never a second SMS to the same
number), unless the caller asked for at-least-once: a request that timed out or broke after it may have reached the
gateway (ambiguous), and a message the gateway accepted whose result did not come before the deadline, or cannot
come (Skyline/EJOIN reports results by push only; without a push target Home Assistant manages, none arrives).

One request per recipient is what makes "unreachable" exact: a request that could not connect carried nobody else,
and a gateway's split or repeated requests (Dinstar per 128 numbers, Synway per 50, Skyline/EJOIN's retry of a
duplicated task id) cannot mix sent and unsent recipients in one error. Decisions: docs/sending.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .client import (
    Capability,
    Encoding,
    GatewayAuthError,
    GatewayCommandError,
    GatewayError,
    GatewayRequestError,
    GatewayUnreachableError,
    GatewayUnsupportedError,
    SendReportEvent,
    SendResult,
    SimState,
    SlotRef,
    SmsRequest,
)
from .const import CONF_DEFAULT_ENCODING, CONF_DELIVERY_REPORTS, DOMAIN, LOGGER
from .coordinator import GsmGatewayConfigEntry, GsmGatewayRuntimeData
from .sending import async_follow_reports, resolve_ports

DEFAULT_DEADLINE = 120  # seconds
MIN_DEADLINE = 10
MAX_DEADLINE = 600
DEFAULT_MAX_ATTEMPTS = 3  # per recipient: a failure that follows the number (not the SIM) must not walk every port
MAX_ATTEMPTS = 10
MAX_RECIPIENTS = 20  # each recipient is followed on its own
SEND_CONCURRENCY = 4  # requests in flight at once, so a burst of recipients does not swamp a gateway
SENDABLE_STATES = frozenset({SimState.REGISTERED, SimState.IN_CALL})

# Why a route was not tried, and why an attempt did what it did, in the integration's own words.
SKIPPED_NOT_LOADED = "not_loaded"
SKIPPED_UNAVAILABLE = "unavailable"
NO_ANSWER = "no answer before the deadline"
NO_TASK_ID = "the gateway named no task to follow"
NO_RESULTS = "this gateway cannot report send results to Home Assistant"
NO_RESULT_IN_TIME = "no send result within {seconds} s"
STOPPED_FOLLOWING = "Home Assistant stopped following this gateway (reload or shutdown)"
UNLOADED = "the gateway is not loaded in Home Assistant"
NOTHING_TO_TRY = "no registered SIM on any loaded gateway"
DEADLINE_PASSED = "the deadline passed"


class Outcome(StrEnum):
    """What one attempt came to."""

    SENT = "sent"  # the gateway reported the SMS sent
    ACCEPTED = "accepted"  # the gateway took it; no result before the deadline (or none can come)
    REFUSED = "refused"  # the gateway's answer rejected it: not sent
    FAILED = "failed"  # accepted, then reported failed: not sent
    UNREACHABLE = "unreachable"  # no connection could be opened: not sent
    AMBIGUOUS = "ambiguous"  # the request may have reached the gateway; nothing says what happened


NOT_SENT = frozenset({Outcome.REFUSED, Outcome.FAILED, Outcome.UNREACHABLE})


class FinalOutcome(StrEnum):
    """What became of a recipient: the best any attempt achieved."""

    SENT = "sent"
    ACCEPTED = "accepted"
    AMBIGUOUS = "ambiguous"
    FAILED = "failed"  # every attempt definitely did not send it, or nothing could be tried


@dataclass(frozen=True, slots=True, kw_only=True)
class FailoverOptions:
    """What the caller asked for."""

    deadline: int = DEFAULT_DEADLINE  # seconds for everything: requests, results, further attempts
    at_least_once: bool = False  # also move on after an ambiguous outcome (may send twice)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One SIM to try: a gateway and the port (with its slot, when the caller named one)."""

    entry: GsmGatewayConfigEntry
    ref: SlotRef  # what the request names
    label: str  # the SIM as shown: the slot that sends (`2A`), as the last status said

    @property
    def key(self) -> tuple[str, str]:
        """Routes with the same key send from the same SIM."""
        return self.entry.entry_id, self.label


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """A gateway, or a port the caller (or the gateway's default) chose, that was not tried, and why."""

    entry_id: str
    title: str
    port: str | None
    reason: str  # `not_loaded`, `unavailable`, or the port's state (`no_balance`, `no_sim`, ...)

    def as_dict(self) -> dict[str, Any]:
        """Response form."""
        return {"config_entry_id": self.entry_id, "gateway": self.title, "port": self.port, "reason": self.reason}


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One request for one recipient, and what came of it."""

    route: Route
    outcome: Outcome
    port: str  # the port that sent, as the result named it, else the route's
    task_id: str | None = None
    code: int | str | None = None
    reason: str = ""
    whole_gateway: bool = False  # the cause concerns every port of the gateway (login, connection)

    def as_dict(self) -> dict[str, Any]:
        """Response form."""
        entry = self.route.entry
        return {
            "config_entry_id": entry.entry_id,
            "gateway": entry.title,
            "port": self.port,
            "outcome": self.outcome.value,
            "task_id": self.task_id,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Story:
    """Every attempt for one recipient, and why they stopped."""

    recipient: str
    attempts: list[Attempt] = field(default_factory=list)
    stopped: str = ""  # why no further attempt was made, when nothing sent it

    @property
    def outcome(self) -> FinalOutcome:
        """Sent by one attempt; else accepted, or ambiguous, by one; else failed."""
        outcomes = {attempt.outcome for attempt in self.attempts}
        for attempt_outcome, final in (
            (Outcome.SENT, FinalOutcome.SENT),
            (Outcome.ACCEPTED, FinalOutcome.ACCEPTED),
            (Outcome.AMBIGUOUS, FinalOutcome.AMBIGUOUS),
        ):
            if attempt_outcome in outcomes:
                return final
        return FinalOutcome.FAILED

    @property
    def decisive(self) -> Attempt | None:
        """The attempt the outcome comes from (the last of its kind); None when every attempt failed."""
        wanted = {
            FinalOutcome.SENT: Outcome.SENT,
            FinalOutcome.ACCEPTED: Outcome.ACCEPTED,
            FinalOutcome.AMBIGUOUS: Outcome.AMBIGUOUS,
        }.get(self.outcome)
        return next((attempt for attempt in reversed(self.attempts) if attempt.outcome is wanted), None)

    @property
    def last_reason(self) -> str:
        """Why the last attempt did not send it, in the gateway's words, else why none was made."""
        if self.attempts:
            last = self.attempts[-1]
            return f"{last.outcome.value}: {last.reason or last.code or '-'}"
        return self.stopped or NOTHING_TO_TRY

    def as_dict(self) -> dict[str, Any]:
        """Response form: the keys of a plain `send_sms` recipient, where it went, and every attempt."""
        decisive = self.decisive
        final = decisive or (self.attempts[-1] if self.attempts else None)
        return {
            "recipient": self.recipient,
            "outcome": self.outcome.value,
            "accepted": decisive is not None and decisive.outcome in {Outcome.SENT, Outcome.ACCEPTED},
            "config_entry_id": decisive.route.entry.entry_id if decisive else None,
            "gateway": decisive.route.entry.title if decisive else None,
            "port": decisive.port if decisive else None,
            "task_id": decisive.task_id if decisive else None,
            "code": final.code if final else None,
            "reason": final.reason if final else self.stopped or NOTHING_TO_TRY,
            "attempts": [attempt.as_dict() for attempt in self.attempts],
        }


def _preferred_refs(entry: GsmGatewayConfigEntry, port: str | None) -> list[SlotRef]:
    """The ports to try first on a gateway: the caller's (primary gateway only), else the gateway's default."""
    return list(resolve_ports(entry, port))


def plan_routes(
    entries: Sequence[GsmGatewayConfigEntry], *, port: str | None = None
) -> tuple[list[Route], list[Skipped]]:
    """Routes in the order they are tried, and what was left out.

    `entries[0]` is the gateway the caller chose, `port` its port. On each gateway: the chosen (or default) ports,
    then every port whose SIM is registered, in port order. A gateway that is not loaded, or whose last status poll
    failed, is skipped as a whole; a chosen port whose SIM cannot send (no balance, no SIM, ...) is skipped and said.
    """
    routes: list[Route] = []
    skipped: list[Skipped] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        runtime: GsmGatewayRuntimeData | None = getattr(entry, "runtime_data", None)
        if entry.state is not ConfigEntryState.LOADED or runtime is None:
            skipped.append(Skipped(entry_id=entry.entry_id, title=entry.title, port=None, reason=SKIPPED_NOT_LOADED))
            continue
        if not runtime.status.last_update_success:
            skipped.append(Skipped(entry_id=entry.entry_id, title=entry.title, port=None, reason=SKIPPED_UNAVAILABLE))
            continue
        preferred = _preferred_refs(entry, port if index == 0 else None)
        ports = runtime.status.data.ports
        for ref in dict.fromkeys([*preferred, *(SlotRef(number) for number in sorted(ports))]):
            status = ports.get(ref.port)
            slot = ref.slot or (status.active_slot if status is not None else None)
            slot_status = status.slots.get(slot) if status is not None and slot is not None else None
            state = slot_status.state if slot_status is not None else SimState.UNKNOWN
            label = slot_status.label if slot_status is not None else ref.label
            if state not in SENDABLE_STATES:
                if ref in preferred:
                    skipped.append(Skipped(entry_id=entry.entry_id, title=entry.title, port=label, reason=state.value))
                continue
            route = Route(entry=entry, ref=ref, label=label)
            if route.key not in seen:
                seen.add(route.key)
                routes.append(route)
    return routes, skipped


def results_arrive(runtime: GsmGatewayRuntimeData) -> bool:
    """Whether this gateway's send results reach Home Assistant: read back, or pushed to a target it manages.

    Gateways that report results by push only (Skyline/EJOIN) ask for them in each send, towards the push target
    Home Assistant took over; without that, no result will ever come.
    """
    capabilities = runtime.gateway.capabilities
    if Capability.SEND_REPORTS not in capabilities or runtime.receiver.reports is None:
        return False
    if Capability.REPORT_POLL in capabilities:
        return True
    push_target = runtime.receiver.push_target
    return push_target is not None and push_target.taken_over


class FailoverSend:
    """One `send_sms` with failover: every recipient along the routes, within one deadline."""

    def __init__(
        self,
        hass: HomeAssistant,
        routes: Sequence[Route],
        *,
        message: str,
        encoding: str | None,
        delivery_report: bool | None,
        options: FailoverOptions,
    ) -> None:
        """Nothing is sent before `async_send`; the deadline starts then."""
        self.hass = hass
        self.routes = list(routes)
        self.message = message
        self.encoding = encoding
        self.delivery_report = delivery_report
        self.options = options
        self.requests = 0
        self._deadline = 0.0
        self._bad_routes: set[tuple[str, str]] = set()  # learnt by any recipient: not tried again by the others
        self._bad_gateways: set[str] = set()
        self._send_slots = asyncio.Semaphore(SEND_CONCURRENCY)

    async def async_send(self, recipients: Iterable[str]) -> list[Story]:
        """Send to every recipient (concurrently); each story tells what happened to one."""
        self._deadline = self.hass.loop.time() + self.options.deadline
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._deliver(recipient)) for recipient in recipients]
        return [task.result() for task in tasks]

    def _next_route(self, tried: set[tuple[str, str]]) -> Route | None:
        return next(
            (
                route
                for route in self.routes
                if route.key not in tried
                and route.key not in self._bad_routes
                and route.entry.entry_id not in self._bad_gateways
            ),
            None,
        )

    async def _deliver(self, recipient: str) -> Story:
        """Try routes for one recipient until one sends it, one may have sent it, or none is left to try."""
        story = Story(recipient)
        tried: set[tuple[str, str]] = set()
        while (attempt := await self._next_attempt(story, tried)) is not None:
            story.attempts.append(attempt)
            self._learn(attempt)
            LOGGER.debug(
                "Failover attempt %d via %s port %s: %s",
                len(story.attempts),
                attempt.route.entry.title,
                attempt.route.label,
                attempt.outcome,
            )
            if attempt.outcome is Outcome.SENT:
                break
            if attempt.outcome not in NOT_SENT and not self.options.at_least_once:
                break  # it may have been sent: never a second SMS, unless the caller asked for at-least-once
        return story

    async def _next_attempt(self, story: Story, tried: set[tuple[str, str]]) -> Attempt | None:
        """One more attempt for the story's recipient, or None (why: `story.stopped`) when none is to be made."""
        if len(story.attempts) >= self.options.max_attempts:
            story.stopped = f"{self.options.max_attempts} attempts made"
            return None
        if not await self._request_slot():
            story.stopped = DEADLINE_PASSED
            return None
        try:
            # Chosen only now: what other recipients found out while this one waited for its turn counts.
            if (route := self._next_route(tried)) is None:
                story.stopped = "no other port or gateway to try" if story.attempts else NOTHING_TO_TRY
                return None
            tried.add(route.key)
            answer = await self._send_request(route, story.recipient)
        finally:
            self._send_slots.release()
        if isinstance(answer, Attempt):
            return answer
        last = len(story.attempts) + 1 >= self.options.max_attempts or self._next_route(tried) is None
        return await self._attempt_of_answer(route, story.recipient, answer, last=last)

    def _learn(self, attempt: Attempt) -> None:
        """What one recipient found out spares the others: a gateway that cannot be reached, a SIM that fails."""
        if attempt.outcome is Outcome.SENT:
            return
        if attempt.whole_gateway:
            self._bad_gateways.add(attempt.route.entry.entry_id)
        else:
            self._bad_routes.add(attempt.route.key)

    async def _send_request(self, route: Route, recipient: str) -> Attempt | SendResult:
        """The gateway's answer to one request, or the attempt it came to when there was no answer."""
        entry = route.entry
        runtime: GsmGatewayRuntimeData | None = getattr(entry, "runtime_data", None)
        if entry.state is not ConfigEntryState.LOADED or runtime is None:  # unloaded while others were tried
            return Attempt(
                route=route, outcome=Outcome.UNREACHABLE, port=route.label, reason=UNLOADED, whole_gateway=True
            )
        request = self._request(entry, route, recipient)
        self.requests += 1
        try:
            async with asyncio.timeout_at(self._deadline):
                result = await runtime.gateway.send_sms(request)
        except TimeoutError:  # the deadline, while the request was out: it may have arrived
            return Attempt(route=route, outcome=Outcome.AMBIGUOUS, port=route.label, reason=NO_ANSWER)
        except GatewayError as err:
            return self._attempt_of_error(route, err)
        async_follow_reports(self.hass, entry, result, delivery_report=request.delivery_report)
        return result

    def _request(self, entry: GsmGatewayConfigEntry, route: Route, recipient: str) -> SmsRequest:
        """One recipient from one SIM; encoding and delivery report as asked, else as the gateway's options say."""
        options = entry.options
        delivery_report = self.delivery_report
        if delivery_report is None:
            delivery_report = bool(options.get(CONF_DELIVERY_REPORTS, False))
        return SmsRequest(
            recipients=(recipient,),
            text=self.message,
            ports=(route.ref,),
            encoding=Encoding(self.encoding or options.get(CONF_DEFAULT_ENCODING, Encoding.AUTO)),
            delivery_report=delivery_report,
        )

    async def _request_slot(self) -> bool:
        """Wait for a free request slot; False when the deadline passed first (then nothing is sent)."""
        if self.hass.loop.time() >= self._deadline:
            return False
        try:
            async with asyncio.timeout_at(self._deadline):
                await self._send_slots.acquire()
        except TimeoutError:
            return False
        return True

    async def _attempt_of_answer(self, route: Route, recipient: str, result: SendResult, *, last: bool) -> Attempt:
        """The gateway answered: refused, or accepted and then followed until its result or the deadline."""
        if len(result.recipients) != 1:  # the gateway answered for somebody else: nothing says what became of ours
            return Attempt(route=route, outcome=Outcome.AMBIGUOUS, port=route.label, reason="unexpected answer")
        item = result.recipients[0]
        attempt = Attempt(
            route=route,
            outcome=Outcome.ACCEPTED if item.accepted else Outcome.REFUSED,
            port=route.label,
            task_id=item.task_id,
            code=item.code,
            reason=item.reason,
        )
        if not item.accepted:
            return attempt
        if item.task_id is None:
            return replace(attempt, reason=NO_TASK_ID)
        runtime: GsmGatewayRuntimeData | None = getattr(route.entry, "runtime_data", None)
        if runtime is None or runtime.receiver.reports is None or not results_arrive(runtime):
            return replace(attempt, reason=NO_RESULTS if runtime is not None else STOPPED_FOLLOWING)
        waiting = runtime.receiver.reports.async_wait_for_result(item.task_id, recipient)
        return await self._await_result(attempt, waiting, last=last)

    async def _await_result(
        self, accepted: Attempt, result: asyncio.Future[SendReportEvent | None], *, last: bool
    ) -> Attempt:
        """Wait for the send result until the deadline; with at-least-once and a route left, half the time left."""
        now = self.hass.loop.time()
        until = self._deadline
        if self.options.at_least_once and not last:
            until = now + (self._deadline - now) / 2  # the other half is for the next route
        try:
            async with asyncio.timeout_at(until):
                report = await result
        except TimeoutError:
            return replace(accepted, reason=NO_RESULT_IN_TIME.format(seconds=max(0, round(until - now))))
        finally:
            result.cancel()  # done already, or nobody waits any more: the ledger forgets it
        if report is None:
            return replace(accepted, reason=STOPPED_FOLLOWING)
        port = report.port_label or accepted.port
        if report.sent:
            return replace(accepted, outcome=Outcome.SENT, port=port, reason=report.reason or accepted.reason)
        return replace(accepted, outcome=Outcome.FAILED, port=port, reason=report.reason or "-")

    def _attempt_of_error(self, route: Route, err: GatewayError) -> Attempt:
        """A request that raised: not sent when it provably never acted, else ambiguous."""
        attempt = Attempt(route=route, outcome=Outcome.REFUSED, port=route.label, reason=str(err), whole_gateway=True)
        match err:
            case GatewayUnreachableError():
                return replace(attempt, outcome=Outcome.UNREACHABLE)
            case GatewayAuthError():
                route.entry.async_start_reauth(self.hass)
                return attempt
            case GatewayRequestError() | GatewayUnsupportedError():  # refused before sending (a limit of this gateway)
                return attempt
            case GatewayCommandError():  # the gateway understood the request and refused it (this port, often)
                return replace(attempt, code=err.code, reason=err.reason, whole_gateway=False)
        # Timeouts, broken connections, unreadable answers: it may have been sent. With at-least-once the next try
        # may still be another SIM of this gateway.
        return replace(attempt, outcome=Outcome.AMBIGUOUS, whole_gateway=False)


def response_of(
    stories: Sequence[Story], skipped: Sequence[Skipped], *, requests: int, deadline: int
) -> dict[str, Any]:
    """The JSON-friendly response of `send_sms` with failover (stable keys, documented in the README)."""
    counts = {outcome.value: 0 for outcome in FinalOutcome}
    for story in stories:
        counts[story.outcome.value] += 1
    task_ids = [
        attempt.task_id
        for story in stories
        for attempt in story.attempts
        if attempt.task_id is not None and attempt.outcome in {Outcome.SENT, Outcome.ACCEPTED, Outcome.FAILED}
    ]
    return {
        "outcomes": counts,
        "deadline": deadline,
        "requests": requests,
        "task_ids": task_ids,
        "recipients": [story.as_dict() for story in stories],
        "skipped": [item.as_dict() for item in skipped],
    }


def raise_if_failed(stories: Sequence[Story]) -> None:
    """A recipient no gateway could send to fails the action, with counts and the last reason (never a number)."""
    failed = [story for story in stories if story.outcome is FinalOutcome.FAILED]
    if not failed:
        return
    reason = failed[-1].last_reason
    for story in stories:  # a gateway's text may echo a number; an error message must not
        reason = reason.replace(story.recipient, "***").replace(story.recipient.lstrip("+"), "***")
    raise HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="failover_failed",
        translation_placeholders={
            "failed": str(len(failed)),
            "total": str(len(stories)),
            "attempts": str(sum(len(story.attempts) for story in failed)),
            "reason": reason,
        },
    )


async def async_send_with_failover(
    hass: HomeAssistant,
    entries: Sequence[GsmGatewayConfigEntry],
    *,
    recipients: Sequence[str],
    message: str,
    port: str | None,
    encoding: str | None,
    delivery_report: bool | None,
    options: FailoverOptions,
) -> dict[str, Any]:
    """Send `message` to each recipient along the routes of `entries` (the chosen gateway first); see the module."""
    routes, skipped = plan_routes(entries, port=port)
    run = FailoverSend(
        hass, routes, message=message, encoding=encoding, delivery_report=delivery_report, options=options
    )
    stories = await run.async_send(recipients)
    raise_if_failed(stories)
    return response_of(stories, skipped, requests=run.requests, deadline=options.deadline)
