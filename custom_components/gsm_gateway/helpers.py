"""Turning client errors into translated Home Assistant errors, for entity actions and service actions."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Concatenate

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .client import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayError,
    GatewayRequestError,
    GatewayUnsupportedError,
)
from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import GsmGatewayConfigEntry
    from .entity import GsmGatewayEntity


@contextmanager
def translate_gateway_errors(entry: GsmGatewayConfigEntry) -> Iterator[None]:
    """Raise client errors as translated `HomeAssistantError`s (bad input as `ServiceValidationError`).

    An authentication failure also starts the reauthentication flow, so the user is asked for new credentials.
    """
    placeholders = {"title": entry.title}
    try:
        yield
    except GatewayRequestError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_request",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err
    except GatewayUnsupportedError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="unsupported", translation_placeholders=placeholders
        ) from err
    except GatewayAuthError as err:
        entry.async_start_reauth(entry.runtime_data.status.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="invalid_auth", translation_placeholders=placeholders
        ) from err
    except GatewayCommandError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_refused",
            translation_placeholders={**placeholders, "code": str(err.code), "reason": err.reason},
        ) from err
    except GatewayConnectionError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err
    except GatewayError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="invalid_response",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err


def gateway_command[EntityT: GsmGatewayEntity[Any], **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Decorate an entity action: translate errors, then refresh so entities show the device's confirmed state."""

    async def wrapper(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        with translate_gateway_errors(self.entry):
            await func(self, *args, **kwargs)
        # Read the confirmed state now, not after the request debouncer's cool-down: a user is watching.
        await self.gateway_status.async_refresh()

    return wrapper
