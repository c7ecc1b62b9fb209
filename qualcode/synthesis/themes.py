"""Themes: the coded passages of a criterion (or code) grouped by what they say, each with a label a person would
write, the stance of every passage towards the programme, how each stakeholder group leans and whether groups
diverge, one representative quote per group and the triangulation counts. A theme can be promoted to a draft
finding linked to its passages (:func:`promote_theme`).

How passages are grouped (everything offline, nothing downloaded):

- Each passage becomes a vector of what it is about: its own TF-IDF words and word pairs (sublinear term
  frequency, up to 200 latent semantic directions), plus, with less weight, the words of the interviewer's question
  it answers, the rest of the informant's turn, and the mean of the bundled word-piece vectors (``nlp/vectors.py``)
  weighted by how rare each piece is among the passages. Short answers ("A little.", "That would not have happened
  before.") mean something only in context, and the question asked says much of what an answer is about: the
  context weighs more for a short passage than for a long one.
- Passages are grouped by average-linkage hierarchical clustering on those unit vectors (cosine; on k-means
  micro-clusters above 1,500 passages, so 12,000 passages of a large evaluation take seconds). The number of themes
  is the one with the best silhouette between 3 and about sqrt(passages) (at most :data:`MAX_THEMES`).
- No theme of one passage: a passage the clustering leaves on its own (an outlier) is listed under ``other``, with
  its quote, not numbered as a theme.
- No catch-all theme: a theme holding more than ``max_share`` of the passages (default 40%) is split in two by
  Ward's criterion, as often as needed, and the result says which themes were split. Splits never leave more than
  :data:`MAX_THEMES` themes: the smallest then join their nearest theme (never making a catch-all one).

The same passages, ``k`` and ``seed`` give the same themes. A drafting aid: the evaluator reads the quotes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.synthesis.evidence import UNKNOWN, load_evidence, ref_sort_key

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project

MAX_THEMES = 12  # an evaluator cannot read more for one criterion: themes split off a catch-all merge back to this
# the context (question asked, rest of the turn) weighs more for a short answer than for a long one: its weight is
# scaled by CONTEXT_WORDS / the passage's words, within these bounds ("A little." needs its question; a paragraph
# says what it is about)
CONTEXT_WORDS = 10
CONTEXT_FLOOR, CONTEXT_CEIL = 0.5, 2.0
LSA_DIMS = 200
MAX_SHARE = 0.4
DIRECT_LIMIT = 1500  # above this many passages, Ward runs on k-means micro-clusters
MICRO_CLUSTERS = 200
MICRO_SAMPLE = 5000
KEY_PHRASE_SAMPLE = 150
LABEL_WIDTH = 90
LABEL_CONTRAST_EXTRA = 30
LABEL_OVERRUN = 25
LABEL_LEAN_BONUS = 3.0
LABEL_NO_VERB = 6.0
LABEL_CUT = 1.5
_VERBS = frozenset("""is was were are be been being has have had do did does can could will would should must may might
isn't wasn't weren't aren't hasn't haven't didn't doesn't don't can't couldn't won't wouldn't shouldn't 's 're get got
gets make made makes go went goes come came comes take took takes give gave gives say said says see saw sees know knew
knows think thought thinks need needs want wants use uses work works help helps pay pays show shows feel felt find
found keep kept leave left tell told ask asks become became run ran runs sit sat hold held bring brought meet met
""".split())
_LEAN_STANCE = {"positive": "supports", "critical": "criticises"}
LABEL_MIN_CUT = 45  # a label cut shorter than this says too little ("The ministry was very interested")
LABEL_CANDIDATES = 8  # the label is a sentence of one of the theme's most central passages
# words that open a sentence leaning on the one before it
DANGLING = {"that", "this", "it", "they", "those", "these", "he", "she", "we", "so", "and", "but", "yes", "no",
            "then", "also", "there", "which", "because", "or", "before that", "after that", "for that"}
# weights of the parts of a passage's vector (its own words count most)
W_TFIDF, W_VECTORS, W_QUESTION, W_TURN = 1.0, 0.3, 0.5, 0.3
# average linkage on unit vectors (cosine): a theme is passages close to each other on the whole, where Ward's
# variance criterion favours themes of equal size and cut groups of shared words in two
LINKAGE = "average"
# a group leans one way when this share of its evaluative passages (supports/criticises) point that way
LEAN = 0.6
MIN_VOICE = 2

# conversational filler that carries no theme
FILLER = {"yes", "yeah", "think", "know", "really", "just", "like", "also", "maybe", "well", "say", "said", "thing",
          "things", "lot", "honestly", "actually", "mean", "way", "us", "ok", "okay", "right", "course", "did", "does",
          "got", "go", "went", "come", "came", "make", "made", "want", "good", "bit", "little", "time", "people",
          "one", "two", "would", "could", "much", "many", "even", "still", "always", "now", "first", "last"}
# words that name no topic: a key phrase neither starts nor ends with one ("sometimes", "since, something")
VAGUE = {"sometimes", "already", "something", "anything", "everything", "nothing", "another", "others", "since",
         "every", "whether", "together", "nobody", "somebody", "someone", "everyone", "everybody", "cannot", "often",
         "usually", "almost", "enough", "quite", "very", "rather", "especially", "example", "part", "parts", "side"}


def themes(
    project: Project,
    *,
    criterion: str | None = None,
    code: str | None = None,
    k: int | None = None,
    seed: int = 0,
    top_quotes: int = 3,
    show_names: bool = False,
    coders: Iterable[str] | None = None,
    max_share: float = MAX_SHARE,
) -> dict[str, Any]:
    """Group the passages coded to ``criterion`` or ``code`` into themes.

    ``k`` fixes the number of themes (default: chosen from the data). A passage coded by several coders counts
    once. Each theme has ``label``, ``key_phrases``, ``size``, ``share``, ``stance`` (counts of passage stances),
    ``by_group`` (each group's stance counts and ``lean``), ``divergent`` and ``divergence`` (groups leaning opposite
    ways), ``representative`` (one quote per group), ``quotes`` (the most central), ``triangulation`` (counts as
    ``qualcode triangulation`` makes them), ``passages`` (ref, group, stance, evidence words) and ``refs``.
    ``other`` lists the passages the clustering left on their own (ref, group, stance, evidence, ``quote``): a
    theme of one passage is no theme, so they are not numbered among the themes.
    """
    from qualcode.safety.privacy import Attributor, Pseudonymiser
    from qualcode.synthesis.stance import stances as read_stances
    from qualcode.synthesis.triangulation import load_rule, measure

    target, items, rows_by_ref = _passages(project, criterion=criterion, code=code, coders=coders)
    if k is not None and k < 1:
        raise QualcodeError("the number of themes must be at least 1", hint="pass --k 2 or more, or leave it out")
    if not 0.05 <= max_share <= 1.0:
        raise QualcodeError("the largest theme's share must be between 0.05 and 1")
    n = len(items)
    import numpy as np

    from qualcode.nlp.suggester import one_blas_thread

    with one_blas_thread():
        x = _features(project, items)
        labels, chosen_k, splits = _cluster(x, k=k, seed=seed, max_share=max_share)

    pseudo = Pseudonymiser(project, enabled=not show_names)  # names only when asked, as every export
    attribute = Attributor(project, show_names=show_names)
    rule = load_rule(project)
    from qualcode.synthesis.evidence import stakeholder_groups

    all_groups = stakeholder_groups(project)
    texts = [it["text"] for it in items]
    stances = read_stances(texts)
    phrase_sets: dict[int, set[str]] = {}
    out: list[dict[str, Any]] = []
    ranked_of: list[list[int]] = []
    sizes = Counter(labels)
    # a passage the clustering left on its own is no theme (nothing to write a finding from): it is listed under
    # "other", unless the criterion holds nothing else
    alone = {c for c, size in sizes.items() if size == 1} if max(sizes.values(), default=0) > 1 else set()
    other = [{"ref": items[i]["ref"], "group": items[i]["group"], **stances[i].to_dict(),
              "quote": _quote(items[i], stances[i], 1.0, pseudo, attribute)}
             for i in sorted((i for i, lab in enumerate(labels) if lab in alone),
                             key=lambda i: ref_sort_key(items[i]["ref"]))]
    for c in sorted(set(labels) - alone):
        members = [i for i, lab in enumerate(labels) if lab == c]
        centre = x[members].mean(axis=0)
        norm = float(np.linalg.norm(centre)) or 1.0
        sims = x[members] @ (centre / norm)
        ranked = [members[j] for j in sorted(range(len(members)), key=lambda j: (-sims[j], ref_sort_key(
            items[members[j]]["ref"])))]
        ranked_of.append(ranked)
        for i in ranked[:KEY_PHRASE_SAMPLE]:
            phrase_sets[i] = _phrases(texts[i])
        sim_of = {members[j]: float(sims[j]) for j in range(len(members))}
        stance_counts = Counter(stances[i].stance for i in members)
        by_group: dict[str, dict[str, Any]] = {}
        for i in members:
            g = by_group.setdefault(items[i]["group"], {"passages": 0, "supports": 0, "criticises": 0, "mixed": 0,
                                                         "neutral": 0})
            g["passages"] += 1
            g[stances[i].stance] += 1
        for g in by_group.values():
            g["lean"] = _lean(g)
        # one passage is an anecdote, not a group's view: a group counts towards divergence from two evaluative passages
        voiced = {g: v for g, v in by_group.items() if v["supports"] + v["criticises"] >= MIN_VOICE and g != UNKNOWN}
        positive = sorted(g for g, v in voiced.items() if v["lean"] == "positive")
        critical = sorted(g for g, v in voiced.items() if v["lean"] == "critical")
        divergent = bool(positive and critical)
        representative = []
        seen_groups: set[str] = set()
        for i in ranked:
            grp = items[i]["group"]
            if grp in seen_groups:
                continue
            seen_groups.add(grp)
            representative.append(_quote(items[i], stances[i], sim_of[i], pseudo, attribute))
        representative.sort(key=lambda q: (-by_group[q["group"]]["passages"], q["group"]))
        member_rows = [r for i in members for r in rows_by_ref[items[i]["ref"]]]
        tri = measure(member_rows, all_groups=all_groups, rule=rule)
        out.append({
            "size": len(members),
            "share": round(len(members) / n, 3),
            "label": "",
            "key_phrases": [],
            "stance": {s: stance_counts.get(s, 0) for s in ("supports", "criticises", "mixed", "neutral")},
            "lean": _lean(dict(stance_counts)),
            "by_group": dict(sorted(by_group.items(), key=lambda kv: (-kv[1]["passages"], kv[0]))),
            "divergent": divergent,
            "divergence": (", ".join(f"{g} positive" for g in positive) + "; "
                           + ", ".join(f"{g} critical" for g in critical)) if divergent else None,
            "representative": representative,
            "quotes": [_quote(items[i], stances[i], sim_of[i], pseudo, attribute) for i in ranked[:top_quotes]],
            "triangulation": {key: tri[key] for key in tri if key not in ("coders", "per_group")},
            "groups": {g: v["passages"] for g, v in sorted(by_group.items(), key=lambda kv: (-kv[1]["passages"],
                                                                                            kv[0]))},
            "informants": tri["informants"],
            "passages": [{"ref": items[i]["ref"], "group": items[i]["group"], **stances[i].to_dict()}
                         for i in sorted(members, key=lambda i: ref_sort_key(items[i]["ref"]))],
            "refs": sorted((items[i]["ref"] for i in members), key=ref_sort_key),
        })
    # key phrases: frequent in a theme's central passages, rarer in the other themes' (a sample keeps it fast)
    overall = Counter(p for ps in phrase_sets.values() for p in ps)
    for t, ranked in zip(out, ranked_of, strict=True):
        sample = [phrase_sets[i] for i in ranked[:KEY_PHRASE_SAMPLE]]
        phrases = _key_phrases(sample, overall, len(phrase_sets))
        t["label"] = pseudo(_label([texts[i] for i in ranked[:LABEL_CANDIDATES]], phrases,
                                   [stances[i].stance for i in ranked[:LABEL_CANDIDATES]], t["lean"]))
        t["key_phrases"] = [pseudo(p) for p in phrases]
    out.sort(key=lambda t: (-t["size"], t["refs"][0]))
    for n_theme, t in enumerate(out, start=1):
        t["theme"] = n_theme
    return {"target": target, "passages": n, "k": len(out), "chosen_k": chosen_k, "seed": seed,
            "max_share": max_share, "split": splits, "themes": out, "other": other}


# ---------------------------------------------------------------------------------------------- promotion


def promote_theme(
    project: Project,
    theme: int,
    *,
    finding_id: str,
    coder: str,
    criterion: str | None = None,
    code: str | None = None,
    k: int | None = None,
    seed: int = 0,
    coders: Iterable[str] | None = None,
    statement: str | None = None,
    max_share: float = MAX_SHARE,
) -> dict[str, Any]:
    """Turn theme number ``theme`` (as :func:`themes` numbers it with the same arguments) into a draft finding
    ``finding_id`` linked to the theme's passages, in one transaction.

    The draft statement is the theme's label (rewrite it: ``qualcode findings edit``). Every passage is linked, its
    own stance in the link's note. In a theme that leans one way (positive or critical) a passage pointing the other
    way is linked as contradicting; in a mixed or neutral theme there is no side to contradict, so both sides are
    linked as supporting, and the draft statement says the views are mixed (with the groups that diverge). Machine
    suggestions no person accepted are not linked (the audit would refuse them); the result says how many were
    left out.
    """
    from qualcode.synthesis.audit import audit, is_machine_coder
    from qualcode.synthesis.findings import add_finding, link_evidence

    data = themes(project, criterion=criterion, code=code, k=k, seed=seed, coders=coders, max_share=max_share)
    numbers = [t["theme"] for t in data["themes"]]
    if theme not in numbers:
        raise NotFoundError(f"there is no theme {theme} of '{data['target']}'",
                            hint=f"themes are numbered 1 to {len(numbers)}; see 'qualcode themes'")
    t = next(x for x in data["themes"] if x["theme"] == theme)
    _, _, rows_by_ref = _passages(project, criterion=criterion, code=code, coders=coders)
    lean = t["lean"]
    # a passage contradicts only a theme that takes a side: in a mixed theme both sides are its evidence
    against = {"positive": "criticises", "critical": "supports"}.get(lean)
    extra = {x.strip().lower() for x in (project.setting("machine_coders") or "").split(",") if x.strip()}
    if criterion is not None:
        crit, question = criterion, None
    else:
        assert code is not None
        row = project.require_code(code)
        crit, question = row["criterion_id"], (code if row["parent_id"] else None)
    text = statement or t["label"]
    if statement is None and against is None and (lean == "mixed" or t["divergent"]):
        text += " (views are mixed" + (f": {t['divergence']}" if t["divergent"] else "") + ")"
    links: list[dict[str, Any]] = []
    skipped = 0
    with project.transaction():
        finding = add_finding(project, crit, text, coder=coder, finding_id=finding_id, code=question)
        for p in t["passages"]:
            stance = "contradicts" if against is not None and p["stance"] == against else "supports"
            for r in rows_by_ref[p["ref"]]:
                if r["source"] == "suggestion" and is_machine_coder(r["coder"], model_version=r["model_version"],
                                                                    extra=extra):
                    skipped += 1
                    continue
                links.extend(link_evidence(project, finding["id"], coder=coder, coding=int(r["coding"]),
                                           stance=stance, note=f"theme {theme}: passage {p['stance']}"))
    report = audit(project, finding_ids=[finding["id"]])
    return {
        "finding": finding["id"],
        "criterion": crit,
        "question": question,
        "statement": text,
        "theme": {"theme": theme, "label": t["label"], "lean": lean, "divergent": t["divergent"],
                  "divergence": t["divergence"]},
        "passages": len(t["passages"]),
        "passage_stances": {s: sum(1 for p in t["passages"] if p["stance"] == s)
                            for s in ("supports", "criticises", "mixed", "neutral")},
        "supporting": len({x["ref"] for x in links if x["stance"] == "supports"}),
        "contradicting": len({x["ref"] for x in links if x["stance"] == "contradicts"}),
        "links": len(links),
        "machine_codings_skipped": skipped,
        "audit": report["findings"][0] if report["findings"] else None,
        "audit_ok": report["ok"],
    }


# ---------------------------------------------------------------------------------------------- the passages


def _passages(project: Project, *, criterion: str | None, code: str | None, coders: Iterable[str] | None
              ) -> tuple[str, list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """(target, one row per passage, every evidence row per passage)."""
    if (criterion is None) == (code is None):
        raise QualcodeError("say which evidence to group", hint="pass --criterion ID or --code ID")
    if criterion is not None:
        row = project.require_code(criterion)
        if row["parent_id"]:
            raise QualcodeError(f"'{criterion}' is a question, not a criterion", hint=f"use --code {criterion}")
        ev = load_evidence(project, criterion=criterion, coders=coders)
    else:
        ev = load_evidence(project, code=code, coders=coders)
    target = str(criterion or code)
    rows_by_ref: dict[str, list[dict[str, Any]]] = {}
    for r in ev:
        rows_by_ref.setdefault(r["ref"], []).append(r)
    items = [rows[0] for rows in rows_by_ref.values()]
    if not items:
        raise NotFoundError(f"no coded passages for '{target}'", hint="code some passages first")
    return target, items, rows_by_ref


def _contexts(project: Project, items: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """For each passage, the interviewer's question before it and the rest of its speaker's turn.

    Reads only the interviewer's segments and the passages' own turns, not whole transcripts: a large evaluation
    has hundreds of thousands of segments."""
    from bisect import bisect_left

    turns_of: dict[str, set[int]] = {}
    for it in items:
        turns_of.setdefault(it["transcript"], set()).add(int(it["turn"]))
    current = ("SELECT s.transcript_id, s.idx, s.turn, s.text FROM segments s"
               " JOIN transcripts t ON t.id = s.transcript_id AND t.current_version = s.version"
               " LEFT JOIN speakers sp ON sp.transcript_id = s.transcript_id AND sp.label = s.speaker")
    asked: dict[str, tuple[list[int], list[str]]] = {}
    tids = sorted(turns_of)
    for start in range(0, len(tids), 500):
        chunk = tids[start:start + 500]
        for tid, idx, _turn, text in project.db.execute(
                f"{current} WHERE s.transcript_id IN ({','.join('?' * len(chunk))}) AND sp.role = 'interviewer'"
                " ORDER BY s.transcript_id, s.idx", chunk):
            idxs, texts = asked.setdefault(tid, ([], []))
            idxs.append(idx)
            texts.append(text)
    turn_text: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for tid in tids:
        wanted = sorted(turns_of[tid])
        for start in range(0, len(wanted), 900):
            turns = wanted[start:start + 900]
            for _tid, idx, turn, text in project.db.execute(
                    f"{current} WHERE s.transcript_id = ? AND s.turn IN ({','.join('?' * len(turns))})"
                    " AND coalesce(sp.role, 'unknown') != 'interviewer'", [tid, *turns]):
                turn_text.setdefault((tid, turn), []).append((idx, text))
    q_out, t_out = [], []
    for it in items:
        tid, idx = it["transcript"], int(it["idx"])
        idxs, texts = asked.get(tid, ([], []))
        # the question is the last run of the interviewer's consecutive segments before the passage (in a group
        # discussion, several informants answer one question)
        j = bisect_left(idxs, idx) - 1
        run: list[str] = []
        while j >= 0 and (not run or idxs[j] == idxs[j + 1] - 1):
            run.append(texts[j])
            j -= 1
        q_out.append(" ".join(reversed(run)))
        rest = [text for i, text in sorted(turn_text.get((tid, int(it["turn"])), [])) if i != idx]
        t_out.append(" ".join(rest)[:2000])
    return q_out, t_out


def _features(project: Project, items: list[dict[str, Any]]) -> np.ndarray:
    """One row per passage: its own words (TF-IDF) first, then, with less weight, its word-piece vectors and its
    context: the words of the interviewer's question it answers and of the rest of its speaker's turn."""
    import numpy as np

    from qualcode.nlp.vectors import TextVectors, piece_vectors

    texts = [it["text"] for it in items]
    questions, turns = _contexts(project, items)
    parts: list[np.ndarray] = []
    # a short answer needs its context more than a long one that says what it is about
    words = np.array([len(_WORDS.findall(t)) for t in texts], dtype=np.float32)
    need = np.clip(CONTEXT_WORDS / np.maximum(words, 1.0), CONTEXT_FLOOR, CONTEXT_CEIL)[:, None]
    for weight, docs, ctx in ((W_TFIDF, texts, False), (W_QUESTION, questions, True), (W_TURN, turns, True)):
        block = _tfidf_block(docs)
        if block is not None:
            parts.append(weight * block * (need if ctx else 1.0))
    pv = piece_vectors()
    if pv is not None:
        lists = [pv.piece_ids(t) for t in texts]
        v = TextVectors.fit_pieces(pv, lists).vectors_of(lists)
        present = np.linalg.norm(v, axis=1) > 0
        if present.any():
            v[present] -= v[present].mean(axis=0)  # what all passages share says nothing about themes
        parts.append(W_VECTORS * _l2(v))
    if not parts or not any(p.any() for p in parts):
        raise QualcodeError("the passages have no words to group on")
    return _l2(np.hstack(parts).astype(np.float32))


def _tfidf_block(docs: list[str]) -> np.ndarray | None:
    """Unit rows of the documents' TF-IDF words and word pairs (sublinear tf), in at most 80 main directions
    (latent semantic analysis) so the dense matrix stays small for thousands of passages; None without words."""
    import numpy as np

    from qualcode.nlp.text import STOPWORDS, stem_cached
    from qualcode.nlp.tfidf import Tfidf, l2_rows

    def analyse(doc: str) -> list[str]:
        # a regex and the light stemmer: spaCy's tokenizer would cost seconds on a large criterion for no gain here
        words = [stem_cached(w) for w in _WORDS.findall(doc.lower()) if w not in STOPWORDS and w not in FILLER]
        return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]

    # an interviewer's question precedes several passages: each distinct text is analysed once
    distinct = list(dict.fromkeys(docs))
    row_of = {d: i for i, d in enumerate(distinct)}
    t = Tfidf(analyse).fit_transform(distinct)
    if not t.shape[1] or not t.nnz:
        return None
    dims = min(LSA_DIMS, t.shape[0] - 1, t.shape[1] - 1)
    dense = _lsa(t, dims) if t.shape[1] > 300 and dims >= 2 else t.toarray()
    rows = np.asarray(l2_rows(np.asarray(dense, dtype=np.float32)))
    return np.asarray(rows[[row_of[d] for d in docs]])


def _lsa(t: Any, dims: int) -> np.ndarray:
    """The rows of a sparse matrix in its ``dims`` main directions (a randomized SVD, Halko et al.; fixed seed)."""
    import numpy as np

    rng = np.random.default_rng(0)
    y = t @ rng.standard_normal((t.shape[1], dims + 10)).astype(np.float32)
    for _ in range(1):  # a power iteration sharpen the directions of a slowly decaying spectrum
        y, _r = np.linalg.qr(y)
        y = t @ (t.T @ y)
    q, _r = np.linalg.qr(np.asarray(y, dtype=np.float32))
    b = np.asarray((t.T @ q).T)
    u_b, s, _vt = np.linalg.svd(b, full_matrices=False)
    return np.asarray((q @ u_b[:, :dims]) * s[:dims])


def _l2(x: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


# ---------------------------------------------------------------------------------------------- clustering


def _cluster(x: np.ndarray, *, k: int | None, seed: int, max_share: float
             ) -> tuple[list[int], int, list[dict[str, Any]]]:
    """Cluster labels, the number of themes chosen, and the splits of oversized themes."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(x)
    if n == 1:
        return [0], 1, []
    if n <= DIRECT_LIMIT:
        points = x
        assign = np.arange(n)
    else:
        points, assign = _micro_clusters(x, MICRO_CLUSTERS, seed)
    tree = linkage(points, method=LINKAGE)

    def cut(m: int) -> np.ndarray:
        return np.asarray(fcluster(tree, t=m, criterion="maxclust"))[assign] - 1

    if k is not None:
        chosen = min(k, n)
        labels = cut(chosen)
    else:
        kmax = max(2, min(MAX_THEMES, round(math.sqrt(n)), n - 1))
        candidates = list(range(min(3, kmax), kmax + 1))
        best: tuple[float, int] | None = None
        rng = np.random.default_rng(seed)
        sample = rng.choice(n, size=min(n, 2000), replace=False) if n > 2000 else np.arange(n)
        dist = 1.0 - x[sample] @ x[sample].T
        for m in candidates:
            lab = cut(m)
            score = _silhouette(dist, lab[sample])
            if best is None or score > best[0] + 1e-9:
                best = (score, m)
        assert best is not None
        chosen = best[1]
        labels = cut(chosen)
    labels = _relabel(labels)
    splits: list[dict[str, Any]] = []
    # no catch-all theme: split any theme above max_share (a theme of fewer than 4 passages is left whole), by Ward's
    # criterion, which cuts it into two substantial parts where average linkage would peel off one outlier at a time
    for _ in range(MAX_THEMES * 2):
        counts = Counter(labels.tolist())
        big, size = counts.most_common(1)[0]
        if size <= max_share * n or size < 4:
            break
        members = np.flatnonzero(labels == big)
        if len(members) <= DIRECT_LIMIT:
            sub = fcluster(linkage(x[members], method="ward"), t=2, criterion="maxclust")
        else:
            sub_points, sub_assign = _micro_clusters(x[members], MICRO_CLUSTERS, seed)
            sub = np.asarray(fcluster(linkage(sub_points, method="ward"), t=2, criterion="maxclust"))[sub_assign]
        if len(set(sub.tolist())) < 2:
            break
        new = labels.max() + 1
        labels[members[sub == 2]] = new
        splits.append({"share": round(size / n, 3), "passages": int(size),
                       "into": [int((sub == 1).sum()), int((sub == 2).sum())]})
    # splitting can take a criterion past MAX_THEMES (or the --k asked for): the smallest themes then join their
    # nearest neighbour, as long as that makes no catch-all theme
    most = max(MAX_THEMES, k or 0)
    labels = _merge_into_nearest(x, labels, most, cap=max_share * n)
    return _relabel(labels).tolist(), chosen, splits


