"""The rule tests' context fixture, shared with the COB tests."""

from tests.rules.conftest import code_sets, context

__all__ = ["code_sets", "context"]
