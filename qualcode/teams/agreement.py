"""Inter-coder agreement, counted on coding units.

Agreement is measured on the **agreement sample**: the transcripts a coder put in it (``qualcode agreement sample
add``). For each code (or criterion), every informant unit of a sample transcript that two or more of the chosen
coders coded is one item; each of those coders decided "present" or "absent" for it. On those items we report percent
agreement, Cohen's kappa (exactly two coders) and Krippendorff's alpha (nominal, two or more coders, missing
decisions allowed). Counting units rather than characters is what evaluators report and what the reference
implementations (scikit-learn's ``cohen_kappa_score``, the ``krippendorff`` package) compute on the same data.

A unit counts as "seen" by a coder when the coder applied at least one code anywhere in its sample transcript. A
transcript outside the sample is never compared, however many names its codings carry (one suggestion accepted by a
colleague does not make a transcript double-coded). Interviewer turns are left out (they are never coded, so they
would only inflate agreement on absences). Agreed codings filed under the consensus coder, and codings filed under a
program's name, are not a coder here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.teams import consensus_coder

if TYPE_CHECKING:
    from qualcode.store import Project

#: Krippendorff's floor for drawing tentative conclusions; 0.8 is the usual "reliable".
THRESHOLD = 0.667
BY_CHOICES = ("code", "criterion")


# ---------------------------------------------------------------------------- the statistics


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Share of items on which two coders gave the same value (None when there are no items)."""
    if len(a) != len(b):
        raise ValueError("both coders need a value for every item")
    if not a:
        return None
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two coders' values on the same items.

    None where kappa is undefined (no items, or chance agreement is already total, e.g. neither coder ever applied
    the code), where scikit-learn returns NaN.
    """
    if len(a) != len(b):
        raise ValueError("both coders need a value for every item")
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    counts_a: dict[Hashable, int] = {}
    counts_b: dict[Hashable, int] = {}
    for x in a:
        counts_a[x] = counts_a.get(x, 0) + 1
    for y in b:
        counts_b[y] = counts_b.get(y, 0) + 1
    expected = sum(counts_a[v] * counts_b.get(v, 0) for v in counts_a) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha (nominal). Each unit lists every coder's value, None where a coder gave none.

    Units with fewer than two values are not pairable and drop out, as in the reference implementation. None when
    alpha is undefined (fewer than two pairable values, or only one value occurs at all).
    """
    # coincidence matrix: o[c, k] = sum over units of (c-k pairs in the unit) / (m_u - 1)
    coincidence: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts: dict[Hashable, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    coincidence[(c, k)] = coincidence.get((c, k), 0.0) + pairs / (m - 1)
    marginals: dict[Hashable, float] = {}
    for (c, _k), o in coincidence.items():
        marginals[c] = marginals.get(c, 0.0) + o
    n = sum(marginals.values())
    if len(marginals) < 2 or n <= 1:
        return None
    observed = sum(o for (c, k), o in coincidence.items() if c != k)
    expected = sum(marginals[c] * marginals[k] for c in marginals for k in marginals if c != k)
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


# ---------------------------------------------------------------------------- agreement on a project


def shared_units(project: Project, coders: list[str] | None = None,
                 transcripts: list[str] | None = None) -> dict[str, Any]:
    """The units of the agreement sample two or more of ``coders`` coded, and which code each coder applied to each.

    Only transcripts in the agreement sample (``qualcode agreement sample add``) are compared, and on each only the
    coders compared there (people, never the consensus coder or a program's name). Returns ``{"coders",
    "transcripts", "units": [segment dicts + "seen_by"], "applied": {segment id: {coder: set of code ids}}}``.
    Raises QualcodeError when there is no sample, or no sample transcript two of the coders coded.
    """
    from qualcode.synthesis.reconciled import sample_coders

    sample = sample_coders(project)
    if not sample:
        raise QualcodeError("this project has no agreement sample",
                            hint="name the transcripts the team double-codes: qualcode agreement sample add"
                                 " TRANSCRIPT")
    consensus = consensus_coder(project)
    known = sorted({c["name"] for c in project.coders()} - {consensus})
    wanted = list(dict.fromkeys(transcripts)) if transcripts else None
    if wanted:
        for t in wanted:
            project.require_transcript(t)
            if t not in sample:
                raise QualcodeError(f"{t} is not in the agreement sample",
                                    hint=f"add it first: qualcode agreement sample add {t}")
    if coders:
        missing = [c for c in coders if c not in known]
        if missing:
            raise NotFoundError(f"no coder '{missing[0]}' in this project",
                                hint=f"coders here: {', '.join(known) or 'none'}")
        if len(set(coders)) < 2:
            raise QualcodeError("agreement needs two different coders", hint="pass --coders A,B")
        chosen = list(dict.fromkeys(coders))
    else:
        chosen = sorted({c for t, cs in sample.items() if len(cs) >= 2 and (wanted is None or t in wanted)
                         for c in cs})
    per_transcript = {t: [c for c in chosen if c in cs] for t, cs in sample.items()
                      if wanted is None or t in wanted}
    common = sorted(t for t, cs in per_transcript.items() if len(cs) >= 2)
    if len(chosen) < 2 or not common:
        who = " and ".join(chosen) if coders else "two coders"
        waiting = ", ".join(f"{t} ({', '.join(sample[t]) or 'nobody'})" for t in sorted(per_transcript))
        raise QualcodeError(
            f"{who} have not both coded a transcript of the agreement sample (coded so far: {waiting})",
            hint="each coder codes the sample transcripts; bring a colleague's work in with 'qualcode merge"
                 " OTHER_PROJECT'",
        )
    units: list[dict[str, Any]] = []
    for t in common:
        seen_by = per_transcript[t]
        for seg in project.segments(t, include_interviewer=False):
            units.append({**seg, "seen_by": seen_by})
    applied: dict[int, dict[str, set[str]]] = {}
    chosen_set = set(chosen)
    for t in common:
        for c in project.codings(transcript=t):
            if c["coder"] in chosen_set and c["coder"] in per_transcript[t]:
                applied.setdefault(c["segment"], {}).setdefault(c["coder"], set()).add(c["code"])
    return {"coders": chosen, "transcripts": common, "units": units, "applied": applied}


def agreement(
    project: Project,
    *,
    coders: list[str] | None = None,
    by: str = "code",
    transcripts: list[str] | None = None,
    threshold: float = THRESHOLD,
) -> dict[str, Any]:
    """Agreement per code (``by="code"``) or per criterion (a unit carries a criterion when any code under it was
    applied), plus a pooled figure over all items, the items under ``threshold`` and every disagreement.

    Alpha is the flagging statistic (it is defined for any number of coders); where it is undefined (nobody
    disagreed and one value only), nothing is flagged.
    """
    if by not in BY_CHOICES:
        raise QualcodeError(f"cannot count agreement by '{by}'", hint="use --by code or --by criterion")
    data = shared_units(project, coders, transcripts)
    chosen: list[str] = data["coders"]
    units: list[dict[str, Any]] = data["units"]
    names = {r["id"]: r["name"] for r in project.code_rows(include_inactive=True)}
    criterion_of = {r["id"]: r["criterion_id"] for r in project.code_rows(include_inactive=True)}
    order = {r["id"]: r["position"] for r in project.code_rows(include_inactive=True)}

    def key_of(code: str) -> str:
        return criterion_of.get(code, code) if by == "criterion" else code

    # per unit: for each item, the coders who applied it
    marks: dict[int, dict[str, set[str]]] = {}
    items: set[str] = set()
    for seg_id, per_coder in data["applied"].items():
        for coder, codes in per_coder.items():
            for code in codes:
                k = key_of(code)
                items.add(k)
                marks.setdefault(seg_id, {}).setdefault(k, set()).add(coder)
    rows = []
    disagreements = []
    pooled_units: list[list[int | None]] = []
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for item in sorted(items, key=lambda i: (order.get(i, 1 << 30), i)):
        matrix: list[list[int | None]] = []
        applied_count = dict.fromkeys(chosen, 0)
        a_vals: list[int] = []
        b_vals: list[int] = []
        agree = 0
        n_disagree = 0
        for u in units:
            who = marks.get(u["id"], {}).get(item, set())
            row = [(1 if c in who else 0) if c in u["seen_by"] else None for c in chosen]
            matrix.append(row)
            for c in who:
                applied_count[c] += 1
            present = [v for v in row if v is not None]
            if len(set(present)) <= 1:
                agree += 1
            else:
                n_disagree += 1
                disagreements.append({
                    "segment": u["id"], "ref": u["ref"], "transcript": u["transcript"], "item": item,
                    "item_name": names.get(item, item),
                    "applied_by": [c for c in chosen if c in who],
                    "not_applied_by": [c for c in u["seen_by"] if c not in who],
                    "speaker": u["speaker"], "text": u["text"],
                })
            if len(chosen) == 2:
                a_vals.append(row[0] or 0)
                b_vals.append(row[1] or 0)
        pooled_units.extend(matrix)
        pooled_a.extend(a_vals)
        pooled_b.extend(b_vals)
        alpha = krippendorff_alpha(matrix)
        kappa = cohen_kappa(a_vals, b_vals) if len(chosen) == 2 else None
        rows.append({
            "id": item,
            "name": names.get(item, item),
            "criterion": criterion_of.get(item, item),
            "units": len(units),
            "applied": applied_count,
            "agree": agree,
            "disagree": n_disagree,
            "percent": agree / len(units) if units else None,
            "kappa": kappa,
            "alpha": alpha,
            "flagged": alpha is not None and alpha < threshold,
        })
    pooled_agree = sum(1 for r in pooled_units if len({v for v in r if v is not None}) <= 1)
    overall = {
        "items": len(pooled_units),
        "percent": pooled_agree / len(pooled_units) if pooled_units else None,
        "kappa": cohen_kappa(pooled_a, pooled_b) if len(chosen) == 2 else None,
        "alpha": krippendorff_alpha(pooled_units),
    }
    # figures are final once every coder compared on a transcript has marked their coding of it done
    from qualcode.synthesis.reconciled import done_marks

    done_by = done_marks(project)
    provisional = [{"transcript": t, "waiting_for": [c for c in chosen if c not in done_by.get(t, [])]}
                   for t in data["transcripts"] if any(c not in done_by.get(t, []) for c in chosen)]
    return {
        "coders": chosen,
        "by": by,
        "threshold": threshold,
        "transcripts": data["transcripts"],
        "provisional": provisional,
        "units": len(units),
        "items": rows,
        "overall": overall,
        "flagged": [r["id"] for r in rows if r["flagged"]],
        "disagreements": disagreements,
    }
