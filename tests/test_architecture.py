"""Rules about how the code is laid out."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from yarl import URL

from custom_components.gsm_gateway import client
from custom_components.gsm_gateway.client import Capability, ConnectionSettings, Gateway, Vendor, create_gateway
from tests.conftest import SimulatorFactory

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "gsm_gateway"
CLIENT = INTEGRATION / "client"
PACKAGE = "custom_components.gsm_gateway"
FACADE = f"{PACKAGE}.client"


def module_name(path: Path) -> str:
    """`custom_components.gsm_gateway.services.proxy` for `.../services/proxy.py` (a package is its `__init__`)."""
    parts = path.relative_to(INTEGRATION.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(path): path for path in sorted(INTEGRATION.rglob("*.py"))}


def imports_of(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every import of a module as (absolute module, imported names), also under `if TYPE_CHECKING:` and in functions.

    `import a.b` gives ("a.b", ()); `from .x import y, z` gives (the absolute name of `.x`, ("y", "z")).
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            yield origin, tuple(alias.name for alias in node.names)


def imports(path: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """`imports_of` a file of the integration."""
    return imports_of(path.read_text(), module_name(path), is_package=path.name == "__init__.py")


def import_graph(sources: dict[str, tuple[str, bool]] | None = None) -> dict[str, set[str]]:
    """Module → the modules of the set it imports (`from pkg import sub` counts as importing `pkg.sub`).

    `sources`: module name → (source, is a package); the integration's own modules by default.
    """
    if sources is None:
        sources = {name: (path.read_text(), path.name == "__init__.py") for name, path in MODULES.items()}
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for name, (source, is_package) in sources.items():
        for origin, names in imports_of(source, name, is_package=is_package):
            targets = {f"{origin}.{item}" if f"{origin}.{item}" in sources else origin for item in names or ("",)}
            graph[name] |= targets & sources.keys() - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_client_library_has_no_home_assistant_imports() -> None:
    """The protocol library must stay usable (and testable) without Home Assistant."""
    offenders: list[str] = []
    modules = sorted(CLIENT.rglob("*.py"))
    assert modules, "client package not found"
    for module in modules:
        tree = ast.parse(module.read_text(), filename=str(module))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                # A relative import that climbs out of the client package reaches the integration
                depth = len(module.relative_to(CLIENT).parts)  # 1 for client/x.py, 2 for client/ejoin/x.py
                if node.level > depth:
                    names.append("..")
            offenders.extend(
                f"{module.name}: {name}" for name in names if name == ".." or name.split(".")[0] == "homeassistant"
            )
    assert offenders == []


def facade_offenders(name: str, found: Iterator[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Imports of `client` other than the facade and the names in its `__all__`."""
    public = set(client.__all__)
    offenders: list[str] = []
    for origin, names in found:
        if origin == FACADE:
            offenders.extend(f"{name}: {FACADE}.{item}" for item in names if item not in public)
        elif origin.startswith(f"{FACADE}."):
            offenders.append(f"{name}: {origin}")
    return offenders


def test_the_integration_imports_the_client_through_its_facade_only() -> None:
    """Outside `client/`, `client` is imported as a whole or by the names in its `__all__`, never a submodule."""
    offenders = [
        offender
        for name, path in MODULES.items()
        if name != FACADE and not name.startswith(f"{FACADE}.")
        for offender in facade_offenders(name, imports(path))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "source", "allowed"),
    [
        (f"{PACKAGE}.switch", "from .client import Gateway, ProxyMode\n", True),
        (f"{PACKAGE}.switch", "from . import client\n", True),
        (f"{PACKAGE}.services.proxy", "from custom_components.gsm_gateway.client import ProxyFeature\n", True),
        (f"{PACKAGE}.services.proxy", "from ..client import SlotRef\n", True),
        (f"{PACKAGE}.services.proxy", "import custom_components.gsm_gateway.client\n", True),
        (f"{PACKAGE}.switch", "from .client.ejoin.gateway import EjoinGateway\n", False),
        (f"{PACKAGE}.switch", "from .client import ejoin\n", False),  # a subpackage, not a public name
        (f"{PACKAGE}.services.proxy", "from ..client.proxy import ProxyMode\n", False),
        (f"{PACKAGE}.services.proxy", "from custom_components.gsm_gateway.client.models import Vendor\n", False),
        (f"{PACKAGE}.services.proxy", "import custom_components.gsm_gateway.client.models\n", False),
        (
            f"{PACKAGE}.services.proxy",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..client.ejoin import EjoinGateway\n",
            False,
        ),
    ],
)
def test_the_facade_rule_reads_every_import_form(module: str, source: str, allowed: bool) -> None:
    assert (facade_offenders(module, imports_of(source, module)) == []) is allowed


