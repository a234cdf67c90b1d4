"""Simulated gateways in a separate process, so their CPU and memory do not count as Home Assistant's.

`python -m benchmarks.sim_process --vendor ejoin --count 10` starts the simulators, prints one JSON line with
their URLs and credentials, and serves until its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
import sys

from simulator import VENDORS, simulator_class

from .harness import GatewayAccess


async def serve(
    vendor: str, count: int, ports: int, slots: int, *, send_interval: float | None, variants: list[str]
) -> None:
    """Start `count` simulators (different seeds: different MACs and SIMs), announce them, wait for EOF."""
    sims = [simulator_class(vendor)(ports=ports, slots=slots, seed=100 + index) for index in range(count)]
    for sim in sims:
        sim.variants.update(variants)
    if send_interval is not None:
        for sim in sims:
            for attribute in ("send_interval", "send_duration"):  # Dinstar also takes a while per message
                if hasattr(sim, attribute):
                    setattr(sim, attribute, send_interval)
    urls = [await sim.start() for sim in sims]
    access = [
        {"url": url, "username": sim.username, "password": sim.password} for url, sim in zip(urls, sims, strict=True)
    ]
    print(json.dumps(access), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()  # EOF: the parent is done
    for sim in sims:
        await sim.stop()


@contextlib.asynccontextmanager
async def simulators_in_subprocess(
    vendor: str,
    count: int,
    *,
    ports: int = 32,
    slots: int = 4,
    send_interval: float | None = None,
    variants: tuple[str, ...] = (),
) -> AsyncIterator[list[GatewayAccess]]:
    """Run simulators in a child process for the duration of the block."""
    options = ["--vendor", vendor, "--count", str(count), "--ports", str(ports), "--slots", str(slots)]
    if send_interval is not None:
        options += ["--send-interval", str(send_interval)]
    for variant in variants:
        options += ["--variant", variant]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.sim_process",
        *options,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        yield [GatewayAccess(**item) for item in json.loads(line)]
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vendor", choices=VENDORS, default="ejoin")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--ports", type=int, default=32)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--send-interval", type=float, help="seconds per sent SMS (default: the simulator's)")
    parser.add_argument("--variant", action="append", default=[], help="a simulator variant (repeatable)")
    args = parser.parse_args()
    asyncio.run(
        serve(args.vendor, args.count, args.ports, args.slots, send_interval=args.send_interval, variants=args.variant)
    )


if __name__ == "__main__":
    main()
