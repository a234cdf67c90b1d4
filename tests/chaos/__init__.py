"""The chaos run, reduced to a size that fits the test suite (`scripts/chaos` runs the full one)."""
