"""7. Reading the largest box: status polls and `dev-status` pushes of a 64-port x 32-slot SIM bank (2,048 rows).

With the default options. Each measure alternates with its floor, in the same run: a bare GET of the same status URL
(or a POST of the same body to a no-op webhook), `json.loads`, and Home Assistant's own `hass.states.async_set` of as
many states as the measured side wrote, with the same attributes. Targets: unchanged, 0 state writes and at most 2x
the floor; every port's signal changed, at most 2x the floor. Those targets are the polls'; pushes are measured
the same way and shown beside them (unchanged: 0 state writes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import json
import statistics
import time
from typing import Any

from aiohttp import ClientSession, web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.gsm_gateway.client.ejoin.parse import RowCache, parse_gateway_status
from simulator.ejoin import EjoinSimulator

from .context import BenchContext, access_of
from .harness import count_state_writes
from .report import Section
from .stats import Samples, ms, ratio, timed, timed_sync

PORTS, SLOTS = 64, 32
UNCHANGED_TARGET = 2.0
CHANGED_TARGET = 2.0
FLOOR_WEBHOOK = "bench-sim-bank-floor-" + "0" * 43


@dataclass
class Pair:
    """A measure next to its floor, and the state writes of the measured side."""

    name: str
    floor: Samples
    measured: Samples
    writes: list[int]
    changed: bool

    @property
    def ratio(self) -> float:
        """Median over median."""
        return ratio(self.measured.median, self.floor.median)

    @property
    def target(self) -> float:
        """The target ratio."""
        return CHANGED_TARGET if self.changed else UNCHANGED_TARGET


class SimBankReads:
    """The SIM bank with an in-process simulator, and the floors its reads are compared with."""

    def __init__(self, ctx: BenchContext, sim: EjoinSimulator, entry: ConfigEntry[Any], client: ClientSession) -> None:
        """Bind to a loaded entry; register the floor's webhook."""
        self.hass = ctx.lab.hass
        self.sim = sim
        self.entry = entry
        self.client = client
        self.iterations = ctx.scale(100, 20)
        self.session = async_get_clientsession(self.hass)
        self.status_url = f"{sim.url}/goip_get_status.html"
        self.query = {"username": sim.username, "password": sim.password, "all_sims": "1"}
        self.push_url = ctx.lab.webhook_url(entry)
        self.floor_url = f"{ctx.lab.base_url}/api/webhook/{FLOOR_WEBHOOK}"
        self.body = b""
        self.floor_writes: list[tuple[str, dict[str, Any]]] = []  # what the floor writes, set before each floor
        webhook.async_register(
            self.hass, "bench", "floor", FLOOR_WEBHOOK, self._floor_webhook, local_only=True, allowed_methods=["POST"]
        )

    async def _floor_webhook(self, _hass: HomeAssistant, _webhook_id: str, request: web.Request) -> web.Response:
        json.loads(await request.read())
        self.write_floor_states()
        return web.Response(text="OK")

    def write_floor_states(self) -> None:
        """Home Assistant's own writes of as many states as the measured side wrote, with the same attributes."""
        flip = str(time.monotonic_ns() % 2)
        for entity_id, attributes in self.floor_writes:
            self.hass.states.async_set(entity_id, flip, attributes)

    async def get_floor(self) -> None:
        """Bare GET of the status answer, `json.loads`, and the floor's writes."""
        async with self.session.get(self.status_url, params=self.query) as response:
            json.loads(await response.read())
        self.write_floor_states()

    async def poll(self) -> None:
        """One status poll of the integration."""
        await self.entry.runtime_data.status.async_refresh()

    async def _post(self, url: str) -> None:
        async with self.client.post(url, data=self.body, headers={"Content-Type": "application/json"}) as response:
            assert response.status == 200, response.status
        await self.hass.async_block_till_done()  # the integration applies a push right after answering it

    async def push(self) -> None:
        """The current body pushed to the integration's webhook, until applied."""
        await self._post(self.push_url)

    async def push_floor(self) -> None:
        """The same body posted to the no-op webhook."""
        await self._post(self.floor_url)

    def move_signals(self, iteration: int) -> None:
        """Every port's signal moves (between two readings, as a flapping reading does: rows seen before)."""
        for port in self.sim.ports:
            port.signal = 18 + iteration % 2

    def move_signals_new_rows(self, iteration: int) -> None:
        """Every port's signal moves, and its row is one never seen: the active SIM's IMEI changes as well (its
        sensor is disabled by default, so nothing more is written), so the client parses those rows afresh."""
        self.move_signals(iteration)
        for port in self.sim.ports:
            port.slot(port.active).imei = f"86{iteration + 1000:06d}{port.port:06d}0"

    def move_one_signal(self, iteration: int) -> None:
        """One port's signal moves (the usual poll)."""
        self.sim.ports[36].signal = 18 + iteration % 2

    def set_body(self, *, all_slots: bool) -> None:
        """The `dev-status` object the simulator would push now: every slot, or the active ones (what it sends)."""
        self.body = json.dumps(self.sim.dev_status(all_slots=all_slots)).encode()

    async def measure(
        self,
        name: str,
        operation: Callable[[], Awaitable[None]],
        floor: Callable[[], Awaitable[None]],
        prepare: Callable[[int], None] | None = None,
    ) -> Pair:
        """Alternate `operation` and its floor (after warm-up rounds); `prepare` changes the device before each."""
        pair = Pair(name, Samples("floor"), Samples(name), [], changed=prepare is not None)
        for iteration in range(-5, self.iterations):
            if prepare is not None:
                prepare(iteration)
            with count_state_writes(self.hass) as writes:
                duration = await timed(operation)
            self.floor_writes = [(f"sensor.floor_{n}", attrs) for n, (_, _, attrs) in enumerate(writes.written)]
            with count_state_writes(self.hass):  # the same listeners on both sides
                floor_duration = await timed(floor)
            if iteration >= 0:
                pair.measured.add(duration)
                pair.floor.add(floor_duration)
                pair.writes.append(writes.count)
        self.floor_writes = []
        return pair


