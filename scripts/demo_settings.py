"""What the demo is made of: where Home Assistant and the simulated gateways listen, and the demo login.

Shared by `scripts/develop` (through `demo_config.py` and `demo_provision.py`) and `scripts/screenshots`.
The simulators listen on 127.0.0.1 only; Home Assistant on its default port 8123, of 127.0.0.1 only unless
`scripts/develop --public` (see `demo_config.write_http_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT / ".demo"
CONFIG_DIR = DEMO_DIR / "config"
LOG_DIR = DEMO_DIR / "logs"

HA_HOST = "127.0.0.1"
HA_PORT = 8123  # Home Assistant's default; its HTTP settings are no longer set in YAML (see demo_config.py)
HA_URL = f"http://{HA_HOST}:{HA_PORT}"
# The frontend's own client id: tokens issued to it are the ones a browser login would get.
CLIENT_ID = f"{HA_URL}/"

# The documented local demo user (an administrator of this throw-away instance only).
DEMO_NAME = "Demo"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo login, printed at start
DEMO_LANGUAGE = "en"


@dataclass(frozen=True)
class DemoGateway:
    """One simulated gateway of the demo."""

    name: str  # how `scripts/develop` and `demo_provision.py --gateway` call it
    vendor: str
    port: int
    ports: int
    slots: int
    username: str = "root"
    password: str = "root"  # noqa: S105 - the simulator's documented default
    seed: int = 1  # a different seed gives a different MAC, hence another device
    variants: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """Base URL of the simulator."""
        return f"http://{HA_HOST}:{self.port}"

    def command_line(self) -> list[str]:
        """`python -m simulator` arguments for this gateway (with `--demo`)."""
        arguments = [
            *("--vendor", self.vendor, "--listen", f"{HA_HOST}:{self.port}"),
            *("--ports", str(self.ports), "--slots", str(self.slots)),
            *("--username", self.username, "--password", self.password, "--seed", str(self.seed)),
        ]
        for variant in self.variants:
            arguments += ["--variant", variant]
        return [*arguments, "--demo"]


def _port(name: str, default: int) -> int:
    return int(os.environ.get(f"GSM_DEMO_{name.upper().replace('-', '_')}_PORT", str(default)))


# Fixed ports: the config entries remember host and port, so a second run must find the gateways again.
GATEWAYS: dict[str, DemoGateway] = {
    gateway.name: gateway
    for gateway in (
        DemoGateway("ejoin", "ejoin", _port("ejoin", 8181), ports=32, slots=4),
        DemoGateway("dinstar", "dinstar", _port("dinstar", 8182), ports=8, slots=1),
        DemoGateway("synway", "synway", _port("synway", 8183), ports=8, slots=1),
        # The largest Skyline/EJOIN box: 64 ports x 32 SIMs of a SIM bank, with pool labels (`3.02.12`).
        DemoGateway("sim-bank", "ejoin", _port("sim-bank", 8184), ports=64, slots=32, seed=2, variants=("label_pool",)),
    )
}


def selected_gateways(names: list[str]) -> list[DemoGateway]:
    """The gateways named on the command line, the EJOIN gateway always first."""
    unknown = sorted(set(names) - set(GATEWAYS))
    if unknown:
        msg = f"unknown demo gateway(s): {', '.join(unknown)}"
        raise SystemExit(msg)
    return [gateway for name, gateway in GATEWAYS.items() if name == "ejoin" or name in names]


if __name__ == "__main__":
    # For scripts/develop: one line per selected gateway, "name port" and the simulator's arguments (which hold no
    # spaces, so the shell can split them as they are).
    import sys

    for gateway in selected_gateways(sys.argv[1:]):
        print(gateway.name, gateway.port, *gateway.command_line())
