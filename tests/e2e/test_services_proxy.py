"""Proxy actions and proxy switches end to end against the EJOIN simulator's v2.2 proxy resources."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.ejoin import EjoinSimulator
from tests.e2e.conftest import update_entity

from .test_services_common import call

HTTP_SWITCH = "switch.ejoin_gateway_http_proxy"
SOCKS_SWITCH = "switch.ejoin_gateway_socks5_proxy"


def posts(sim: EjoinSimulator, path: str) -> list[tuple[str | None, dict]]:
    return [(request.query.get("op"), request.json()) for request in sim.requests_to(path) if request.method == "POST"]


async def test_list_shows_both_modes(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.proxy.modes["socks5"].enabled = True
    sim.proxy.modes["socks5"].users["bob"] = {"pwd": "hunter2", "interfaces": [1], "mark": "Bob"}
    response = await call(hass, "list_proxies")
    assert set(response) == {"http", "socks5"}
    assert response["http"] == {
        "proxy": {"enabled": False, "proxies": []},
        "users": {"enabled": False, "users": []},
        "url_whitelist": {"enabled": False, "urls": []},
        "url_blacklist": {"enabled": False, "urls": []},
        "access_log": {"enabled": False},
    }
    assert response["socks5"]["proxy"]["enabled"] is True
    assert response["socks5"]["users"]["users"] == [{"name": "bob", "interfaces": [1], "remark": "Bob"}]
    assert "hunter2" not in str(response)
    only_http = await call(hass, "list_proxies", mode="http")
    assert set(only_http) == {"http"}


async def test_proxy_listeners(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    added = await call(hass, "add_proxy", mode="http", name="http-office", listen_port=8080, interfaces="1, 2")
    assert posts(sim, "/proxy")[-1] == (
        "add",
        {"proxies": [{"name": "office", "port": 8080, "interfaces": [1, 2], "active": 1}]},
    )
    assert added == {
        "mode": "http",
        "enabled": False,
        "proxies": [{"name": "http-office", "listen_port": 8080, "interfaces": [1, 2], "active": True}],
    }
    updated = await call(hass, "update_proxy", mode="http", name="office", active=False)
    assert posts(sim, "/proxy")[-1] == ("update", {"proxies": [{"name": "http-office", "active": 0}]})
    assert updated["proxies"][0]["active"] is False
    deleted = await call(hass, "delete_proxy", mode="http", names=["office"])
    assert posts(sim, "/proxy")[-1] == ("delete", {"proxies": [{"name": "http-office"}]})
    assert deleted["proxies"] == []
    assert sim.proxy.modes["http"].proxies == {}


async def test_every_wan_port_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    await call(hass, "add_proxy", mode="socks5", name="all", listen_port=1080)
    assert sim.proxy.modes["socks5"].proxies == {"socks5-all": {"port": 1080, "interfaces": [0], "active": 1}}


async def test_proxy_users(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    added = await call(hass, "add_proxy_user", mode="http", name="alice", password="s3cret", remark="laptop")
    assert sim.proxy.modes["http"].users == {"alice": {"pwd": "s3cret", "interfaces": [0], "mark": "laptop"}}
    assert added["users"] == [{"name": "alice", "interfaces": [0], "remark": "laptop"}]
    assert "s3cret" not in str(added)
    await call(hass, "update_proxy_user", mode="http", name="alice", interfaces=["1", "3"])
    assert sim.proxy.modes["http"].users["alice"]["interfaces"] == [1, 3]
    await call(hass, "update_proxy_user", mode="http", name="alice", interfaces="all")
    assert sim.proxy.modes["http"].users["alice"]["interfaces"] == [0]
    removed = await call(hass, "delete_proxy_user", mode="http", names="alice")
    assert removed["users"] == []


async def test_url_lists(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    added = await call(hass, "add_proxy_urls", mode="http", list="blacklist", urls=["*.example.com", "ads.*"])
    assert added == {"mode": "http", "list": "blacklist", "enabled": False, "urls": ["*.example.com", "ads.*"]}
    assert posts(sim, "/proxy_black_list")[-1] == ("add", {"urls": ["*.example.com", "ads.*"]})
    removed = await call(hass, "remove_proxy_urls", mode="http", list="blacklist", urls="ads.*")
    assert removed["urls"] == ["*.example.com"]
    await call(hass, "add_proxy_urls", mode="socks5", list="whitelist", urls="*")
    assert sim.proxy.modes["socks5"].white.urls == ["*"]


async def test_set_enabled_and_the_switches_follow(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    assert hass.states.get(HTTP_SWITCH).state == STATE_OFF
    response = await call(hass, "set_proxy_enabled", mode="http", feature="proxy", enabled=True)
    assert response == {"mode": "http", "feature": "proxy", "enabled": True}
    assert posts(sim, "/proxy")[-1] == ("enabled", {})
    assert sim.proxy.modes["http"].enabled
    await hass.async_block_till_done()
    assert hass.states.get(HTTP_SWITCH).state == STATE_ON

    await call(hass, "set_proxy_enabled", mode="socks5", feature="access_log", enabled=True)
    assert sim.proxy.modes["socks5"].access_log


async def test_switches(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    registry = er.async_get(hass)
    proxy_switches = {
        entity.entity_id: entity.disabled_by
        for entity in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if entity.domain == "switch" and "proxy" in entity.entity_id
    }
    assert len(proxy_switches) == 10
    enabled = sorted(entity_id for entity_id, disabled_by in proxy_switches.items() if disabled_by is None)
    assert enabled == [HTTP_SWITCH, SOCKS_SWITCH]
    assert registry.async_get(HTTP_SWITCH).entity_category == "config"

    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: SOCKS_SWITCH}, blocking=True)
    assert sim.proxy.modes["socks5"].enabled
    assert hass.states.get(SOCKS_SWITCH).state == STATE_ON
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: SOCKS_SWITCH}, blocking=True)
    assert not sim.proxy.modes["socks5"].enabled
    assert hass.states.get(SOCKS_SWITCH).state == STATE_OFF


async def test_switch_errors_are_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.inject("500")
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: HTTP_SWITCH}, blocking=True)
    assert raised.value.translation_key == "invalid_response"


@pytest.mark.parametrize("service", ["turn_on", "turn_off"])
async def test_a_refused_switch_says_the_gateway_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, service: str
) -> None:
    """A gateway that answers "no" refused the command: not a communication error, and the switch keeps its state."""
    sim.proxy.modes["http"].enabled = service == "turn_off"
    await refresh_switches(hass)
    before = hass.states.get(HTTP_SWITCH).state
    sim.refuse_next("Proxy busy")
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call("switch", service, {ATTR_ENTITY_ID: HTTP_SWITCH}, blocking=True)
    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_key == "command_refused"
    assert raised.value.translation_placeholders["reason"] == "Proxy busy"
    assert "ejoin gateway" in str(raised.value)
    assert "Proxy busy" in str(raised.value)
    assert sim.proxy.modes["http"].enabled is (service == "turn_off")
    await hass.async_block_till_done()
    assert hass.states.get(HTTP_SWITCH).state == before


async def refresh_switches(hass: HomeAssistant) -> None:
    """Ask Home Assistant to update a proxy switch (the proxy flags are read again)."""
    await update_entity(hass, HTTP_SWITCH)


async def test_switches_unavailable_when_the_proxy_cannot_be_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.variants.add("no_v22")  # the proxy endpoints now answer 404
    await refresh_switches(hass)
    assert hass.states.get(HTTP_SWITCH).state == STATE_UNAVAILABLE


async def test_refusals(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "update_proxy", mode="http", name="nobody", active=True)
    assert raised.value.translation_key == "command_refused"
    assert raised.value.translation_placeholders["reason"] == "Not found"
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "add_proxy", mode="http", name="x" * 40, listen_port=8080)
    assert raised.value.translation_key == "invalid_request"


@pytest.mark.parametrize("vendor", ["ejoin"])
async def test_firmware_without_proxy(hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator) -> None:
    sim.variants.add("no_v22")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(HTTP_SWITCH) is None
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "list_proxies")
    assert raised.value.translation_key == "action_unsupported"


async def test_a_lost_read_keeps_the_switches(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """One proxy read that cannot connect: the last flags stay, and the status poll decides availability."""
    sim.faults.reset_paths = ("/proxy",)
    sim.proxy.modes["http"].enabled = True
    status_polls = len(sim.requests_to("/goip_get_status.html"))
    await refresh_switches(hass)
    assert hass.states.get(HTTP_SWITCH).state == STATE_OFF  # kept, not unavailable
    assert len(sim.requests_to("/goip_get_status.html")) == status_polls + 1  # the status poll was asked


async def test_gateway_outage_is_the_status_coordinator_s_business(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.faults.error_rate = 1.0  # every request fails: the status poll marks the gateway unavailable
    await update_entity(hass, "sensor.ejoin_gateway_port_1_status")
    proxy_reads = len(sim.requests_to("/proxy"))
    await refresh_switches(hass)
    assert len(sim.requests_to("/proxy")) == proxy_reads  # not even tried
    assert hass.states.get(HTTP_SWITCH).state == STATE_UNAVAILABLE


async def test_first_read_failing(hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator) -> None:
    """The proxy flags cannot be read at set-up: the gateway loads, its proxy switches are unavailable."""
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    sim.faults.reset_paths = ("/proxy_user",)  # the flags cannot be read; the proxy itself is still detected
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(HTTP_SWITCH).state == STATE_UNAVAILABLE
