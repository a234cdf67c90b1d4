"""The Dinstar dialect. Import it through the client facade (`create_gateway`), not directly."""

from .gateway import DinstarGateway

__all__ = ["DinstarGateway"]
