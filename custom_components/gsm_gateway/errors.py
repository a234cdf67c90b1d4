"""One table from client errors to translated Home Assistant errors, for setup, coordinators, entities and actions.

Each client error has one translation key (`exceptions.<key>` in translations/en.json) whatever raised it; only the
Home Assistant exception type depends on where it happened:

| client error              | key                       | setup       | poll          | action             |
|---------------------------|---------------------------|-------------|---------------|--------------------|
| `GatewayRequestError`     | `invalid_request`         | not ready   | update failed | validation error   |
| `GatewayUnsupportedError` | `unsupported`             | not ready   | update failed | validation error   |
| `GatewayAuthError`        | `invalid_auth`            | reauth flow | reauth flow   | error, reauth flow |
| `GatewayCommandError`     | `command_refused`         | not ready   | update failed | error              |
| `GatewayCertificateError` | `certificate_not_trusted` | not ready   | update failed | error              |
| `GatewayConnectionError`  | `communication_error`     | not ready   | update failed | error              |
| any other `GatewayError`  | `invalid_response`        | not ready   | update failed | error              |

Every message names the gateway (`title`); the client's error text (`error`) never carries credentials or SIM
identifiers (the client scrubs them).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .client import (
    GatewayAuthError,
    GatewayCertificateError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayError,
    GatewayRequestError,
    GatewayUnsupportedError,
)
from .const import DOMAIN

# First match wins: subclasses before their bases.
ERROR_KEYS: tuple[tuple[type[GatewayError], str], ...] = (
    (GatewayRequestError, "invalid_request"),
    (GatewayUnsupportedError, "unsupported"),
    (GatewayAuthError, "invalid_auth"),
    (GatewayCommandError, "command_refused"),
    (GatewayCertificateError, "certificate_not_trusted"),
    (GatewayConnectionError, "communication_error"),
    (GatewayError, "invalid_response"),
)
# Errors in what the user asked for, not in the gateway or the connection.
USER_ERRORS = (GatewayRequestError, GatewayUnsupportedError)


@dataclass(frozen=True, slots=True)
class Translation:
    """Translation key and placeholders of one client error."""

    key: str
    placeholders: dict[str, str]


def translate(err: GatewayError, title: str) -> Translation:
    """The key and placeholders of `err`, raised while talking to the gateway called `title`."""
    key = next(key for error_type, key in ERROR_KEYS if isinstance(err, error_type))
    placeholders = {"title": title, "error": str(err)}
    if isinstance(err, GatewayCommandError):
        placeholders |= {"code": str(err.code), "reason": err.reason or "-"}
    return Translation(key, placeholders)


def setup_error(err: GatewayError, title: str) -> ConfigEntryAuthFailed | ConfigEntryNotReady:
    """The error `async_setup_entry` raises: reauthentication for a refused login, else retry later."""
    translation = translate(err, title)
    error_type = ConfigEntryAuthFailed if isinstance(err, GatewayAuthError) else ConfigEntryNotReady
    return error_type(
        translation_domain=DOMAIN, translation_key=translation.key, translation_placeholders=translation.placeholders
    )


def update_error(err: GatewayError, title: str) -> ConfigEntryAuthFailed | UpdateFailed:
    """The error a coordinator raises: reauthentication for a refused login, else a failed update."""
    translation = translate(err, title)
    error_type = ConfigEntryAuthFailed if isinstance(err, GatewayAuthError) else UpdateFailed
    return error_type(
        translation_domain=DOMAIN, translation_key=translation.key, translation_placeholders=translation.placeholders
    )


def action_error(err: GatewayError, title: str) -> HomeAssistantError:
    """The error an action or entity command raises: bad input is the user's, anything else the gateway's."""
    translation = translate(err, title)
    error_type = ServiceValidationError if isinstance(err, USER_ERRORS) else HomeAssistantError
    return error_type(
        translation_domain=DOMAIN, translation_key=translation.key, translation_placeholders=translation.placeholders
    )
