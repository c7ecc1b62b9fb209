"""Themes: the coded quotes of a criterion (or code) clustered into groups of similar passages, each with its top
terms, size, the stakeholder groups it comes from and its most representative quotes. A drafting aid for findings,
not a finding: the evaluator reads the quotes. Deterministic for a given seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.synthesis.evidence import load_evidence, ref_sort_key

if TYPE_CHECKING:
    from qualcode.store import Project

# conversational filler that carries no theme
FILLER = {"yes", "yeah", "think", "know", "really", "just", "like", "also", "maybe", "well", "say", "said", "thing",
          "things", "lot", "honestly", "actually", "mean", "way", "us", "ok", "okay", "right", "course", "did", "does",
          "got", "go", "went", "come", "came", "make", "made", "want", "good", "bit", "little", "time", "people"}


def themes(
    project: Project,
    *,
    criterion: str | None = None,
    code: str | None = None,
    k: int | None = None,
    seed: int = 0,
    top_terms: int = 8,
    top_quotes: int = 3,
    show_names: bool = False,
    coders: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Cluster the quotes coded to ``criterion`` or ``code`` (TF-IDF + k-means, scikit-learn).

    ``k`` defaults to about sqrt(n/2) clusters (between 2 and 8). A passage coded by several coders counts once.
    """
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    from qualcode.safety.privacy import Attributor, Pseudonymiser

    if (criterion is None) == (code is None):
        raise QualcodeError("say which evidence to cluster", hint="pass --criterion ID or --code ID")
    if criterion is not None:
        row = project.require_code(criterion)
        if row["parent_id"]:
            raise QualcodeError(f"'{criterion}' is a question, not a criterion", hint=f"use --code {criterion}")
        ev = load_evidence(project, criterion=criterion, coders=coders)
    else:
        ev = load_evidence(project, code=code, coders=coders)
    target = criterion or code
    passages: dict[str, dict[str, Any]] = {}
    for r in ev:
        entry = passages.setdefault(r["ref"], {**r, "codes": set(), "coders": set()})
        entry["codes"].add(r["code"])
        entry["coders"].add(r["coder"])
    items = list(passages.values())
    if not items:
        raise NotFoundError(f"no coded quotes for '{target}'", hint="code some passages first")
    n = len(items)
    if k is None:
        k = max(2, min(8, round(math.sqrt(n / 2))))
    if k < 1:
        raise QualcodeError("the number of themes must be at least 1")
    k = min(k, n)
    vectorizer = TfidfVectorizer(stop_words=list(ENGLISH_STOP_WORDS | FILLER), ngram_range=(1, 2), sublinear_tf=True,
                                 min_df=1, max_df=0.95 if n > 20 else 1.0, token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
    try:
        x = vectorizer.fit_transform([i["text"] for i in items])
    except ValueError:
        raise QualcodeError(f"the quotes for '{target}' have no words to cluster on") from None
    terms = vectorizer.get_feature_names_out()
    if k == 1:
        labels = [0] * n
        import numpy as np

        centers = np.asarray(x.mean(axis=0))
    else:
        km = KMeans(n_clusters=k, random_state=seed, n_init=10)
        labels = km.fit_predict(x).tolist()
        centers = km.cluster_centers_
    import numpy as np

    sims = np.asarray(x.dot(centers.T))  # rows are L2-normalised, so this ranks by closeness to each centre
    pseudonymiser = Pseudonymiser(project, enabled=not show_names)  # names only when asked, as every export
    attribute = Attributor(project, show_names=show_names)
    out: list[dict[str, Any]] = []
    for c in range(len(centers)):
        members = [i for i, lab in enumerate(labels) if lab == c]
        if not members:
            continue
        top = [terms[j] for j in np.argsort(-centers[c])[:top_terms] if centers[c][j] > 0]
        ranked = sorted(members, key=lambda i: (-sims[i][c], items[i]["ref"]))
        groups: dict[str, int] = {}
        for i in members:
            groups[items[i]["group"]] = groups.get(items[i]["group"], 0) + 1
        quotes = []
        for i in ranked[:top_quotes]:
            it = items[i]
            text = pseudonymiser(it["text"], it["transcript"])
            quotes.append({"ref": it["ref"], "text": text.strip(), "attribution": attribute(it),
                           "kind": it.get("kind", "verbatim"),
                           "group": it["group"], "similarity": round(float(sims[i][c]), 3)})
        out.append({
            "size": len(members),
            "label": " / ".join(top[:3]),
            "terms": top,
            "groups": dict(sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))),
            "informants": len({items[i]["informant"] for i in members}),
            "quotes": quotes,
            "refs": sorted((items[i]["ref"] for i in members), key=ref_sort_key),
        })
    out.sort(key=lambda t: (-t["size"], t["label"]))
    for n_theme, t in enumerate(out, start=1):
        t["theme"] = n_theme
    return {"target": target, "passages": n, "k": k, "seed": seed, "themes": out}

