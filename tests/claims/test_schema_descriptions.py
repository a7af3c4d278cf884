"""Field descriptions come from attribute docstrings when a JSON Schema is made, exactly as
pydantic's ``use_attribute_docstrings`` gives them when a class is made."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field

from edi.claims.models import _Model


class Plain(_Model):
    code: str
    """The code.

    Indented second paragraph."""
    note: str | None = None
    kept: str = Field("x", description="explicit")
    """Not used: an explicit description wins."""
    nested: Part | None = None
    """A part."""


class Part(_Model):
    value: int = 0
    """Its value."""


class Child(Plain):
    note: str | None = "redeclared"
    extra: int = 1
    """Only the child has it."""


class PydanticPlain(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    code: str
    """The code.

    Indented second paragraph."""
    note: str | None = None
    kept: str = Field("x", description="explicit")
    """Not used: an explicit description wins."""
    nested: PydanticPart | None = None
    """A part."""


class PydanticPart(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    value: int = 0
    """Its value."""


class PydanticChild(PydanticPlain):
    note: str | None = "redeclared"
    extra: int = 1
    """Only the child has it."""


def _named_as(schema: dict, prefix: str) -> dict:
    """A schema with the ``Pydantic`` prefix of the reference classes' names taken out."""
    return json.loads(json.dumps(schema).replace(prefix, ""))


def test_descriptions_are_pydantics() -> None:
    for ours, theirs in ((Plain, PydanticPlain), (Child, PydanticChild)):
        assert ours.model_json_schema() == _named_as(theirs.model_json_schema(), "Pydantic")
