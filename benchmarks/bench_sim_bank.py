"""6. The largest box: one Skyline/EJOIN SIM bank of 64 ports x 32 slots (2,048 SIMs), and what its entities cost.

For every value of the `slot_entities` option, and for an upgrade from the behaviour before the option: entity-registry
entries, the registry file, config flow + set-up, starts until loaded (floor: the same Home Assistant without the
gateway) and resident memory after a full garbage collection. Each scenario is added in a child process
(`python -m benchmarks.bench_sim_bank prepare DIR ...`) and started and measured in another (`... measure DIR`), with
the simulator in a process of its own, so the memory is Home Assistant's alone and no scenario inherits another's heap.

Targets (default options): config flow + set-up until loaded at most 3 s, a restart at most 1.5 s, memory at most
30 MiB. Polls and pushes of its 2,048 rows are `bench_sim_bank_reads`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict, dataclass, replace
import json
import logging
from pathlib import Path
import statistics
import sys
import tempfile
import time

from homeassistant.config_entries import ConfigEntryState
from homeassistant.helpers import entity_registry as er

from custom_components.gsm_gateway.const import (
    CONF_SLOT_ENTITIES,
    DOMAIN,
    SIM_BANK_SLOTS,
    SlotEntities,
    default_slot_entities,
)

from .bench_scale import settled_rss
from .context import BenchContext
from .harness import GatewayAccess, HomeAssistantLab
from .report import Section
from .sim_process import simulators_in_subprocess
from .stats import ms

PORTS, SLOTS = 64, 32
SIMS = PORTS * SLOTS
VARIANTS = ("label_pool",)
SETUP_TARGET = 3.0
RESTART_TARGET = 1.5
MEMORY_TARGET_MIB = 30.0
MIB = 1024 * 1024
DEFAULT = default_slot_entities(SLOTS)


@dataclass(frozen=True)
class Scenario:
    """One way of running the SIM bank: the option before (registered that way first) and during the measurement."""

    title: str
    before: SlotEntities | None  # None: nothing set before
    option: SlotEntities | None  # None: the option is not set, its default applies


SCENARIOS: dict[str, Scenario] = {
    "all": Scenario("every slot (the behaviour before the option)", None, SlotEntities.ALL),
    "with_sim": Scenario("slots holding a SIM", None, SlotEntities.WITH_SIM),
    "none": Scenario("none: the default for a SIM bank", None, None),
    "upgrade": Scenario("upgrade: every slot registered before, then the default", SlotEntities.ALL, None),
}


@dataclass(frozen=True)
class Figures:
    """What one child process measured; what a phase does not measure stays at its default."""

    setup: float = 0.0  # config flow + set-up until loaded, seconds (prepare)
    starts: tuple[float, ...] = ()  # starts until everything configured is loaded, the first in a fresh process
    memory: int = 0  # resident memory added by the first start, after a full garbage collection
    entries: int = 0  # entity-registry entries of the gateway
    enabled: int = 0  # of which enabled (they have a state)
    slot_entries: int = 0  # of which per-slot entities
    deleted: int = 0  # deleted entries Home Assistant keeps for the gateway (should they come back)
    registry_bytes: int = 0  # size of .storage/core.entity_registry


@dataclass(frozen=True)
class EntityCost:
    """What one scenario costs: its own figures against those of the same Home Assistant without the gateway."""

    scenario: Figures
    floor: Figures

    @property
    def memory(self) -> int:
        """Memory the gateway adds."""
        return self.scenario.memory - self.floor.memory

    @property
    def restart(self) -> float:
        """Median start with the gateway configured."""
        return statistics.median(self.scenario.starts)

    @property
    def restart_floor(self) -> float:
        """Median start without it."""
        return statistics.median(self.floor.starts)


async def set_slot_entities(lab: HomeAssistantLab, entry_id: str, option: SlotEntities | None) -> None:
    """Save the option (None: remove it, so its default applies) and reload, as the options dialog does."""
    hass = lab.hass
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    options = {key: value for key, value in entry.options.items() if key != CONF_SLOT_ENTITIES}
    if option is not None:
        options[CONF_SLOT_ENTITIES] = option.value
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()


async def prepare(config_dir: Path, gateway: GatewayAccess, scenario: Scenario) -> Figures:
    """Add the gateway through the config flow (timed), set the scenario's option, stop: the configuration is stored."""
    lab = HomeAssistantLab(config_dir)
    await lab.start()
    start = time.perf_counter()
    entry_id = (await lab.add_gateway(gateway)).entry_id
    setup = time.perf_counter() - start
    for option in (scenario.before, scenario.option):
        if option is not None or scenario.before is not None:
            await set_slot_entities(lab, entry_id, option)
    await lab.stop()
    return Figures(setup=setup)


