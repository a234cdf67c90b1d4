"""The Synway dialect. Import it through the client facade (`create_gateway`), not directly."""

from .gateway import SynwayGateway

__all__ = ["SynwayGateway"]
