"""The core tier: the client patched where the integration imports it, answering with models of the spec fixtures.

`create_gateway` and `detect_gateway` are patched in `connection.py` (autospec) and hand out one
`create_autospec(<dialect class>, instance=True)` client per test. What it answers is built from the payloads in
`tests/fixtures/<vendor>/` by the client's own parsers (EJOIN `parse_gateway_status`, Dinstar `parse_port_info`,
the Synway client itself fed the fixtures' answers), so the models are the ones the real client would hand over.

Choose the vendor with indirect parametrisation: `@pytest.mark.parametrize("vendor", ["dinstar"], indirect=True)`
(EJOIN when not parametrised). A method the dialect does not implement raises `GatewayUnsupportedError`, as the
common `Gateway` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
import inspect
import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, create_autospec, patch

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.client import (
    CallForwardingFeature,
    CallRecordFeature,
    CallStatistics,
    Capability,
    ConnectionSettings,
    DeviceInfo,
    EsimFeature,
    Gateway,
    GatewayStatus,
    GatewayUnsupportedError,
    InboxPage,
    IpListFeature,
    ProbeOutcome,
    ProxyFeature,
    ProxyState,
    SimToolkitFeature,
    SmsStatistics,
    Vendor,
)
from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.dinstar.parse import decode_object, parse_port_info, serial_of
from custom_components.gsm_gateway.client.dinstar.status import capabilities_of, device_info, gateway_status
from custom_components.gsm_gateway.client.ejoin import EjoinGateway
from custom_components.gsm_gateway.client.ejoin.gateway import BASE_CAPABILITIES, MULTI_SLOT_CAPABILITIES
from custom_components.gsm_gateway.client.ejoin.parse import (
    parse_call_statistics,
    parse_gateway_status,
    parse_sms_statistics,
)
from custom_components.gsm_gateway.client.ejoin.proxy import parse_state
from custom_components.gsm_gateway.client.synway import SynwayGateway
from custom_components.gsm_gateway.client.transport import HttpResponse
from custom_components.gsm_gateway.const import CONF_USE_HTTPS, CONF_VENDOR, CONF_WEBHOOK_ID, DOMAIN

FIXTURES = Path(__file__).parents[1] / "fixtures"
HOST = "192.168.1.67"  # the address in the EJOIN examples; an IP, so nothing is resolved
PORT = 80
USERNAME = "root"
PASSWORD = "fixture-password"
WEBHOOK_ID = "c" * 64
VENDORS = [vendor.value for vendor in Vendor]

GATEWAY_CLASSES: dict[Vendor, type[Gateway]] = {
    Vendor.EJOIN: EjoinGateway,
    Vendor.DINSTAR: DinstarGateway,
    Vendor.SYNWAY: SynwayGateway,
}
FEATURES: dict[str, tuple[Capability, type]] = {
    "proxy": (Capability.PROXY, ProxyFeature),
    "ip_lists": (Capability.IP_LISTS, IpListFeature),
    "esim": (Capability.ESIM, EsimFeature),
    "call_forwarding": (Capability.CALL_FORWARD, CallForwardingFeature),
    "call_records": (Capability.CDR, CallRecordFeature),
    "sim_toolkit": (Capability.STK, SimToolkitFeature),
}


def fixture_bytes(path: str) -> bytes:
    """A payload of `tests/fixtures/` (`ejoin/dev_status_example.json`)."""
    return (FIXTURES / path).read_bytes()


def fixture_json(path: str) -> Any:
    """A JSON payload of `tests/fixtures/`."""
    return json.loads(fixture_bytes(path))


SETTINGS = ConnectionSettings(host=HOST, port=PORT, username=USERNAME, password=PASSWORD)


@dataclass(frozen=True, kw_only=True)
class GatewayModels:
    """What one gateway answers, as the client's models."""

    vendor: Vendor
    device: DeviceInfo
    status: GatewayStatus
    capabilities: frozenset[Capability]
    sms_statistics: list[SmsStatistics] = field(default_factory=list)
    call_statistics: list[CallStatistics] = field(default_factory=list)
    proxy_state: ProxyState | None = None