async def run(ctx: BenchContext) -> Section:
    """Polls, then pushes of every slot, then pushes of the active slots; unchanged and changed."""
    sim = await ctx.simulator("ejoin", ports=PORTS, slots=SLOTS, seed=61)
    assert isinstance(sim, EjoinSimulator)
    sim.variants.add("label_pool")
    entry = await ctx.lab.add_gateway(access_of(sim), manage_push_target=False)
    entities = len(ctx.lab.hass.states.async_entity_ids())
    async with ClientSession() as client:
        reads = SimBankReads(ctx, sim, entry, client)

        def changed_push(*, all_slots: bool) -> Callable[[int], None]:
            def prepare(iteration: int) -> None:
                reads.move_signals(iteration)
                reads.set_body(all_slots=all_slots)

            return prepare

        pairs = [
            await reads.measure("poll, unchanged", reads.poll, reads.get_floor),
            await reads.measure("poll, one port's signal changed", reads.poll, reads.get_floor, reads.move_one_signal),
            await reads.measure("poll, every port's signal changed", reads.poll, reads.get_floor, reads.move_signals),
            await reads.measure(
                "poll, every port's signal changed, rows never seen before",
                reads.poll,
                reads.get_floor,
                reads.move_signals_new_rows,
            ),
        ]
        reads.set_body(all_slots=True)
        pairs.append(await reads.measure("push of 2,048 rows, unchanged", reads.push, reads.push_floor))
        pairs.append(
            await reads.measure(
                "push of 2,048 rows, every port's signal changed",
                reads.push,
                reads.push_floor,
                changed_push(all_slots=True),
            )
        )
        reads.set_body(all_slots=False)
        pairs.append(await reads.measure("push of the 64 active rows, unchanged", reads.push, reads.push_floor))
        pairs.append(
            await reads.measure(
                "push of the 64 active rows, every port's signal changed",
                reads.push,
                reads.push_floor,
                changed_push(all_slots=False),
            )
        )

    answer = sim.dev_status(all_slots=True)
    text = json.dumps(answer)
    rounds = ctx.scale(20, 5)
    full = statistics.median(timed_sync(lambda: parse_gateway_status(json.loads(text))) for _ in range(rounds))
    loads = statistics.median(timed_sync(lambda: json.loads(text)) for _ in range(rounds))
    cache = RowCache()
    parse_gateway_status(json.loads(text), cache=cache)
    cached = statistics.median(
        timed_sync(lambda: parse_gateway_status(json.loads(text), cache=cache)) for _ in range(rounds)
    )
    building = statistics.median(timed_sync(lambda: json.dumps(sim.dev_status(all_slots=True))) for _ in range(rounds))

    section = Section(
        "SIM bank (64 ports x 32 slots): reading 2,048 rows",
        f"Status polls (`goip_get_status.html?all_sims=1`, {len(answer['status']):,} rows, "
        f"{len(json.dumps(answer)) // 1024} KiB) and `dev-status` pushes of the SIM bank with the default options "
        f"({entities} entities in Home Assistant); {reads.iterations} of each, each next to its floor. A push of "
        "every slot is the poll's answer pushed; the simulator itself pushes the active slots only.",
    )
    for pair in pairs:
        writes = statistics.median(pair.writes)
        section.rows.append(
            {
                "measure": pair.name,
                "floor (median)": ms(pair.floor.median),
                "median": ms(pair.measured.median),
                "p95": ms(pair.measured.p95),
                "states written": f"{writes:.0f}",
                "ratio": f"{pair.ratio:.2f}x",
            }
        )
        if not pair.changed:
            section.check(f"{pair.name}, states written", "= 0", str(sum(pair.writes)), passed=sum(pair.writes) == 0)
        if pair.name.startswith("poll"):  # the targets are the polls'; pushes are shown next to theirs
            section.check(
                f"{pair.name} vs its floor",
                f"≤ {pair.target}x",
                f"{pair.ratio:.2f}x",
                passed=pair.ratio <= pair.target,
            )
    poll_floor = pairs[0].floor.median
    rows = len(answer["status"])
    parse_only, recall = max(0.0, full - loads), max(0.0, cached - loads)
    section.notes += [
        (
            "Floors: a poll's is a bare GET of the same URL and `json.loads`; a push's is a POST of the same body to "
            "a webhook that only reads it and runs `json.loads`; both then write as many states as the measured side "
            "did (`hass.states.async_set`, same attributes), so a changed read is compared with Home Assistant's own "
            "cost of the writes it needs. Each push is timed until it is applied. The simulator answers in this "
            f"process: of a poll's floor ({ms(poll_floor)}), building its answer takes about {ms(building)} (a real "
            "SIM bank takes its own time, on its own processor)."
        ),
        (
            f"Parsing the {rows:,} rows from scratch takes {ms(parse_only)} after `json.loads` ({ms(loads)}), about "
            f"{parse_only / rows * 1e6:.0f} µs a row; the client's row cache recognises an unchanged answer in "
            f"{ms(recall)}, and otherwise parses only the rows it has never seen. Every port's signal changed means "
            "the 64 active SIMs' rows changed: each port's signal sensor is written (64 writes), nothing else; a "
            "reading seen before is remembered, as with a flapping signal. With rows never seen before, those 64 rows "
            "are parsed as well."
        ),
        (
            "Pushes have no ratio target: their floor has no device in it (a POST of a body already made), so the "
            "same work weighs more against it. An unchanged push writes nothing and costs little more than its "
            "floor (for 2,048 rows: comparing them with the last push's, in a worker thread, as every push over "
            "64 KiB is parsed); a changed push costs what a changed poll costs beyond its GET: the same entity "
            "updates."
        ),
        (
            "Changed reads: Home Assistant's entity writes (`async_write_ha_state`: state, attributes, translations, "
            "unit) cost about twice its bare `async_set`, and every entity of a changed port works out whether what "
            "it shows changed (12 enabled per port); an entity whose inputs are the objects of last time skips that, "
            "which is why one changed port costs little more than an unchanged poll. Profile: "
            "`scripts/bench --only sim_bank_reads --profile`."
        ),
    ]
    return section
