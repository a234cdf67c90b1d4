"""Running gateway calls for actions and entity commands: client errors become translated errors (errors.py)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Concatenate

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .client import GatewayAuthError, GatewayConnectionError, GatewayError
from .errors import action_error

if TYPE_CHECKING:
    from .coordinator import GsmGatewayConfigEntry
    from .entity import GsmGatewayEntity


def command_error(hass: HomeAssistant, entry: ConfigEntry, err: GatewayError) -> HomeAssistantError:
    """The translated error of a failed action or command; a refused login also asks for new credentials."""
    if isinstance(err, GatewayAuthError):
        entry.async_start_reauth(hass)
    return action_error(err, entry.title)


@contextmanager
def translate_gateway_errors(entry: GsmGatewayConfigEntry) -> Iterator[None]:
    """Raise client errors from the block as translated errors (see `command_error`)."""
    hass = entry.runtime_data.status.hass  # before the block: an entry that reloads meanwhile loses its runtime data
    try:
        yield
    except GatewayError as err:
        raise command_error(hass, entry, err) from err


def gateway_command[EntityT: GsmGatewayEntity[Any], **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Decorate an entity command: translate errors, then refresh so entities show the device's confirmed state.

    A connection error also marks the status coordinator failed, so every entity of the gateway shows it as
    unavailable at once instead of after the next poll.
    """

    async def wrapper(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        status = self.gateway_status
        try:
            await func(self, *args, **kwargs)
        except GatewayError as err:
            if isinstance(err, GatewayConnectionError):
                status.last_update_success = False
                status.async_update_listeners()
            raise command_error(self.hass, self.entry, err) from err
        # Read the confirmed state now, not after the request debouncer's cool-down: a user is watching.
        await status.async_refresh()

    return wrapper
