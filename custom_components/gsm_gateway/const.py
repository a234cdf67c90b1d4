"""Constants of the GSM Gateway integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "gsm_gateway"
LOGGER = logging.getLogger(__package__)
