"""The chaos run's failover scenario: alarms sent with `failover: true` while SIMs and a whole gateway fail.

Two simulated Skyline/EJOIN gateways, A and B, are added to a real Home Assistant (push target taken over, so send
results are pushed back). Every alarm asks for gateway A and two new numbers. On A, port 1's SIM has no credit
(its SMS are accepted, then reported failed) and port 2's SIM stops registering without the gateway telling Home
Assistant (its SMS are refused); half way through, A is switched off (its connections are refused). B is healthy.

Pass: every number was sent exactly once, counted on the two simulated gateways (0 lost, 0 sent twice), every
response says `sent` for it, and no action failed. Only definite failures are injected: an ambiguous one (a timeout
after the request left) is, by design, never resent, so "never twice" and "never lost" cannot both be promised for
it (docs/sending.md).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
import random
import tempfile
import time
from typing import Any
from unittest.mock import patch

from homeassistant.exceptions import HomeAssistantError

from custom_components.gsm_gateway.client.ejoin.gateway import PushBuffering
from simulator.ejoin import EjoinSimulator

from .context import access_of
from .harness import HomeAssistantLab
from .report import Section

REGISTER_FAILED = 6  # Skyline/EJOIN status code


@dataclass(frozen=True)
class FailoverPlan:
    """What happens during the scenario."""

    alarms: int = 40
    recipients: int = 2  # per alarm, each a number of its own
    step_pause: float = 0.05  # real seconds between two alarms
    deadline: int = 60
    seed: int = 1


@dataclass
class FailoverResult:
    """What the scenario observed."""

    plan: FailoverPlan
    numbers: list[str] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)  # number -> SMS the simulated gateways sent to it
    outcomes: dict[str, str] = field(default_factory=dict)  # number -> final outcome in the action's response
    attempts: Counter[str] = field(default_factory=Counter)  # attempt outcome -> count
    raised: Counter[str] = field(default_factory=Counter)  # translation key -> count
    unexpected: Counter[str] = field(default_factory=Counter)
    actions: list[tuple[float, str]] = field(default_factory=list)
    duration: float = 0.0

    @property
    def lost(self) -> int:
        """Numbers no gateway sent to."""
        return sum(1 for number in self.numbers if self.sent[number] == 0)

    @property
    def double_sent(self) -> int:
        """SMS beyond the first to one number."""
        return sum(count - 1 for count in self.sent.values() if count > 1)

    @property
    def untrue(self) -> int:
        """Numbers whose response does not say `sent` though exactly one SMS went out (or says it and none did)."""
        return sum(1 for number in self.numbers if (self.outcomes.get(number) == "sent") != (self.sent[number] == 1))

    @property
    def passed(self) -> bool:
        """The scenario's verdict."""
        return (
            len(self.numbers) == self.plan.alarms * self.plan.recipients
            and self.lost == 0
            and self.double_sent == 0
            and self.untrue == 0
            and not self.raised
            and not self.unexpected
        )


@contextlib.contextmanager
def prompt_result_pushes() -> Iterator[None]:
    """Skyline/EJOIN clients built meanwhile ask for each send result at once (not every 10 s): time compression."""
    with patch(
        "custom_components.gsm_gateway.client.ejoin.gateway.PushBuffering",
        partial(PushBuffering, report_count=1, report_period=1),
    ):
        yield


