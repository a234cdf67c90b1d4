"""The simulated Synway gateway (importing it registers it)."""

from .server import SynwaySimulator

__all__ = ["SynwaySimulator"]
