"""Benchmarks of the dashboard and of ingestion (see lmo_bench)."""
