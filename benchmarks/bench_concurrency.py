"""6. Concurrency: 50 concurrent action calls mixed with push bursts complete without error; p99 latency reported."""

from __future__ import annotations

import asyncio
import time

from aiohttp import ClientSession

from custom_components.gsm_gateway.const import EVENT_SMS_RECEIVED

from .bench_push import PUSH_SIZE, EventCounter, push_bodies
from .context import BenchContext
from .report import Section
from .stats import Samples, ms

CONCURRENT_CALLS = 50
PUSHES_PER_ROUND = 10


async def run(ctx: BenchContext) -> Section:
    """Rounds of 50 `send_sms` calls started at once, while 10 pushes of 50 SMS arrive at the same time."""
    sim, entry = await ctx.gateway("ejoin", seed=61, manage_push_target=False)
    source = await ctx.simulator("ejoin", ports=32, slots=4, seed=62)
    hass = ctx.lab.hass
    url = ctx.lab.webhook_url(entry)
    received = EventCounter(hass, EVENT_SMS_RECEIVED)
    rounds = ctx.scale(20, 4)
    latencies = Samples("send_sms")
    errors: list[str] = []
    statuses: list[int] = []

    async def call(number: int) -> None:
        start = time.perf_counter()
        try:
            await hass.services.async_call(
                "gsm_gateway",
                "send_sms",
                {"config_entry_id": entry.entry_id, "recipients": [f"+4917100{number:06d}"], "message": "hello"},
                blocking=True,
                return_response=True,
            )
        except Exception as err:  # noqa: BLE001 - every failure is a finding, reported below
            errors.append(type(err).__name__)
        latencies.add(time.perf_counter() - start)

    async with ClientSession() as session:
        bodies = await push_bodies(source, session, rounds * PUSHES_PER_ROUND * PUSH_SIZE, "concurrent")

        async def push(body: bytes) -> None:
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
                statuses.append(response.status)

        for index in range(rounds):
            sim.queue.clear()  # type: ignore[attr-defined]  # the device's queue limit is not under test
            burst = bodies[index * PUSHES_PER_ROUND : (index + 1) * PUSHES_PER_ROUND]
            await asyncio.gather(
                *(call(index * CONCURRENT_CALLS + number) for number in range(CONCURRENT_CALLS)),
                *(push(body) for body in burst),
            )
        expected = rounds * PUSHES_PER_ROUND * PUSH_SIZE
        await received.wait_for(expected)
        await hass.async_block_till_done()

    section = Section(
        "Concurrency",
        f"{rounds} rounds of {CONCURRENT_CALLS} `send_sms` actions started at once, while {PUSHES_PER_ROUND} pushes of "
        f"{PUSH_SIZE} SMS arrive at the same time.",
    )
    section.rows = [
        {
            "measure": "send_sms latency under load",
            "calls": str(len(latencies.values)),
            "median": ms(latencies.median),
            "p95": ms(latencies.p95),
            "p99": ms(latencies.p99),
        }
    ]
    section.check("actions that raised", "= 0", str(len(errors)), passed=not errors)
    bad = [status for status in statuses if status != 200]
    section.check("pushes answered 200", f"= {len(statuses)}", str(len(statuses) - len(bad)), passed=not bad)
    section.check("SMS events", f"= {expected:,}", f"{received.count:,}", passed=received.count == expected)
    return section
