"""1. Poll cycle of a 32-port x 4-slot gateway (128 SIMs, hundreds of entities).

Unchanged poll: must write no state and cost at most 2x a bare aiohttp GET of the same status URL plus
`json.loads`. Poll in which every port changed: at most 2x Home Assistant's own `hass.states.async_set` for the
same number of states, on top of the fetch that any poll needs (the floor is the bare GET plus those `async_set`s).
Floors and polls are measured alternately, in the same run.
"""

from __future__ import annotations

import json
import statistics

from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.gsm_gateway.client.ejoin.parse import parse_gateway_status
from simulator.ejoin import EjoinSimulator

from .context import BenchContext
from .harness import count_state_writes
from .report import Section
from .stats import Samples, ms, ratio, timed, timed_sync

UNCHANGED_TARGET = 2.0
CHANGED_TARGET = 2.0


async def run(ctx: BenchContext) -> Section:
    """Measure both kinds of poll against their floors."""
    sim, entry = await ctx.gateway("ejoin", seed=11)
    assert isinstance(sim, EjoinSimulator)
    hass = ctx.lab.hass
    coordinator = entry.runtime_data.status
    session = async_get_clientsession(hass)
    status_url = f"{sim.url}/goip_get_status.html"
    query = {"username": sim.username, "password": sim.password, "all_sims": "1"}
    entities = len(hass.states.async_entity_ids())
    iterations = ctx.scale(200, 30)

    async def bare_get() -> None:
        async with session.get(status_url, params=query) as response:
            json.loads(await response.read())

    gateway = entry.runtime_data.gateway
    get_floor, unchanged = Samples("bare GET + json.loads"), Samples("unchanged poll")
    client_unchanged = Samples("client get_status, nothing changed")
    unchanged_writes = 0
    for _ in range(10):  # warm up connections and caches
        await bare_get()
        await coordinator.async_refresh()
    for _ in range(iterations):
        with count_state_writes(hass) as writes:
            get_floor.add(await timed(bare_get))
            unchanged.add(await timed(coordinator.async_refresh))
            client_unchanged.add(await timed(gateway.get_status))
        unchanged_writes += writes.count
    assert coordinator.last_update_success

    set_floor, changed = Samples("hass.states.async_set"), Samples("poll, every port changed")
    client_changed = Samples("client get_status, every port changed")
    written: list[int] = []
    for iteration in range(-2, iterations):  # two warm-up rounds: the first change after set-up is not typical
        for signal in (30, 18 + iteration % 2):  # signal moves on every port: one reading per port changes
            for port in sim.ports:
                port.signal = signal
            if signal == 30:  # the client alone reads a changed status (no entity sees it) ...
                client_changed.add(await timed(gateway.get_status))
        with count_state_writes(hass) as writes:  # ... then the poll reads the next change, entities included
            duration = await timed(coordinator.async_refresh)
        if iteration < 0:
            continue
        changed.add(duration)
        written.append(writes.count)
        values = [(f"sensor.floor_{index}", attributes) for index, (_, _, attributes) in enumerate(writes.written)]

        async def async_set_all(values: list[tuple[str, dict[str, object]]] = values, flip: int = iteration) -> None:
            for entity_id, attributes in values:
                hass.states.async_set(entity_id, str(flip % 2), attributes)

        with count_state_writes(hass):  # the same listeners as above, so both sides pay for them
            set_floor.add(await timed(async_set_all))

    # Where an unchanged poll's time goes, measured on the same body: parsing it, and the client's whole request.
    async with session.get(status_url, params=query) as response:
        body = json.loads(await response.read())
    parse = Samples("parse")
    for _ in range(iterations):
        parse.add(timed_sync(lambda: parse_gateway_status(body)))

    unchanged_ratio = ratio(unchanged.median, get_floor.median)
    # A poll cannot write without fetching first: its floor is the bare fetch plus Home Assistant's own writes.
    changed_floor = get_floor.median + set_floor.median
    changed_ratio = ratio(changed.median, changed_floor)
    applying = max(0.0, changed.median - unchanged.median)  # what a change costs on top of reading the status
    section = Section(
        "Poll cycle (32 ports x 4 slots)",
        f"One status poll of a simulated Skyline/EJOIN gateway with 128 SIMs; {entities} entities in Home Assistant; "
        f"{iterations} polls of each kind, each next to its floor.",
    )
    section.rows = [
        {"measure": get_floor.name, "median": ms(get_floor.median), "p95": ms(get_floor.p95), "ratio": "floor"},
        {
            "measure": unchanged.name,
            "median": ms(unchanged.median),
            "p95": ms(unchanged.p95),
            "ratio": f"{unchanged_ratio:.2f}x",
        },
        {
            "measure": f"{set_floor.name} x {statistics.median(written):.0f} states",
            "median": ms(set_floor.median),
            "p95": ms(set_floor.p95),
            "ratio": "floor",
        },
        {
            "measure": "floor of a changed poll: bare GET + async_set (medians)",
            "median": ms(changed_floor),
            "p95": "",
            "ratio": "floor",
        },
        {
            "measure": changed.name,
            "median": ms(changed.median),
            "p95": ms(changed.p95),
            "ratio": f"{changed_ratio:.2f}x",
        },
        {
            "measure": "applying the change (changed poll minus unchanged poll, medians)",
            "median": ms(applying),
            "p95": "",
            "ratio": f"{ratio(applying, set_floor.median):.2f}x",
        },
    ]
    section.check("unchanged poll, states written", "= 0", str(unchanged_writes), passed=unchanged_writes == 0)
    section.check(
        "unchanged poll vs bare GET",
        f"≤ {UNCHANGED_TARGET}x",
        f"{unchanged_ratio:.2f}x",
        passed=unchanged_ratio <= UNCHANGED_TARGET,
    )
    section.check(
        "changed poll vs bare GET + async_set",
        f"≤ {CHANGED_TARGET}x",
        f"{changed_ratio:.2f}x",
        passed=changed_ratio <= CHANGED_TARGET,
    )
    section.notes.append(
        f"States written per changed poll: {min(written)} to {max(written)} (median {statistics.median(written):.0f}); "
        f"{len(sim.ports)} readings changed (the signal of every port)."
    )
    section.notes.append(
        "The target compares a changed poll with Home Assistant's own `async_set` of as many states as it wrote; "
        "a poll cannot write without fetching first, so the floor is the bare GET plus those `async_set`s "
        "(decision: the literal reading, `async_set` alone, would compare a network request with in-memory writes). "
        "The last row shows what applying the change costs on top of an unchanged poll, against `async_set` alone."
    )
    section.notes.append(
        f"Where an unchanged poll's {ms(unchanged.median)} go (medians, same run): the bare GET + `json.loads` "
        f"{ms(get_floor.median)}; the client's whole `get_status()` {ms(client_unchanged.median)}; the coordinator "
        f"around it {ms(max(0.0, unchanged.median - client_unchanged.median))}. Reading all 128 rows from scratch "
        f"(`parse_gateway_status` without the client's row cache) takes {ms(parse.median)}."
    )
    entity_side = max(0.0, changed.median - client_changed.median)
    section.notes.append(
        f"Where a changed poll's {ms(changed.median)} go (medians, same run): the client's `get_status()` reading "
        f"32 changed rows {ms(client_changed.median)}; the coordinator and entities {ms(entity_side)}, of which "
        f"Home Assistant's own writes of the {statistics.median(written):.0f} states are about {ms(set_floor.median)}. "
        "The rest is the entities of the 32 changed ports (every port entity and its slots' entities, since each "
        "port's status object changed) recomputing their state and attributes to find the one that changed: "
        "the gap to the target is this per-entity Python work, not requests or writes (profile it with "
        "`scripts/bench --only poll --profile`)."
    )
    return section
