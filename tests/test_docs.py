"""README.md documents the public contract exactly: every action, event and option, and nothing that is gone.

What counts as documented:
- an action: `gsm_gateway.<action>` written in README.md (the actions are the keys of services.yaml);
- an event: its full name, e.g. `gsm_gateway_sms_received` (the `EVENT_*` constants of const.py);
- an option: its key in backticks (`status_interval`) or its label as the options dialog shows it
  ("Status poll interval"; the labels come from translations/en.json).
And the other way round: every `gsm_gateway.<name>` and `gsm_gateway_<name>` in README.md must exist, and every
backticked identifier in the options section (a heading containing "Options") must be an option or one of
an option's values.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import textwrap

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
import pytest
import yaml

from benchmarks.limits import limits_section
from custom_components.gsm_gateway import const

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
INTEGRATION = ROOT / "custom_components" / "gsm_gateway"

ACTION_MENTION = re.compile(r"(?<![\w.])gsm_gateway\.([a-z][a-z0-9_]*)")
EVENT_MENTION = re.compile(r"(?<![\w./-])(gsm_gateway_[a-z][a-z0-9_]*)")
BACKTICKED = re.compile(r"`([a-z][a-z0-9_]*)`")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def code_actions() -> set[str]:
    """Actions the integration registers: services.yaml keys (keys starting with '.' are YAML anchors)."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    return {name for name in services if not name.startswith(".")}


def code_events() -> set[str]:
    """Bus events the integration fires."""
    return {value for name, value in vars(const).items() if name.startswith("EVENT_") and isinstance(value, str)}


def code_options() -> dict[str, str]:
    """Option keys and their labels in the options dialog."""
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
    labels: dict[str, str] = strings["options"]["step"]["init"]["data"]
    return labels


def option_values() -> set[str]:
    """Values options can take (dropdown choices), which the options section may name in backticks too."""
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
    values = {value for selector in strings.get("selector", {}).values() for value in selector.get("options", {})}
    return values | {"true", "false"}


def readme() -> str:
    if not README.exists():
        pytest.fail(
            "README.md is missing. It must document these actions: "
            + ", ".join(sorted(f"gsm_gateway.{name}" for name in code_actions()))
            + "; these events: "
            + ", ".join(sorted(code_events()))
            + "; these options: "
            + ", ".join(f"{key} ({label})" for key, label in sorted(code_options().items()))
        )
    return README.read_text(encoding="utf-8")


def options_section(text: str) -> str:
    """The README section(s) whose heading contains 'Options', down to the next heading of the same level."""
    lines = text.splitlines()
    collected: list[str] = []
    level: int | None = None
    for line in lines:
        if match := HEADING.match(line):
            depth = len(match[1])
            if level is not None and depth <= level:
                level = None
            if level is None and "option" in match[2].lower():
                level = depth
                continue
        if level is not None:
            collected.append(line)
    return "\n".join(collected)


def action_gaps(text: str) -> tuple[list[str], list[str]]:
    """(actions missing from `text`, actions `text` names that do not exist)."""
    documented = set(ACTION_MENTION.findall(text))
    actions = code_actions()
    return (
        sorted(f"gsm_gateway.{name}" for name in actions - documented),
        sorted(f"gsm_gateway.{name}" for name in documented - actions),
    )


def event_gaps(text: str) -> tuple[list[str], list[str]]:
    """(events missing from `text`, events `text` names that are never fired)."""
    documented = set(EVENT_MENTION.findall(text))
    events = code_events()
    return sorted(events - documented), sorted(documented - events)


def option_gaps(text: str) -> tuple[list[str], list[str]]:
    """(options missing from `text`, backticked names in its options section that are no option)."""
    lowered = text.lower()
    options = code_options()
    missing = sorted(
        f"{key} ({label!r})"
        for key, label in options.items()
        if f"`{key}`" not in text and label.lower() not in lowered
    )
    unknown = sorted(set(BACKTICKED.findall(options_section(text))) - set(options) - option_values())
    return missing, unknown


def test_every_action_is_documented_and_every_documented_action_exists() -> None:
    missing, unknown = action_gaps(readme())
    assert not missing, f"actions not documented in README.md: {', '.join(missing)}"
    assert not unknown, f"README.md documents actions the integration does not have: {', '.join(unknown)}"


def test_every_event_is_documented_and_every_documented_event_exists() -> None:
    missing, unknown = event_gaps(readme())
    assert not missing, f"events not documented in README.md: {', '.join(missing)}"
    assert not unknown, f"README.md documents events the integration does not fire: {', '.join(unknown)}"


def test_every_option_is_documented_and_every_documented_option_exists() -> None:
    missing, unknown = option_gaps(readme())
    assert not missing, f"options not documented in README.md (by `key` or by label): {', '.join(missing)}"
    assert not unknown, f"README.md's options section names options that do not exist: {', '.join(unknown)}"


def sample_readme() -> str:
    """A README that documents exactly what the code has (actions, events, options by key and by label)."""
    options = sorted(code_options().items())
    return "\n".join(
        [
            "# GSM Gateway",
            "## Actions",
            *(f"- `gsm_gateway.{name}`" for name in sorted(code_actions())),
            "## Events",
            *(f"- `{name}`" for name in sorted(code_events())),
            "## Options",
            f"| `{options[0][0]}` | one of `push_poll`, `poll` |",
            *(f"| {label} | |" for _, label in options[1:]),
            "## Removal",
            "Files live in `custom_components/gsm_gateway/`; see `configuration.yaml`.",
        ]
    )


