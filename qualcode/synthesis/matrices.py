"""Matrices: the coded evidence as a crosstab (codes or criteria x stakeholder groups or any case attribute), and a
code co-occurrence matrix. Every cell keeps the references of its passages, so a reader can walk from a number to
the quotes behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.synthesis.evidence import (
    DOCUMENTS,
    UNKNOWN,
    criteria,
    load_evidence,
    ref_sort_key,
    source_type,
    stakeholder_groups,
)

if TYPE_CHECKING:
    from qualcode.store import Project

ROWS = ("code", "criterion")
COUNTS = ("units", "informants", "transcripts")
COLUMN_ALIASES = {"group": "stakeholder_group", "stakeholder": "stakeholder_group", "source": "type",
                  "source_type": "type"}


def _col_values(row: dict[str, Any], col: str) -> list[str]:
    if col == "stakeholder_group":
        return [row["group"]]
    if col == "type":
        return [row["source_type"]]
    if col == "transcript":
        return [row["transcript"]]
    if col == "coder":
        return [row["coder"]]
    value = row["attributes"].get(col)
    if value is None or str(value).strip() == "":
        return [UNKNOWN]
    # multi-valued attributes ("Sectoral dialogue; Collective agreement") count once under each value
    parts = [p.strip() for p in str(value).split(";") if p.strip()]
    return parts or [UNKNOWN]


def _count_key(row: dict[str, Any], count: str) -> str:
    if count == "units":
        return row["ref"]
    if count == "informants":
        return row["informant"]
    return row["transcript"]


def matrix(
    project: Project,
    *,
    rows: str = "criterion",
    cols: str = "stakeholder_group",
    count: str = "units",
    evidence: list[dict[str, Any]] | None = None,
    with_refs: bool = True,
    coders: list[str] | None = None,
) -> dict[str, Any]:
    """Crosstab of the coded evidence (built with pandas).

    ``rows``: ``code`` or ``criterion`` (a criterion's evidence includes its questions' codings). ``cols``:
    ``stakeholder_group`` or any case/transcript attribute (``location``, ``sex``, ``type``, ``organisation_type``
    ...). ``count``: distinct ``units`` (passages; a passage coded by two coders counts once), ``informants`` or
    ``transcripts``. Every code (or criterion) of the codebook and every stakeholder group is present, so gaps show
    as zeros. ``refs[row][col]`` lists the passages behind each cell. ``coders`` counts only those coders' codings
    (``evidence``, rows of :func:`load_evidence`, replaces the project's codings altogether).
    """
    import pandas as pd

    if rows not in ROWS:
        raise QualcodeError(f"cannot make rows of '{rows}'", hint="use --rows code or --rows criterion")
    if count not in COUNTS:
        raise QualcodeError(f"cannot count '{count}'", hint="use --count units, informants or transcripts")
    cols = COLUMN_ALIASES.get(cols, cols)
    crits = criteria(project)
    if rows == "criterion":
        row_ids = [(c["id"], c["name"]) for c in crits]
    else:
        row_ids = [(code["id"], code["name"]) for c in crits for code in c["codes"]]
    records = _records(project, rows, cols, count, coders) if evidence is None else [
        (r["criterion"] if rows == "criterion" else r["code"], value, _count_key(r, count), (r["transcript"], r["idx"]))
        for r in evidence for value in _col_values(r, cols)]
    if cols not in ("stakeholder_group", "type", "transcript", "coder") and records \
            and not any(v != UNKNOWN for _, v, _, _ in records):
        ev = load_evidence(project)
        known = sorted({k for r in ev for k in r["attributes"]} | {"stakeholder_group", "type", "transcript",
                                                                   "coder"})
        raise QualcodeError(f"no passage has the attribute '{cols}'", hint="use one of: " + ", ".join(known))
    df = pd.DataFrame.from_records(records, columns=["row", "col", "key", "ref"])
    col_values: list[str] = sorted(set(df["col"])) if len(df) else []
    if cols == "stakeholder_group":
        col_values = sorted(set(col_values) | set(stakeholder_groups(project)))  # silent groups show as zeros
    for last in (UNKNOWN, DOCUMENTS):  # the unknown column, then the documents' column, go last
        if last in col_values:
            col_values = [v for v in col_values if v != last] + [last]
    row_order = [r for r, _ in row_ids]
    extra = sorted(set(df["row"]) - set(row_order)) if len(df) else []  # codings on codes no longer in the codebook
    row_order += extra
    names = dict(row_ids)
    if len(df):
        distinct = df.drop_duplicates(["row", "col", "key"])
        table = pd.crosstab(distinct["row"], distinct["col"])
        # row totals count distinct keys across columns (one informant in two columns counts once in the total)
        row_totals = df.drop_duplicates(["row", "key"]).groupby("row")["key"].count()
        col_totals = df.drop_duplicates(["col", "key"]).groupby("col")["key"].count()
        grand = int(df["key"].nunique())
    else:
        table = pd.DataFrame()
        row_totals = col_totals = pd.Series(dtype=int)
        grand = 0
    table = table.reindex(index=row_order, columns=col_values, fill_value=0)
    result: dict[str, Any] = {
        "rows_kind": rows,
        "cols_kind": cols,
        "count": count,
        "rows": [{"id": r, "name": names.get(r, r)} for r in row_order],
        "cols": col_values,
        "counts": [[int(v) for v in table.loc[r].tolist()] for r in row_order] if col_values else [[] for _ in
                                                                                                    row_order],
        "row_totals": [int(row_totals.get(r, 0)) for r in row_order],
        "col_totals": [int(col_totals.get(c, 0)) for c in col_values],
        "total": grand,
    }
    if with_refs:
        cells: dict[str, dict[str, set[tuple[str, int]]]] = {}
        for row_id, col, _key, ref in records:
            cells.setdefault(str(row_id), {}).setdefault(str(col), set()).add(ref)
        result["refs"] = {r: {c: [f"{t}:{i}" for t, i in sorted(v)] for c, v in by_col.items()}
                          for r, by_col in cells.items()}
    return result


def _records(project: Project, rows: str, cols: str, count: str, coders: list[str] | None = None
             ) -> list[tuple[str, str, Any, tuple[str, int]]]:
    """(row id, column value, counted key, passage) for every coding of an informant's passage, read with one lean
    query: building full evidence rows for 100,000 codings would cost seconds."""
    import json

    from qualcode.synthesis.reconciled import reconcile, view_coders

    names = view_coders(project, coders)
    recon = reconcile(project) if names is None else None
    sql = """
        SELECT cd.criterion_id, c.code_id, s.transcript_id, s.idx, sp.case_id, s.speaker, k.name, s.id, t.kind
        FROM codings c
        JOIN segments s ON s.id = c.segment_id
        JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version
        JOIN codes cd ON cd.id = c.code_id
        JOIN coders k ON k.id = c.coder_id
        LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker
        WHERE coalesce(sp.role, 'unknown') != 'interviewer'
    """
    args: list[str] = []
    if names is not None:
        sql += f" AND k.name IN ({','.join('?' * len(names))})" if names else " AND 0"
        args.extend(sorted(set(names)))
    t_attrs = {tid: json.loads(a or "{}") for tid, a in project.db.execute("SELECT id, attributes FROM transcripts")}
    c_attrs = {cid: json.loads(a or "{}") for cid, a in project.db.execute("SELECT id, attributes FROM cases")}
    values: dict[tuple[str, str | None], list[str]] = {}
    by_row = rows == "criterion"
    out = []
    for crit, code, tid, idx, case, speaker, coder, seg_id, kind in project.db.execute(sql, args):
        if recon is not None and not recon.keeps(seg_id, code, coder):
            continue
        document = kind == "document"
        vals: list[Any] | None
        if cols == "coder":
            vals = [coder]
        else:
            vals = values.get((tid, case))
            if vals is None:
                attrs = {**t_attrs.get(tid, {}), **c_attrs.get(case, {})}
                fake = {"group": DOCUMENTS if document else str(attrs.get("stakeholder_group") or UNKNOWN),
                        "source_type": "document" if document else source_type(attrs),
                        "transcript": tid, "attributes": attrs, "coder": coder}
                vals = values[(tid, case)] = _col_values(fake, cols)
        if count == "units":
            key: Any = seg_id  # an int factorises much faster than a (transcript, unit) pair
        elif count == "informants":
            # a document is counted once, in the informants' place: it speaks for itself, not for a group
            key = f"document:{tid}" if document else case or f"{tid}/{speaker or '?'}"
        else:
            key = tid
        row_id = crit if by_row else code
        ref = (tid, idx)
        for v in vals:
            out.append((row_id, v, key, ref))
    return out


def matrix_frame(data: dict[str, Any]) -> Any:
    """The matrix as a pandas DataFrame (rows labelled by id, a Total column and row)."""
    import pandas as pd

    df = pd.DataFrame(data["counts"], index=[r["id"] for r in data["rows"]], columns=data["cols"])
    df["Total"] = data["row_totals"]
    df.loc["Total"] = [*data["col_totals"], data["total"]]
    df.index.name = data["rows_kind"]
    return df


def cell_evidence(project: Project, data: dict[str, Any], row: str, col: str, *, coders: list[str] | None = None
                  ) -> list[dict[str, Any]]:
    """The passages behind one cell of a matrix (row id, column value). ``coders``: those the matrix was built
    from, when it was built from some coders' codings, so the passages list only those coders."""
    ids = [r["id"] for r in data["rows"]]
    if row not in ids:
        raise QualcodeError(f"the matrix has no row '{row}'", hint="row ids are code or criterion ids")
    if col not in data["cols"]:
        raise QualcodeError(f"the matrix has no column '{col}'", hint="columns: " + ", ".join(data["cols"]))
    refs = set(data.get("refs", {}).get(row, {}).get(col, []))
    key = "criterion" if data["rows_kind"] == "criterion" else "code"
    if key == "criterion":
        ev = load_evidence(project, criterion=row, coders=coders)
    else:
        ev = load_evidence(project, code=row, coders=coders)
    seen: dict[str, dict[str, Any]] = {}
    for r in ev:
        if r["ref"] in refs and r[key] == row:
            entry = seen.setdefault(r["ref"], {**r, "coders": []})
            if r["coder"] not in entry["coders"]:
                entry["coders"].append(r["coder"])
    return sorted(seen.values(), key=lambda r: ref_sort_key(r["ref"]))


def cell_quotes(project: Project, data: dict[str, Any], row: str, col: str, *, coders: list[str] | None = None,
                show_names: bool = False) -> list[dict[str, Any]]:
    """The passages behind one cell as a reader sees them (``qualcode matrix --cell``): each quote pseudonymised
    (names stay hidden unless ``show_names``) and attributed as the quote banks attribute it, with its code and
    the coders who applied it. ``record`` "notes" marks a passage of interview notes: paraphrase, not a quote."""
    from qualcode.safety.privacy import Attributor, Pseudonymiser

    pseudo = Pseudonymiser(project, enabled=not show_names)
    attribute = Attributor(project, show_names=show_names)
    from qualcode.synthesis.evidence import reference

    return [{"ref": r["ref"], "reference": reference(r["transcript"], r["idx"], seconds=r.get("t_start")),
             "code": r["code"], "group": r["group"], "coders": r["coders"], "attribution": attribute(r),
             "quote": pseudo(r["text"], r["transcript"]).strip(), "record": r.get("record", "verbatim")}
            for r in cell_evidence(project, data, row, col, coders=coders)]


def cooccurrence(project: Project, *, level: str = "code", evidence: list[dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    """How many passages carry both codes (or both criteria), whoever coded them. The diagonal is how many passages
    carry the code at all. Only codes that occur are listed."""
    import pandas as pd

    if level not in ROWS:
        raise QualcodeError(f"cannot compute co-occurrence of '{level}'", hint="use code or criterion")
    ev = load_evidence(project) if evidence is None else evidence
    order = [c["id"] if level == "criterion" else code["id"] for c in criteria(project)
             for code in ([c] if level == "criterion" else c["codes"])]
    pairs = {(r["ref"], r[level]) for r in ev}
    if not pairs:
        return {"level": level, "codes": [], "counts": []}
    df = pd.DataFrame(sorted(pairs), columns=["ref", "code"])
    onehot = pd.crosstab(df["ref"], df["code"]).clip(upper=1)
    co = onehot.T.dot(onehot)
    present = [c for c in order if c in co.index] + sorted(set(co.index) - set(order))
    co = co.reindex(index=present, columns=present, fill_value=0)
    return {"level": level, "codes": present, "counts": [[int(v) for v in co.loc[c].tolist()] for c in present]}
