"""What every benchmark gets: a fresh Home Assistant with its own storage, simulators, and the run's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import tempfile
from typing import Any

from homeassistant.config_entries import ConfigEntry
from yarl import URL

from custom_components.gsm_gateway.client import ConnectionSettings
from simulator import GatewaySimulator, simulator_class

from .harness import GatewayAccess, HomeAssistantLab


def access_of(sim: GatewaySimulator) -> GatewayAccess:
    """How to reach a started simulator."""
    return GatewayAccess(sim.url, sim.username, sim.password)


def settings_of(access: GatewayAccess) -> ConnectionSettings:
    """Client settings for a simulator (to ask it directly, beside Home Assistant)."""
    url = URL(access.url)
    return ConnectionSettings(
        host=str(url.host), port=int(url.port or 80), username=access.username, password=access.password
    )


@dataclass
class BenchContext:
    """One benchmark's world."""

    lab: HomeAssistantLab
    quick: bool
    sims: list[GatewaySimulator] = field(default_factory=list)

    def scale(self, full: int, quick: int) -> int:
        """Iterations (or sizes) for a full or a quick run."""
        return quick if self.quick else full

    async def simulator(self, vendor: str, **kwargs: Any) -> GatewaySimulator:
        """A simulator on loopback in this process, stopped with the context."""
        sim = simulator_class(vendor)(**kwargs)
        await sim.start()
        self.sims.append(sim)
        return sim

    async def gateway(
        self, vendor: str, *, ports: int = 32, slots: int = 4, seed: int = 1, manage_push_target: bool = True
    ) -> tuple[GatewaySimulator, ConfigEntry[Any]]:
        """A simulator and the config entry of it, added through the config flow."""
        sim = await self.simulator(vendor, ports=ports, slots=slots, seed=seed)
        entry = await self.lab.add_gateway(access_of(sim), manage_push_target=manage_push_target)
        return sim, entry


@contextlib.asynccontextmanager
async def bench_context(*, quick: bool) -> AsyncIterator[BenchContext]:
    """A started Home Assistant in a temporary config directory; everything is stopped and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="gsm-bench-") as directory:
        lab = HomeAssistantLab(Path(directory))
        await lab.start()
        context = BenchContext(lab=lab, quick=quick)
        try:
            yield context
        finally:
            if lab.running:
                await lab.stop()
            for sim in context.sims:
                await sim.stop()
