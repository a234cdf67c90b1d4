"""The chaos run: incoming SMS must each fire exactly one event while everything goes wrong around them.

While the simulated gateway receives the messages: a share of its pushes is dropped, a share of the HTTP requests
the integration makes fault (timeouts, 5xx, truncated bodies), the config entry is reloaded, the gateway reboots
(new `ssrc`, messages numbered again), and Home Assistant is stopped and started again from its storage, with
messages arriving while it is down. `send_sms` actions are issued throughout.

Pass: exactly one `gsm_gateway_sms_received` event per message (none lost, none repeated), every `send_sms`
either accepted or raised a Home Assistant error, and every send result and delivery report of the accepted sends
fired exactly once: none repeated, and none missing of those the gateway can still tell at the end of the run (asked
directly with the client library: `fetch_reports` where the gateway can be asked, its inbox's delivery-report rows on
Skyline/EJOIN, whose send results are pushed only). With Skyline/EJOIN among the vendors, the failover scenario of
`chaos_failover.py` runs too (alarms while SIMs and a gateway fail: 0 lost, 0 sent twice). `python -m
benchmarks.chaos` (what `scripts/chaos` runs) prints the counts, then runs the hard kills (`hard_kill.py`: a Home
Assistant process killed with SIGKILL), writes `docs/reliability.md` for the full run, and exits 1 on any miss.

Time is compressed: Home Assistant's timers run `speed` times faster (see `clock.py`) and the client's request
timeout is 1 s instead of 10 s (the simulator holds a "timeout" request for 3 s), so a fault costs seconds, not
minutes.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field, replace
import logging
from pathlib import Path
import random
import sys
import tempfile
import time
from typing import Any, cast
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import Event
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from custom_components.gsm_gateway import connection
from custom_components.gsm_gateway.client import (
    Capability,
    ConnectionSettings,
    DeliveryReportEvent,
    SentMessage,
    Vendor,
    create_gateway,
)
from custom_components.gsm_gateway.const import (
    EVENT_DELIVERY_REPORT,
    EVENT_SMS_FAILED,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_SENT,
    INBOX_POLL_INTERVAL,
)
from simulator import GatewaySimulator, simulator_class

from . import hard_kill
from .chaos_failover import FailoverPlan, failover_section, failover_summary_lines, run_failover_chaos
from .clock import FastClock
from .context import access_of, settings_of
from .hard_kill import HardKillPlan, HardKillResult, run_hard_kills
from .harness import HomeAssistantLab
from .limits import limits_section
from .report import Section, render

DOC = Path(__file__).parents[1] / "docs" / "reliability.md"
CHAOS_REQUEST_TIMEOUT = 1.0
SEND_TIMEOUT = 30.0
VENDOR_NAMES = {"ejoin": "Skyline/EJOIN", "dinstar": "Dinstar", "synway": "Synway"}


@dataclass(frozen=True)
class ChaosPlan:
    """What happens during one run."""

    vendor: str = "ejoin"
    messages: int = 2000
    batch: int = 10  # messages delivered per step
    step_pause: float = 0.05  # real seconds between steps
    push_drop_rate: float = 0.20
    timeout_rate: float = 0.03
    error_rate: float = 0.04  # HTTP 5xx
    truncate_rate: float = 0.03
    reloads: int = 3
    reboots: int = 2
    restarts: int = 1
    sends: int = 20
    speed: float = 150.0  # virtual seconds per real second for Home Assistant's timers
    seed: int = 1
    drain_timeout: float = 120.0  # real seconds to wait for the last messages after delivery ended
    settle_periods: int = 6  # catch-up periods run after the last event, so late repeats would show

    @property
    def fault_rate(self) -> float:
        """Share of requests that fault (the simulator draws the kinds one after the other)."""
        return 1 - (1 - self.timeout_rate) * (1 - self.error_rate) * (1 - self.truncate_rate)


@dataclass
class ChaosResult:
    """What the run observed."""

    plan: ChaosPlan
    delivered: list[str] = field(default_factory=list)  # texts, in delivery order
    events: list[str] = field(default_factory=list)  # texts of the events, in firing order
    message_ids: list[str] = field(default_factory=list)
    sends_accepted: int = 0
    sends_raised: Counter[str] = field(default_factory=Counter)  # translation key (or exception type) -> count
    sends_unexpected: Counter[str] = field(default_factory=Counter)  # not a Home Assistant error, or hung
    actions: list[tuple[float, str]] = field(default_factory=list)  # (seconds into the run, what)
    requests: int = 0
    faulted: Counter[str] = field(default_factory=Counter)
    pushes: int = 0
    pushes_dropped: int = 0  # no answer: dropped on the way, or Home Assistant was down
    pushes_refused: int = 0  # Home Assistant answered, but not 2xx
    log_lines: Counter[str] = field(default_factory=Counter)  # "LEVEL logger" -> count, WARNING and above
    duration: float = 0.0
    sent: dict[str, str] = field(default_factory=dict)  # recipient -> task id of every accepted send
    reports: list[tuple[str, str]] = field(default_factory=list)  # (kind, recipient) of every report event
    reports_known: set[tuple[str, str]] = field(default_factory=set)  # what the gateway can still tell at the end

    @property
    def report_duplicates(self) -> int:
        """Report events beyond the first for one (kind, recipient)."""
        return sum(count - 1 for count in Counter(self.reports).values() if count > 1)

    @property
    def reports_lost(self) -> int:
        """Reports the gateway can tell that never fired."""
        return len(self.reports_known - set(self.reports))

    @property
    def duplicates(self) -> int:
        """Events beyond the first for one message."""
        return sum(count - 1 for count in Counter(self.events).values() if count > 1)

    @property
    def lost(self) -> int:
        """Messages that never fired."""
        return len(set(self.delivered) - set(self.events))

    @property
    def strangers(self) -> int:
        """Events for messages this run never delivered."""
        return len(set(self.events) - set(self.delivered))

    @property
    def sends_issued(self) -> int:
        """Every `send_sms` started."""
        return self.sends_accepted + sum(self.sends_raised.values()) + sum(self.sends_unexpected.values())

    @property
    def passed(self) -> bool:
        """The run's verdict."""
        return (
            len(self.events) == len(self.delivered) == self.plan.messages
            and self.duplicates == 0
            and self.lost == 0
            and self.strangers == 0
            and not self.sends_unexpected
            and self.report_duplicates == 0
            and self.reports_lost == 0
        )