async def start_and_measure(config_dir: Path, starts: int) -> Figures:
    """Start the Home Assistant stored in `config_dir` in this fresh process, then again: memory after the first start.

    Memory is measured after the first start only: a Home Assistant stopped in this process leaves its freed memory
    with the process, which a later instance reuses, so later figures would mix two instances.
    """
    lab = HomeAssistantLab(config_dir)
    before = settled_rss()
    start = time.perf_counter()
    await lab.start()
    times = [time.perf_counter() - start]
    memory = settled_rss() - before
    for _ in range(starts - 1):
        await lab.stop()
        start = time.perf_counter()
        await lab.start()
        times.append(time.perf_counter() - start)
    entries = list(lab.hass.config_entries.async_entries(DOMAIN))
    assert all(entry.state is ConfigEntryState.LOADED for entry in entries)
    ids = {entry.entry_id for entry in entries}
    registry = er.async_get(lab.hass)
    registered = [item for item in registry.entities.values() if item.config_entry_id in ids]
    deleted = sum(1 for item in registry.deleted_entities.values() if item.config_entry_id in ids)
    await lab.stop()  # writes the registry to disk (an empty one is never written)
    registry_file = config_dir / ".storage" / "core.entity_registry"
    return Figures(
        starts=tuple(times),
        memory=memory,
        entries=len(registered),
        enabled=sum(1 for item in registered if item.disabled_by is None),
        slot_entries=sum(1 for item in registered if "_slot_" in item.unique_id),
        deleted=deleted,
        registry_bytes=registry_file.stat().st_size if registry_file.exists() else 0,
    )


