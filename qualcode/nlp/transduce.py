"""Transductive learning on the units being coded: label spreading over a graph of similar units.

The units a team codes are available before anyone codes them, and similar units usually share codes.
Label spreading (Zhou et al., 2004, "Learning with local and global consistency") lets each unit's
code scores flow to its nearest neighbours until they settle: a unit that the codebook and the coded
examples score weakly, but whose neighbours are clear cases, moves towards its neighbours' codes.

The graph joins each unit to its ``NEIGHBOURS`` most similar units (cosine on word TF-IDF), made
symmetric and normalised as ``D^-1/2 W D^-1/2``. It depends only on the units, not on any coding, so it
is built once per corpus; spreading itself is a few sparse products and runs on every retraining. Beyond
``EXACT_UNITS`` units the neighbours are searched within clusters of similar units, so building the graph
takes time and memory in proportion to the units, not to their square.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

NEIGHBOURS = 10  # the usual k for kNN graphs in label propagation
ALPHA = 0.8  # share of a unit's score that comes from its neighbours (Zhou et al. use 0.99; 0.8 keeps the prior)
ITERATIONS = 20  # ALPHA**20 ~ 0.01: the remaining change is below what reorders codes
LOCAL_HOPS = 3  # after one coding, its effect on the spread scores is followed this many links out
TEMPERATURE = 0.1  # blend -> distribution: a code 0.1 below the best on the [0, 1] blend weighs 1/e as much
EXACT_UNITS = 12_000  # up to this many units every pair is compared; beyond, neighbours are searched in clusters
BLOCK = 512
CLUSTER_SIZE = 150  # units per cluster of the approximate search
PROBES = 12  # clusters searched for each cluster's units: their own and the nearest others
PROJECTION = 256  # dimensions of the random projection the clusters are formed on
KMEANS_ROUNDS = 8


def knn_graph(W: Any, k: int = NEIGHBOURS, *, chains: Any = None) -> Any:
    """Symmetric-normalised kNN graph of the rows of ``W`` (L2-normalised sparse rows).

    ``chains`` (optional, one group key or None per row) links consecutive rows of the same group, e.g. the
    sentences of one answer, which share a topic whatever their words: each such link weighs as much as the
    median kNN link. Memory is linear in the rows (see :func:`knn_lists`).
    """
    return normalise_links(knn_links(W, k, chains=chains)[0])


def knn_links(W: Any, k: int = NEIGHBOURS, *, chains: Any = None) -> tuple[Any, float]:
    """The links of :func:`knn_graph` before normalisation (a symmetric matrix of similarities), and the weight
    given to a link between consecutive rows of a chain (0 when there is none): what :func:`extend_links` needs to
    add rows later without searching every row again."""
    import numpy as np
    from scipy.sparse import csr_matrix

    n = W.shape[0]
    idx, vals = knn_lists(W, k)
    if idx.shape[1] == 0:
        return csr_matrix((n, n), dtype=np.float32), 0.0
    kk = idx.shape[1]
    G = csr_matrix((vals.ravel(), (np.repeat(np.arange(n), kk), idx.ravel())), shape=(n, n), dtype=np.float32)
    G = G.maximum(G.T).tocsr()
    G.eliminate_zeros()
    weight = 0.0
    if chains is not None and G.nnz:
        weight = float(np.median(G.data))
        G = _chain_links(G, chains, weight, np.ones(n, dtype=bool))
    return G.astype(np.float32), weight


def _chain_links(G: Any, chains: Any, weight: float, touched: Any) -> Any:
    """``G`` with a link of ``weight`` between consecutive rows of the same chain where either row is ``touched``."""
    import numpy as np
    from scipy.sparse import csr_matrix

    n = G.shape[0]
    first = np.asarray([i for i in range(n - 1) if chains[i] is not None and chains[i] == chains[i + 1]
                        and (touched[i] or touched[i + 1])], dtype=np.int64)
    if not len(first):
        return G
    w = np.full(len(first), weight, dtype=np.float32)
    link = csr_matrix((np.r_[w, w], (np.r_[first, first + 1], np.r_[first + 1, first])), shape=(n, n))
    return G.maximum(link).tocsr()


def normalise_links(G: Any) -> Any:
    """``D^-1/2 G D^-1/2``: the graph label spreading runs on."""
    import numpy as np
    from scipy.sparse import diags

    deg = np.asarray(G.sum(axis=1)).ravel()
    inv = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1e-12)), 0.0).astype(np.float32)
    return (diags(inv) @ G @ diags(inv)).tocsr().astype(np.float32)


def extend_links(links: Any, source: Any, W: Any, k: int = NEIGHBOURS, *, chains: Any = None,
                 chain_weight: float = 0.0) -> Any:
    """The links (:func:`knn_links`) of a changed set of rows, from those of the earlier set, searching only the new
    rows' neighbours: what keeps an import from rebuilding the graph of every unit.

    ``source``: for each row of ``W`` (the new set, L2-normalised sparse rows), its row in ``links`` or -1 for a new
    row. Links between kept rows stay; links to rows no longer there go; each new row is linked to its ``k`` most
    similar rows among all (compared exactly: the new rows are few), both ways, and to its neighbours in its chain.
    A kept row does not look again for a closer neighbour among the new rows (only a new row that chose it links
    them; linking a kept row to new rows closer than its k-th link as well, keeping the link displaced, took the
    scores further from a full build's on the example's interviews): a full build of the graph does, which is one
    reason why a model extended this way is refitted once the new rows are a large share of all.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    n = W.shape[0]
    source = np.asarray(source, dtype=np.int64)
    kept = source >= 0
    at = np.full(links.shape[0], -1, dtype=np.int64)
    at[source[kept]] = np.flatnonzero(kept)
    old = links.tocoo()
    r, c = at[old.row], at[old.col]
    ok = (r >= 0) & (c >= 0)
    G = csr_matrix((np.asarray(old.data[ok], dtype=np.float32), (r[ok], c[ok])), shape=(n, n))
    new = np.flatnonzero(~kept)
    kk = min(k, n - 1)
    if len(new) and kk >= 1:
        rows_l, cols_l, vals_l = [], [], []
        for a in range(0, len(new), BLOCK):
            rows = new[a : a + BLOCK]
            # all rows times the few new ones (transposing the few, not all), kept sparse: only rows sharing a word
            S = (W @ W[rows].T).T.tocsr()
            for r, cols, vals in _row_tops(S, kk, own=rows):
                row = int(rows[r])
                rows_l.append(np.full(len(cols), row, dtype=np.int64))
                cols_l.append(cols.astype(np.int64))
                vals_l.append(vals.astype(np.float32))
        rr, cc, vv = np.concatenate(rows_l), np.concatenate(cols_l), np.concatenate(vals_l)
        E = csr_matrix((vv, (rr, cc)), shape=(n, n), dtype=np.float32)
        G = G.maximum(E.maximum(E.T)).tocsr()
    G.eliminate_zeros()
    if chains is not None and chain_weight > 0 and len(new):
        G = _chain_links(G, chains, chain_weight, ~kept)
    return G.astype(np.float32)


