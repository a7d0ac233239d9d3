"""Fixtures of the tests that run on Ray workers."""

import pytest


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for a module's runs (each run then reuses it); shut down after them."""
    import ray

    if not ray.is_initialized():
        ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR",
                 log_to_driver=False)
    yield
    ray.shutdown()
