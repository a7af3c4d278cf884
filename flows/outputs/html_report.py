"""The one-file HTML report: denial rate and dollars, by payer, category and CARC, the trend
of the last days, and the top rows.  Charts are inline SVG written here, so the file opens
offline with nothing to load.  The report shows IDs, codes and money only (no patient names
or member IDs), so it can go to managers as well as billers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

import pandas as pd

from edi.worklists.analytics import Analytics
from edi.worklists.summary import DenialStats, WorklistSummary

QUEUE_TITLES = {
    "rejections": "Rejections",
    "denials": "Denials",
    "no_response": "No response",
    "info_requested": "Information requested",
}
"""The workbook's sheet titles (flows.outputs.columns.SHEETS), so both say the same."""

BAR_COLORS = {
    "rate": "#C0504D",
    "payer": "#1F77B4",
    "category": "#2CA02C",
    "carc": "#9467BD",
    "trend": "#FF7F0E",
    "trend_line": "#17BECF",
}
"""One colour per chart, so a screenshot test can find each chart's bars."""

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.sub{color:#666;margin-bottom:16px} .grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.card{border:1px solid #ddd;border-radius:6px;padding:12px;background:#fff}
.kpis{display:flex;gap:16px;margin:12px 0} .kpi{border:1px solid #ddd;border-radius:6px;
padding:8px 14px} .kpi b{display:block;font-size:20px}
table{border-collapse:collapse;font-size:12px;width:100%} th,td{border-bottom:1px solid #eee;
padding:4px 6px;text-align:left} th{background:#1F4E78;color:#fff} td.n{text-align:right}
tr.soon td{background:#FFEB9C} tr.past td{background:#FFC7CE} .empty{color:#888;font-style:italic}
"""


def report_html(
    summary: WorklistSummary, stats: DenialStats, extra: Analytics | None = None
) -> str:
    """The report as one HTML document.

    The open-work and category tables are the workbook's Summary sheet, number for number;
    the charts cover the last days of remittances, each denial counted once.
    """
    adjudicated = int(stats.by_payer["adjudicated"].sum()) if len(stats.by_payer) else 0
    denied = int(stats.by_payer["denied"].sum()) if len(stats.by_payer) else 0
    rate = f"{denied / adjudicated:.1%}" if adjudicated else "n/a"
    dollars = int(stats.by_payer["denied_cents"].sum()) if len(stats.by_payer) else 0
    open_rows = {r["queue"]: r for r in summary.by_queue.to_dict("records")}
    first_pass = extra.first_pass_rate if extra is not None else None
    kpis = [
        ("denial-rate", f"Denial rate, last {len(stats.trend)} days", rate),
        ("denied-window", f"Denied, last {len(stats.trend)} days", _money(dollars)),
        ("first-pass", "First-pass acceptance",
         "n/a" if first_pass is None else f"{first_pass:.1%}"),
        ("open-denials", "Open denials", str(open_rows.get("denials", {}).get("open_items", 0))),
        ("recoverable-denials", "Recoverable (open denials)",
         _money(int(open_rows.get("denials", {}).get("recoverable_cents", 0)))),
    ]  # fmt: skip
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Denials report {summary.business_date.isoformat()}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<h1>Denials and rejections — {summary.business_date.isoformat()}</h1>"
        f"<div class='sub'>Last {len(stats.trend)} days of remittances, by remittance date. "
        "IDs and codes only.</div>"
        "<div class='kpis'>"
        + "".join(
            f"<div class='kpi'>{escape(k)}<b data-metric='{m}'>{escape(v)}</b></div>"
            for m, k, v in kpis
        )
        + "</div>"
        + _summary_tables(summary)
        + "<div class='grid'>"
        + "".join(_charts(stats))
        + "</div>"
        + _card(
            f"Trend, {stats.start.isoformat()} to {stats.end.isoformat()}: denied dollars "
            "(bars) and denial rate (line), by remittance date",
            _trend(stats.trend),
        )
        + (_analytics(extra) if extra is not None else "")
        + f"<h2>Top {len(summary.top)} rows by priority</h2>"
        + _top_table(summary.top)
        + "</body></html>"
    )


def _charts(stats: DenialStats) -> list[str]:
    payers = stats.by_payer
    rate_texts = [
        f"{float(r['denial_rate']):.0%} ({r['denied']}/{r['adjudicated']})"
        for r in payers.to_dict("records")
    ]
    rates = [float(r) * 100 for r in payers["denial_rate"]]
    carcs = [f"{c} {t}".strip() for c, t in zip(stats.by_carc["code"], stats.by_carc["text"],
                                                 strict=True)]  # fmt: skip
    return [
        _card(
            "Denial rate by payer",
            _hbars([str(p) for p in payers["payer_id"]], rates, rate_texts, BAR_COLORS["rate"]),
        ),
        _card(
            "Denied dollars by payer",
            _money_bars(payers["payer_id"], payers["denied_cents"], BAR_COLORS["payer"]),
        ),
        _card(
            "Denied dollars by category",
            _money_bars(
                stats.by_category["category"],
                stats.by_category["denied_cents"],
                BAR_COLORS["category"],
            ),
        ),
        _card(
            "Denied dollars by CARC (top 12)",
            _money_bars(carcs[:12], list(stats.by_carc["denied_cents"])[:12], BAR_COLORS["carc"]),
        ),
    ]


def _summary_tables(summary: WorklistSummary) -> str:
    """The workbook's Summary sheet blocks, with the same numbers."""
    queues = [
        [QUEUE_TITLES.get(r["queue"], r["queue"]), int(r["open_items"]), int(r["due_soon"]),
         _money(int(r["recoverable_cents"])), int(r["new"]), int(r["resolved"])]
        for r in summary.by_queue.to_dict("records")
    ]  # fmt: skip
    categories = [
        [QUEUE_TITLES.get(r["queue"], r["queue"]), r["category"], int(r["items"]),
         _money(int(r["recoverable_cents"]))]
        for r in summary.by_category.to_dict("records")
    ]  # fmt: skip
    return (
        "<div class='grid'>"
        + _card("Open work by queue (as in the workbook)", _table(
            ("Queue", "Open rows", "Due within 7 days", "Recoverable", "New today",
             "Resolved today"), queues, "queues"))
        + _card("By category (as in the workbook)", _table(
            ("Queue", "Category", "Rows", "Recoverable"), categories, "categories"))
        + "</div>"
    )  # fmt: skip


def _analytics(a: Analytics) -> str:
    procedures = [
        [r["procedure_code"], int(r["lines"]), int(r["denied"]), f"{float(r['denial_rate']):.1%}"]
        for r in a.by_procedure.to_dict("records")
    ]
    renderings = [
        [r["rendering_npi"], int(r["claims"]), int(r["denied"]), f"{float(r['denial_rate']):.1%}"]
        for r in a.by_rendering.to_dict("records")
    ]
    ar = [
        [r["payer_id"], int(r["claims"]), f"{float(r['average_days']):.1f}"]
        for r in a.days_in_ar.to_dict("records")
    ]
    aging = [[r["bucket"], int(r["claims"]), _money(int(r["charge_cents"]))]
             for r in a.aging.to_dict("records")]  # fmt: skip
    return (
        "<div class='grid'>"
        + _card("Denial rate by procedure code (today's remittances)", _table(
            ("Procedure", "Lines", "Denied", "Denial rate"), procedures, "procedures"))
        + _card("Denial rate by rendering provider (today's remittances)", _table(
            ("Rendering NPI", "Claims", "Denied", "Denial rate"), renderings, "renderings"))
        + _card("Days in A/R by payer (sent to first 835, last 30 days)", _table(
            ("Payer ID", "Claims paid or denied", "Average days"), ar, "days-in-ar"))
        + _card("Aging of claims with no 835 (days since sent)", _table(
            ("Age", "Claims", "Charges"), aging, "aging"))
        + "</div>"
    )  # fmt: skip


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], name: str) -> str:
    if not rows:
        return "<p class='empty'>None.</p>"
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(
            f"<td class='{'n' if isinstance(c, int) or str(c).startswith('$') else ''}'>"
            f"{escape(_text(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )  # fmt: skip
    return (
        f"<table data-table='{name}'><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
    )


def _card(title: str, body: str) -> str:
    return f"<div class='card'><h2>{escape(title)}</h2>{body}</div>"


def _money(cents: int) -> str:
    return f"${Decimal(int(cents)).scaleb(-2):,.2f}"


def _money_bars(labels: Sequence, cents: Sequence, color: str) -> str:
    cents = [int(c) for c in cents]
    return _hbars([str(x) for x in labels], [c / 100 for c in cents],
                  [_money(c) for c in cents], color)  # fmt: skip


def _hbars(labels: Sequence[str], values: Sequence[float], texts: Sequence[str], color: str) -> str:
    """Horizontal bars: the whole label (wrapped), bar scaled to the largest value, value."""
    if not labels:
        return "<p class='empty'>No denials in the window.</p>"
    width, label_w, text_w, bar_h, gap, line_h = 560, 220, 110, 20, 8, 12
    top = max(max(values), 1e-9)
    wrapped = [_wrap(label, 34) for label in labels]
    heights = [max(bar_h, line_h * len(lines) + 6) for lines in wrapped]
    height = sum(heights) + gap * (len(labels) + 1)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' role='img'>"]  # fmt: skip
    span = width - label_w - text_w
    y = gap
    for lines, label, value, text, h in zip(wrapped, labels, values, texts, heights, strict=True):
        w = max(span * value / top, 2 if value > 0 else 0)
        spans = "".join(
            f"<tspan x='{label_w - 6}' dy='{line_h if i else 0}'>{escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        parts.append(
            f"<text x='{label_w - 6}' y='{y + 12}' font-size='11' text-anchor='end'>{spans}</text>"
            f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{color}'>"
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
            f"<text x='{label_w + w + 4:.1f}' y='{y + 14}' font-size='11'>{escape(text)}</text>"
        )
        y += h + gap
    parts.append("</svg>")
    return "".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    """Whole words on lines of at most ``width`` characters (a longer word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _trend(trend: pd.DataFrame) -> str:
    """Daily denied dollars as columns, denial rate as a line on its own 0-100% scale."""
    width, height, left, bottom, top_pad = 1160, 260, 60, 40, 16
    days = len(trend)
    if not days:
        return "<p class='empty'>No days.</p>"
    plot_w, plot_h = width - left - 50, height - bottom - top_pad
    step = plot_w / days
    cents = [int(c) for c in trend["denied_cents"]]
    peak = max(max(cents), 1)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img'>",
        f"<line x1='{left}' y1='{top_pad + plot_h}' x2='{left + plot_w}' y2='{top_pad + plot_h}' "
        "stroke='#999'/>",
        f"<text x='4' y='{top_pad + 10}' font-size='11'>{escape(_money(peak))}</text>",
        f"<text x='{left + plot_w + 6}' y='{top_pad + 10}' font-size='11'>100%</text>",
    ]
    points = []
    for i, row in enumerate(trend.to_dict("records")):
        x = left + i * step
        h = plot_h * cents[i] / peak
        parts.append(
            f"<rect x='{x + 2:.1f}' y='{top_pad + plot_h - h:.1f}' width='{max(step - 4, 1):.1f}' "
            f"height='{h:.1f}' fill='{BAR_COLORS['trend']}'><title>{row['date']}: "
            f"{_money(cents[i])}, {row['denied']}/{row['adjudicated']} claims denied</title></rect>"
        )
        if row["adjudicated"]:
            rate = row["denied"] / row["adjudicated"]
            points.append(f"{x + step / 2:.1f},{top_pad + plot_h * (1 - rate):.1f}")
        if i % 5 == 0 or i == days - 1:
            parts.append(
                f"<text x='{x + step / 2:.1f}' y='{height - 18}' font-size='10' "
                f"text-anchor='middle'>{pd.Timestamp(row['date']).strftime('%m-%d')}</text>"
            )
    if points:
        parts.append(
            f"<polyline points='{' '.join(points)}' fill='none' "
            f"stroke='{BAR_COLORS['trend_line']}' stroke-width='3'/>"
        )
        parts.extend(
            f"<circle cx='{p.split(',')[0]}' cy='{p.split(',')[1]}' r='4' "
            f"fill='{BAR_COLORS['trend_line']}'/>"
            for p in points
        )
    parts.append("</svg>")
    return "".join(parts)


def _top_table(top: pd.DataFrame) -> str:
    if not len(top):
        return "<p class='empty'>Nothing open.</p>"
    head = ("#", "Item ID", "Queue", "Claim", "Payer", "Category", "Code", "RARCs",
            "Recoverable", "Due", "Days left", "Status", "Why", "What to do")  # fmt: skip
    rows = []
    for r in top.to_dict("records"):
        days = r["days_left"]
        days_left = None if pd.isna(days) else int(days)
        css = "past" if days_left is not None and days_left < 0 else ""
        css = css or ("soon" if days_left is not None and days_left <= 7 else "")
        code = "-".join(str(x) for x in (r["group"], r["code"]) if _text(x))
        cells = (r["rank"], r["item_id"], r["queue"], r["clm01"], r["payer_id"], r["category"],
                 code, r["rarcs"])  # fmt: skip
        rows.append(
            f"<tr class='{css}'>"
            + "".join(f"<td>{escape(_text(c))}</td>" for c in cells)
            + f"<td class='n'>{_money(int(r['recoverable_cents']))}</td>"
            + f"<td>{escape(_text(r['due_date']))}</td>"
            + f"<td class='n'>{'' if days_left is None else days_left}</td>"
            + f"<td>{escape(_text(r['status']))}</td>"
            + f"<td>{escape(_text(r.get('why')))}</td>"
            + f"<td>{escape(_text(r.get('action')))}</td></tr>"
        )
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _text(value: object) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)
