"""Benchmarks run by ``python manage.py lmo_bench``: each against a raw baseline, same run."""
