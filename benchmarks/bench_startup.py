"""5. Start-up: one gateway with 128 SIMs set up in at most 1 s; the ratio to one status fetch is reported."""

from __future__ import annotations

import json

from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .context import BenchContext
from .report import Section
from .stats import Samples, ms, ratio, timed

SETUP_TARGET = 1.0


async def run(ctx: BenchContext) -> Section:
    """Set the same entry up again and again (unloaded in between), next to a bare status fetch."""
    sim, entry = await ctx.gateway("ejoin", seed=51)
    hass = ctx.lab.hass
    session = async_get_clientsession(hass)
    query = {"username": sim.username, "password": sim.password, "all_sims": "1"}
    entities = len(hass.states.async_entity_ids())

    async def status_fetch() -> None:
        async with session.get(f"{sim.url}/goip_get_status.html", params=query) as response:
            json.loads(await response.read())

    async def setup() -> None:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

    fetch, setups = Samples("one status fetch"), Samples("entry set-up")
    requests: list[int] = []
    for _ in range(ctx.scale(20, 5)):
        fetch.add(await timed(status_fetch))
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        before = len(sim.requests)
        setups.add(await timed(setup))
        requests.append(len(sim.requests) - before)

    setup_ratio = ratio(setups.median, fetch.median)
    section = Section(
        "Start-up",
        f"Setting up one Skyline/EJOIN entry with 32 ports x 4 slots ({entities} entities) until everything is "
        "loaded; unloaded between runs, so each run connects, reads the status, loads the inbox and creates "
        "the entities again.",
    )
    section.rows = [
        {"measure": fetch.name, "median": ms(fetch.median), "p95": ms(fetch.p95), "ratio": "floor"},
        {"measure": setups.name, "median": ms(setups.median), "p95": ms(setups.p95), "ratio": f"{setup_ratio:.0f}x"},
    ]
    section.check("set-up time (p95)", f"≤ {SETUP_TARGET:.0f} s", ms(setups.p95), passed=setups.p95 <= SETUP_TARGET)
    section.notes.append(
        f"HTTP requests during one set-up: {min(requests)} to {max(requests)} (connection check and feature probes, "
        "status, statistics, inbox catch-up, push target)."
    )
    return section
