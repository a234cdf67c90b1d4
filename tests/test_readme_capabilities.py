"""README.md's capability and action tables are generated from the code, so they cannot promise what it lacks.

The tables between `<!-- generated: NAME -->` and `<!-- end generated -->` come from `declared_capabilities` (what
each dialect can do, with the condition under which a device has it) and `ACTION_CAPABILITIES` (what each action
needs). The test fails when README.md differs from what the code says; `UPDATE_README=1` rewrites the tables:

    UPDATE_README=1 python -m pytest tests/test_readme_capabilities.py

That the declarations are true is proven elsewhere: the capability x vendor matrix (tests/e2e/test_capabilities.py)
runs an end-to-end check of every capability against every dialect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import os
from pathlib import Path
import re

from homeassistant.core import HomeAssistant
import pytest

from custom_components.gsm_gateway.client import VENDOR_NAMES, Capability, Vendor, declared_capabilities
from custom_components.gsm_gateway.services import async_setup_services
from custom_components.gsm_gateway.services.common import ACTION_CAPABILITIES, ADMIN_ACTIONS

README = Path(__file__).parents[1] / "README.md"
YES, NO = "\u2713", "\u2013"  # a check mark, an en dash

# What a user gets from each capability, in the order of the README's table.
CAPABILITY_NAMES: Mapping[Capability, str] = {
    Capability.SMS_PUSH: "Incoming SMS pushed to Home Assistant",
    Capability.INBOX_POLL: "Incoming SMS polled (catch-up, poll-only mode)",
    Capability.INBOX_DELETE: "Received SMS deleted after delivery (option)",
    Capability.MMS: "Incoming MMS (`gsm_gateway_mms_received`)",
    Capability.MMS_SEND: "Sending MMS",
    Capability.SEND_OPTIONS: "Send options: SMS centre, interval, send timeout",
    Capability.SEND_REPORTS: "Send results (`gsm_gateway_sms_sent`, `gsm_gateway_sms_failed`)",
    Capability.DELIVERY_REPORTS: "Delivery reports (`gsm_gateway_delivery_report`)",
    Capability.REPORT_POLL: "Send results and delivery reports also without pushes (polled)",
    Capability.STATUS_PUSH: "Port status changes pushed (shown at once)",
    Capability.PUSH_TARGET_API: "Push target set by Home Assistant",
    Capability.USSD: "USSD",
    Capability.USSD_CANCEL: "Ending a USSD session on the gateway",
    Capability.SMS_STATISTICS: "SMS statistics sensors",
    Capability.CALL_STATISTICS: "Call statistics sensors (calls, ASR, ACD, PDD)",
    Capability.SIM_SLOTS: "Several SIM slots per port (active slot shown)",
    Capability.SWITCH_SLOT: "Switching the active SIM slot",
    Capability.LOCK: "SIM lock",
    Capability.LOCK_SLOT: "Lock of each SIM slot",
    Capability.LED: "Port LED",
    Capability.RESET_MODULE: "Module reset",
    Capability.MODULE_POWER: "Module power on/off",
    Capability.REDIAL: "Redial",
    Capability.REBOOT: "Gateway reboot",
    Capability.SAVE: "Saving the gateway's configuration",
    Capability.SET_IMEI: "Writing the IMEI",
    Capability.SET_SIM_NUMBER: "Storing a SIM's number",
    Capability.SEND_QUEUE: "SMS in the send queue (sensor)",
    Capability.SMS_CANCEL: "Cancelling queued SMS by the task ids of their send",
    Capability.SMS_TASKS: "Send queue (list, pause, resume, delete)",
    Capability.ESIM: "eSIM profiles",
    Capability.PROXY: "HTTP/SOCKS5 proxy",
    Capability.IP_LISTS: "IP white- and blacklist",
    Capability.CALL_FORWARD: "Call forwarding",
    Capability.CDR: "Call records (`gsm_gateway_call_record`)",
    Capability.STK: "SIM Toolkit menus",
}

MARKER = re.compile(r"(<!-- generated: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.DOTALL)


def cell(vendor: Vendor, capability: Capability | None) -> str:
    """What a vendor's column says about a capability: YES, the condition under which devices have it, or NO."""
    if capability is None:
        return YES
    declared = declared_capabilities(vendor)
    if capability not in declared:
        return NO
    return declared[capability] or YES


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = [header, ["---"] * len(header), *rows]
    return "".join(f"| {' | '.join(line)} |\n" for line in lines)


