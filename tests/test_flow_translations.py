"""Every abort reason and form error a flow can show has its text in the right section of the translations.

Home Assistant looks an abort reason up in `<flow>.abort.<reason>` and a form error in `<flow>.error.<key>` of the
integration's translations, where `<flow>` is `config`, `options`, `config_subentries.<type>` or, for a repair,
`issues.<issue>.fix_flow`; a missing key shows the user the bare key. The keys are read from the source (`ast`):

- abort reasons: every `reason="..."` keyword, `error="..."` of `_abort_if_unique_id_configured` (whose default is
  `already_configured`);
- form errors: `errors["base"] = "..."`, dicts of string values assigned to `errors`, passed as `errors=` or
  returned (`return None, {"host": "cannot_connect"}`), and the keys of the `CONNECT_ERRORS` table.

A key found in a flow class belongs to that flow; one found in a module-level function belongs to the config flow
(those helpers serve its user, reauth and reconfigure steps).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
import json
from pathlib import Path
import textwrap
from typing import Any

import pytest

from custom_components.gsm_gateway import config_flow, push_target

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "gsm_gateway"
TRANSLATION_FILES = [
    path for path in (INTEGRATION / "strings.json", INTEGRATION / "translations" / "en.json") if path.exists()
]

MODULE_LEVEL = ""  # the "class" of keys found outside any class


@dataclass
class FlowKeys:
    """Abort reasons and form errors found in the classes of one source file (class name → keys)."""

    aborts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    errors: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _error_dicts(node: ast.AST) -> set[str]:
    """Error keys in a returned value, an `errors=` argument or an assignment to `errors`."""
    found: set[str] = set()
    candidates = node.elts if isinstance(node, ast.Tuple) else [node]
    for candidate in candidates:
        if isinstance(candidate, ast.Dict) and all(
            isinstance(value, ast.Constant) and isinstance(value.value, str) for value in candidate.values
        ):
            found |= {value.value for value in candidate.values if isinstance(value, ast.Constant)}
    return found


def flow_keys(source: str) -> FlowKeys:
    """The abort reasons and form errors of each class in `source` (module-level helpers under `MODULE_LEVEL`)."""
    keys = FlowKeys()

    def visit(node: ast.AST, owner: str) -> None:
        if isinstance(node, ast.ClassDef):
            owner = node.name
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            reason = keywords.get("reason")
            if name == "_abort_if_unique_id_configured":
                reason = keywords.get("error", ast.Constant("already_configured"))
            if isinstance(reason, ast.Constant) and isinstance(reason.value, str):
                keys.aborts[owner].add(reason.value)
            if (errors := keywords.get("errors")) is not None:
                keys.errors[owner] |= _error_dicts(errors)
        elif isinstance(node, ast.Return) and node.value is not None:
            keys.errors[owner] |= _error_dicts(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "errors":
                    keys.errors[owner] |= _error_dicts(node.value)
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "errors"
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    keys.errors[owner].add(node.value.value)
        for child in ast.iter_child_nodes(node):
            visit(child, owner)

    visit(ast.parse(source), MODULE_LEVEL)
    return keys


def fixable_issues() -> set[str]:
    """Translation keys of the issues raised with a fix flow: `is_fixable=True`, or push_target's `FIXABLE_ISSUES`."""
    found: set[str] = set(push_target.FIXABLE_ISSUES)
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "async_create_issue"):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            fixable = keywords.get("is_fixable")
            if not (isinstance(fixable, ast.Constant) and fixable.value is True):
                continue
            key = keywords["translation_key"]
            if isinstance(key, ast.Constant):
                found.add(key.value)
            else:  # a constant of the module, e.g. `ISSUE_FAILED`
                assert isinstance(key, ast.Name), f"{path.name}:{node.lineno}: cannot read the translation key"
                found.add(getattr(push_target, key.id))
    return found


