"""The Skyline/EJOIN dialect. Import it through the client facade (`create_gateway`), not directly."""

from .gateway import EjoinGateway

__all__ = ["EjoinGateway"]
