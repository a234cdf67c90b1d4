"""Command line: `python -m simulator --vendor ejoin --listen 127.0.0.1:8080 --ports 32 --slots 4`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from . import VENDORS, simulator_class

DEFAULT_PORTS, DEFAULT_SLOTS = 32, 4
# The largest Skyline/EJOIN box: 64 ports x 32 SIMs, a SIM-bank model with pool labels (`3.02.12`).
SIM_BANK_PORTS, SIM_BANK_SLOTS, SIM_BANK_VARIANT = 64, 32, "label_pool"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; `--sim-bank` fills in the vendor, size and variant of the largest box."""
    parser = argparse.ArgumentParser(prog="scripts/simulate", description="Run a simulated SIM gateway.")
    parser.add_argument("--vendor", choices=VENDORS, default="ejoin")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="host:port to serve on (default %(default)s)")
    parser.add_argument("--ports", type=int, help=f"ports (default {DEFAULT_PORTS})")
    parser.add_argument("--slots", type=int, help=f"SIM slots per port (default {DEFAULT_SLOTS})")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a firmware variant (repeatable; the list is in simulator/<vendor>/server.py)",
    )
    parser.add_argument(
        "--sim-bank",
        action="store_true",
        help=f"the largest EJOIN box: {SIM_BANK_PORTS} ports x {SIM_BANK_SLOTS} slots with SIM-bank pool labels "
        f"(variant {SIM_BANK_VARIANT}); --ports/--slots still override the size",
    )
    parser.add_argument("--username", default="root")
    parser.add_argument("--password", default="root")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demo", action="store_true", help="keep things happening: status changes, an SMS a minute")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.sim_bank:
        if args.vendor != "ejoin":
            parser.error("--sim-bank is a Skyline/EJOIN model (--vendor ejoin)")
        args.variant.append(SIM_BANK_VARIANT)
    args.ports = args.ports or (SIM_BANK_PORTS if args.sim_bank else DEFAULT_PORTS)
    args.slots = args.slots or (SIM_BANK_SLOTS if args.sim_bank else DEFAULT_SLOTS)
    args.variant = sorted(set(args.variant))
    return args


async def serve(args: argparse.Namespace) -> None:
    """Run until interrupted."""
    host, _, port = args.listen.rpartition(":")
    sim = simulator_class(args.vendor)(
        ports=args.ports, slots=args.slots, username=args.username, password=args.password, seed=args.seed
    )
    sim.variants |= set(args.variant)
    url = await sim.start(host or "127.0.0.1", int(port))
    if args.demo:
        sim.start_demo_activity()
    variants = f" (variants: {', '.join(args.variant)})" if args.variant else ""
    print(f"{args.vendor} simulator: {args.ports} ports x {args.slots} slots at {url}{variants}", flush=True)  # noqa: T201
    print(f"control API: {url}/_sim/state", flush=True)  # noqa: T201
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
