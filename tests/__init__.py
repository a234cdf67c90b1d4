"""Tests of the GSM Gateway integration, its client library and its simulator."""
