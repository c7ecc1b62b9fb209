"""Charts evaluation reports routinely carry: coded evidence by criterion (or question) and stakeholder group as a
heatmap, and informants by stakeholder group and sex as bars. One drawing serves both outputs: SVG (inline in the
HTML report, text kept as text) and PNG (in the Word annexes).

matplotlib is imported only when a chart is drawn, through its object API with the Agg canvas: no display, no
global backend switched, no pyplot state shared with anything else in the process. Labels are data, so they are
drawn as plain text (a "$" in a group name is not mathematics).
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store import Project

# colour-blind-safe, prints in grey: light yellow to dark blue for counts; orange / blue / grey for sex
HEAT_CMAP = "YlGnBu"
SEX_COLOURS = {"Women": "#d55e00", "Men": "#0072b2", "Other": "#009e73", "Not recorded": "#bbbbbb"}
FONT = "DejaVu Sans"  # ships with matplotlib, covers Vietnamese diacritics


@dataclass
class Chart:
    """A drawn chart: its title (for a caption), a one-line text alternative, and the two renderings."""

    title: str
    alt: str
    svg: str
    png: bytes
    data: dict[str, Any] = field(default_factory=dict)


def _wrap(label: str, width: int) -> str:
    # words are never cut ("Governme-nt"); a long word gets a line of its own and the font shrinks to fit it
    return "\n".join(textwrap.wrap(str(label), width=width, break_long_words=False)) or str(label)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "\u2026"


def _render(fig: Any, formats: tuple[str, ...] = ("svg", "png")) -> tuple[str, bytes]:
    """The figure as SVG text and PNG bytes (each only when asked: a Word file needs no SVG, the HTML report no
    PNG, and drawing takes most of a chart's time)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    png = b""
    if "png" in formats:
        png_buf = io.BytesIO()
        fig.savefig(png_buf, format="png", dpi=200, metadata={"Software": None}, bbox_inches="tight")
        png = png_buf.getvalue()
    if "svg" not in formats:
        return "", png
    svg_buf = io.StringIO()
    # the same input gives the same file: no date, fixed ids
    fig.savefig(svg_buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = svg_buf.getvalue()
    # inline in HTML: no XML declaration or DOCTYPE, and a responsive width
    svg = svg[svg.index("<svg"):]
    # shown at its drawn size (points to CSS pixels), never wider than the page
    m = re.search(r'<svg[^>]*? width="([\d.]+)pt"', svg)
    natural = f"{float(m.group(1)) * 4 / 3:.0f}px" if m else "100%"
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                 rf'<svg\1 role="img" style="width:{natural};max-width:100%;height:auto"', svg, count=1)
    return svg, png


def _settings() -> Any:
    import matplotlib

    return matplotlib.rc_context({
        "text.parse_math": False, "svg.fonttype": "none", "svg.hashsalt": "qualcode", "font.family": "sans-serif",
        "font.sans-serif": [FONT, "Arial", "Liberation Sans"], "font.size": 9, "axes.titlesize": 10,
    })


def heatmap(rows: list[str], cols: list[str], counts: list[list[int]], *, title: str, row_label: str,
            value_label: str = "coded passages", secondary: list[list[int]] | None = None,
            secondary_label: str = "informants", formats: tuple[str, ...] = ("svg", "png")) -> Chart:
    """A heatmap of ``counts`` (rows x cols), each cell labelled with its count (and ``secondary`` in brackets);
    empty cells are white with a dash, so a silent group stands out."""
    import matplotlib as mpl
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    n_rows, n_cols = max(len(rows), 1), max(len(cols), 1)
    with _settings():
        # drawn at the size it is printed (a page's text width), so 8-point labels stay 8 points in Word
        width = min(6.6, 2.4 + 0.62 * n_cols)
        cell_pt = (width - 2.4) / n_cols * 72
        col_chars = max(8, int(cell_pt / 4.0))
        longest = max((len(w) for c in cols for w in _wrap(c, col_chars).splitlines()), default=1)
        col_font = max(5.5, min(7.5, cell_pt / (0.58 * longest)))
        head = max((len(_wrap(c, col_chars).splitlines()) for c in cols), default=1)
        height = min(13.0, 0.5 + 0.14 * head + 0.34 * n_rows)
        fig = Figure(figsize=(width, height), facecolor="white")
        ax = fig.add_subplot()
        peak = max([v for r in counts for v in r] or [0]) or 1
        base = mpl.colormaps[HEAT_CMAP]
        cmap = ListedColormap([base(0.08 + 0.84 * i / 255) for i in range(256)]).with_extremes(bad="#ffffff")
        # no stakeholder groups yet (a project without a case sheet): one empty column, not a zero-width image that
        # matplotlib warns about on the user's terminal
        masked = [[(v / peak if v else float("nan")) for v in r] or [float("nan")] for r in counts] or [[float("nan")]]
        ax.imshow(masked, cmap=cmap, vmin=0, vmax=1, aspect="auto")
        for i, r in enumerate(counts):
            for j, v in enumerate(r):
                text = "\u2013" if not v else (f"{v}\n({secondary[i][j]})" if secondary is not None else str(v))
                dark = bool(v) and v / peak > 0.55
                ax.text(j, i, text, ha="center", va="center", fontsize=7, linespacing=1.0,
                        color="#ffffff" if dark else "#222222")
        ax.set_xticks(range(len(cols)), [_wrap(c, col_chars) for c in cols], fontsize=col_font)
        ax.set_yticks(range(len(rows)), [_wrap(r, 36) for r in rows], fontsize=7.5)
        ax.tick_params(length=0)
        ax.xaxis.tick_top()
        ax.set_xticks([x - 0.5 for x in range(1, len(cols))], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
        ax.grid(which="minor", color="#ffffff", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        note = f"Cells: {value_label}" + (f" ({secondary_label})" if secondary is not None else "")
        ax.set_xlabel(note, fontsize=7, color="#555555")
        svg, png = _render(fig, formats)
    silent = sum(1 for r in counts for v in r if not v)
    alt = (f"{title}: {len(rows)} rows ({row_label}) by {len(cols)} stakeholder groups; the largest cell holds {peak}"
           f" {value_label}; {silent} cells are empty")
    return Chart(title, alt, svg, png, {"rows": rows, "cols": cols, "counts": counts})


def sex_bars(groups: list[str], by_sex: dict[str, list[int]], *, title: str,
             formats: tuple[str, ...] = ("svg", "png")) -> Chart:
    """Horizontal stacked bars: informants per stakeholder group, split by sex, with each bar's parts labelled."""
    from matplotlib.figure import Figure

    with _settings():
        fig = Figure(figsize=(6.0, 0.9 + 0.3 * max(len(groups), 1)), facecolor="white")
        ax = fig.add_subplot()
        left = [0] * len(groups)
        ys = list(range(len(groups)))
        for label, values in by_sex.items():
            if not any(values):
                continue
            bars = ax.barh(ys, values, left=left, color=SEX_COLOURS.get(label, "#999999"), label=label, height=0.62)
            ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", color="#ffffff",
                         fontsize=8)
            left = [a + b for a, b in zip(left, values, strict=True)]
        for y, total in zip(ys, left, strict=True):
            ax.text(total + 0.15, y, str(total), va="center", fontsize=8, color="#333333")
        ax.set_yticks(ys, [_wrap(g, 28) for g in groups], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, max(left or [1]) * 1.12 + 0.5)
        ax.set_xlabel("informants", fontsize=8, color="#555555")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        drawn = [v for v in by_sex.values() if any(v)]
        if drawn:  # no one counted by sex: no legend (matplotlib would warn on stderr of an empty one)
            ax.legend(loc="lower right", fontsize=8, frameon=False, ncols=len(drawn), bbox_to_anchor=(1.0, 1.0))
        svg, png = _render(fig, formats)
    totals = {k: sum(v) for k, v in by_sex.items() if any(v)}
    counted = ", ".join(f"{k.lower()} {v}" for k, v in totals.items()) or "no informant's sex recorded"
    alt = f"{title}: {counted} in {len(groups)} groups"
    return Chart(title, alt, svg, png, {"groups": groups, "by_sex": by_sex})


# ---------------------------------------------------------------------------------------------- from a project


def criterion_heatmap(project: Project, *, rows: str = "criterion", evidence: list[dict[str, Any]] | None = None,
                      coders: list[str] | None = None, formats: tuple[str, ...] = ("svg", "png")) -> Chart:
    """Coded passages (and informants) per criterion (``rows="code"``: per evaluation question) and stakeholder
    group, every group of the case sheet shown (a silent group is an empty column)."""
    from qualcode.synthesis.evidence import load_evidence
    from qualcode.synthesis.matrices import matrix

    ev = load_evidence(project, coders=coders) if evidence is None else evidence
    units = matrix(project, rows=rows, cols="stakeholder_group", count="units", evidence=ev, with_refs=False)
    people = matrix(project, rows=rows, cols="stakeholder_group", count="informants", evidence=ev, with_refs=False)
    keep = list(range(len(units["rows"])))
    if rows == "code":
        from qualcode.synthesis.evidence import criteria

        # one row per evaluation question (a criterion without questions is its own row): a criterion's row would
        # hold only what was coded to it directly, which reads as an empty row above its questions
        parents = {code["parent"] for c in criteria(project) for code in c["codes"] if code["parent"]}
        keep = [i for i, r in enumerate(units["rows"]) if r["id"] not in parents]
    names = [_short(units["rows"][i]["name"], 60) for i in keep]
    units["counts"] = [units["counts"][i] for i in keep]
    people["counts"] = [people["counts"][i] for i in keep]
    title = ("Coded passages by criterion and stakeholder group" if rows == "criterion"
             else "Coded passages by evaluation question and stakeholder group")
    chart = heatmap(names, list(units["cols"]), units["counts"], title=title,
                    row_label="criterion" if rows == "criterion" else "evaluation question",
                    secondary=people["counts"], formats=formats)
    return chart


def informants_chart(summary: dict[str, Any], *, formats: tuple[str, ...] = ("svg", "png")) -> Chart:
    """Informants per stakeholder group and sex (the persons-consulted figure), from the persons-consulted summary
    (:func:`qualcode.exports.annexes.persons_summary`, which builds on this module rather than the other way)."""
    shown = [g for g in summary["groups"] if not g.get("withheld")]
    groups = [g["group"] for g in shown]
    by_sex = {label: [g["sex"].get(label, 0) for g in shown] for label in SEX_COLOURS}
    if len(shown) < len(summary["groups"]) and not summary["total"].get("withheld"):
        # groups too small to show by sex are drawn as one bar: the totals less the groups shown
        groups.append("Smaller groups, combined")
        for label in SEX_COLOURS:
            by_sex[label].append(summary["total"]["sex"].get(label, 0) - sum(by_sex[label]))
    return sex_bars(groups, by_sex, title="Informants by stakeholder group and sex", formats=formats)
