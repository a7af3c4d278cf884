"""A guide description as a Markdown page (``docs/guide-837p.md``,
``docs/guide-837i-elements.md``).

The page is generated, never edited: a test fails when the checked-in page differs from
what the description says, so the documentation of which field goes where cannot go stale.
"""

from __future__ import annotations

from edi.guides.model import Binding, ElementSpec, Guide, SegmentSpec

_USAGE = {"R": "required", "S": "situational", "N": "not used"}


def _carries(binding: Binding, subject: str) -> str:
    if binding.kind == "code":
        return f"`{binding.value}`"
    if binding.kind == "builder":
        return f"*{binding.value.replace('_', ' ')}* (builder)"
    paths = [f"{subject}.{f}" if subject else f for f in binding.alternatives]
    text = " or ".join(f"`{p}`" for p in paths)
    if binding.through:
        end = f"{subject}.{binding.through}" if subject else binding.through
        text += f" through `{end}`"
    if binding.codes:
        text += " as " + ", ".join(f"{value}→`{code}`" for value, code in binding.codes)
    return text


def _row(element: ElementSpec, spec: SegmentSpec) -> str:
    facts = element.facts
    size = f"{facts.min_length}–{facts.max_length}" if facts.max_length else ""
    codes = ", ".join(facts.codes[:6]) + (" …" if len(facts.codes) > 6 else "")
    return (
        f"| {element.position} | {facts.name} | {facts.usage} | {facts.data_type} | {size} "
        f"| {codes} | {_carries(element.binding, spec.subject)} |"
    )


def guide_markdown(guide: Guide) -> str:
    """The page: one table per described segment, in guide order."""
    source = guide.version[6:].lower()  # 005010X222A1 → x222a1.yaml
    each_line = "revenue_lines[]" if source.startswith("x223") else "service_lines[]"
    lines = [
        f"# {guide.transaction} {guide.title} ({guide.version})",
        "",
        f"Generated from `edi/guides/{source}.yaml` and pyx12's map of the same guide by",
        "`edi.guides.doc.guide_markdown`; do not edit by hand. Usage, type, size and codes are",
        "the guide's (via pyx12); *Carries* is the project's binding: a fixed code, a value the",
        f"builder supplies, or the encounter-v1 field (`{each_line}` is each line).",
        "",
    ]
    for spec in guide.segments.values():
        usage = _USAGE.get(spec.usage, spec.usage)
        lines += [
            f"## {spec.label()}: {spec.facts.name}",
            "",
            f"`{spec.name}` · loop {spec.loop} ({guide.loops[spec.loop].name}) · {usage}, "
            f"up to {spec.facts.max_use or '1'}"
            + (f" · subject `{spec.subject}`" if spec.subject else ""),
            "",
            "| Element | Name | Usage | Type | Size | Codes | Carries |",
            "|---|---|---|---|---|---|---|",
            *(_row(element, spec) for element in spec.elements),
            "",
        ]
    return "\n".join(lines)