def _merge_into_nearest(x: np.ndarray, labels: np.ndarray, most: int, cap: float) -> np.ndarray:
    """Merge the smallest theme into the theme nearest to it (cosine of the centres) until there are at most ``most``
    themes; a merge never makes a theme larger than ``cap`` passages (the smallest theme that can merge does)."""
    import numpy as np

    labels = labels.copy()
    while True:
        uniq, sizes = np.unique(labels, return_counts=True)
        if len(uniq) <= most:
            return labels
        centres = _l2(np.vstack([x[labels == u].mean(axis=0) for u in uniq]))
        order = np.argsort(sizes, kind="stable")
        for small in order:
            sims = centres @ centres[small]
            sims[small] = -np.inf
            sims[sizes + sizes[small] > cap] = -np.inf
            if np.isfinite(sims.max()):
                labels[labels == uniq[small]] = uniq[int(sims.argmax())]
                break
        else:
            return labels  # nothing can merge without a catch-all theme


def _micro_clusters(x: np.ndarray, m: int, seed: int, rounds: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """k-means with ``m`` centres started from passages drawn with ``seed`` (Lloyd's rounds on unit vectors)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(seed)
    # the centres are found on a sample (MICRO_SAMPLE passages are plenty for 200 centres), then every passage
    # goes to its nearest one
    sample = x[np.sort(rng.choice(len(x), size=MICRO_SAMPLE, replace=False))] if len(x) > MICRO_SAMPLE else x
    centres = sample[rng.choice(len(sample), size=m, replace=False)].copy()

    def nearest(rows: np.ndarray) -> np.ndarray:
        # for unit-length rows the nearest centre is the one with the largest dot product minus half its norm
        return np.asarray((rows @ centres.T - 0.5 * (centres * centres).sum(axis=1)[None, :]).argmax(axis=1))

    for _ in range(rounds):
        assign = nearest(sample)
        onehot = csr_matrix((np.ones(len(sample), dtype=np.float32), (assign, np.arange(len(sample)))),
                            shape=(m, len(sample)))
        sums = np.asarray(onehot @ sample)
        counts = np.bincount(assign, minlength=m)
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None]
    assign = nearest(x)
    used = np.unique(assign)
    remap = np.full(m, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return centres[used], remap[assign]


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a distance matrix (scikit-learn's definition, without its import cost)."""
    import numpy as np

    uniq = np.unique(labels)
    if len(uniq) < 2:
        return -1.0
    onehot = (labels[:, None] == uniq[None, :]).astype(np.float64)
    sums = dist @ onehot
    sizes = onehot.sum(axis=0)
    own = np.searchsorted(uniq, labels)
    rows = np.arange(len(labels))
    own_size = sizes[own]
    a = np.where(own_size > 1, sums[rows, own] / np.maximum(own_size - 1, 1), 0.0)
    means = sums / sizes[None, :]
    means[rows, own] = np.inf
    b = means.min(axis=1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def _relabel(labels: np.ndarray) -> np.ndarray:
    import numpy as np

    mapping = {old: new for new, old in enumerate(dict.fromkeys(labels.tolist()))}
    return np.asarray([mapping[v] for v in labels.tolist()], dtype=np.int64)


# ---------------------------------------------------------------------------------------------- reading a theme


def _lean(counts: dict[str, Any]) -> str:
    """positive, critical, mixed or neutral: which way the evaluative passages (supports/criticises) point."""
    sup, crit = int(counts.get("supports", 0)), int(counts.get("criticises", 0))
    if sup + crit == 0:
        return "mixed" if counts.get("mixed") else "neutral"
    if sup >= LEAN * (sup + crit):
        return "positive"
    if crit >= LEAN * (sup + crit):
        return "critical"
    return "mixed"


def _quote(item: dict[str, Any], stance: Any, similarity: float, pseudo: Any, attribute: Any) -> dict[str, Any]:
    return {"ref": item["ref"], "group": item["group"], "text": pseudo(item["text"], item["transcript"]).strip(),
            "attribution": attribute(item), "stance": stance.stance, "evidence": stance.evidence,
            "similarity": round(similarity, 3), "record": item.get("record", "verbatim")}


_SENT = re.compile(r"(?<=[.!?])\s+")
# "and" often joins two nouns ("the trade and sustainable development chapter"): a label is not cut there
_CLAUSE_CUT = re.compile(r"[;:,\u2014]\s+|\s+(?:but|because|so|which|while|when)\s+")
# the clause after "but" is usually the point ("The ministry played its role at national level, but the provinces
# were hardly involved"): a label is never cut just before it
_BEFORE_CONTRAST = re.compile(r"[;:,\u2014]?\s*(?:but|however|yet)\b")
# an opening connective or list marker leans on what came before; the label does without it ("Also, the law now
# allows ...", "Second, train HR and the union ...")
_OPENER = re.compile(r"^(?:also|and|so|but|yes|well|okay|ok|honestly|frankly|first|second|third|finally)\b,?\s+",
                     re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_][\w'\u2019-]*")
_PUNCTUATION = re.compile(r"[.,;:!?()\[\]\"\u201c\u201d\u2014\u2013]|\s-\s")
# a short lead-in before a colon frames the statement after it ("One unexpected good thing: after the seminars ...")
_LEAD_IN = re.compile(r"^(?P<head>(?:\S+\s+){0,4}\S+?):\s+(?P<tail>.+)$")


def _label(central: list[str], key_phrases: list[str], stances: list[str] | None = None, lean: str | None = None
           ) -> str:
    """The theme's label: the sentence of its most central passages that best states what the theme is about, cut to
    a readable length.

    A sentence scores for its content words (a statement, not an aside), for holding the theme's key phrases (what
    sets the theme apart) and for coming from a more central passage; one that opens with a pronoun or a connective
    ("That would not have happened before", "So it was one more system") needs the passage before it to be read and
    scores less. In a theme that leans one way, a sentence from a passage pointing the same way scores more and one
    pointing the other way less (``stances``: each central passage's stance; ``lean``: the theme's): a label should
    not praise what most of its passages criticise."""
    from qualcode.nlp.text import STOPWORDS

    best: tuple[float, int, str] | None = None
    for rank, text in enumerate(central):
        for sentence in _SENT.split(" ".join(text.split())):
            lead = _LEAD_IN.match(sentence)
            if lead and len(_WORDS.findall(lead["tail"])) >= 5:
                tail = lead["tail"]
                sentence = tail[0].upper() + tail[1:]
            words = _WORDS.findall(sentence.lower())
            if len(words) < 5:
                continue
            opener = _OPENER.match(sentence)
            if opener and len(_WORDS.findall(sentence[opener.end():])) >= 5:
                rest = sentence[opener.end():]
                sentence = rest[0].upper() + rest[1:]
            short = _shorten(sentence, LABEL_WIDTH)
            # what the reader sees is the shortened label: it should say something (hold a verb: "The Sở Lao động
            # in Bac Ninh …" and "Through the project steering meetings, twice a year" do not), and a sentence that
            # fits reads better than one cut short
            said = _says_something(short)
            content = len([w for w in words if w not in STOPWORDS and w not in FILLER])
            low = " ".join(words)
            dangling = words[0] in DANGLING or " ".join(words[:2]) in DANGLING
            score = (min(content, 12) + 3.0 * sum(1 for p in key_phrases if f" {p} " in f" {low} ")
                     - (4.0 if dangling else 0.0) - 0.5 * rank - max(0, len(sentence) - 200) / 40
                     - (0.0 if said else LABEL_NO_VERB) - (LABEL_CUT if short.endswith("\u2026") else 0.0))
            if stances and lean in _LEAN_STANCE:
                score += LABEL_LEAN_BONUS * ((stances[rank] == _LEAN_STANCE[lean])
                                             - (stances[rank] == _LEAN_STANCE["critical" if lean == "positive"
                                                                              else "positive"]))
            if best is None or score > best[0] + 1e-9:
                best = (score, rank, short)
    return best[2] if best is not None else _shorten(" ".join(central[0].split()), LABEL_WIDTH)


def _says_something(text: str) -> bool:
    """Whether a label holds a verb (a rough test: an auxiliary, a common verb, or a word in -ed)."""
    return any(w in _VERBS or (w.endswith("ed") and len(w) > 4) for w in _WORDS.findall(text.lower()))


def _shorten(sentence: str, width: int) -> str:
    sentence = sentence.strip()
    # a "but" within the width: the label may run a little longer to hold the clause after it
    contrast = _BEFORE_CONTRAST.search(sentence, LABEL_MIN_CUT // 2, width + 5)
    if contrast:
        width += LABEL_CONTRAST_EXTRA
    if len(sentence) <= width:
        return sentence.rstrip(" .,;:")  # a unit cut mid-sentence ends on a comma: the label does not
    # cut at the last clause boundary that leaves a readable statement (after the "but" clause has begun), else at
    # a word
    best = None
    for m in _CLAUSE_CUT.finditer(sentence):
        if (max(LABEL_MIN_CUT, contrast.end() + 20 if contrast else 0) <= m.start() <= width - 1
                and not _BEFORE_CONTRAST.match(sentence, m.start()) and _says_something(sentence[:m.start()])):
            best = m.start()
    if best is not None:
        return sentence[:best].rstrip(" ,;:") + " \u2026"
    if len(sentence) <= width + LABEL_OVERRUN:
        return sentence.rstrip(" .,;:")  # a little long, but whole: better than cut between a verb and its object
    from qualcode.nlp.text import STOPWORDS

    words = sentence[: width - 1].rsplit(" ", 1)[0].split(" ")
    # a cut after "was" or "the" leaves the reader hanging on a word that says nothing
    while len(words) > 5 and words[-1].lower().strip(",;:") in STOPWORDS:
        words.pop()
    return " ".join(words).rstrip(" ,;:") + " \u2026"


def _phrases(text: str) -> set[str]:
    """Candidate key phrases: runs of 1-3 content words (no function word at either end)."""
    from qualcode.nlp.text import STOPWORDS

    out: set[str] = set()
    # a phrase never runs across punctuation: "the ministry, the chamber" holds no phrase "ministry the chamber"
    for fragment in _PUNCTUATION.split(text):
        words = [w.lower() for w in _WORDS.findall(fragment)]
        for i in range(len(words)):
            for m in (1, 2, 3):
                run = words[i:i + m]
                if len(run) < m or any(w in STOPWORDS or w in FILLER or w in VAGUE or len(w) < 3
                                       for w in (run[0], run[-1])):
                    continue
                out.add(" ".join(run))
    return out


def _key_phrases(member_sets: list[set[str]], overall: Counter[str], n: int, top: int = 3) -> list[str]:
    """Phrases frequent in the theme and rarer elsewhere; longer phrases win over the words inside them."""
    inside = Counter(p for s in member_sets for p in s)
    size = len(member_sets)
    scored = []
    for p, c in inside.items():
        if c < 2 and size > 3:
            continue
        outside = overall[p] - c
        score = (c / size) * math.log((n + 1) / (outside + c + 1) + 1) * (1 + 0.35 * (p.count(" ")))
        scored.append((score, p))
    scored.sort(key=lambda sp: (-sp[0], sp[1]))
    out: list[str] = []
    for _, p in scored:
        if any(p in q or q in p for q in out):
            continue
        out.append(p)
        if len(out) == top:
            break
    return out