class LogCounter(logging.Handler):
    """Counts warnings and errors by logger, so the report can show what the faults looked like."""

    def __init__(self, counts: Counter[str]) -> None:
        """Count into `counts`."""
        super().__init__(logging.WARNING)
        self.counts = counts

    def emit(self, record: logging.LogRecord) -> None:
        """One more line."""
        self.counts[f"{record.levelname} {record.name}"] += 1


@contextlib.contextmanager
def counting_logs(counts: Counter[str]) -> Iterator[None]:
    """Count warning-and-above records of every logger for the duration."""
    handler = LogCounter(counts)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


@contextlib.contextmanager
def short_request_timeout() -> Iterator[None]:
    """Entries set up meanwhile give up on a request after `CHAOS_REQUEST_TIMEOUT` (time compression)."""
    original = connection.connection_settings

    def shorter(data: Mapping[str, Any]) -> ConnectionSettings:
        return replace(original(data), timeout=CHAOS_REQUEST_TIMEOUT)

    with patch.object(connection, "connection_settings", shorter):
        yield


def schedule(plan: ChaosPlan) -> dict[int, list[str]]:
    """Which disruptions happen after which step, spread over the run and interleaved."""
    steps = max(1, plan.messages // plan.batch)
    kinds = ["reload"] * plan.reloads + ["reboot"] * plan.reboots + ["restart"] * plan.restarts
    order = random.Random(plan.seed).sample(kinds, len(kinds))
    plan_steps: dict[int, list[str]] = {}
    for index, kind in enumerate(order):
        step = round((index + 1) * steps / (len(order) + 1))
        plan_steps.setdefault(step, []).append(kind)
    for index in range(plan.sends):
        step = round((index + 0.5) * steps / max(1, plan.sends))
        plan_steps.setdefault(step, []).append("send")
    return plan_steps


class ChaosRun:
    """One run: a lab, a simulator, a fast clock, and the bookkeeping."""

    def __init__(self, plan: ChaosPlan, config_dir: Path) -> None:
        """Prepare; `run()` does everything."""
        self.plan = plan
        self.result = ChaosResult(plan)
        self.lab = HomeAssistantLab(config_dir)
        self.clock = FastClock(plan.speed)
        self.rng = random.Random(plan.seed)
        self.sim: GatewaySimulator | None = None
        self.entry_id = ""
        self.sends: set[asyncio.Task[None]] = set()
        self.started = 0.0

    # --- bookkeeping ----------------------------------------------------------------------------------------

    def _on_sms(self, event: Event) -> None:
        self.result.events.append(str(event.data.get("text")))
        self.result.message_ids.append(str(event.data.get("message_id")))

    def _on_report(self, event: Event) -> None:
        kind = "delivery" if event.event_type == EVENT_DELIVERY_REPORT else "result"
        self.result.reports.append((kind, str(event.data.get("recipient"))))

    def _log(self, what: str) -> None:
        self.result.actions.append((time.perf_counter() - self.started, what))

    # --- disruptions ----------------------------------------------------------------------------------------

    async def _reload(self) -> None:
        self._log("config entry reloaded")
        await self.lab.hass.config_entries.async_reload(self.entry_id)

    async def _reboot(self) -> None:
        assert self.sim is not None
        self._log("gateway rebooted")
        await self.sim.control("reboot", {})

    async def _restart(self) -> None:
        await self._wait_for_sends()
        self._log("Home Assistant stopped")
        self.clock.attach(None)
        await self.lab.stop()
        for _ in range(max(1, self.plan.messages // self.plan.batch // 50)):  # messages arrive meanwhile
            await self._deliver_batch()
            await asyncio.sleep(self.plan.step_pause)
        await self.lab.start()
        self.clock.attach(self.lab.hass)
        self._log("Home Assistant started again")

    def _send(self) -> None:
        task = asyncio.get_running_loop().create_task(self._send_one())
        self.sends.add(task)
        task.add_done_callback(self.sends.discard)

    async def _send_one(self) -> None:
        number = f"+49170{self.rng.randrange(10**7):07d}"
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                response = await self.lab.hass.services.async_call(
                    "gsm_gateway",
                    "send_sms",
                    {"recipients": [number], "message": "chaos run: hello", "delivery_report": True},
                    blocking=True,
                    return_response=True,
                )
        except TimeoutError:
            self.result.sends_unexpected["hung"] += 1
        except HomeAssistantError as err:
            self.result.sends_raised[err.translation_key or type(err).__name__] += 1
        except Exception as err:  # noqa: BLE001 - an error that is not Home Assistant's is a finding
            self.result.sends_unexpected[type(err).__name__] += 1
        else:
            self.result.sends_accepted += 1
            assert response is not None
            for item in cast("list[dict[str, Any]]", response["recipients"]):  # the action's documented response
                self.result.sent[str(item["recipient"])] = str(item["task_id"])

    async def _wait_for_sends(self) -> None:
        if self.sends:
            await asyncio.gather(*self.sends, return_exceptions=True)

    # --- messages -------------------------------------------------------------------------------------------

    async def _deliver_batch(self) -> None:
        assert self.sim is not None
        for _ in range(self.plan.batch):
            if len(self.result.delivered) >= self.plan.messages:
                return
            text = f"chaos {len(self.result.delivered) + 1:05d}: code {self.rng.randrange(10**6):06d}"
            sender = f"+49151{self.rng.randrange(10**7):07d}"
            port = self.rng.randrange(1, self.sim.port_count + 1)
            await self.sim.control("deliver_sms", {"port": port, "sender": sender, "text": text})
            self.result.delivered.append(text)

    async def _drain(self) -> None:
        """Keep time running until every message fired, then a while longer so late repeats would show."""
        deadline = time.perf_counter() + self.plan.drain_timeout
        while len(set(self.result.events)) < len(self.result.delivered) and time.perf_counter() < deadline:  # noqa: ASYNC110 - two exits, one of them time
            await asyncio.sleep(0.1)
        settle_until = self.clock.virtual + self.plan.settle_periods * INBOX_POLL_INTERVAL.total_seconds()
        while self.clock.virtual < settle_until and time.perf_counter() < deadline + 30:  # noqa: ASYNC110
            await asyncio.sleep(0.1)

    # --- the run ----------------------------------------------------------------------------------------------

    async def run(self) -> ChaosResult:
        """Set up, disrupt, deliver, drain, count."""
        plan = self.plan
        self.sim = simulator_class(plan.vendor)(ports=32, slots=4, seed=plan.seed)
        await self.sim.start()
        self.sim.faults.hang_seconds = 3 * CHAOS_REQUEST_TIMEOUT
        with counting_logs(self.result.log_lines), short_request_timeout():
            try:
                await self._run()
            finally:
                await self.clock.stop()
                if self.lab.running:
                    await self.lab.stop()
                await self.sim.stop()
        self._count_traffic()
        return self.result

    async def _run(self) -> None:
        plan, sim = self.plan, self.sim
        assert sim is not None
        self.lab.listen(EVENT_SMS_RECEIVED, self._on_sms)
        for kind in (EVENT_SMS_SENT, EVENT_SMS_FAILED, EVENT_DELIVERY_REPORT):
            self.lab.listen(kind, self._on_report)
        await self.lab.start()
        entry: ConfigEntry[Any] = await self.lab.add_gateway(access_of(sim), manage_push_target=True)
        self.entry_id = entry.entry_id
        if plan.vendor == "dinstar":  # no API for it: the user types the webhook URL into the device's web UI
            await sim.control("set_push_url", {"url": self.lab.webhook_url(entry)})
        await self.lab.hass.async_block_till_done(wait_background_tasks=True)
        sim.requests.clear()
        sim.pushes.clear()
        sim.faults.drop_push_rate = plan.push_drop_rate
        sim.faults.timeout_rate = plan.timeout_rate
        sim.faults.error_rate = plan.error_rate
        sim.faults.truncate_rate = plan.truncate_rate
        self.clock.attach(self.lab.hass)
        self.clock.start()
        self.started = time.perf_counter()
        disruptions = schedule(plan)
        step = 0
        while len(self.result.delivered) < plan.messages:
            await self._deliver_batch()
            step += 1
            for kind in disruptions.get(step, []):
                if kind == "send":
                    self._send()
                elif kind == "reload":
                    await self._reload()
                elif kind == "reboot":
                    await self._reboot()
                else:
                    await self._restart()
            await asyncio.sleep(plan.step_pause)
        self._log(f"all {plan.messages} messages delivered to the gateway")
        await self._wait_for_sends()
        await self._drain()
        self._log("drained")
        sim.faults.timeout_rate = sim.faults.error_rate = sim.faults.truncate_rate = 0.0
        self.result.reports_known = await self._reports_the_gateway_knows()
        self.result.duration = time.perf_counter() - self.started
        final = self.lab.hass.config_entries.async_get_entry(self.entry_id)
        assert final is not None
        assert final.state is ConfigEntryState.LOADED, final.state

    async def _reports_the_gateway_knows(self) -> set[tuple[str, str]]:
        """(kind, recipient) of every report of the accepted sends that the gateway can still tell, asked directly."""
        assert self.sim is not None
        sent = self.result.sent
        known: set[tuple[str, str]] = set()
        async with create_gateway(Vendor(self.plan.vendor), None, settings_of(access_of(self.sim))) as gateway:
            await gateway.connect()
            if Capability.REPORT_POLL in gateway.capabilities:
                now = dt_util.utcnow()
                messages = [
                    SentMessage(task_id=task, recipient=number, sent_at=now, want_delivery=True)
                    for number, task in sent.items()
                ]
                for report in await gateway.fetch_reports(messages):
                    known.add(("delivery" if isinstance(report, DeliveryReportEvent) else "result", report.recipient))
            else:  # Skyline/EJOIN: delivery reports stay in the inbox; send results were pushed only
                cursor = None
                while True:
                    page = await gateway.fetch_inbox(cursor, limit=500)
                    known.update(("delivery", report.recipient) for report in page.reports if report.recipient in sent)
                    cursor = page.cursor
                    if not page.more:
                        break
        return known

    def _count_traffic(self) -> None:
        sim = self.sim
        assert sim is not None
        self.result.requests = len(sim.requests)
        self.result.faulted = Counter(request.fault for request in sim.requests if request.fault)
        self.result.pushes = len(sim.pushes)
        # A dropped push and one Home Assistant could not take (it was down) look alike: no answer at all.
        self.result.pushes_dropped = sum(1 for push in sim.pushes if not push.delivered and push.status is None)
        self.result.pushes_refused = sum(1 for push in sim.pushes if push.status is not None and not push.delivered)


async def run_chaos(plan: ChaosPlan) -> ChaosResult:
    """One run in a temporary config directory."""
    with tempfile.TemporaryDirectory(prefix="gsm-chaos-") as directory:
        return await ChaosRun(plan, Path(directory)).run()


# --- report ---------------------------------------------------------------------------------------------------


def summary_lines(result: ChaosResult) -> list[str]:
    """The counts the script prints."""
    plan = result.plan
    return [
        f"vendor {plan.vendor}: {len(result.delivered)} SMS delivered to the gateway in {result.duration:.0f} s",
        (
            f"  sms_received events: {len(result.events)}  duplicates: {result.duplicates}  lost: {result.lost}  "
            f"unknown: {result.strangers}"
        ),
        (
            f"  send_sms: {result.sends_issued} issued, {result.sends_accepted} accepted, "
            f"{sum(result.sends_raised.values())} raised {dict(result.sends_raised)}, "
            f"unexpected: {dict(result.sends_unexpected) or 0}"
        ),
        (
            f"  reports: {len(result.reports)} events, duplicates: {result.report_duplicates}, "
            f"lost: {result.reports_lost} of {len(result.reports_known)} the gateway knows"
        ),
        f"  requests: {result.requests}, faulted: {sum(result.faulted.values())} {dict(result.faulted)}",
        (
            f"  pushes: {result.pushes}, unanswered (dropped or HA down): {result.pushes_dropped}, "
            f"refused by HA: {result.pushes_refused}"
        ),
        f"  disruptions: {', '.join(what for _, what in result.actions)}",
        f"  verdict: {'PASS' if result.passed else 'FAIL'}",
    ]


def _row(label: str, values: list[str]) -> dict[str, str]:
    return {"": label, **{f"run {index}": value for index, value in enumerate(values, start=1)}}


def section_of(results: list[ChaosResult]) -> Section:
    """One vendor's runs (one seed each) as a page section."""
    plan = results[0].plan
    name = VENDOR_NAMES[plan.vendor]
    section = Section(
        f"{name}: {len(results)} x {plan.messages:,} incoming SMS",
        f"Simulated {name} gateway, 32 ports x 4 slots; one run per seed "
        f"({', '.join(str(r.plan.seed) for r in results)}), {sum(r.duration for r in results):.0f} s of real time.",
    )

    def faults(result: ChaosResult) -> str:
        count = sum(result.faulted.values())
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(result.faulted.items()))
        return f"{count:,} ({count / max(1, result.requests):.1%}): {kinds}"

    def raised(result: ChaosResult) -> str:
        kinds = ", ".join(f"{key} {n}" for key, n in sorted(result.sends_raised.items()))
        return f"{sum(result.sends_raised.values())}" + (f" ({kinds})" if kinds else "")

    section.rows = [
        _row("SMS delivered to the gateway", [f"{len(r.delivered):,}" for r in results]),
        _row("`gsm_gateway_sms_received` events", [f"{len(r.events):,}" for r in results]),
        _row("duplicates", [str(r.duplicates) for r in results]),
        _row("lost", [str(r.lost) for r in results]),
        _row("pushes sent by the gateway", [f"{r.pushes:,}" for r in results]),
        _row(
            "pushes unanswered (dropped, or Home Assistant stopped)",
            [f"{r.pushes_dropped:,} ({r.pushes_dropped / max(1, r.pushes):.0%})" for r in results],
        ),
        _row("pushes refused by Home Assistant (not 2xx)", [str(r.pushes_refused) for r in results]),
        _row("HTTP requests from the integration", [f"{r.requests:,}" for r in results]),
        _row("requests that faulted", [faults(r) for r in results]),
        _row("`send_sms` issued", [str(r.sends_issued) for r in results]),
        _row("`send_sms` accepted", [str(r.sends_accepted) for r in results]),
        _row("`send_sms` raised a Home Assistant error", [raised(r) for r in results]),
        _row("`send_sms` hung or raised something else", [str(sum(r.sends_unexpected.values())) for r in results]),
        _row("send results and delivery reports fired", [str(len(r.reports)) for r in results]),
        _row("... that the gateway still knows at the end", [str(len(r.reports_known)) for r in results]),
        _row("report duplicates", [str(r.report_duplicates) for r in results]),
        _row("reports lost", [str(r.reports_lost) for r in results]),
        _row("verdict", ["pass" if r.passed else "**FAIL**" for r in results]),
    ]
    events = sum(len(r.events) for r in results)
    expected = sum(r.plan.messages for r in results)
    duplicates = sum(r.duplicates for r in results)
    lost = sum(r.lost for r in results)
    section.check("events", f"= {expected:,}", f"{events:,}", passed=events == expected)
    section.check("duplicates", "= 0", str(duplicates), passed=duplicates == 0)
    section.check("lost", "= 0", str(lost), passed=lost == 0)
    issued = sum(r.sends_issued for r in results)
    answered = sum(r.sends_accepted + sum(r.sends_raised.values()) for r in results)
    section.check("send_sms accepted or raised", f"= {issued}", str(answered), passed=answered == issued)
    report_duplicates = sum(r.report_duplicates for r in results)
    reports_lost = sum(r.reports_lost for r in results)
    section.check("report duplicates", "= 0", str(report_duplicates), passed=report_duplicates == 0)
    section.check("reports lost", "= 0", str(reports_lost), passed=reports_lost == 0)
    for index, result in enumerate(results, start=1):
        section.notes.append(
            f"Run {index}, disruptions (seconds into the run): "
            + "; ".join(f"{at:.1f} s {what}" for at, what in result.actions)
        )
    logged: Counter[str] = Counter()
    for result in results:
        logged.update(result.log_lines)
    if logged:
        section.notes.append(
            "Warnings and errors logged, all runs: "
            + ", ".join(f"{key}: {count}" for key, count in logged.most_common())
        )
    return section


INTRO = (
    (
        "Incoming SMS carry two-factor codes and alarms: each one must reach Home Assistant exactly once, whatever "
        "happens around it. This page is generated by `scripts/chaos` (never edited by hand)."
    ),
    "",
    "During each run, while the simulated gateway receives the messages:",
    "",
    "- {drop:.0%} of the gateway's pushes are dropped on the way;",
    "- {fault:.0%} of the integration's HTTP requests fault: timeouts, HTTP 5xx and truncated answers;",
    (
        "- the config entry is reloaded {reloads} times, the gateway reboots {reboots} times (new `ssrc`, its "
        "messages numbered again), and Home Assistant is stopped and started again {restarts} time(s) from its "
        "storage, with messages arriving while it is down;"
    ),
    "- {sends} `send_sms` actions are issued.",
    "",
    (
        "Then a failover scenario: alarms sent with `failover: true` while SIMs and a whole gateway fail, every "
        "number counted on the simulated gateways (0 lost, 0 sent twice)."
    ),
    "",
    (
        "Those restarts are clean: Home Assistant writes what it has before it stops. The hard kills below are not: "
        "Home Assistant runs as its own process and is killed with SIGKILL, mid-burst and in a crash loop, as a power "
        "loss or an out-of-memory kill would; no message may be lost, and what fires again is counted."
    ),
    "",
    (
        "Pass: exactly one `gsm_gateway_sms_received` event per message (0 duplicates, 0 lost), and every `send_sms` "
        "either accepted or raising a Home Assistant error (none hanging, none failing otherwise)."
    ),
    "",
    (
        "Time is compressed: Home Assistant's own timers (polls, catch-ups) run {speed:.0f} times faster, and the "
        "client gives up on a request after {timeout:.0f} s instead of 10 s; pushes, requests and storage run in real "
        "time. A reduced run (`tests/chaos/`) is part of the test suite."
    ),
)


METHOD = (
    (
        "Home Assistant runs in the script's own process with its storage on disk (`benchmarks/harness.py`); the "
        "restart is a real stop (pending writes flushed) and a new instance reading the same storage. The gateway is "
        "added through the config flow with the default choices (push target taken over where the API allows it)."
    ),
    (
        "Each message has a unique text, so events are matched to messages by text: a text seen twice is a "
        "duplicate, a text never seen is lost."
    ),
    (
        "Faults are the simulator's own (`simulator/base.py`): each request draws a timeout (the simulator holds the "
        "request longer than the client waits), an HTTP 500, or a body cut in half; pushes are dropped before they "
        "leave the device. Rates apply to every request, including the set-up after a reload or restart."
    ),
    (
        "Dinstar has no API to set its push URL; the run sets it on the simulator, as a user types it into the "
        "device's web page. Synway cannot push: it is polled only, so dropped pushes do not apply to it."
    ),
    (
        "`send_sms` is called without a gateway id, as with a single gateway: during a reload it fails with the "
        'translated "no gateway loaded" error, which counts as raised. A send that takes longer than 30 s counts as '
        "hung, and an exception that is not a Home Assistant error counts as failing otherwise."
    ),
    (
        "After the last message, time runs on until every message fired or 2 minutes passed, then for six more "
        "catch-up periods, so a late repeat would still be counted."
    ),
)


def render_page(
    results: list[ChaosResult], command: str, hard_kills: list[HardKillResult], extra: Sequence[Section] = ()
) -> str:
    """`docs/reliability.md`; `extra`: sections of other scenarios (failover)."""
    plan = results[0].plan
    intro = [
        line.format(
            drop=plan.push_drop_rate,
            fault=plan.fault_rate,
            reloads=plan.reloads,
            reboots=plan.reboots,
            restarts=plan.restarts,
            sends=plan.sends,
            speed=plan.speed,
            timeout=CHAOS_REQUEST_TIMEOUT,
        )
        for line in INTRO
    ]
    by_vendor: dict[str, list[ChaosResult]] = {}
    for result in results:
        by_vendor.setdefault(result.plan.vendor, []).append(result)
    sections = [*(section_of(runs) for runs in by_vendor.values()), *extra]
    method = list(METHOD)
    if hard_kills:
        sections.append(hard_kill.section_of(hard_kills))
        method += hard_kill.METHOD
    sections.append(limits_section())
    return render("Reliability", intro, command, sections, method)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__)
    parser.add_argument("--vendor", action="append", choices=list(VENDOR_NAMES), help="repeatable; default: all")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1, help="seed of the first run")
    parser.add_argument("--runs", type=int, default=3, help="runs per vendor, seeds counting up (default %(default)s)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/reliability.md")
    kills = parser.add_mutually_exclusive_group()
    kills.add_argument("--no-hard-kill", action="store_true", help="skip the hard kills (page not written)")
    kills.add_argument("--hard-kill-only", action="store_true", help="only the hard kills (page not written)")
    parser.add_argument(
        "--hard-kill-settle",
        type=float,
        metavar="SECONDS",
        help="how long each vendor's final start runs (default: one inbox catch-up interval and a margin; "
        "page not written when given)",
    )
    parser.add_argument(
        "--hard-kill-keep", type=Path, metavar="DIR", help="keep the hard kills' config directories and logs in DIR"
    )
    return parser.parse_args(argv)


