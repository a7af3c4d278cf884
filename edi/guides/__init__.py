"""Implementation guides as data.

One description per guide (``x222a1.yaml``: the 837P) names each element the project
writes or reads and the encounter field it carries; pyx12's map of the same guide supplies
usage, size, type and codes (:mod:`edi.guides.model`).  The builder writes from it
(:mod:`edi.guides.render`), the one 837 reader reads by it (:mod:`edi.guides.segments`,
:mod:`edi.claims.read_837`), rule findings are located by it (:mod:`edi.guides.locations`)
and ``docs/guide-837p.md`` is generated from it (:mod:`edi.guides.doc`).
"""
