"""Command line: `python -m simulator --vendor ejoin --listen 127.0.0.1:8080 --ports 32 --slots 4`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from . import VENDORS, simulator_class


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="scripts/simulate", description="Run a simulated SIM gateway.")
    parser.add_argument("--vendor", choices=VENDORS, default="ejoin")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="host:port to serve on (default %(default)s)")
    parser.add_argument("--ports", type=int, default=32)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--username", default="root")
    parser.add_argument("--password", default="root")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demo", action="store_true", help="keep things happening: status changes, an SMS a minute")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run until interrupted."""
    host, _, port = args.listen.rpartition(":")
    sim = simulator_class(args.vendor)(
        ports=args.ports, slots=args.slots, username=args.username, password=args.password, seed=args.seed
    )
    url = await sim.start(host or "127.0.0.1", int(port))
    if args.demo:
        sim.start_demo_activity()
    print(f"{args.vendor} simulator: {args.ports} ports x {args.slots} slots at {url}", flush=True)  # noqa: T201
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