async def main(args: argparse.Namespace, write: Callable[[str], None]) -> int:
    """Run each vendor, then the hard kills; print; write the page."""
    vendors = args.vendor or list(VENDOR_NAMES)
    results = []
    for vendor in [] if args.hard_kill_only else vendors:
        for seed in range(args.seed, args.seed + args.runs):
            result = await run_chaos(ChaosPlan(vendor=vendor, messages=args.messages, seed=seed))
            results.append(result)
            print(f"seed {seed}: " + "\n".join(summary_lines(result)), flush=True)
    failover = (
        await run_failover_chaos(FailoverPlan(seed=args.seed))
        if "ejoin" in vendors and not args.hard_kill_only
        else None
    )
    if failover is not None:
        print("\n".join(failover_summary_lines(failover)), flush=True)
    hard_kills: list[HardKillResult] = []
    if not args.no_hard_kill:
        plans = [HardKillPlan(vendor=vendor, seed=args.seed, settle=args.hard_kill_settle) for vendor in vendors]
        hard_kills = await run_hard_kills(plans, keep=args.hard_kill_keep)
        for hard in hard_kills:
            print("\n".join(hard_kill.summary_lines(hard)), flush=True)
    full = (
        (args.messages, args.seed, args.runs) == (ChaosPlan.messages, ChaosPlan.seed, 3)
        and not args.vendor
        and not (args.no_hard_kill or args.hard_kill_only or args.hard_kill_settle is not None)
    )
    if full and not args.no_write:
        extra = [failover_section(failover)] if failover is not None else []
        write(render_page(results, "scripts/chaos", hard_kills, extra))
        print(f"wrote {DOC}")
    passed = (
        all(result.passed for result in results)
        and (failover is None or failover.passed)
        and all(hard.passed for hard in hard_kills)
    )
    return 0 if passed else 1


def cli() -> None:
    """Entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # warnings are counted into the report; errors are also shown
        handler.setLevel(logging.ERROR)

    def write(page: str) -> None:
        DOC.write_text(page, encoding="utf-8")

    sys.exit(asyncio.run(main(parse_args(), write)))


if __name__ == "__main__":
    cli()
