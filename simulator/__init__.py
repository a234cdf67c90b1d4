"""Simulated SIM gateways (Skyline/EJOIN, Dinstar, Synway) for tests, benchmarks and the demo.

`SIMULATORS` maps a vendor name to its simulator class; each dialect module registers itself on import.
"""

from __future__ import annotations

from .base import SIMULATORS, FaultSettings, GatewaySimulator, PushRecord, RecordedRequest, register

__all__ = ["SIMULATORS", "FaultSettings", "GatewaySimulator", "PushRecord", "RecordedRequest", "register"]