def _row_tops(S: Any, k: int, *, own: Any = None) -> Iterator[tuple[int, Any, Any]]:
    """Each row of the sparse similarities ``S`` (CSR) with its (at most) ``k`` largest entries: (row, columns,
    values), in no particular order. ``own``: per row, the column that is the row itself, left out with every entry
    that is not positive (no word in common is no link)."""
    import numpy as np

    for i in range(S.shape[0]):
        lo, hi = S.indptr[i], S.indptr[i + 1]
        cols, vals = S.indices[lo:hi], S.data[lo:hi]
        if own is not None:
            mine = (cols != own[i]) & (vals > 0)
            cols, vals = cols[mine], vals[mine]
        if len(vals) > k:
            top = np.argpartition(-vals, k - 1)[:k]
            cols, vals = cols[top], vals[top]
        yield i, cols, vals


def knn_lists(W: Any, k: int = NEIGHBOURS) -> tuple[Any, Any]:
    """Each row's ``k`` most similar other rows (cosine of the L2-normalised sparse rows of ``W``) and the
    similarities (negative ones set to 0: no word in common is no link): arrays of shape (n, k).

    Up to ``EXACT_UNITS`` rows every pair is compared, a block of rows at a time. Beyond that, comparing every
    pair grows with the square of the units (at 80,000 units, hours), so the search is approximate: the rows
    are grouped into clusters of about ``CLUSTER_SIZE`` (spherical k-means on a random projection of the rows,
    which keeps cosines roughly), and each cluster's rows are compared exactly with the rows of the ``PROBES``
    nearest clusters (a row belongs to the lists of its two nearest clusters, so rows near a border are found
    from both sides). Time and memory then grow linearly with the rows.
    """
    import numpy as np

    n = W.shape[0]
    k = min(k, n - 1)
    if k < 1:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    if n <= EXACT_UNITS:
        cols = np.zeros((n, k), dtype=np.int64)
        vals = np.zeros((n, k), dtype=np.float32)
        WT = W.T.tocsc()
        for a in range(0, n, BLOCK):
            D = np.asarray((W[a : a + BLOCK] @ WT).toarray(), dtype=np.float32)
            b = D.shape[0]
            D[np.arange(b), np.arange(a, a + b)] = -1.0  # not its own neighbour
            cols[a : a + b], vals[a : a + b] = _top(D, k)
        return cols, np.maximum(vals, 0.0)
    return _clustered_lists(W, k)


def _top(D: Any, k: int) -> tuple[Any, Any]:
    import numpy as np

    idx = np.argpartition(-D, k - 1, axis=1)[:, :k]
    return idx, np.take_along_axis(D, idx, axis=1)


