"""Benchmarks: `python -m bench` prints one table of figures against baselines."""
