"""The after-action review as a PDF (reportlab) and as a self-contained HTML page, charts included.

Plain Python (no Qt): the same export serves the Review view and ``deescal review export``.
Files are written next to the target and moved into place, so a failed export leaves nothing half
written.
"""

from __future__ import annotations

import contextlib
import html
import math
import os
from collections.abc import Sequence
from pathlib import Path

from deescal.app.debrief import Debrief, Evidence, build_debrief, quote
from deescal.app.errors import UserFacingError
from deescal.app.review import GOOD_SCORE, ReferenceComparison, ReviewTurn, SessionReview

SCORE_COLOUR, TENSION_COLOUR = "#1f77b4", "#d62728"
Series = tuple[str, str, list[tuple[float, float]]]  # label, colour, points (turn index, value)


def chart_series(review: SessionReview) -> tuple[Series, Series]:
    """Score (0-100) and the tension after it (0-10) per trainee line, against the turn number."""
    scores = [(t.number, t.score) for t in review.scored_turns]
    tension = [(t.number, t.tension) for t in review.officer_turns if t.tension is not None]
    return ("Score (0-100)", SCORE_COLOUR, scores), ("Tension (0-10)", TENSION_COLOUR, tension)


def summary_rows(review: SessionReview) -> list[tuple[str, str]]:
    """The facts at the top of a review (also the Review page's summary line)."""
    s = review.session
    approved = f"yes, by {s.approved_by or '?'} on {(s.approved_at or '')[:10]}" if s.approved else "no"
    mean = review.mean_score
    return [
        ("Scenario", f"{s.title or ''} ({s.case_id or ''})"),
        ("Trainee", s.trainee or "not recorded"),
        ("Started", (s.started_at or "").replace("T", " ")[:16]),
        ("Outcome", s.status or ""),
        ("Tension", f"{_num(s.initial_tension)} at start, {_num(s.final_tension)} at the end"),
        (
            "Mean score",
            "not scored" if mean is None else f"{mean:.0f} / 100 over {len(review.scored_turns)} turns",
        ),
        ("Approved for fine-tuning", approved),
    ]


def _num(value) -> str:
    return "?" if value is None else f"{value:.1f}"


def _turn_score_text(turn: ReviewTurn) -> str:
    if not turn.is_officer:
        return ""
    if turn.score is None:
        return "not scored"
    text = f"{turn.score:.0f}"
    if turn.override_score is not None and turn.auto_score is not None:
        text += f" (instructor; scorer {turn.auto_score:.0f})"
    return text


def _technique_text(turn: ReviewTurn) -> str:
    return "; ".join(("+ " if h.polarity > 0 else "- ") + h.label for h in turn.techniques)


def _number(turn: ReviewTurn) -> str:
    """The turn number shown in a transcript: on the trainee's lines only."""
    return str(turn.number) if turn.is_officer else ""


def _extremes(review: SessionReview) -> list[tuple[str, list[ReviewTurn], str]]:
    """(heading, turns, what to say when there are none) for the strongest and weakest turns."""
    return [
        ("Strongest turns", review.strongest(), f"No turn scored {GOOD_SCORE} or more."),
        ("Weakest turns", review.weakest(), f"No turn scored below {GOOD_SCORE}: none to work on."),
    ]


def _evidence_text(evidence: list[Evidence]) -> str:
    return "; ".join(quote(e) for e in evidence)


def _turns_text(turns: list[int]) -> str:
    return f"turn{'s' if len(turns) > 1 else ''} {', '.join(map(str, turns))}" if turns else ""


