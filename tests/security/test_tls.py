"""TLS: certificates are verified by default for HTTPS gateways; turning that off is an explicit option.

The simulator is served over HTTPS with a self-signed certificate made for the test: the kind of certificate a
gateway ships with, and exactly what verification must refuse unless the user said otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import ssl
import threading

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.client.ejoin import EjoinGateway
from custom_components.gsm_gateway.client.exceptions import GatewayCertificateError
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.const import CONF_USE_HTTPS, CONF_VENDOR, CONF_WEBHOOK_ID, DOMAIN
from simulator.ejoin import EjoinSimulator


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gateway.local")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@dataclass
class HttpsGateway:
    """A simulator behind HTTPS."""

    sim: EjoinSimulator
    port: int

    def settings(self, *, verify_ssl: bool) -> ConnectionSettings:
        """How the integration would reach it."""
        return ConnectionSettings(
            host="127.0.0.1",
            port=self.port,
            use_https=True,
            verify_ssl=verify_ssl,
            username=self.sim.username,
            password=self.sim.password,
        )


class ServerThread:
    """The HTTPS simulator on its own event loop in a thread: the handshakes it refuses are its business (asyncio
    reports each one to its loop), not errors of the Home Assistant under test."""

    def __init__(self, sim: EjoinSimulator, context: ssl.SSLContext) -> None:
        """Prepare; `start()` serves."""
        self.sim = sim
        self.context = context
        self.port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name="https simulator")

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(lambda _loop, _context: None)
        self._stop = asyncio.Event()
        runner = web.AppRunner(self.sim.app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self.context).start()
        self.port = runner.addresses[0][1]
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    def start(self) -> None:
        """Serve until `stop()`."""
        self._thread.start()
        assert self._ready.wait(10)

    def stop(self) -> None:
        """Stop serving and end the thread."""
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture
def https_gateway(socket_enabled: None, tmp_path: Path) -> Iterator[HttpsGateway]:
    sim = EjoinSimulator(ports=2, slots=1)
    server = ServerThread(sim, self_signed_context(tmp_path))
    server.start()
    yield HttpsGateway(sim, server.port)
    server.stop()


async def test_the_client_refuses_an_untrusted_certificate(hass: HomeAssistant, https_gateway: HttpsGateway) -> None:
    gateway = EjoinGateway(async_get_clientsession(hass), https_gateway.settings(verify_ssl=True))
    with pytest.raises(GatewayCertificateError, match="certificate") as caught:
        await gateway.connect()
    assert https_gateway.sim.password not in str(caught.value)
    assert https_gateway.sim.requests == []  # the handshake failed: the credentials never left


async def test_the_client_accepts_it_when_told_to(hass: HomeAssistant, https_gateway: HttpsGateway) -> None:
    gateway = EjoinGateway(async_get_clientsession(hass, verify_ssl=False), https_gateway.settings(verify_ssl=False))
    device = await gateway.connect()
    assert device.port_count == 2
    assert https_gateway.sim.requests


async def test_verification_is_the_default_in_the_config_flow(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    defaults = {str(key): key.default() for key in result["data_schema"].schema if callable(key.default)}
    assert defaults[CONF_USE_HTTPS] is False
    assert defaults[CONF_VERIFY_SSL] is True


async def test_the_config_flow_reports_an_untrusted_certificate(
    hass: HomeAssistant, https_gateway: HttpsGateway
) -> None:
    """HTTPS with default settings: the user is told the certificate is the problem (not "cannot connect", which
    would invite guessing); nothing is created."""
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    user_input = {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: https_gateway.port,
        CONF_USE_HTTPS: True,
        CONF_USERNAME: https_gateway.sim.username,
        CONF_PASSWORD: https_gateway.sim.password,
    }
    result = await flow.async_configure(result["flow_id"], user_input)
    assert result["errors"] == {"base": "certificate_not_trusted"}
    assert https_gateway.sim.requests == []
    result = await flow.async_configure(result["flow_id"], {**user_input, CONF_VERIFY_SSL: False})
    assert result["step_id"] == "confirm"


@pytest.mark.parametrize(
    ("verify_ssl", "state"), [(True, ConfigEntryState.SETUP_RETRY), (False, ConfigEntryState.LOADED)]
)
async def test_an_entry_follows_its_option(
    hass: HomeAssistant, https_gateway: HttpsGateway, verify_ssl: bool, state: ConfigEntryState
) -> None:
    unverified = EjoinGateway(async_get_clientsession(hass, verify_ssl=False), https_gateway.settings(verify_ssl=False))
    unique_id = (await unverified.connect()).unique_id
    https_gateway.sim.requests.clear()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="https gateway",
        unique_id=unique_id,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: https_gateway.port,
            CONF_USE_HTTPS: True,
            CONF_VERIFY_SSL: verify_ssl,
            CONF_USERNAME: https_gateway.sim.username,
            CONF_PASSWORD: https_gateway.sim.password,
            CONF_VENDOR: "ejoin",
            CONF_WEBHOOK_ID: "b" * 64,
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is state
    if verify_ssl:
        assert "certificate" in str(entry.reason)
        assert https_gateway.sim.requests == []
    else:
        assert https_gateway.sim.requests
    await hass.config_entries.async_unload(entry.entry_id)
