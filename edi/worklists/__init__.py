"""Denial, rejection and no-response worklists, as pure functions.

Response tables + claims context + rules + payer terms + today
→ :func:`~edi.worklists.classify.classify` (observations per queue, with stable IDs)
→ :func:`~edi.worklists.merge.merge` with yesterday's items (status, owner and notes kept;
resolved, corrected or reopened by later responses)
→ :func:`~edi.worklists.rows.worklist_rows` (deadlines, priority, PHI joined for billers)
→ :func:`~edi.worklists.summary.summarize` (IDs and codes only, for artifacts).
No I/O here: :mod:`flows.worklists` reads the ledger and writes the files.
"""