def _clustered_lists(W: Any, k: int) -> tuple[Any, Any]:
    import numpy as np

    n = W.shape[0]
    rng = np.random.default_rng(0)  # fixed: the same units always give the same graph
    # A random +-1 projection keeps cosines of sparse rows roughly (Johnson-Lindenstrauss), enough to cluster on.
    R = (rng.integers(0, 2, size=(W.shape[1], PROJECTION), dtype=np.int8) * 2 - 1).astype(np.float32)
    Z = np.asarray(W @ R, dtype=np.float32)
    Z /= np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
    n_clusters = max(2, n // CLUSTER_SIZE)
    sample = Z[rng.choice(n, size=min(n, 40 * n_clusters), replace=False)]
    C = sample[rng.choice(len(sample), size=n_clusters, replace=False)].copy()
    for _ in range(KMEANS_ROUNDS):
        near = (sample @ C.T).argmax(axis=1)
        sums = np.zeros_like(C)
        np.add.at(sums, near, sample)
        empty = ~sums.any(axis=1)
        sums[empty] = C[empty]  # an empty cluster keeps its centre
        C = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    first = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    for a in range(0, n, 4096):
        S = Z[a : a + 4096] @ C.T
        two = np.argpartition(-S, 1, axis=1)[:, :2]
        swap = np.take_along_axis(S, two, axis=1)
        order = np.argsort(-swap, axis=1)
        two = np.take_along_axis(two, order, axis=1)
        first[a : a + 4096], second[a : a + 4096] = two[:, 0], two[:, 1]
    members = [np.flatnonzero(first == c) for c in range(n_clusters)]
    listed = [np.union1d(members[c], np.flatnonzero(second == c)) for c in range(n_clusters)]
    probes = np.argsort(-(C @ C.T), axis=1)[:, :PROBES]  # a cluster is its own nearest
    cols = np.zeros((n, k), dtype=np.int64)
    vals = np.full((n, k), -1.0, dtype=np.float32)
    for c in range(n_clusters):
        rows = members[c]
        if not len(rows):
            continue
        cands = np.unique(np.concatenate([listed[p] for p in probes[c]]))
        D = np.asarray((W[rows] @ W[cands].T).toarray(), dtype=np.float32)
        D[rows[:, None] == cands[None, :]] = -1.0  # not its own neighbour
        kk = min(k, len(cands) - 1)
        if kk < 1:
            continue
        idx, v = _top(D, kk)
        cols[rows, :kk], vals[rows, :kk] = cands[idx], v
    return cols, np.maximum(vals, 0.0)


def softmax_rows(S: Any, temperature: float = TEMPERATURE) -> Any:
    import numpy as np

    Z = (S - S.max(axis=1, keepdims=True)) / temperature
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def spread(G: Any, Y0: Any, alpha: float = ALPHA, iterations: int = ITERATIONS, *, normalise: bool = True) -> Any:
    """Iterate ``F <- alpha G F + (1 - alpha) Y0``; rows of the result are normalised to sum to 1 (unless
    ``normalise`` is False: :func:`spread_change` adds to the raw scores)."""
    import numpy as np

    F = Y0.astype(np.float32, copy=True)
    seed = (1.0 - alpha) * F
    for _ in range(iterations):
        F = alpha * (G @ F) + seed
    return normalised(F) if normalise else F


def normalised(F: Any) -> Any:
    """Rows scaled to sum to 1."""
    import numpy as np

    return F / np.maximum(F.sum(axis=1, keepdims=True), 1e-12)


def spread_change(G: Any, rows: Any, dY: Any, alpha: float = ALPHA, hops: int = LOCAL_HOPS) -> Any:
    """How the raw spread scores change when the seeds of ``rows`` change by ``dY`` (rows x codes), following the
    change ``hops`` links out: a sparse matrix (units x codes) that is zero beyond them.

    Spreading is linear in the seeds, so after a coding only the coded unit's seed changes and its effect is
    ``(1 - alpha) sum_t (alpha G)^t dY``; nearly all of it lies within a few links of the unit (each link carries
    ``alpha`` of it), and what a coder sees next is the unit's neighbours.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    n, C = G.shape[0], dY.shape[1]
    rr = np.repeat(np.asarray(rows, dtype=np.int64), C)
    cc = np.tile(np.arange(C), len(rows))
    D = csr_matrix((np.asarray(dY, dtype=np.float32).ravel(), (rr, cc)), shape=(n, C))
    total = D.copy()
    for _ in range(hops):
        D = (alpha * (G @ D)).tocsr()
        total = total + D
    return ((1.0 - alpha) * total).tocsr()


def neighbour_rows(Wq: Any, Wc: Any, k: int = NEIGHBOURS) -> tuple[Any, Any]:
    """For each query row, the ``k`` most similar corpus rows and their similarity weights (summing to 1; all 0
    when the row shares no word with the corpus). The similarities stay sparse: only rows sharing a word count."""
    import numpy as np

    S = (Wq @ Wc.T).tocsr()
    b = S.shape[0]
    k = min(k, Wc.shape[0])
    idx = np.zeros((b, k), dtype=np.int64)
    w = np.zeros((b, k), dtype=np.float32)
    for i, cols, vals in _row_tops(S, k):
        m = len(cols)
        idx[i, :m], w[i, :m] = cols, np.maximum(vals, 0.0)
    tot = w.sum(axis=1, keepdims=True)
    return idx, np.where(tot > 0, w / np.maximum(tot, 1e-12), 0.0)
