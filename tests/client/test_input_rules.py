"""Input rules of `client/checks.py`, on every dialect: nothing reaches a device that it would misread.

Full-width (U+FF10..) and Arabic-Indic (U+0660..) digits pass Python's `isdigit()`, `int()` and the regex digit
escape; the client takes ASCII digits only. Every refusal is a `GatewayRequestError` sent before any request, and
its message never repeats the value.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.gsm_gateway.client import (
    Capability,
    ConnectionSettings,
    Gateway,
    GatewayRequestError,
    ProxyEntry,
    ProxyMode,
    ProxyResource,
    ProxyUser,
    SlotRef,
    SmsRequest,
    Vendor,
    create_gateway,
    parse_label,
    parse_selector,
)
from custom_components.gsm_gateway.client.checks import (
    check_imei,
    check_phone_number,
    check_printable_ascii,
    check_ussd_code,
    is_phone_number,
)
from custom_components.gsm_gateway.client.ejoin.proxy import (
    names_body,
    proxies_add_body,
    proxies_update_body,
    urls_body,
    users_add_body,
    users_update_body,
)
from simulator import GatewaySimulator
from tests.conftest import SimulatorFactory


def fullwidth(digits: str) -> str:
    return "".join(chr(0xFF10 + int(digit)) for digit in digits)


def arabic_indic(digits: str) -> str:
    return "".join(chr(0x0660 + int(digit)) for digit in digits)


NUMBER = "+4917012345678"
BAD_NUMBERS = [
    "+" + fullwidth("4917012345678"),
    "+" + arabic_indic("4917012345678"),
    "+49 170 1234",
    "+49170-1234",
    "Shop",
    "",
    "+",
    "1" * 25,  # past every dialect's length (Dinstar takes 24 digits, the others 20)
    "1,2",
]
VALID_IMEI = "490154203237518"
BAD_USSD = ["*100#a", "*" + fullwidth("100") + "#", "*" + arabic_indic("100") + "#", "*100# 1", ""]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture(params=list(Vendor))
async def connected(
    request: pytest.FixtureRequest, simulator_factory: SimulatorFactory, session: aiohttp.ClientSession
) -> tuple[GatewaySimulator, Gateway]:
    vendor: Vendor = request.param
    sim = await simulator_factory(vendor.value, ports=2, slots=1)
    host, _, port = sim.url.removeprefix("http://").rpartition(":")
    settings = ConnectionSettings(host=host, port=int(port), username=sim.username, password=sim.password, timeout=5)
    gateway = create_gateway(vendor, session, settings)
    await gateway.connect()
    return sim, gateway


async def refused_locally(sim: GatewaySimulator, value: str, call: Callable[[], Awaitable[Any]]) -> None:
    before = len(sim.requests)
    with pytest.raises(GatewayRequestError) as caught:
        await call()
    assert len(sim.requests) == before, "nothing may reach the device"
    if len(value.strip()) > 2:  # "+" alone is in every phone-number message
        assert value.strip() not in str(caught.value)


@pytest.mark.parametrize("number", BAD_NUMBERS)
async def test_recipients_are_ascii_phone_numbers_on_every_dialect(
    connected: tuple[GatewaySimulator, Gateway], number: str
) -> None:
    sim, gateway = connected
    request = SmsRequest(recipients=(NUMBER, number), text="hello", ports=(SlotRef(1),))
    await refused_locally(sim, number, lambda: gateway.send_sms(request))


@pytest.mark.parametrize("code", BAD_USSD)
async def test_ussd_codes_are_0_9_star_hash_plus_on_every_dialect(
    connected: tuple[GatewaySimulator, Gateway], code: str
) -> None:
    sim, gateway = connected
    await refused_locally(sim, code, lambda: gateway.send_ussd(SlotRef(1), code))


@pytest.mark.parametrize(
    "value", ["+" + fullwidth("4917012345678"), arabic_indic("4917012345678"), "+49 170", "abc", "1" * 25]
)
async def test_sim_numbers_are_ascii_digits(connected: tuple[GatewaySimulator, Gateway], value: str) -> None:
    sim, gateway = connected
    if Capability.SET_SIM_NUMBER not in gateway.capabilities:
        pytest.skip("this dialect cannot store SIM numbers")
    await refused_locally(sim, value, lambda: gateway.set_sim_number(SlotRef(1), value))


@pytest.mark.parametrize("value", [fullwidth(VALID_IMEI), arabic_indic(VALID_IMEI), "49015420323751x"])
async def test_imeis_are_ascii_digits(connected: tuple[GatewaySimulator, Gateway], value: str) -> None:
    sim, gateway = connected
    if Capability.SET_IMEI not in gateway.capabilities:
        pytest.skip("this dialect cannot write IMEIs")
    await refused_locally(sim, value, lambda: gateway.set_imei(SlotRef(1), value))


@pytest.mark.parametrize(
    "label", [arabic_indic("1"), fullwidth("1"), fullwidth("1") + "A", arabic_indic("12") + ".01", "1" + fullwidth("2")]
)
def test_port_labels_are_ascii_digits(label: str) -> None:
    assert parse_label(label) is None
    with pytest.raises(GatewayRequestError, match="an item is not a port") as caught:
        parse_selector(label, port_count=32, slot_count=4)
    assert label not in str(caught.value)


def test_port_ranges_are_ascii_digits() -> None:
    with pytest.raises(ValueError, match="not a port"):
        parse_selector(f"1-{fullwidth('4')}", port_count=32)
    assert parse_selector("1-2,3A", port_count=32, slot_count=4) == [SlotRef(1), SlotRef(2), SlotRef(3, 1)]


def test_shared_rules() -> None:
    assert check_phone_number(f" {NUMBER} ") == NUMBER
    assert is_phone_number("1" * 24, max_digits=24)
    assert not is_phone_number("1" * 25, max_digits=24)
    assert check_ussd_code(" *100# ", 10) == "*100#"
    with pytest.raises(GatewayRequestError, match="1-4 characters"):
        check_ussd_code("*100#", 4)
    assert check_imei(f" {VALID_IMEI} ") == VALID_IMEI
    assert check_printable_ascii("a-b_c.d!~", 10, "x") == "a-b_c.d!~"


PROXY_NAME_ATTEMPTS: list[tuple[str, Callable[[str], object]]] = [
    ("proxy name", lambda name: proxies_add_body([ProxyEntry(name=name, port=8080, interfaces=(0,))])),
    ("listed proxy name", lambda name: proxies_update_body({name: True})),
    ("listed proxy name (delete)", lambda name: names_body("proxies", [name])),
    ("user name", lambda name: users_add_body([ProxyUser(name=name, password="pw", interfaces=(0,))])),
    ("password", lambda name: users_add_body([ProxyUser(name="user", password=name, interfaces=(0,))])),
    ("user name (update)", lambda name: users_update_body({name: [0]})),
    ("user name (delete)", lambda name: names_body("users", [name])),
    ("URL pattern", lambda name: urls_body([name])),
]


@pytest.mark.parametrize(("what", "attempt"), PROXY_NAME_ATTEMPTS, ids=[what for what, _ in PROXY_NAME_ATTEMPTS])
@pytest.mark.parametrize("value", ["two words", "naïve", "tab\there", "null\x00", "\uff46ull", "\u65b0"])
def test_ejoin_proxy_fields_are_printable_ascii_without_spaces(
    what: str, attempt: Callable[[str], object], value: str
) -> None:
    with pytest.raises(GatewayRequestError, match="printable ASCII") as caught:
        attempt(value)
    assert value not in str(caught.value), what


@pytest.mark.parametrize(("what", "attempt"), PROXY_NAME_ATTEMPTS, ids=[what for what, _ in PROXY_NAME_ATTEMPTS])
def test_ejoin_proxy_fields_accept_what_the_document_shows(what: str, attempt: Callable[[str], object]) -> None:
    value = "*.example.com" if what == "URL pattern" else "http-foo_1"
    attempt(value)


async def test_ejoin_url_lists_and_proxies_refuse_before_sending(
    simulator_factory: SimulatorFactory, session: aiohttp.ClientSession
) -> None:
    sim = await simulator_factory("ejoin", ports=2, slots=1)
    host, _, port = sim.url.removeprefix("http://").rpartition(":")
    settings = ConnectionSettings(host=host, port=int(port), username=sim.username, password=sim.password)
    gateway = create_gateway(Vendor.EJOIN, session, settings)
    await gateway.connect()
    assert gateway.proxy is not None
    proxy = gateway.proxy
    await refused_locally(
        sim,
        "www.exa mple.com",
        lambda: proxy.add_urls(ProxyResource.URL_WHITE_LIST, ProxyMode.HTTP, ["www.exa mple.com"]),
    )
    await refused_locally(
        sim,
        "pass word",
        lambda: proxy.add_users(ProxyMode.HTTP, [ProxyUser(name="u", password="pass word", interfaces=(0,))]),
    )
