"""Shared test setup; the fixtures for real services live in ``tests/fixtures/services.py``."""

pytest_plugins = ["tests.fixtures.services"]
