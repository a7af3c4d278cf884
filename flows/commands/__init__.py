"""Sub-commands of the ``claims`` CLI, one module each; see :mod:`flows.cli`."""