def debrief_rows(debrief: Debrief) -> list[tuple[str, list[tuple[str, list[Evidence]]]]]:
    """The debrief as (section, [(text, evidence)]): one layout for the page, the PDF, HTML and the CLI."""
    sections = [
        ("What went well", [(p.text, p.evidence) for p in debrief.went_well]),
        ("What to try next time", [(p.text, p.evidence) for p in debrief.to_try]),
        (
            "Learning objectives",
            [(f"{o.objective}: {o.status.upper()}. {o.note}", o.evidence) for o in debrief.objectives],
        ),
        ("Critical moments", [(m.text, m.evidence) for m in debrief.critical_moments]),
        (
            "Framework terms (LEAPS, ICAT, procedural justice)",
            [
                (
                    f"{f.framework}: {f.term}: {f.status}"
                    + (f" ({_turns_text(f.shown_in)})" if f.shown_in else "")
                    + (f"; against it at {_turns_text(f.against_in)}" if f.against_in else ""),
                    f.evidence,
                )
                for f in debrief.frameworks
            ],
        ),
    ]
    return [(heading, rows) for heading, rows in sections if rows]


def debrief_html(debrief: Debrief) -> str:
    """The debrief as an HTML fragment; each quoted turn links to ``#turn-N`` (its transcript row)."""
    e = html.escape
    out = [f"<h2>Debrief</h2><p>{e(debrief.summary)}</p>"]
    out += [f"<p class='muted'>{e(note)}</p>" for note in debrief.notes]
    for heading, items in debrief_rows(debrief):
        out.append(f"<h3>{e(heading)}</h3><ul>")
        for text, evidence in items:
            quotes = "; ".join(
                f"<a href='#turn-{item.turn}'>turn {item.turn}</a>: “{e(item.words)}”" for item in evidence
            )
            out.append(
                f"<li>{e(text)}" + (f"<br><span class='muted'>{quotes}</span>" if quotes else "") + "</li>"
            )
        out.append("</ul>")
    return "".join(out)


def _note_text(turn: ReviewTurn) -> str:
    parts = [turn.feedback] if turn.feedback else []
    if turn.mark:
        parts.append(f"Instructor marked {turn.mark}.")
    if turn.comment:
        parts.append(f"Instructor: {turn.comment}")
    return " ".join(parts)


def _write_atomically(path: str | os.PathLike[str], write) -> Path:
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
        partial.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise UserFacingError(f"Could not write {target}: {exc.strerror or exc}") from exc
    return target


# -- PDF ---------------------------------------------------------------------------------------
def _pdf_chart(series: Series, y_max: float, width: float, height: float):
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    label, colour, points = series
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, label, fontName="Helvetica-Bold", fontSize=9))
    if not points:
        drawing.add(String(40, height / 2, "no data", fontName="Helvetica", fontSize=9))
        return drawing
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 30, 20, width - 45, height - 40
    plot.data = [points if len(points) > 1 else points * 2]
    plot.lines[0].strokeColor = colors.HexColor(colour)
    plot.lines[0].strokeWidth = 1.5
    plot.lines[0].symbol = makeMarker("FilledCircle", size=3)
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, y_max
    plot.yValueAxis.valueStep = y_max / 5
    plot.xValueAxis.valueMin = 1
    plot.xValueAxis.valueMax = max(2, max(x for x, _ in points))
    plot.xValueAxis.labelTextFormat = "%d"
    plot.xValueAxis.labels.fontSize = plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    drawing.add(String(width / 2, 2, "turn", fontName="Helvetica", fontSize=7))
    return drawing


