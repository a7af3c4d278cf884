"""Denial, rejection and no-response worklists: ledger persistence, files, report, artifacts.

Flows call :func:`build_worklists` and then
:func:`flows.worklists.artifacts.publish_artifacts` with its summary (imported from its
module, so the CLI does not load Prefect); the CLI (``claims worklist build|import``)
does the same plus :func:`import_edits`.
"""

from flows.worklists.build import BuildOptions, build_worklists
from flows.worklists.context import encounter_context, encounters_from_files, ledger_context
from flows.worklists.imports import ImportResult, UnreadableWorklist, import_edits

__all__ = [
    "BuildOptions",
    "ImportResult",
    "UnreadableWorklist",
    "build_worklists",
    "encounter_context",
    "encounters_from_files",
    "import_edits",
    "ledger_context",
]
