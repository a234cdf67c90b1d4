"""IP white- and blacklist end to end, and the guard that keeps Home Assistant from locking itself out.

The simulator listens on 127.0.0.1, so Home Assistant reaches it from 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from ipaddress import ip_address
import socket
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.services import ip_lists
from custom_components.gsm_gateway.services.ip_lists import IpList, async_source_address, covering, lockout_reason
from simulator.ejoin import EjoinSimulator

from .test_services_common import call

HA = ip_address("127.0.0.1")


def list_posts(sim: EjoinSimulator) -> list[tuple[str, Any]]:
    return [
        (request.path, request.json())
        for request in sim.requests
        if request.path in {"/ip_white_list", "/ip_black_list"} and request.method == "POST"
    ]


async def test_list(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    sim.proxy.ip_lists["ip_black_list"].urls[:] = ["10.0.0.7"]
    response = await call(hass, "list_ip_lists")
    assert response == {
        "whitelist": {"enabled": False, "entries": []},
        "blacklist": {"enabled": False, "entries": ["10.0.0.7"]},
        "home_assistant_address": "127.0.0.1",
    }


async def test_whitelist_must_hold_home_assistant(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_ip_list", list="whitelist", enabled=True, add=["192.168.1.0/24"])
    assert raised.value.translation_key == "ip_list_lockout_whitelist"
    assert raised.value.translation_placeholders["address"] == "127.0.0.1"
    assert "lock Home Assistant out" in str(raised.value)
    assert list_posts(sim) == []

    response = await call(hass, "update_ip_list", list="whitelist", enabled=True, add=["192.168.1.0/24", "127.0.0.1"])
    assert list_posts(sim) == [
        ("/ip_white_list", {"enable": 1, "enbale": 1, "added_set": ["192.168.1.0/24", "127.0.0.1"], "deleted_set": []})
    ]
    assert response["whitelist"] == {"enabled": True, "entries": ["192.168.1.0/24", "127.0.0.1"]}

    # Removing Home Assistant from the enabled whitelist would lock it out; removing another entry is fine.
    with pytest.raises(ServiceValidationError):
        await call(hass, "update_ip_list", list="whitelist", remove=["127.0.0.1"])
    await call(hass, "update_ip_list", list="whitelist", remove=["192.168.1.0/24"])
    assert sim.proxy.ip_lists["ip_white_list"].urls == ["127.0.0.1"]
    # A subnet holding Home Assistant counts, so the single address may go then.
    await call(hass, "update_ip_list", list="whitelist", add=["127.0.0.0/8"])
    await call(hass, "update_ip_list", list="whitelist", remove=["127.0.0.1"])
    assert sim.proxy.ip_lists["ip_white_list"].urls == ["127.0.0.0/8"]


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.0/8", "*"])
async def test_blacklist_must_not_cover_home_assistant(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, entry: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_ip_list", list="blacklist", enabled=True, add=[entry])
    assert raised.value.translation_key == "ip_list_lockout_blacklist"
    assert raised.value.translation_placeholders["entry"] == entry
    assert list_posts(sim) == []
    # Adding it to a disabled blacklist is harmless; enabling the list afterwards is not.
    await call(hass, "update_ip_list", list="blacklist", add=[entry] if entry != "*" else ["10.0.0.0/8"])
    if entry != "*":
        with pytest.raises(ServiceValidationError):
            await call(hass, "update_ip_list", list="blacklist", enabled=True)


async def test_whitelisted_home_assistant_may_block_everyone_else(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """The device's documented way: whitelist first, then blacklist `*` (the whitelist wins)."""
    await call(hass, "update_ip_list", list="whitelist", enabled=True, add=["127.0.0.1"])
    response = await call(hass, "update_ip_list", list="blacklist", enabled=True, add=["*"])
    assert response["blacklist"] == {"enabled": True, "entries": ["*"]}
    assert sim.proxy.ip_lists["ip_black_list"].urls == ["*"]
    # Now switching the whitelist off would leave `*` blocking Home Assistant.
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_ip_list", list="whitelist", enabled=False)
    assert raised.value.translation_key == "ip_list_lockout_blacklist"
    # Lifting the blacklist first, then the whitelist, is fine.
    await call(hass, "update_ip_list", list="blacklist", enabled=False)
    await call(hass, "update_ip_list", list="whitelist", enabled=False)
    assert not sim.proxy.ip_lists["ip_white_list"].enabled


