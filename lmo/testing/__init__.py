"""Support code for tests and benchmarks (never loaded by the web or worker processes)."""