def capability_table() -> str:
    """Capabilities x vendors, from the dialects' declarations."""
    return table(
        ["Capability", *(VENDOR_NAMES[vendor] for vendor in Vendor)],
        [[name, *(cell(vendor, capability) for vendor in Vendor)] for capability, name in CAPABILITY_NAMES.items()],
    )


def action_table(action_capabilities: Mapping[str, Capability | None], admin: set[str]) -> str:
    """Actions x vendors, from what each action needs; consecutive actions that need the same share a row."""
    groups: list[tuple[Capability | None, list[str]]] = []
    for action, capability in action_capabilities.items():
        if groups and groups[-1][0] is capability:
            groups[-1][1].append(action)
        else:
            groups.append((capability, [action]))
    rows = [
        [
            names(actions, admin),
            CAPABILITY_NAMES[capability] if capability is not None else "nothing (every gateway)",
            *(cell(vendor, capability) for vendor in Vendor),
        ]
        for capability, actions in groups
    ]
    return table(["Actions", "Needs", *(VENDOR_NAMES[vendor] for vendor in Vendor)], rows)


def names(actions: Sequence[str], admin: set[str]) -> str:
    """The actions of a row, marked `(admin)` once when all are admin-only, else each admin-only one."""
    if all(action in admin for action in actions):
        return ", ".join(f"`{action}`" for action in actions) + " (admin)"
    return ", ".join(f"`{action}`" + (" (admin)" if action in admin else "") for action in actions)


def render(text: str, sections: Mapping[str, str]) -> str:
    """`text` with the body of each generated section replaced; every section must be there exactly once."""
    found = [match["name"] for match in MARKER.finditer(text)]
    assert sorted(found) == sorted(sections), f"README.md's generated sections are {found}, expected {list(sections)}"
    return MARKER.sub(lambda match: match[1] + sections[match["name"]] + match[4], text)


@pytest.fixture
def sections(hass: HomeAssistant) -> dict[str, str]:
    """The generated sections, from the code (registering the actions fills `ACTION_CAPABILITIES`)."""
    async_setup_services(hass)
    return {"capabilities": capability_table(), "actions": action_table(ACTION_CAPABILITIES, ADMIN_ACTIONS)}


def test_every_capability_has_a_readable_name() -> None:
    assert set(CAPABILITY_NAMES) == set(Capability), f"no README name for {set(Capability) - set(CAPABILITY_NAMES)}"
    assert all(name.strip() for name in CAPABILITY_NAMES.values())


def test_readme_tables_are_generated_from_the_code(sections: dict[str, str]) -> None:
    text = README.read_text(encoding="utf-8")
    expected = render(text, sections)
    if os.environ.get("UPDATE_README") == "1":
        README.write_text(expected, encoding="utf-8")
        return
    assert text == expected, (
        "README.md's capability or action table differs from the code: "
        "run `UPDATE_README=1 python -m pytest tests/test_readme_capabilities.py` and review the diff"
    )


def test_cells_name_the_condition_or_its_absence() -> None:
    assert cell(Vendor.SYNWAY, None) == YES
    assert cell(Vendor.EJOIN, Capability.USSD) == YES
    assert cell(Vendor.EJOIN, Capability.ESIM) == "Skyline v2.4 firmware"
    assert cell(Vendor.SYNWAY, Capability.ESIM) == NO


def test_actions_that_need_the_same_share_a_row() -> None:
    generated = action_table(
        {"a": None, "b": Capability.ESIM, "c": Capability.ESIM, "d": Capability.USSD, "e": Capability.USSD},
        admin={"c", "d", "e"},
    ).splitlines()
    assert generated[2] == f"| `a` | nothing (every gateway) | {YES} | {YES} | {YES} |"
    assert generated[3] == f"| `b`, `c` (admin) | eSIM profiles | Skyline v2.4 firmware | {NO} | {NO} |"
    assert generated[4] == f"| `d`, `e` (admin) | USSD | {YES} | {YES} | {YES} |"
    assert len(generated) == 5


def test_render_replaces_only_the_generated_sections() -> None:
    text = "intro\n<!-- generated: capabilities -->\nold\n<!-- end generated -->\noutro\n"
    assert render(text, {"capabilities": "new\n"}) == (
        "intro\n<!-- generated: capabilities -->\nnew\n<!-- end generated -->\noutro\n"
    )
    with pytest.raises(AssertionError):
        render(text, {"capabilities": "new\n", "actions": "more\n"})