class FailoverRun:
    """One scenario: a lab, two simulators, the alarms and the counts."""

    def __init__(self, plan: FailoverPlan, config_dir: Path) -> None:
        """Prepare; `run()` does everything."""
        self.plan = plan
        self.result = FailoverResult(plan)
        self.lab = HomeAssistantLab(config_dir)
        self.rng = random.Random(plan.seed)
        self.gateway_a = EjoinSimulator(ports=8, slots=1, seed=plan.seed)
        self.gateway_b = EjoinSimulator(ports=4, slots=1, seed=plan.seed + 1000)
        self.entry_a = ""
        self.started = 0.0

    def _log(self, what: str) -> None:
        self.result.actions.append((time.perf_counter() - self.started, what))

    async def run(self) -> FailoverResult:
        """Set up, send, disrupt, count."""
        for sim in (self.gateway_a, self.gateway_b):
            sim.send_interval = 0.02  # the device sends one SMS at a time
            await sim.start()
        try:
            await self._run()
        finally:
            if self.lab.running:
                await self.lab.stop()
            for sim in (self.gateway_a, self.gateway_b):
                await sim.stop()
        return self.result

    async def _run(self) -> None:
        plan = self.plan
        await self.lab.start()
        with prompt_result_pushes():
            self.entry_a = (await self.lab.add_gateway(access_of(self.gateway_a))).entry_id
            await self.lab.add_gateway(access_of(self.gateway_b))
        await self.lab.hass.async_block_till_done(wait_background_tasks=True)
        self.started = time.perf_counter()
        await self.gateway_a.control("set_balance", {"port": 1, "balance": 0})
        self._log("gateway A, port 1: the SIM has no credit")
        self.gateway_a.ports[1].slot(1).status = REGISTER_FAILED  # on the device only: Home Assistant still sees it
        self._log("gateway A, port 2: the SIM stops registering (Home Assistant is not told)")
        first = plan.alarms // 2
        await self._alarms(range(first))
        await self.gateway_a.stop()
        self._log("gateway A switched off")
        await self._alarms(range(first, plan.alarms))
        await asyncio.sleep(0.5)  # a late SMS would still be counted
        self.result.sent = Counter(number for sim in (self.gateway_a, self.gateway_b) for number, _ in sim.sent_log)
        self.result.duration = time.perf_counter() - self.started

    async def _alarms(self, indexes: range) -> None:
        sends = []
        for index in indexes:
            numbers = [f"+49172{self.rng.randrange(10**7):07d}" for _ in range(self.plan.recipients)]
            self.result.numbers.extend(numbers)
            sends.append(asyncio.get_running_loop().create_task(self._alarm(index, numbers)))
            await asyncio.sleep(self.plan.step_pause)
        await asyncio.gather(*sends)

    async def _alarm(self, index: int, numbers: list[str]) -> None:
        data: dict[str, Any] = {
            "config_entry_id": self.entry_a,
            "recipients": numbers,
            "message": f"chaos alarm {index + 1}",
            "failover": True,
            "deadline": self.plan.deadline,
        }
        try:
            async with asyncio.timeout(self.plan.deadline + 30):
                response = await self.lab.hass.services.async_call(
                    "gsm_gateway", "send_sms", data, blocking=True, return_response=True
                )
        except TimeoutError:
            self.result.unexpected["hung"] += 1
        except HomeAssistantError as err:
            self.result.raised[err.translation_key or type(err).__name__] += 1
        except Exception as err:  # noqa: BLE001 - an error that is not Home Assistant's is a finding
            self.result.unexpected[type(err).__name__] += 1
        else:
            assert isinstance(response, dict)
            for item in response["recipients"]:
                self.result.outcomes[str(item["recipient"])] = str(item["outcome"])
                self.result.attempts.update(str(attempt["outcome"]) for attempt in item["attempts"])


async def run_failover_chaos(plan: FailoverPlan) -> FailoverResult:
    """One scenario in a temporary config directory."""
    with tempfile.TemporaryDirectory(prefix="gsm-chaos-failover-") as directory:
        return await FailoverRun(plan, Path(directory)).run()


def failover_summary_lines(result: FailoverResult) -> list[str]:
    """The counts the script prints."""
    plan = result.plan
    return [
        f"failover: {plan.alarms} alarms to {len(result.numbers)} numbers in {result.duration:.0f} s",
        (
            f"  sent per number on the gateways: lost {result.lost}, sent twice {result.double_sent}; "
            f"responses that disagree: {result.untrue}"
        ),
        f"  final outcomes: {dict(Counter(result.outcomes.values()))}",
        f"  attempts: {dict(result.attempts)}",
        f"  raised: {dict(result.raised) or 0}, unexpected: {dict(result.unexpected) or 0}",
        f"  disruptions: {', '.join(what for _, what in result.actions)}",
        f"  verdict: {'PASS' if result.passed else 'FAIL'}",
    ]


def failover_section(result: FailoverResult) -> Section:
    """The scenario as a page section."""
    plan = result.plan
    section = Section(
        f"Failover: {plan.alarms} alarms with `failover: true`",
        (
            f"Two simulated Skyline/EJOIN gateways. Each alarm asks for gateway A and goes to {plan.recipients} new "
            "numbers. On A, port 1's SIM has no credit (accepted, then reported failed) and port 2's SIM stops "
            "registering without telling Home Assistant (refused); half way through, A is switched off "
            f"(connections refused). B is healthy. {result.duration:.0f} s of real time."
        ),
    )
    outcomes = Counter(result.outcomes.values())
    section.rows = [
        {"": "numbers texted", "count": str(len(result.numbers))},
        {"": "final outcome `sent`", "count": str(outcomes["sent"])},
        *({"": f"attempts `{kind}`", "count": str(count)} for kind, count in sorted(result.attempts.items())),
        {"": "numbers no gateway sent to (lost)", "count": str(result.lost)},
        {"": "SMS beyond the first to a number (sent twice)", "count": str(result.double_sent)},
        {"": "responses that disagree with the gateways", "count": str(result.untrue)},
        {"": "`send_sms` that raised", "count": str(sum(result.raised.values()))},
    ]
    section.check("lost", "= 0", str(result.lost), passed=result.lost == 0)
    section.check("sent twice", "= 0", str(result.double_sent), passed=result.double_sent == 0)
    section.check("responses true", "= all", str(len(result.numbers) - result.untrue), passed=result.untrue == 0)
    section.notes.append(
        "Disruptions (seconds into the scenario): " + "; ".join(f"{at:.1f} s {what}" for at, what in result.actions)
    )
    section.notes.append(
        "Only definite failures are injected. A timeout after the request left is ambiguous: failover never resends "
        "it unless `at_least_once` is asked for, so no run can promise both 0 lost and 0 twice for it "
        "(docs/sending.md)."
    )
    return section
