"""Proof under load: benchmarks and the chaos run, each against a real Home Assistant running in this process."""