def sections() -> dict[str, dict[str, set[str]]]:
    """Where each class's keys must be: section path → {"abort": reasons, "error": keys}."""
    subentry_flows = config_flow.GsmGatewayConfigFlow.async_get_supported_subentry_types(None)  # type: ignore[arg-type]
    flow_of_class = {
        config_flow.GsmGatewayConfigFlow.__name__: "config",
        MODULE_LEVEL: "config",
        config_flow.GsmGatewayOptionsFlow.__name__: "options",
        **{flow.__name__: f"config_subentries.{kind}" for kind, flow in subentry_flows.items()},
    }
    wanted: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"abort": set(), "error": set()})
    found = flow_keys((INTEGRATION / "config_flow.py").read_text(encoding="utf-8"))
    for owner, reasons in found.aborts.items():
        wanted[flow_of_class[owner]]["abort"] |= reasons
    for owner, errors in found.errors.items():
        wanted[flow_of_class[owner]]["error"] |= errors
    wanted["config"]["error"] |= {key for _, _, key in config_flow.CONNECT_ERRORS}

    repairs = flow_keys((INTEGRATION / "repairs.py").read_text(encoding="utf-8"))
    for issue in fixable_issues():
        for reasons in repairs.aborts.values():
            wanted[f"issues.{issue}.fix_flow"]["abort"] |= reasons
        for errors in repairs.errors.values():
            wanted[f"issues.{issue}.fix_flow"]["error"] |= errors
    return wanted


def lookup(strings: dict[str, Any], dotted: str) -> Any:
    node: Any = strings
    for part in dotted.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def test_the_reader_finds_each_form() -> None:
    source = textwrap.dedent(
        """
        CONNECT_ERRORS = ((KeyError, "base", "not_a_flow_key_here"),)

        async def _connect(flow):
            if bad:
                return None, {CONF_HOST: "invalid_host"}
            return gateway, {}

        class Flow:
            async def async_step_user(self, user_input=None):
                errors: dict[str, str] = {}
                errors = {"base": "cannot_connect"}
                errors["base"] = "unknown"
                self._abort_if_unique_id_configured()
                self._abort_if_unique_id_configured(updates={}, error="address_updated")
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_show_form(step_id="user", errors={"password": "invalid_auth"},
                                            description_placeholders={"title": entry.title})

        class Other:
            async def async_step_init(self, user_input=None):
                return self.async_abort(reason="not_loaded")
        """
    )
    keys = flow_keys(source)
    assert dict(keys.aborts) == {
        "Flow": {"already_configured", "address_updated", "wrong_device"},
        "Other": {"not_loaded"},
    }
    assert {owner: errors for owner, errors in keys.errors.items() if errors} == {
        MODULE_LEVEL: {"invalid_host"},
        "Flow": {"cannot_connect", "unknown", "invalid_auth"},
    }


def test_the_reader_sees_what_the_flows_use() -> None:
    """Guard against a reader that silently finds nothing: known keys of each flow are found."""
    wanted = sections()
    assert {"cannot_connect", "invalid_auth", "invalid_host", "unknown", "encryption_unavailable"} <= wanted["config"][
        "error"
    ]
    assert {"already_configured", "address_updated", "wrong_device"} <= wanted["config"]["abort"]
    assert "not_loaded" in wanted["options"]["abort"]
    assert "invalid_number" in wanted["config_subentries.recipient"]["error"]
    assert {"push_target_changed", "push_target_failed"} <= fixable_issues()
    assert "take_over_failed" in wanted["issues.push_target_failed.fix_flow"]["abort"]


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=lambda path: path.name)
def test_every_flow_key_has_a_text_in_its_section(path: Path) -> None:
    strings = json.loads(path.read_text(encoding="utf-8"))
    missing = [
        f"{section}.{kind}.{key}"
        for section, kinds in sorted(sections().items())
        for kind, used in kinds.items()
        for key in sorted(used)
        if not isinstance(text := lookup(strings, section).get(kind, {}).get(key), str) or not text.strip()
    ]
    assert missing == [], f"{path.name} has no text for: {', '.join(missing)}"
