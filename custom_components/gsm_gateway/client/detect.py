"""Create a client for a known vendor, or detect the vendor from host, port, scheme and credentials alone.

Both take `session=None` for standalone use: each client then owns its session (see `Gateway`). Detection
tries one client per dialect; each one it discards is closed, which closes the session it created (an injected
session stays open), so only the returned client holds a session of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo

import aiohttp

from .dinstar.gateway import DinstarGateway
from .ejoin.gateway import EjoinGateway
from .exceptions import GatewayAuthError, GatewayNotRecognizedError, GatewayResponseError, GatewayUnsupportedError
from .gateway import Gateway, ProbeOutcome
from .models import Capability, ConnectionSettings, Vendor
from .synway.gateway import SynwayGateway

# Probe order: EJOIN first, because its probe carries credentials in the query string, which an HTTP-auth
# device (Dinstar, Synway) does not count as a login attempt. Dinstar before Synway: its probe starts with
# an unauthenticated request that tells the auth scheme.
DETECTION_ORDER = (Vendor.EJOIN, Vendor.DINSTAR, Vendor.SYNWAY)

# Imported up front: a lazy import inside Home Assistant's event loop is a blocking call.
_DIALECTS: dict[Vendor, type[Gateway]] = {
    Vendor.EJOIN: EjoinGateway,
    Vendor.DINSTAR: DinstarGateway,
    Vendor.SYNWAY: SynwayGateway,
}


def gateway_class(vendor: Vendor) -> type[Gateway]:
    """The client class of a vendor."""
    return _DIALECTS[vendor]


def declared_capabilities(vendor: Vendor) -> Mapping[Capability, str | None]:
    """What a dialect can do: capability -> None when every device has it, else which devices do."""
    return gateway_class(vendor).declared_capabilities


def create_gateway(
    vendor: Vendor,
    session: aiohttp.ClientSession | None,
    settings: ConnectionSettings,
    *,
    time_zone: tzinfo = UTC,
) -> Gateway:
    """A client for a gateway whose vendor is known: `connect()` before using it, `close()` (or `async with`) after."""
    return gateway_class(vendor)(session, settings, time_zone=time_zone)


async def detect_gateway(
    session: aiohttp.ClientSession | None,
    settings: ConnectionSettings,
    *,
    time_zone: tzinfo = UTC,
) -> Gateway:
    """Find which dialect the host speaks, and return a connected client for it.

    Raises `GatewayAuthError` when a dialect recognised the host but refused the credentials,
    `GatewayNotRecognizedError` when no dialect recognised it, and `GatewayConnectionError` when the host
    cannot be reached. Each probe is read-only; credentials are refused at most once in total, because the
    search stops at the first AUTH_FAILED. With `session=None` the returned client owns its session: close it.

    With `settings.encrypted_session` no probe runs (probes send the password): the dialects that offer the session
    open it, and `GatewayUnsupportedError` says that none could.
    """
    if settings.encrypted_session:
        return await _connect_encrypted(session, settings, time_zone)
    for vendor in DETECTION_ORDER:
        gateway = create_gateway(vendor, session, settings, time_zone=time_zone)
        matched = False
        try:
            outcome = await gateway.probe()
            if outcome is ProbeOutcome.MATCH:
                await gateway.connect()
                matched = True
                return gateway
        finally:
            if not matched:  # discarded, or failed: close the session it created (an injected one stays open)
                await gateway.close()
        if outcome is ProbeOutcome.AUTH_FAILED:
            msg = f"{settings.host} refused the username or password"
            raise GatewayAuthError(msg)
    msg = f"{settings.host}:{settings.port} answers, but not as a Skyline/EJOIN, Dinstar or Synway gateway"
    raise GatewayNotRecognizedError(msg)


async def _connect_encrypted(
    session: aiohttp.ClientSession | None, settings: ConnectionSettings, time_zone: tzinfo
) -> Gateway:
    """A connected client of the first dialect whose encrypted session the host opens."""
    for vendor in DETECTION_ORDER:
        if not _DIALECTS[vendor].offers_encrypted_session:
            continue
        gateway = create_gateway(vendor, session, settings, time_zone=time_zone)
        try:
            await gateway.connect()
        except GatewayUnsupportedError, GatewayResponseError:
            await gateway.close()
            continue
        except BaseException:
            await gateway.close()
            raise
        return gateway
    msg = f"{settings.host}:{settings.port} opens no encrypted session"
    raise GatewayUnsupportedError(msg)