def ejoin_models() -> GatewayModels:
    """A 32-port x 4-slot v2.4 gateway from the spec's status example (section 5.4.1), one row reported."""
    status = parse_gateway_status(fixture_json("ejoin/dev_status_example.json"))
    device = status.device
    # What connect() finds on v2.2/v2.4 firmware: proxies, IP lists and eSIMs.
    features = {Capability.PROXY, Capability.IP_LISTS, Capability.ESIM}
    multi_slot = MULTI_SLOT_CAPABILITIES if device.slot_count > 1 else frozenset()
    return GatewayModels(
        vendor=Vendor.EJOIN,
        device=device,
        status=status,
        capabilities=BASE_CAPABILITIES | multi_slot | features,
        sms_statistics=parse_sms_statistics(fixture_json("ejoin/sms_stat_response.json")),
        call_statistics=parse_call_statistics(fixture_json("ejoin/call_stat_response.json")),
        proxy_state=parse_state(fixture_json("ejoin/proxy_state_response.json")),
    )


def dinstar_models() -> GatewayModels:
    """The spec's `get_port_info` answer (section 10.4): three ports, IMEIs reported."""
    answer = decode_object(fixture_bytes("dinstar/get_port_info_response.txt"), "get_port_info")
    infos = parse_port_info(answer, "get_port_info")
    serial = serial_of(answer)
    assert serial is not None
    device = device_info(serial, infos, HOST)
    return GatewayModels(
        vendor=Vendor.DINSTAR,
        device=device,
        status=gateway_status(device, infos),
        capabilities=capabilities_of(device, imei_reported=any(info.imei for info in infos), missing=()),
    )


# Synway builds its status from several answers: the real client reads them from the fixtures, offline.
SYNWAY_ANSWERS = {
    "getportinfo": "synway/getportinfo_ok.json",
    "getportconnectstate": "synway/getportconnectstate_ok.json",
    "getwirelessinfo:ICCID": "synway/getwirelessinfo_iccid.json",
    "getwirelessinfo:porttype": "synway/getwirelessinfo_porttype.json",
}


async def synway_models() -> GatewayModels:
    """An 8-port gateway from the spec's answers; what no fixture answers is refused (`synway/error.json`)."""
    gateway = SynwayGateway(None, SETTINGS)

    async def answer(_method: str, path: str, *, json_body: dict[str, str], **_kwargs: Any) -> HttpResponse:
        event = json_body["event"]
        key = f"{event}:{json_body['type']}" if "type" in json_body else event
        return HttpResponse(200, {}, fixture_bytes(SYNWAY_ANSWERS.get(key, "synway/error.json")), path.lstrip("/"))

    with patch.object(gateway.transport, "request", side_effect=answer):
        device = await gateway.connect()
        status = await gateway.get_status()
    return GatewayModels(vendor=Vendor.SYNWAY, device=device, status=status, capabilities=gateway.capabilities)


async def gateway_models(vendor: Vendor) -> GatewayModels:
    """The models of a vendor's fixtures."""
    if vendor is Vendor.EJOIN:
        return ejoin_models()
    if vendor is Vendor.DINSTAR:
        return dinstar_models()
    return await synway_models()


