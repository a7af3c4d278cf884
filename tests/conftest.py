"""Shared test setup; the fixtures for real services live in ``tests/fixtures/services.py``."""

import pytest

pytest_plugins = ["tests.fixtures.services"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end runs first: each takes up to minutes, so started last one would keep the
    whole suite waiting on a single worker while the other sits idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