def test_the_checks_accept_a_complete_readme_and_name_each_gap() -> None:
    complete = sample_readme()
    assert action_gaps(complete) == ([], [])
    assert event_gaps(complete) == ([], [])
    assert option_gaps(complete) == ([], [])

    broken = (
        complete.replace("`gsm_gateway.send_sms`", "`gsm_gateway.send_fax`")
        .replace("`gsm_gateway_sms_received`", "`gsm_gateway_sms_arrived`")
        .replace("| Status poll interval |", "| `poll_interval` |")
    )
    assert action_gaps(broken) == (["gsm_gateway.send_sms"], ["gsm_gateway.send_fax"])
    assert event_gaps(broken) == (["gsm_gateway_sms_received"], ["gsm_gateway_sms_arrived"])
    assert option_gaps(broken) == (["status_interval ('Status poll interval')"], ["poll_interval"])


def test_the_checks_see_what_the_code_has() -> None:
    """Guards the guards: an empty set would make the tests above pass whatever README.md says."""
    assert {"send_sms", "send_ussd"} <= code_actions()
    assert {"gsm_gateway_sms_received", "gsm_gateway_delivery_report"} <= code_events()
    assert {"status_interval", "receive_mode"} <= set(code_options())


def test_options_section_parsing() -> None:
    text = "# Title\n## Options\n| `status_interval` | x |\n### Details\n`receive_mode`\n## Removal\n`other`\n"
    section = options_section(text)
    assert "status_interval" in section
    assert "receive_mode" in section
    assert "other" not in section


def test_versions_agree() -> None:
    """manifest.json, CHANGELOG.md, hacs.json and the blueprints tell the same story."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert released, "CHANGELOG.md has no released version"
    assert released[0] == manifest["version"], "the newest CHANGELOG.md entry is not manifest.json's version"

    minimum = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))["homeassistant"]
    assert AwesomeVersion(minimum) <= AwesomeVersion(ha_version), "hacs.json claims a Home Assistant never tested"
    assert f"Requires Home Assistant {minimum} or newer" in changelog
    for blueprint in (ROOT / "blueprints").rglob("*.yaml"):
        text = blueprint.read_text(encoding="utf-8")
        assert f'min_version: "{minimum}"' in text, f"{blueprint.name}: min_version differs from hacs.json"


# --- UI paths and privacy notes ---------------------------------------------------------------------------------

# Home Assistant 2026.2 moved "Developer tools" under Settings and 2026.8 renamed it "Tools" (/config/tools): the
# pinned frontend redirects /developer-tools and /config/developer-tools there (homeassistant/components/frontend).
OLD_TOOLS = re.compile(r"developer[ -]tools", re.IGNORECASE)
TOOLS_PATH = re.compile(r"(?:(\w+)\s*[→>]\s*)?\bTools\s*[→>]")
USER_FACING = ("README.md", "docs/*.md", "scripts/*")
# Bus events whose data holds message texts or phone numbers.
PRIVATE_EVENTS = {
    const.EVENT_SMS_RECEIVED,
    const.EVENT_MMS_RECEIVED,
    const.EVENT_USSD_RECEIVED,
    const.EVENT_DELIVERY_REPORT,
    const.EVENT_SMS_SENT,
    const.EVENT_SMS_FAILED,
}


def user_facing_texts() -> dict[str, str]:
    """README.md, the docs and the scripts (the demo banner and the screenshots name UI paths too)."""
    paths = sorted({path for pattern in USER_FACING for path in ROOT.glob(pattern) if path.is_file()})
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in paths}


def stale_tool_paths(text: str) -> list[str]:
    """Mentions of "Developer tools", and paths to Tools that do not start at Settings."""
    stale = [match[0] for match in OLD_TOOLS.finditer(text)]
    stale += [match[0] for match in TOOLS_PATH.finditer(text) if match[1] != "Settings"]
    return stale


def test_ui_paths_name_tools_under_settings() -> None:
    texts = user_facing_texts()
    assert {"README.md", "docs/demo.md", "scripts/develop"} <= set(texts)
    stale = {name: found for name, text in texts.items() if (found := stale_tool_paths(text))}
    assert not stale, f"Home Assistant calls it Settings → Tools now: {stale}"
    assert "Settings → Tools → Events" in texts["README.md"]
    assert "Settings > Tools > Events" in texts["scripts/develop"]


def test_the_tool_path_check_finds_old_paths() -> None:
    assert stale_tool_paths("**Developer tools → Actions**, developer-tools/event") == [
        "Developer tools",
        "developer-tools",
    ]
    assert stale_tool_paths("Open Tools > Events") == ["Tools >"]
    assert stale_tool_paths("Settings → Tools → Actions; Settings > Tools > Events; power tools") == []


def test_readme_shows_how_to_keep_message_events_out_of_the_recorder() -> None:
    from homeassistant.components.recorder import CONFIG_SCHEMA as RECORDER_SCHEMA

    snippets = [
        yaml.safe_load(block)
        for block in re.findall(r"```yaml\n(.*?)```", textwrap.dedent(readme()), flags=re.DOTALL)
        if block.lstrip().startswith("recorder:")
    ]
    assert snippets, "README.md has no recorder: exclude example"
    validated = RECORDER_SCHEMA(snippets[0])
    assert set(validated["recorder"]["exclude"]["event_types"]) == PRIVATE_EVENTS
    assert code_events() >= PRIVATE_EVENTS


def test_the_reliability_page_shows_the_limits_the_code_enforces() -> None:
    """docs/reliability.md is generated; its limits table must be the one the code's constants give today."""
    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert "## Limits" in page
    for row in limits_section().rows:
        assert "| " + " | ".join(row.values()) + " |" in page, row
    assert "## Hard kills" in page