@pytest.mark.parametrize(
    ("data", "entry"),
    [
        ({"list": "whitelist", "add": ["*"]}, "*"),
        ({"list": "blacklist", "add": ["300.1.1.1"]}, "300.1.1.1"),
        ({"list": "blacklist", "add": ["fe80::1"]}, "fe80::1"),
        ({"list": "blacklist", "add": ["example.com"]}, "example.com"),
    ],
)
async def test_entries_are_checked(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, data: dict[str, Any], entry: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_ip_list", **data)
    assert raised.value.translation_key == "invalid_ip_entry"
    assert raised.value.translation_placeholders["entry"] == entry
    assert list_posts(sim) == []


async def test_unknown_address_allows_only_disabled_lists(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nowhere(_host: str, _port: int) -> None:
        return None

    monkeypatch.setattr(ip_lists, "async_source_address", nowhere)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_ip_list", list="blacklist", enabled=True, add=["10.0.0.1"])
    assert raised.value.translation_key == "ip_list_address_unknown"
    response = await call(hass, "update_ip_list", list="blacklist", add=["10.0.0.1"])
    assert response["home_assistant_address"] is None
    assert sim.proxy.ip_lists["ip_black_list"].urls == ["10.0.0.1"]


async def test_gateway_that_sees_another_address(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Lists that already exclude 127.0.0.1 while the gateway still answers: NAT, so nothing can be checked."""
    sim.proxy.ip_lists["ip_white_list"].enabled = True
    sim.proxy.ip_lists["ip_white_list"].urls[:] = ["192.168.1.5"]
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_ip_list", list="blacklist", add=["10.0.0.1"])
    assert raised.value.translation_key == "ip_list_address_mismatch"
    assert list_posts(sim) == []


async def test_device_failure(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> None:
    sim.inject("500")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "list_ip_lists")
    assert raised.value.translation_key == "invalid_response"


# --- the guard's pieces ------------------------------------------------------------------------------------------


def test_covering() -> None:
    assert covering(["10.0.0.0/8", "127.0.0.0/8"], HA) == "127.0.0.0/8"
    assert covering([" * "], HA) == " * "
    assert covering(["not an address", "10.0.0.1"], HA) is None
    assert covering(["127.0.0.0/8"], ip_address("::1")) is None
    assert covering(["*"], ip_address("::1")) == "*"


def test_lockout_reason() -> None:
    off = IpList(enabled=False, entries=("*",))
    assert lockout_reason(off, off, None) is None
    assert lockout_reason(IpList(enabled=True, entries=()), off, HA) == (
        "ip_list_lockout_whitelist",
        {"address": "127.0.0.1"},
    )
    assert lockout_reason(off, IpList(enabled=True, entries=("*",)), None) == ("ip_list_address_unknown", {})
    assert (
        lockout_reason(IpList(enabled=True, entries=("127.0.0.1",)), IpList(enabled=True, entries=("*",)), HA) is None
    )


async def test_source_address(socket_enabled: None) -> None:
    assert await async_source_address("127.0.0.1", 80) == HA


async def test_source_address_of_an_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def unresolvable(*_args: object, **_kwargs: object) -> list[object]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(loop, "getaddrinfo", unresolvable)
    assert await async_source_address("gateway.invalid", 80) is None


async def test_source_address_without_a_route(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def resolved(*_args: object, **_kwargs: object) -> list[object]:
        return [(socket.AF_INET6, socket.SOCK_DGRAM, 17, "", ("2001:db8::1", 80, 0, 0))]

    def no_route(*_args: object, **_kwargs: object) -> object:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(loop, "getaddrinfo", resolved)
    monkeypatch.setattr(ip_lists.socket, "socket", no_route)
    assert await async_source_address("gateway", 80) is None
