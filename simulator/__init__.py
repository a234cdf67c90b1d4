"""Simulated SIM gateways (Skyline/EJOIN, Dinstar, Synway) for tests, benchmarks and the demo.

Each dialect lives in `simulator/<vendor>/` (server, state and wire format) and registers its class with
`@register`.
"""

from __future__ import annotations

import importlib

from .base import SIMULATORS, FaultSettings, GatewaySimulator, PushRecord, RecordedRequest, register

VENDORS = ("ejoin", "dinstar", "synway")


def simulator_class(vendor: str) -> type[GatewaySimulator]:
    """The simulator class of `vendor` (`ejoin`, `dinstar` or `synway`)."""
    if vendor not in VENDORS:
        msg = f"unknown vendor {vendor!r}; choose one of {', '.join(VENDORS)}"
        raise ValueError(msg)
    importlib.import_module(f"{__name__}.{vendor}")
    return SIMULATORS[vendor]


__all__ = [
    "SIMULATORS",
    "VENDORS",
    "FaultSettings",
    "GatewaySimulator",
    "PushRecord",
    "RecordedRequest",
    "register",
    "simulator_class",
]
