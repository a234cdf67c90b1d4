"""`python -m benchmarks` (what `scripts/bench` runs): every benchmark, then `docs/performance.md` from the results.

Each benchmark gets a fresh Home Assistant. The page is written only when every benchmark ran; the exit status
is 1 when a target was missed.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import importlib
import logging
from pathlib import Path
import sys
import time

from pyinstrument import Profiler

from .context import BenchContext, bench_context
from .report import Section, render

BENCHMARKS = {
    "poll": "bench_poll",
    "push": "bench_push",
    "send": "bench_send",
    "scale": "bench_scale",
    "startup": "bench_startup",
    "concurrency": "bench_concurrency",
    "sim_bank": "bench_sim_bank",
    "sim_bank_reads": "bench_sim_bank_reads",
}
DOC = Path(__file__).parents[1] / "docs" / "performance.md"
INTRO = (
    (
        "How much the integration costs Home Assistant. Every figure is measured by `scripts/bench` against a real "
        "Home Assistant running in-process, talking over loopback HTTP to the simulated gateways in `simulator/`, "
        "and every benchmark measures its floor in the same run: these machines are noisy, so the ratios are what "
        "count. Nothing on this page is typed by hand."
    ),
    "",
    (
        "Reference point: a GSM module sends or receives about one SMS every 2 to 8 s, so a full 32-port gateway "
        "moves at most about 16 SMS/s. The integration's own cost has to be invisible next to that."
    ),
)


METHOD = (
    (
        "Home Assistant runs in the benchmark's own process (`benchmarks/harness.py`): its core, registries, config "
        "entries, `http` and `webhook`, with storage in a temporary directory; nothing is mocked. Gateways are added "
        "through the integration's config flow. Each benchmark starts a fresh instance."
    ),
    (
        "A floor is measured in the same run as what it is compared with, alternating sample by sample; a ratio is "
        "median over median. p95 and p99 are nearest-rank percentiles of the samples."
    ),
    (
        'Poll cycle: "every port changed" means the signal reading of all 32 ports moved, the most frequent change '
        "on a real gateway. A state write is counted from Home Assistant's `state_changed` and `state_reported` events "
        "(every write fires one of them); the floor writes the same number of states with the same attributes."
    ),
    (
        "Push ingest: each push is timed from the POST until its 50th `gsm_gateway_sms_received` event; SMS/s is the "
        "number of SMS over the sum of those times. The pushes are built from the simulator's own rows "
        "(`goip_get_sms.html` of a second simulator), so they are what the device sends."
    ),
    (
        "Bulk send and scale run the simulators in a child process (`benchmarks/sim_process.py`), so Home "
        "Assistant's CPU time and memory are its own; the speed-up check is on wall time, the CPU figure is shown "
        "beside it. The device's send queue is drained between measurements, so its limit never decides one."
    ),
    (
        'Scale: "total set-up" is a restart of Home Assistant with the ten gateways configured, until all are '
        "loaded; memory is the resident set size after a full garbage collection; CPU is CPU time over wall time "
        "of the whole process, threads included, with nothing but the default intervals running."
    ),
    "Start-up: set-up of one loaded-before entry, unloaded between runs; the check is on p95.",
    (
        "SIM bank (64 ports x 32 slots): each choice of the `slot_entities` option is added through the config flow "
        "in one process and started (and measured) in a fresh one, the simulator running in a process of its own; "
        "memory is measured after the first start of that process, since a process that stopped a Home Assistant "
        "keeps its freed memory for the next. The floor is the same Home Assistant without the gateway."
    ),
    (
        "SIM bank reads: the floors are those of the poll cycle (and, for pushes, a POST of the same body to a "
        "no-op webhook); the simulator answers in the benchmark's process, so building its 2,048-row answer counts "
        "in a poll's floor, as a real device's time would. The targets are the polls'; pushes are shown beside "
        "them. Decisions: [docs/scale.md](scale.md)."
    ),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer iterations, 10 s instead of 60 s of idling")
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(BENCHMARKS)} (the page is not written)")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of each benchmark")
    parser.add_argument("--output", type=Path, default=DOC, help="where to write the page (default %(default)s)")
    return parser.parse_args(argv)


async def run_one(name: str, *, quick: bool, profile: bool) -> Section:
    """One benchmark in its own Home Assistant."""
    module = importlib.import_module(f"{__package__}.{BENCHMARKS[name]}")
    run: Callable[[BenchContext], Awaitable[Section]] = module.run
    profiler = Profiler(async_mode="disabled") if profile else None
    async with bench_context(quick=quick) as ctx:
        if profiler is not None:
            profiler.start()
        try:
            return await run(ctx)
        finally:
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))


async def main(args: argparse.Namespace) -> int:
    """Run, print, write."""
    names = list(BENCHMARKS) if not args.only else [name.strip() for name in args.only.split(",")]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    sections: list[Section] = []
    for name in names:
        start = time.perf_counter()
        section = await run_one(name, quick=args.quick, profile=args.profile)
        sections.append(section)
        print(f"\n== {section.title} ({time.perf_counter() - start:.0f} s)")
        for check in section.checks:
            print(f"  {'PASS' if check.passed else 'MISS'}  {check.what}: {check.observed} (target {check.target})")
        if not section.passed:  # the page explains a miss; so does the console
            for note in section.notes:
                print(f"  - {note}")
    if not args.only:
        command = "scripts/bench --quick" if args.quick else "scripts/bench"
        args.output.write_text(render("Performance", INTRO, command, sections, METHOD), encoding="utf-8")
        print(f"\nwrote {args.output}")
    return 0 if all(section.passed for section in sections) else 1


def cli() -> None:
    """Entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)  # "custom integration not tested by HA"
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)
    sys.exit(asyncio.run(main(parse_args())))


if __name__ == "__main__":
    cli()