async def in_child(*arguments: str) -> Figures:
    """A phase in a fresh Python process (`python -m benchmarks.bench_sim_bank ...`)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.bench_sim_bank",
        *arguments,
        cwd=Path(__file__).parents[1],
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        msg = f"benchmarks.bench_sim_bank {' '.join(arguments[:2])} failed (exit {process.returncode})"
        raise RuntimeError(msg)
    values = json.loads(output.decode().strip().splitlines()[-1])
    values["starts"] = tuple(values["starts"])
    return Figures(**values)


async def measure_scenario(name: str, floor: Figures, starts: int) -> EntityCost:
    """A SIM bank (fresh, in a child process) added in one process, started and measured in another."""
    with tempfile.TemporaryDirectory(prefix="gsm-bench-bank-") as directory:
        async with simulators_in_subprocess("ejoin", 1, ports=PORTS, slots=SLOTS, variants=VARIANTS) as (gateway,):
            access = ["--url", gateway.url, "--username", gateway.username, "--password", gateway.password]
            prepared = await in_child("prepare", directory, "--scenario", name, *access)
            measured = await in_child("measure", directory, "--starts", str(starts))
    return EntityCost(replace(measured, setup=prepared.setup), floor)


def size(count: int) -> str:
    """Bytes as KiB or MiB."""
    return f"{count / MIB:.1f} MiB" if abs(count) >= MIB else f"{count / 1024:.0f} KiB"


async def run(ctx: BenchContext) -> Section:
    """The floor and every scenario in processes of their own, one after the other (this Home Assistant idles)."""
    starts = ctx.scale(5, 2)
    with tempfile.TemporaryDirectory(prefix="gsm-bench-floor-") as directory:
        floor = await in_child("measure", directory, "--starts", str(starts))
    costs = {name: await measure_scenario(name, floor, starts) for name in SCENARIOS}
    default, every, upgrade = costs["none"], costs["all"], costs["upgrade"]
    section = Section(
        "SIM bank (64 ports x 32 slots): entities, start-up, memory",
        f"One simulated Skyline/EJOIN SIM bank with {PORTS} ports x {SLOTS} slots ({SIMS:,} slots, about 80 % of "
        "them holding a SIM, labelled in the pool form `3.02.12`), added through the config flow; one row per "
        "choice of the `slot_entities` option (Entities for each SIM slot), each added in a fresh process and "
        "started in another.",
    )
    for name, cost in costs.items():
        figures = cost.scenario
        section.rows.append(
            {
                "slot entities": SCENARIOS[name].title,
                "registry entries (enabled, per slot)": (
                    f"{figures.entries:,} ({figures.enabled:,}, {figures.slot_entries:,})"
                ),
                "registry file": size(figures.registry_bytes),
                "config flow + set-up": ms(figures.setup),
                "restart until loaded": ms(cost.restart),
                "memory after GC": f"{cost.memory / MIB:.1f} MiB",
                "per SIM": f"{cost.memory / SIMS / 1024:.1f} KiB",
            }
        )
    section.rows.append(
        {
            "slot entities": "floor: the same Home Assistant without the gateway",
            "registry file": size(floor.registry_bytes),
            "restart until loaded": ms(statistics.median(floor.starts)),
            "memory after GC": f"{floor.memory / MIB:.1f} MiB (all of Home Assistant)",
        }
    )
    setup, restart, memory = default.scenario.setup, default.restart, default.memory / MIB
    section.check(
        "config flow + set-up until loaded (default options)",
        f"≤ {SETUP_TARGET:.0f} s",
        ms(setup),
        passed=setup <= SETUP_TARGET,
    )
    section.check(
        "restart until loaded (default options)",
        f"≤ {RESTART_TARGET} s",
        f"{ms(restart)} (floor {ms(default.restart_floor)})",
        passed=restart <= RESTART_TARGET,
    )
    section.check(
        "memory after GC (default options)",
        f"≤ {MEMORY_TARGET_MIB:.0f} MiB",
        f"{memory:.1f} MiB ({default.memory / SIMS / 1024:.1f} KiB per SIM)",
        passed=memory <= MEMORY_TARGET_MIB,
    )
    section.check(
        "entity-registry entries with default options",
        "no entity per slot (docs/scale.md)",
        f"{default.scenario.entries:,} ({default.scenario.slot_entries} per slot)",
        passed=default.scenario.slot_entries == 0,
    )
    section.check(
        "upgrade: per-slot entries nobody enabled, left after the first start",
        "= 0",
        str(upgrade.scenario.slot_entries),
        passed=upgrade.scenario.slot_entries == 0,
    )
    section.notes += [
        (
            f"Default: no entity per slot on a SIM bank (`slot_entities` is `{DEFAULT.value}` above "
            f"{SIM_BANK_SLOTS} slots per port). Each of the {PORTS} ports keeps its own entities, which follow its "
            "active SIM; every slot's state is in the diagnostics and in the `SIMs present` sensor, and every action "
            f"takes any slot. Every slot instead adds {every.scenario.entries - default.scenario.entries:,} registry "
            f"entries (+{size(every.scenario.registry_bytes - default.scenario.registry_bytes)} of registry file, read "
            f"and written whole), {ms(every.restart - default.restart)} to every start and "
            f"{(every.memory - default.memory) / MIB:.1f} MiB of memory, for entities that stay disabled until enabled "
            "one by one. The decision record is [docs/scale.md](scale.md)."
        ),
        (
            "Upgrade: a SIM bank registered before the option has every slot's entities; at the first start with the "
            "default, those nobody enabled are removed from the entity registry, and an enabled one stays. Home "
            f"Assistant keeps a short record of each removed entity ({upgrade.scenario.deleted:,} here) for as long as "
            "the gateway is configured, so choosing every slot again brings them back under the same entity IDs."
        ),
        (
            "Memory is the resident set size after a full garbage collection, measured after the first start of a "
            "fresh process, minus the same for Home Assistant without the gateway (a process that stopped one Home "
            f"Assistant keeps its freed memory for the next). Restarts: median of {starts} starts until everything "
            "configured is loaded, the first in a fresh process."
        ),
    ]
    return section


def main() -> None:
    """`python -m benchmarks.bench_sim_bank prepare|measure DIR ...`: one phase, its figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("phase", choices=["prepare", "measure"])
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--scenario", choices=SCENARIOS)
    parser.add_argument("--starts", type=int, default=1)
    parser.add_argument("--url")
    parser.add_argument("--username")
    parser.add_argument("--password")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)
    if args.phase == "prepare":
        access = GatewayAccess(args.url, args.username, args.password)
        figures = asyncio.run(prepare(args.config_dir, access, SCENARIOS[args.scenario]))
    else:
        figures = asyncio.run(start_and_measure(args.config_dir, args.starts))
    print(json.dumps(asdict(figures)), flush=True)


if __name__ == "__main__":
    main()
