"""The demo's scripts (`scripts/develop` and its Python helpers): which gateways it runs, and how."""

from __future__ import annotations

from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import subprocess
import sys
from types import ModuleType
from typing import Any

from homeassistant.components.http import config as http_config
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import psutil
import pytest

from simulator.__main__ import parse_args
from simulator.ejoin import EjoinSimulator

SCRIPTS = Path(__file__).parents[1] / "scripts"


def _script(monkeypatch: pytest.MonkeyPatch, name: str) -> Iterator[ModuleType]:
    """A module of `scripts/`, imported the way the scripts import each other."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    yield importlib.import_module(name)
    for module in (name, "demo_settings", "demo_debs"):
        sys.modules.pop(module, None)


@pytest.fixture
def demo_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`scripts/demo_settings.py`."""
    yield from _script(monkeypatch, "demo_settings")


@pytest.fixture
def demo_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`scripts/demo_config.py`."""
    yield from _script(monkeypatch, "demo_config")


@pytest.mark.parametrize(("public", "bound"), [(False, ["127.0.0.1"]), (True, None)])
async def test_home_assistant_binds_where_the_demo_says(
    hass: HomeAssistant, hass_storage: dict[str, Any], demo_config: ModuleType, public: bool, bound: list[str] | None
) -> None:
    """Home Assistant's own loader reads the demo's settings as confirmed ones: applied at once, no trial."""
    hass_storage[http_config.STORAGE_KEY] = demo_config.http_settings(None, public=public)
    settings = await http_config.async_load_config(hass, {})
    assert settings.get("server_host") == bound
    assert settings["server_port"] == 8123
    store = hass.data[http_config.DATA_STORE]
    assert (store.active_config_type, store.revert_deadline) == (http_config.ActiveConfigType.STABLE, None)


@pytest.fixture
def disable_http_server() -> None:
    """Overrides the test plugin's fixture that stops Home Assistant's HTTP server from binding: here it must bind."""


@pytest.mark.usefixtures("socket_enabled")
async def test_home_assistant_listens_on_loopback_only(
    hass: HomeAssistant, hass_storage: dict[str, Any], demo_config: ModuleType, unused_tcp_port: int
) -> None:
    """Home Assistant's HTTP server, set up from the demo's settings, binds 127.0.0.1 and nothing else."""
    settings = demo_config.http_settings(None, public=False)
    settings["data"]["stable"]["server_port"] = unused_tcp_port
    hass_storage[http_config.STORAGE_KEY] = settings
    assert await async_setup_component(hass, "http", {})
    await hass.http.start()  # what Home Assistant does once it has started
    # Where this process listens, as the operating system reports it.
    addresses = {
        (conn.laddr.ip, conn.laddr.port)
        for conn in psutil.Process().net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == unused_tcp_port
    }
    assert addresses == {("127.0.0.1", unused_tcp_port)}
    await hass.http.stop()


def test_the_users_http_settings_are_kept(demo_config: ModuleType, tmp_path: Path) -> None:
    stored = demo_config.http_settings(None, public=True)
    stored["data"]["stable"]["server_port"] = 8124  # changed by the user in the UI
    stored["data"]["pending"] = {**stored["data"]["stable"], "server_host": ["::"], "use_x_forwarded_for": True}
    (tmp_path / ".storage").mkdir()
    (tmp_path / ".storage" / "http").write_text(json.dumps(stored), encoding="utf-8")
    demo_config.write_http_settings(public=False, config_dir=tmp_path)
    path = tmp_path / ".storage" / "http"
    written = json.loads(path.read_text(encoding="utf-8"))["data"]
    assert (written["stable"]["server_host"], written["stable"]["server_port"]) == (["127.0.0.1"], 8124)
    assert (written["pending"]["server_host"], written["pending"]["use_x_forwarded_for"]) == (["127.0.0.1"], True)
    assert path.stat().st_mode & 0o777 == 0o600
    demo_config.write_http_settings(public=True, config_dir=tmp_path)
    opened = json.loads(path.read_text(encoding="utf-8"))["data"]
    assert "server_host" not in opened["stable"]
    assert "server_host" not in opened["pending"]
    (tmp_path / ".storage" / "http").write_text('{"version": 1, "data": {}}', encoding="utf-8")
    demo_config.write_http_settings(public=False, config_dir=tmp_path)  # another format: Home Assistant's defaults
    assert json.loads(path.read_text(encoding="utf-8"))["data"]["stable"]["server_port"] == 8123


def test_sim_bank_gateway(demo_settings: ModuleType) -> None:
    ejoin, sim_bank = demo_settings.selected_gateways(["sim-bank"])
    assert (ejoin.name, sim_bank.name, sim_bank.vendor) == ("ejoin", "sim-bank", "ejoin")
    args = parse_args(sim_bank.command_line())
    assert (args.vendor, args.ports, args.slots, args.variant, args.demo) == ("ejoin", 64, 32, ["label_pool"], True)
    assert args.listen == f"127.0.0.1:{sim_bank.port}"
    # A second EJOIN gateway must be another device: its seed gives it another MAC.
    macs = {EjoinSimulator(ports=1, slots=1, seed=parse_args(g.command_line()).seed).mac for g in (ejoin, sim_bank)}
    assert len(macs) == 2


def test_every_demo_gateway_starts_from_its_command_line(demo_settings: ModuleType) -> None:
    for gateway in demo_settings.GATEWAYS.values():
        args = parse_args(gateway.command_line())
        assert (args.vendor, args.ports, args.slots) == (gateway.vendor, gateway.ports, gateway.slots)
    with pytest.raises(SystemExit, match="unknown demo gateway"):
        demo_settings.selected_gateways(["fax"])


def test_develop_reads_one_line_per_gateway() -> None:
    """What `scripts/develop` splits: name, port, then the simulator's arguments, none with a space."""
    lines = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPTS / "demo_settings.py"), "synway", "sim-bank"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ejoin", "synway", "sim-bank"]
    _name, port, *arguments = lines[2].split()
    assert parse_args(arguments).listen == f"127.0.0.1:{port}"


def test_demo_times_count_from_the_commands_start() -> None:
    """The banner's "ready after" and the log prefixes use bash's $SECONDS: setup and installation are included."""
    develop = (SCRIPTS / "develop").read_text(encoding="utf-8")
    assert "(ready after $SECONDS s)" in develop
    assert 'log() { echo "[demo +${SECONDS}s] $*"; }' in develop
    assert "SECONDS=" not in develop  # nothing restarts the clock
    assert "date +%s" not in develop  # and no other clock is used


def test_develop_passes_public_on() -> None:
    develop = (SCRIPTS / "develop").read_text(encoding="utf-8")
    assert "--public) PUBLIC=1 ;;" in develop
    assert '[ "$PUBLIC" = 1 ] && config_args+=(--public)' in develop
    assert 'python scripts/demo_config.py "${config_args[@]}"' in develop
