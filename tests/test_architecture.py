"""Rules about how the code is laid out."""

from __future__ import annotations

import ast
from pathlib import Path

CLIENT = Path(__file__).parent.parent / "custom_components" / "gsm_gateway" / "client"


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
