"""SNIP 1-2 validation driven by the implementation guides pyx12's maps describe.

:func:`validate` judges a document as pyx12 does, error for error, at the speed of
reading it: the maps are compiled once (:mod:`edi.validate.compiled`), segments are
placed by memoised walk plans (:mod:`edi.validate.walk`) and elements checked by
cached verdicts (:mod:`edi.validate.elements`).
"""

from edi.validate.engine import EngineUnavailable, validate
from edi.validate.summary import describe, error_label

__all__ = ["EngineUnavailable", "describe", "error_label", "validate"]
