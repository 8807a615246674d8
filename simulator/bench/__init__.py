"""Benchmarks that print figures (not timed tests): `python -m simulator.bench [NAME ...]`.

Each module here with a `main(argv)` function is one benchmark, named after the module.
"""
