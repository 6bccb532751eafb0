"""Benchmarks: jaxlike against NumPy and jax in the same run. Run each module as a script."""
