"""4. Scale: ten 32-port x 4-slot gateways in one Home Assistant.

Targets: total set-up (Home Assistant starting with the ten gateways configured) at most 10 s; memory added per
gateway reported; steady-state CPU at most 2 % of one core at the default poll intervals, measured over 60 s. The
simulators run in a child process, so their CPU and memory are not counted.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time

from aiohttp import ClientSession
from homeassistant.config_entries import ConfigEntryState

from .context import BenchContext
from .report import Section
from .sim_process import simulators_in_subprocess
from .stats import ms

GATEWAYS = 10
SETUP_TARGET = 10.0
CPU_TARGET = 0.02


def rss_bytes() -> int:
    """Resident memory of this process (Linux `/proc`)."""
    with open("/proc/self/statm", encoding="ascii") as statm:  # noqa: PTH123
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def settled_rss() -> int:
    """Resident memory after a full garbage collection."""
    gc.collect()
    return rss_bytes()


async def cpu_share(seconds: float) -> float:
    """Share of one core this process used while the loop ran freely for `seconds`."""
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


async def status_requests(session: ClientSession, urls: list[str]) -> int:
    """Status polls the simulators answered so far."""
    total = 0
    for url in urls:
        async with session.get(f"{url}/_sim/requests") as response:
            total += sum(1 for request in await response.json() if request["path"] == "/goip_get_status.html")
    return total


async def run(ctx: BenchContext) -> Section:
    """Add ten gateways, restart Home Assistant with them, then watch it idle at the default intervals."""
    lab = ctx.lab
    window = ctx.scale(60, 10)
    async with simulators_in_subprocess("ejoin", GATEWAYS) as gateways, ClientSession() as session:
        await asyncio.sleep(1)
        idle_cpu = await cpu_share(window)
        baseline = settled_rss()
        added: list[int] = []
        flow_times: list[float] = []
        for gateway in gateways:
            before, start = settled_rss(), time.perf_counter()
            await lab.add_gateway(gateway)
            flow_times.append(time.perf_counter() - start)
            added.append(settled_rss() - before)
        entities = len(lab.hass.states.async_entity_ids())
        total_memory = settled_rss() - baseline

        await lab.stop()
        start = time.perf_counter()
        await lab.start()
        boot_with_gateways = time.perf_counter() - start
        entries = lab.hass.config_entries.async_entries("gsm_gateway")
        loaded = sum(1 for entry in entries if entry.state is ConfigEntryState.LOADED)
        await asyncio.sleep(5)  # start-up background work (catch-up, push targets) ends
        polls_before = await status_requests(session, [gateway.url for gateway in gateways])
        busy_cpu = await cpu_share(window)
        polls = await status_requests(session, [gateway.url for gateway in gateways]) - polls_before

    mib = 1024 * 1024
    section = Section(
        "Scale",
        f"{GATEWAYS} simulated Skyline/EJOIN gateways with 32 ports x 4 slots each ({entities} entities) in one "
        "Home Assistant, added through the config flow with the default options (push target taken over).",
    )
    section.rows = [
        {
            "measure": "Home Assistant restart with all gateways configured, until all are loaded",
            "value": ms(boot_with_gateways),
        },
        {
            "measure": "config flow + set-up, per gateway (median)",
            "value": ms(sorted(flow_times)[len(flow_times) // 2]),
        },
        {
            "measure": "memory added by the first gateway",
            "value": f"{added[0] / mib:.1f} MiB",
        },
        {
            "measure": "memory added by each further gateway (mean)",
            "value": f"{sum(added[1:]) / max(1, len(added) - 1) / mib:.1f} MiB",
        },
        {"measure": f"memory added by all {GATEWAYS} gateways", "value": f"{total_memory / mib:.1f} MiB"},
        {"measure": f"CPU, Home Assistant without gateways ({window} s)", "value": f"{idle_cpu:.2%} of one core"},
        {
            "measure": f"CPU, with {GATEWAYS} gateways ({window} s, {polls} status polls)",
            "value": f"{busy_cpu:.2%} of one core",
        },
    ]
    section.check(
        f"all {GATEWAYS} gateways loaded after the restart", f"= {GATEWAYS}", str(loaded), passed=loaded == GATEWAYS
    )
    section.check(
        "total set-up", f"≤ {SETUP_TARGET:.0f} s", ms(boot_with_gateways), passed=boot_with_gateways <= SETUP_TARGET
    )
    section.check(
        f"steady-state CPU over {window} s", f"≤ {CPU_TARGET:.0%}", f"{busy_cpu:.2%}", passed=busy_cpu <= CPU_TARGET
    )
    section.notes.append(
        "Memory is the resident set size of the process after a full garbage collection; CPU is the process's CPU "
        "time over wall time, all threads included. Default intervals: status 30 s, statistics 5 min, inbox "
        "catch-up 2 min, pushed device status every 60 s."
    )
    return section