def mock_client(models: GatewayModels) -> MagicMock:
    """A connected client of the vendor's class (autospec'd) answering with `models`."""
    gateway_class = GATEWAY_CLASSES[models.vendor]
    gateway = create_autospec(gateway_class, instance=True)
    gateway.vendor = models.vendor
    gateway.settings = SETTINGS
    gateway.time_zone = UTC
    gateway.device = models.device
    gateway.capabilities = models.capabilities
    gateway.max_ussd_bytes = gateway_class.max_ussd_bytes
    # What the dialect does not implement is refused, as the common interface does.
    for name, member in vars(Gateway).items():
        if inspect.iscoroutinefunction(member) and getattr(gateway_class, name) is member:
            getattr(gateway, name).side_effect = GatewayUnsupportedError(f"{models.vendor} does not support {name}")
    gateway.probe.return_value = ProbeOutcome.MATCH
    gateway.connect.return_value = models.device
    gateway.get_status.return_value = models.status
    gateway.fetch_inbox.return_value = InboxPage(messages=(), cursor={})
    gateway.parse_push.return_value = []
    if Capability.SMS_STATISTICS in models.capabilities:
        gateway.get_sms_statistics.return_value = models.sms_statistics
    if Capability.CALL_STATISTICS in models.capabilities:
        gateway.get_call_statistics.return_value = models.call_statistics
    if Capability.SEND_QUEUE in models.capabilities:
        gateway.get_queue_count.return_value = 0
    if Capability.PUSH_TARGET_API in models.capabilities:
        gateway.get_push_target.return_value = None
    for name, (capability, feature_class) in FEATURES.items():
        feature = create_autospec(feature_class, instance=True) if capability in models.capabilities else None
        setattr(gateway, name, feature)
    if gateway.proxy is not None:
        gateway.proxy.state.return_value = models.proxy_state
    return gateway


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/gsm_gateway in every test."""


@pytest.fixture
def vendor(request: pytest.FixtureRequest) -> Vendor:
    """The dialect under test: EJOIN, or `@pytest.mark.parametrize("vendor", [...], indirect=True)`."""
    return Vendor(getattr(request, "param", Vendor.EJOIN))


@pytest.fixture
async def models(vendor: Vendor) -> GatewayModels:
    """What the vendor's gateway answers."""
    return await gateway_models(vendor)


def entry_data(vendor: Vendor) -> dict[str, Any]:
    """Config entry data of the fixture gateway."""
    return {
        CONF_HOST: HOST,
        CONF_PORT: PORT,
        CONF_USE_HTTPS: False,
        CONF_VERIFY_SSL: True,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_VENDOR: vendor.value,
        CONF_WEBHOOK_ID: WEBHOOK_ID,
    }


@pytest.fixture
def mock_config_entry(hass: HomeAssistant, vendor: Vendor, models: GatewayModels) -> MockConfigEntry:
    """A config entry for the fixture gateway of `vendor`, added to hass but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{vendor.value} gateway",
        data=entry_data(vendor),
        unique_id=models.device.unique_id,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
def mock_create_gateway(models: GatewayModels) -> Iterator[MagicMock]:
    """`create_gateway` where `connection.py` imports it; every call returns the same mocked client."""
    with patch("custom_components.gsm_gateway.connection.create_gateway", autospec=True) as create:
        create.return_value = mock_client(models)
        yield create


@pytest.fixture
def mock_detect_gateway(mock_create_gateway: MagicMock) -> Iterator[MagicMock]:
    """`detect_gateway` where `connection.py` imports it: finds the mocked client."""
    with patch("custom_components.gsm_gateway.connection.detect_gateway", autospec=True) as detect:
        detect.return_value = mock_create_gateway.return_value
        yield detect


@pytest.fixture
def mock_gateway(mock_create_gateway: MagicMock, mock_detect_gateway: MagicMock) -> MagicMock:
    """The mocked client the integration gets, however it builds one."""
    gateway: MagicMock = mock_create_gateway.return_value
    return gateway


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Config flow tests stop at the entry: setting it up is tested elsewhere."""
    with patch("custom_components.gsm_gateway.async_setup_entry", return_value=True) as setup_entry:
        yield setup_entry


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_gateway: MagicMock
) -> MockConfigEntry:
    """The integration set up with the mocked client."""
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry
