"""Async client library for multi-port SIM gateways. No Home Assistant imports allowed here."""