def test_the_import_graph_sees_every_form() -> None:
    """Relative and absolute imports, names that are submodules, and imports only made for type checking."""
    sources = {
        "pkg": ("from . import sub\nfrom .sub import helper\n", True),
        "pkg.sub": ("import pkg.other\n", True),
        "pkg.sub.deep": ("from ...pkg import other\n", False),
        "pkg.other": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .leaf import x\n", False),
        "pkg.lazy": ("def f():\n    from pkg.other import x\n", False),
        "pkg.leaf": ("x = 1\n", False),
    }
    assert import_graph(sources) == {
        "pkg": {"pkg.sub"},
        "pkg.sub": {"pkg.other"},
        "pkg.sub.deep": {"pkg.other"},
        "pkg.other": {"pkg.leaf"},
        "pkg.lazy": {"pkg.other"},
        "pkg.leaf": set(),
    }
    assert import_cycles(import_graph(sources)) == []
    sources["pkg.leaf"] = ("from .sub import deep\n", False)  # leaf → deep → other → leaf
    assert import_cycles(import_graph(sources)) == [["pkg.leaf", "pkg.other", "pkg.sub.deep"]]


def test_the_client_has_no_import_cycles() -> None:
    ours = {name for name in MODULES if name == FACADE or name.startswith(f"{FACADE}.")}
    assert import_cycles({name: targets & ours for name, targets in import_graph().items() if name in ours}) == []


def test_the_integration_has_no_import_cycles() -> None:
    """Not even a type-only one: the receive pipeline takes plain arguments, coordinators import nothing back."""
    assert import_cycles(import_graph()) == []


# --- optional features ----------------------------------------------------------------------------------------

FEATURES: dict[str, tuple[Capability, type]] = {
    "proxy": (Capability.PROXY, client.ProxyFeature),
    "ip_lists": (Capability.IP_LISTS, client.IpListFeature),
    "esim": (Capability.ESIM, client.EsimFeature),
    "call_forwarding": (Capability.CALL_FORWARD, client.CallForwardingFeature),
    "call_records": (Capability.CDR, client.CallRecordFeature),
    "sim_toolkit": (Capability.STK, client.SimToolkitFeature),
}


def test_every_feature_property_is_on_the_common_interface() -> None:
    assert {name for name, value in vars(Gateway).items() if isinstance(value, property)} >= FEATURES.keys()


@pytest.mark.parametrize(
    ("vendor", "variants"),
    [
        (Vendor.EJOIN, set()),
        (Vendor.EJOIN, {"no_v22"}),  # no proxy, no IP lists
        (Vendor.EJOIN, {"no_esim"}),
        (Vendor.EJOIN, {"no_v22", "no_esim"}),
        (Vendor.DINSTAR, set()),
        (Vendor.SYNWAY, set()),
    ],
)
async def test_a_feature_is_there_exactly_when_its_capability_is(
    simulator_factory: SimulatorFactory, vendor: Vendor, variants: set[str]
) -> None:
    sim = await simulator_factory(vendor.value, ports=2, slots=2)
    sim.variants |= variants
    url = URL(sim.url)
    settings = ConnectionSettings(
        host=str(url.host), port=int(url.port or 80), username=sim.username, password=sim.password, timeout=5
    )
    async with create_gateway(vendor, None, settings) as gateway:
        await gateway.connect()
        present = {name for name in FEATURES if getattr(gateway, name) is not None}
        assert present == {name for name, (capability, _) in FEATURES.items() if capability in gateway.capabilities}
        assert all(isinstance(getattr(gateway, name), FEATURES[name][1]) for name in present)
    expected = {
        Vendor.EJOIN: {"proxy", "ip_lists", "esim"}
        - ({"proxy", "ip_lists"} if "no_v22" in variants else set())
        - ({"esim"} if "no_esim" in variants else set()),
        Vendor.DINSTAR: {"call_forwarding", "call_records", "sim_toolkit"},
        Vendor.SYNWAY: set(),
    }
    assert present == expected[vendor]


# --- tests go through Home Assistant -----------------------------------------------------------------------------

TESTS = Path(__file__).parent
# The client library's own tests may look inside it; they do not run Home Assistant.
LIBRARY_TESTS = (TESTS / "client", TESTS / "fuzz")


def _reaches_runtime_data(node: ast.AST) -> bool:
    """`x.runtime_data`, or `getattr(x, "runtime_data")` (also setattr, hasattr, delattr)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "runtime_data"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == "runtime_data"
    )


def runtime_data_uses(source: str) -> list[int]:
    """Lines that read or write an attribute named `runtime_data`."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source)) if _reaches_runtime_data(node))


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("entry.runtime_data.status.async_refresh()\n", [1]),
        ("x = 1\nentry.runtime_data = None\n", [2]),
        ("gateway = getattr(entry, 'runtime_data').gateway\n", [1]),
        ("hass.states.get('sensor.x')\nentry.data['runtime_data']\n", []),
        ("runtime_data = 1\n", []),  # a name of the test's own, not an attribute of an entry
    ],
)
def test_the_runtime_data_rule_reads_every_form(source: str, lines: list[int]) -> None:
    assert runtime_data_uses(source) == lines


def test_tests_do_not_reach_into_runtime_data() -> None:
    """Home Assistant tests assert through states, events, actions, registries, logs and the simulator's requests.

    An entry's runtime data is the integration's inside (as are private attributes, which ruff's SLF001 refuses
    outside tests/client/); a test that reads it stops testing what a user or an automation sees.
    """
    modules = [
        path
        for path in sorted(TESTS.rglob("*.py"))
        if not any(path.is_relative_to(library) for library in LIBRARY_TESTS)
    ]
    assert len(modules) > 20, "tests not found"
    offenders = [
        f"{path.relative_to(TESTS)}:{line}" for path in modules for line in runtime_data_uses(path.read_text())
    ]
    assert offenders == []
