"""What the demo is made of: where Home Assistant and the simulated gateways listen, and the demo login.

Shared by `scripts/develop` (through `demo_config.py` and `demo_provision.py`) and `scripts/screenshots`.
The simulators listen on 127.0.0.1 only; Home Assistant on its default port 8123 (of every interface).
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

    vendor: str
    port: int
    ports: int
    slots: int
    username: str = "root"
    password: str = "root"  # noqa: S105 - the simulator's documented default

    @property
    def url(self) -> str:
        """Base URL of the simulator."""
        return f"http://{HA_HOST}:{self.port}"


# Fixed ports: the config entries remember host and port, so a second run must find the gateways again.
GATEWAYS: dict[str, DemoGateway] = {
    "ejoin": DemoGateway("ejoin", int(os.environ.get("GSM_DEMO_EJOIN_PORT", "8181")), ports=32, slots=4),
    "dinstar": DemoGateway("dinstar", int(os.environ.get("GSM_DEMO_DINSTAR_PORT", "8182")), ports=8, slots=1),
    "synway": DemoGateway("synway", int(os.environ.get("GSM_DEMO_SYNWAY_PORT", "8183")), ports=8, slots=1),
}


def selected_gateways(vendors: list[str]) -> list[DemoGateway]:
    """The gateways named on the command line, EJOIN always first."""
    unknown = sorted(set(vendors) - set(GATEWAYS))
    if unknown:
        msg = f"unknown demo gateway(s): {', '.join(unknown)}"
        raise SystemExit(msg)
    return [GATEWAYS[vendor] for vendor in GATEWAYS if vendor == "ejoin" or vendor in vendors]


if __name__ == "__main__":
    # For scripts/develop: one line per selected gateway, "vendor port ports slots username password".
    import sys

    for gateway in selected_gateways(sys.argv[1:]):
        print(gateway.vendor, gateway.port, gateway.ports, gateway.slots, gateway.username, gateway.password)
