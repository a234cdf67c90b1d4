"""What every action shares: target selection, port notation, capability checks, admin-only actions, texts."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.gsm_gateway.const import DOMAIN
from simulator.ejoin import EjoinSimulator
from tests.e2e.conftest import port_device_id

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "gsm_gateway"


async def call(hass: HomeAssistant, service: str, *, context: Context | None = None, **data: Any) -> Any:
    """Call an action of the integration and return its response (None for actions without one)."""
    response_supported = hass.services.supports_response(DOMAIN, service).value != "none"
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response_supported, context=context
    )


def commands(sim: EjoinSimulator) -> list[dict[str, Any]]:
    """JSON commands the EJOIN simulator received."""
    return [request.json() for request in sim.requests_to("/goip_send_cmd.html") if request.query.get("op") != "set"]


def port_device(hass: HomeAssistant, entry: MockConfigEntry, port: int) -> str:
    return port_device_id(hass, entry, port)


def gateway_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, str(entry.unique_id)), entry.entry_id)
    assert device is not None
    return device.id


# --- target selection --------------------------------------------------------------------------------------------


async def test_port_device_supplies_the_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await call(hass, "redial", device_id=port_device(hass, init_integration, 3))
    assert commands(sim) == [{"type": "command", "op": "redial", "ports": "3", "mode": 0}]
    assert response == {"ports": ["3"], "mode": "flight"}


async def test_gateway_device_needs_a_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "redial", device_id=gateway_device(hass, init_integration))
    assert raised.value.translation_key == "port_required"
    assert commands(sim) == []


@pytest.mark.parametrize(
    ("ports", "wire"),
    [
        ("1A,2B,3-4", "1A,2B,3-4"),
        ("1.02", "1B"),
        ("all", "1-4"),
        ("2", "2"),
    ],
)
async def test_port_notations(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, ports: str, wire: str
) -> None:
    await call(hass, "redial", config_entry_id=init_integration.entry_id, ports=ports, mode="fast")
    assert commands(sim) == [{"type": "command", "op": "redial", "ports": wire, "mode": 1}]


@pytest.mark.parametrize("ports", ["9", "1Z", "banana", "5-9"])
async def test_ports_the_gateway_lacks_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, ports: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "redial", ports=ports)
    assert raised.value.translation_key == "invalid_port"
    assert raised.value.translation_placeholders == {"port": ports, "ports": "4"}
    assert commands(sim) == []


async def test_an_empty_port_list_is_no_port(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "redial", ports=" , ")
    assert raised.value.translation_key == "port_required"


async def test_single_port_actions_refuse_lists(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "send_ussd", port="1-2", code="*100#")
    assert raised.value.translation_key == "single_port"
    assert raised.value.translation_placeholders == {"port": "1, 2"}


@pytest.mark.parametrize(
    ("data", "key"), [({"device_id": "nope"}, "device_not_found"), ({"config_entry_id": "nope"}, "gateway_not_loaded")]
)
async def test_unknown_targets(
    hass: HomeAssistant, init_integration: MockConfigEntry, data: dict[str, str], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "redial", ports="1", **data)
    assert raised.value.translation_key == key


async def test_no_gateway_loaded(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.config_entries.async_unload(config_entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "redial", ports="1")
    assert raised.value.translation_key == "gateway_required"


# --- capabilities ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["synway"])
@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("set_imei", {"port": "1", "imei": "490154203237518"}),
        ("redial", {"ports": "1"}),
        ("list_sms_tasks", {}),
        ("list_esims", {}),
        ("list_proxies", {}),
        ("list_ip_lists", {}),
        ("sim_toolkit", {"port": "1"}),
        ("get_call_records", {}),
        ("set_module_power", {"ports": "1", "power_on": False}),
    ],
)
async def test_unsupported_actions_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, service: str, data: dict[str, Any]
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, service, **data)
    assert raised.value.translation_key == "action_unsupported"
    assert raised.value.translation_placeholders == {"title": "synway gateway", "action": service}
    assert str(raised.value).startswith(f"synway gateway does not support the {service} action")


# --- admin-only actions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("set_imei", {"port": "1A", "imei": "490154203237518"}),
        ("set_sim_number", {"port": "1A", "number": "+491701234567"}),
        ("list_esims", {}),
        ("update_ip_list", {"list": "blacklist", "add": ["10.0.0.1"]}),
        ("add_proxy", {"mode": "http", "name": "x", "listen_port": 8080}),
    ],
)
async def test_admin_only_actions_refuse_other_users(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: EjoinSimulator,
    hass_read_only_user: MockUser,
    service: str,
    data: dict[str, Any],
) -> None:
    before = len(sim.requests)
    with pytest.raises(Unauthorized):
        await call(hass, service, context=Context(user_id=hass_read_only_user.id), **data)
    assert len(sim.requests) == before


# --- descriptions ------------------------------------------------------------------------------------------------


def test_every_action_is_described_translated_and_has_an_icon() -> None:
    """services.yaml, translations and icons name the same actions, and every field has text and a selector."""
    described = {
        key: value for key, value in load_yaml_dict(str(INTEGRATION / "services.yaml")).items() if key[0] != "."
    }
    translations = json.loads((INTEGRATION / "translations" / "en.json").read_text())["services"]
    icons = json.loads((INTEGRATION / "icons.json").read_text())["services"]
    assert set(described) == set(translations) == set(icons)
    for name, action in described.items():
        assert translations[name]["name"]
        assert translations[name]["description"]
        fields = dict(action["fields"])
        for section, spec in action["fields"].items():  # a section groups fields (shown collapsed in the UI)
            if "fields" in spec:
                assert translations[name]["sections"][section]["name"], f"{name}.{section}"
                fields.pop(section)
                fields |= spec["fields"]
        for field, spec in fields.items():
            assert "selector" in spec, f"{name}.{field}"
            assert "example" in spec or (field in {"config_entry_id", "device_id"} and name == "send_sms"), (
                f"{name}.{field}"
            )
            assert translations[name]["fields"][field]["description"], f"{name}.{field}"


async def test_every_registered_action_is_described(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    described = {key for key in load_yaml_dict(str(INTEGRATION / "services.yaml")) if key[0] != "."}
    assert set(hass.services.async_services_for_domain(DOMAIN)) == described


def test_exception_keys_used_in_code_exist() -> None:
    exceptions = json.loads((INTEGRATION / "translations" / "en.json").read_text())["exceptions"]
    sources = list((INTEGRATION / "services").glob("*.py"))

    used = {key for source in sources for key in re.findall(r'translation_key="([a-z_]+)"', source.read_text())}
    assert used
    assert used <= set(exceptions)


async def test_home_assistant_reads_the_descriptions(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The UI's view: services.yaml (with its shared anchors) passes Home Assistant's own schema."""
    from homeassistant.helpers.service import async_get_all_descriptions

    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    timeout = descriptions["write_esim"]["fields"]["timeout"]
    assert (timeout["selector"]["number"]["min"], timeout["selector"]["number"]["max"], timeout["default"]) == (
        1,
        600,
        120,
    )
    assert descriptions["update_proxy_user"]["fields"]["interfaces"]["required"] is True
    assert "list_proxies" in descriptions
    assert not any(name.startswith(".") for name in descriptions)
