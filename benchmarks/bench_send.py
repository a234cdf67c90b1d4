"""3. Bulk send: one `send_sms` action to 500 recipients, against a per-recipient loop of 500 actions.

Skyline/EJOIN must use ⌈500/100⌉ = 5 HTTP requests (the client sends at most 100 tasks per request), Dinstar
⌈500/128⌉ = 4 (its API takes at most 128 numbers per request).
The speed-up of the bulk call over the loop is measured in the same run (target ≥ 50x). The simulators run in a
child process, so the speed-up is shown twice: in wall time (the device's own handling included) and in the CPU
time of Home Assistant's process (the integration's own cost).
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from aiohttp import ClientSession
from homeassistant.config_entries import ConfigEntry

from .context import BenchContext
from .harness import GatewayAccess
from .report import Section
from .sim_process import simulators_in_subprocess
from .stats import Samples, ms

RECIPIENTS = 500
SPEED_UP_TARGET = 50.0
SEND_PATHS = {"ejoin": "/goip_post_sms.html", "dinstar": "/api/send_sms"}
EXPECTED_REQUESTS = {"ejoin": math.ceil(RECIPIENTS / 100), "dinstar": math.ceil(RECIPIENTS / 128)}
NAMES = {"ejoin": "Skyline/EJOIN", "dinstar": "Dinstar"}
PER_RECIPIENT_WORK = {
    "ejoin": "each recipient is its own task on the device, so each gets its own task id, result and reports",
    "dinstar": "the device answers each number with its own result, which the action returns",
}


def recipients(count: int) -> list[str]:
    """Distinct valid numbers."""
    return [f"+49170{number:07d}" for number in range(count)]


class DeviceView:
    """What the simulator in the child process saw, through its control API."""

    def __init__(self, session: ClientSession, gateway: GatewayAccess) -> None:
        """Bind to one simulator."""
        self.session = session
        self.url = gateway.url

    async def requests_to(self, path: str) -> int:
        """How many requests reached `path` so far."""
        async with self.session.get(f"{self.url}/_sim/requests") as response:
            return sum(1 for request in await response.json() if request["path"] == path)

    async def wait_until_queue_empty(self) -> None:
        """The device has sent everything (its queue is limited; a full queue would refuse the next sends)."""
        for _ in range(600):
            async with self.session.get(f"{self.url}/_sim/state") as response:
                queue = (await response.json())["state"].get("queue")
            if not queue:
                return
            await asyncio.sleep(0.05)


async def send(ctx: BenchContext, entry: ConfigEntry[Any], numbers: list[str]) -> None:
    """The `send_sms` action, as an automation calls it."""
    await ctx.lab.hass.services.async_call(
        "gsm_gateway",
        "send_sms",
        {"config_entry_id": entry.entry_id, "recipients": numbers, "message": "Benchmark: one text, many people"},
        blocking=True,
        return_response=True,
    )


class Clocks:
    """Wall time and this process's CPU time of repeated operations."""

    def __init__(self) -> None:
        """No samples yet."""
        self.wall = Samples("wall")
        self.cpu = Samples("cpu")

    async def measure(self, operation: Any) -> None:
        """Run one operation."""
        wall, cpu = time.perf_counter(), time.process_time()
        await operation()
        self.cpu.add(time.process_time() - cpu)
        self.wall.add(time.perf_counter() - wall)


async def run_vendor(ctx: BenchContext, section: Section, vendor: str, session: ClientSession) -> None:
    """Bulk against loop on one vendor's simulator."""
    async with simulators_in_subprocess(vendor, 1, send_interval=0.001) as (gateway,):
        entry = await ctx.lab.add_gateway(gateway, manage_push_target=False)
        device = DeviceView(session, gateway)
        path = SEND_PATHS[vendor]
        numbers = recipients(RECIPIENTS)
        await send(ctx, entry, numbers[:2])  # warm up
        bulk, requests_per_bulk = Clocks(), set()
        for _ in range(ctx.scale(15, 3)):
            await device.wait_until_queue_empty()
            before = await device.requests_to(path)
            await bulk.measure(lambda: send(ctx, entry, numbers))
            requests_per_bulk.add(await device.requests_to(path) - before)
        await device.wait_until_queue_empty()
        before = await device.requests_to(path)
        loop = Clocks()
        for number in numbers:
            await loop.measure(lambda number=number: send(ctx, entry, [number]))
        loop_requests = await device.requests_to(path) - before
        await device.wait_until_queue_empty()
        await ctx.lab.hass.config_entries.async_remove(entry.entry_id)

    wall_speed_up = loop.wall.total / bulk.wall.median
    cpu_speed_up = loop.cpu.total / bulk.cpu.median
    name = NAMES[vendor]
    section.rows += [
        {
            "gateway": name,
            "how": f"1 action, {RECIPIENTS} recipients",
            "HTTP requests": "/".join(str(count) for count in sorted(requests_per_bulk)),
            "wall time": ms(bulk.wall.median),
            "HA CPU time": ms(bulk.cpu.median),
            "speed-up (wall / CPU)": f"{wall_speed_up:.0f}x / {cpu_speed_up:.0f}x",
        },
        {
            "gateway": name,
            "how": f"{RECIPIENTS} actions, 1 recipient each",
            "HTTP requests": str(loop_requests),
            "wall time": f"{ms(loop.wall.total)} ({ms(loop.wall.median)} each)",
            "HA CPU time": f"{ms(loop.cpu.total)} ({ms(loop.cpu.median)} each)",
            "speed-up (wall / CPU)": "1x",
        },
    ]
    section.notes.append(
        f"{name}: the bulk action costs {bulk.cpu.median / RECIPIENTS * 1e6:.0f} µs of HA CPU per recipient "
        f"({PER_RECIPIENT_WORK[vendor]}), a looped action {loop.cpu.median * 1e3:.2f} ms; the bulk request's "
        f"wall time beyond HA's CPU ({(bulk.wall.median - bulk.cpu.median) * 1e3:.1f} ms) is the simulated device "
        f"checking and queueing {RECIPIENTS} messages (profile: `scripts/bench --only send --profile`)."
    )
    expected = EXPECTED_REQUESTS[vendor]
    section.check(
        f"{name} HTTP requests per bulk send",
        f"= {expected}",
        ", ".join(str(count) for count in sorted(requests_per_bulk)),
        passed=requests_per_bulk == {expected},
    )
    section.check(
        f"{name} speed-up over the loop (wall time)",
        f"≥ {SPEED_UP_TARGET:.0f}x",
        f"{wall_speed_up:.0f}x",
        passed=wall_speed_up >= SPEED_UP_TARGET,
    )


async def run(ctx: BenchContext) -> Section:
    """Bulk against loop, per vendor."""
    section = Section(
        "Bulk send",
        f"One `send_sms` action to {RECIPIENTS} recipients, against {RECIPIENTS} actions to one recipient each "
        "(what an automation looping over a list does). The simulated 32-port gateways run in a child process.",
    )
    async with ClientSession() as session:
        for vendor in ("ejoin", "dinstar"):
            await run_vendor(ctx, section, vendor, session)
    section.notes.append(
        "Wall time includes the simulated device's handling of the request; HA CPU time is what Home Assistant's "
        "process spent (integration, action call, HTTP client)."
    )
    return section