def export_pdf(
    review: SessionReview, path: str | os.PathLike[str], comparisons: Sequence[ReferenceComparison] = ()
) -> Path:
    """Writes the review as an A4 PDF: summary, charts, debrief, strongest/weakest turns, techniques, transcript."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)

    def p(text: str, style=small) -> Paragraph:
        return Paragraph(html.escape(text or ""), style)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story = [Paragraph(html.escape(review.title), styles["Title"])]
    story.append(Table([[p(k), p(v)] for k, v in summary_rows(review)], colWidths=[45 * mm, 125 * mm]))
    if review.session_comment:
        story += [Spacer(1, 4 * mm), p(f"Instructor's note: {review.session_comment}", styles["BodyText"])]
    score_series, tension_series = chart_series(review)
    story += [
        Spacer(1, 4 * mm),
        Table(
            [
                [
                    _pdf_chart(score_series, 100, 80 * mm, 55 * mm),
                    _pdf_chart(tension_series, 10, 80 * mm, 55 * mm),
                ]
            ]
        ),
    ]
    debrief = build_debrief(review)
    story.append(Paragraph("Debrief", styles["Heading1"]))
    story += [p(debrief.summary, styles["BodyText"])] + [
        p(note, styles["BodyText"]) for note in debrief.notes
    ]
    for heading, items in debrief_rows(debrief):
        story.append(Paragraph(heading, styles["Heading2"]))
        rows = [[p(text), p(_evidence_text(evidence))] for text, evidence in items]
        story.append(Table(rows, colWidths=[95 * mm, 75 * mm], style=grid))
    for heading, turns, none in _extremes(review):
        story.append(Paragraph(heading, styles["Heading2"]))
        if not turns:
            story.append(p(none, styles["BodyText"]))
            continue
        rows = [[p("Turn"), p("Score"), p("What the trainee said"), p("Why")]]
        rows += [[p(_number(t)), p(_turn_score_text(t)), p(t.text), p(_note_text(t))] for t in turns]
        story.append(Table(rows, colWidths=[12 * mm, 22 * mm, 80 * mm, 56 * mm], style=grid, repeatRows=1))
    counts = review.technique_counts()
    if counts:
        story.append(Paragraph("Techniques", styles["Heading2"]))
        rows = [[p("Technique"), p("Calming / escalating"), p("Turns")]]
        rows += [[p(h.label), p("calming" if h.polarity > 0 else "escalating"), p(str(n))] for h, n in counts]
        story.append(Table(rows, colWidths=[80 * mm, 50 * mm, 20 * mm], style=grid, repeatRows=1))
    if comparisons:
        story.append(Paragraph("Compared with the real officer", styles["Heading2"]))
        rows = [[p("Trainee"), p("Real officer"), p("ROUGE-L / BLEU-4 / METEOR / BERTScore")]]
        rows += [[p(c.trainee_text), p(c.reference_text), p(_metrics_text(c.metrics))] for c in comparisons]
        story.append(Table(rows, colWidths=[65 * mm, 65 * mm, 40 * mm], style=grid, repeatRows=1))
    story.append(Paragraph("Transcript", styles["Heading2"]))
    rows = [[p("#"), p("Speaker"), p("Said"), p("Score"), p("Techniques and feedback")]]
    for t in review.turns:
        notes = "\n".join(x for x in (_technique_text(t), _note_text(t)) if x)
        rows.append([p(_number(t)), p(t.role), p(t.text), p(_turn_score_text(t)), p(notes)])
    story.append(
        Table(rows, colWidths=[8 * mm, 18 * mm, 72 * mm, 22 * mm, 50 * mm], style=grid, repeatRows=1)
    )

    def write(partial: Path) -> None:
        doc = SimpleDocTemplate(
            str(partial), pagesize=A4, title=review.title, author="DeEscal Trainer",
            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        )  # fmt: skip
        doc.build(story)

    return _write_atomically(path, write)


def _metrics_text(metrics: dict[str, float]) -> str:
    keys = ("rougeL", "bleu4", "meteor", "bertscore_f1")
    return " / ".join(f"{metrics[k]:.2f}" if k in metrics else "-" for k in keys)


# -- HTML --------------------------------------------------------------------------------------
def svg_line_chart(series: Series, y_max: float, width: int = 420, height: int = 220) -> str:
    """A small standalone SVG line chart (no scripts, no external files)."""
    label, colour, points = series
    left, right, top, bottom = 36, 10, 24, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max([2.0] + [x for x, _ in points])

    def sx(x: float) -> float:
        return left + (x - 1) / (x_max - 1) * plot_w

    def sy(y: float) -> float:
        return top + plot_h - y / y_max * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(label)}" font-family="sans-serif" font-size="10">',
        f'<text x="0" y="14" font-weight="bold" font-size="12">{html.escape(label)}</text>',
    ]
    for step in range(6):
        value = y_max * step / 5
        y = sy(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{value:g}</text>')
    step = max(1, math.ceil((x_max - 1) / 10))
    for turn in range(1, int(x_max) + 1, step):
        parts.append(
            f'<text x="{sx(turn):.1f}" y="{top + plot_h + 12:.1f}" text-anchor="middle">{turn}</text>'
        )
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 2}" text-anchor="middle">turn</text>')
    if points:
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}"/>' for x, y in points]
    else:
        parts.append(f'<text x="{left + 20}" y="{top + plot_h / 2:.0f}">no data</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;
vertical-align:top;text-align:left;font-size:.9rem}th{background:#eee}.officer{background:#f4f8ff}
.pos{color:#17702a}.neg{color:#b00020}.charts{display:flex;gap:1rem;flex-wrap:wrap}.muted{color:#666}
"""


