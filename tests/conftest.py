"""Test configuration: hypothesis profiles, x64 switching for jaxlike and the jax oracle together."""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("ci", max_examples=25, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: heavier cases; deselect with -m 'not slow'")


@pytest.fixture(params=[False, True], ids=["x32", "x64"])
def x64(request):
    """Runs a test with 64-bit mode off and on, in both jaxlike and the jax oracle."""
    from testing_utils import x64_mode
    with x64_mode(request.param):
        yield request.param


@pytest.fixture
def enable_x64():
    from testing_utils import x64_mode
    with x64_mode(True):
        yield