def render_html(review: SessionReview, comparisons: Sequence[ReferenceComparison] = ()) -> str:
    e = html.escape
    out = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(review.title)}</title>",
        f"<style>{_CSS}</style></head><body><h1>{e(review.title)}</h1><table>",
    ]
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in summary_rows(review)]
    out.append("</table>")
    if review.session_comment:
        out.append(f"<p><b>Instructor's note:</b> {e(review.session_comment)}</p>")
    score_series, tension_series = chart_series(review)
    out.append(
        f"<div class='charts'>{svg_line_chart(score_series, 100)}{svg_line_chart(tension_series, 10)}</div>"
    )
    out.append(f"<section id='debrief'>{debrief_html(build_debrief(review))}</section>")
    for heading, turns, none in _extremes(review):
        out.append(f"<h2>{heading}</h2>")
        if not turns:
            out.append(f"<p>{e(none)}</p>")
            continue
        out.append("<table><tr><th>Turn</th><th>Score</th><th>Said</th><th>Why</th></tr>")
        out += [
            f"<tr><td>{_number(t)}</td><td>{e(_turn_score_text(t))}</td><td>{e(t.text)}</td>"
            f"<td>{e(_note_text(t))}</td></tr>"
            for t in turns
        ]
        out.append("</table>")
    counts = review.technique_counts()
    if counts:
        out.append("<h2>Techniques</h2><table><tr><th>Technique</th><th>Turns</th></tr>")
        out += [
            f"<tr><td class='{'pos' if h.polarity > 0 else 'neg'}'>{e(h.label)}</td><td>{n}</td></tr>"
            for h, n in counts
        ]
        out.append("</table>")
    if comparisons:
        out.append("<h2>Compared with the real officer</h2><table><tr><th>Trainee</th><th>Real officer</th>")
        out.append("<th>ROUGE-L / BLEU-4 / METEOR / BERTScore</th></tr>")
        out += [
            f"<tr><td>{e(c.trainee_text)}</td><td>{e(c.reference_text)}</td><td>{_metrics_text(c.metrics)}</td></tr>"
            for c in comparisons
        ]
        out.append("</table>")
    out.append(
        "<h2>Transcript</h2><table><tr><th>#</th><th>Speaker</th><th>Said</th><th>Score</th><th>Notes</th></tr>"
    )
    for t in review.turns:
        hits = "<br>".join(
            f"<span class='{'pos' if h.polarity > 0 else 'neg'}'>{'+' if h.polarity > 0 else '−'} {e(h.label)}</span>"
            f" <span class='muted'>“{e(h.evidence)}”</span>"
            for h in t.techniques
        )
        note = e(_note_text(t))
        anchor = f" id='turn-{t.number}'" if t.is_officer else ""
        out.append(
            f"<tr class='{e(t.role)}'{anchor}><td>{_number(t)}</td>"
            f"<td>{e(t.role)}</td><td>{e(t.text)}</td>"
            f"<td>{e(_turn_score_text(t))}</td><td>{hits}{'<br>' if hits and note else ''}{note}</td></tr>"
        )
    out.append("</table><p class='muted'>Exported by DeEscal Trainer.</p></body></html>")
    return "\n".join(out)


def export_html(
    review: SessionReview, path: str | os.PathLike[str], comparisons: Sequence[ReferenceComparison] = ()
) -> Path:
    text = render_html(review, comparisons)
    return _write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"))
