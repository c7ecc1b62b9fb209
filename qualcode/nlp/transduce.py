"""Transductive learning on the units being coded: label spreading over a graph of similar units.

The units a team codes are available before anyone codes them, and similar units usually share codes.
Label spreading (Zhou et al., 2004, "Learning with local and global consistency") lets each unit's
code scores flow to its nearest neighbours until they settle: a unit that the codebook and the coded
examples score weakly, but whose neighbours are clear cases, moves towards its neighbours' codes.

The graph joins each unit to its ``NEIGHBOURS`` most similar units (cosine on word TF-IDF), made
symmetric and normalised as ``D^-1/2 W D^-1/2``. It depends only on the units, not on any coding, so it
is built once per corpus; spreading itself is a few sparse products and runs on every retraining.
"""

from __future__ import annotations

from typing import Any

NEIGHBOURS = 10  # the usual k for kNN graphs in label propagation
ALPHA = 0.8  # share of a unit's score that comes from its neighbours (Zhou et al. use 0.99; 0.8 keeps the prior)
ITERATIONS = 20  # ALPHA**20 ~ 0.01: the remaining change is below what reorders codes
TEMPERATURE = 0.1  # blend -> distribution: a code 0.1 below the best on the [0, 1] blend weighs 1/e as much
MAX_UNITS = 20_000  # the graph is O(n^2) to build; beyond this the engine scores units one by one
BLOCK = 1024


def knn_graph(W: Any, k: int = NEIGHBOURS, *, chains: Any = None) -> Any:
    """Symmetric-normalised kNN graph of the rows of ``W`` (L2-normalised sparse rows).

    ``chains`` (optional, one group key or None per row) links consecutive rows of the same group, e.g. the
    sentences of one answer, which share a topic whatever their words: each such link weighs as much as the
    median kNN link.
    """
    import numpy as np
    from scipy.sparse import csr_matrix, diags

    n = W.shape[0]
    k = min(k, n - 1)
    if k < 1:
        return csr_matrix((n, n), dtype=np.float32)
    WT = W.T.tocsc()
    cols = np.zeros((n, k), dtype=np.int64)
    vals = np.zeros((n, k), dtype=np.float32)
    for a in range(0, n, BLOCK):
        D = np.asarray((W[a : a + BLOCK] @ WT).toarray(), dtype=np.float32)
        b = D.shape[0]
        D[np.arange(b), np.arange(a, a + b)] = -1.0  # not its own neighbour
        idx = np.argpartition(-D, k - 1, axis=1)[:, :k]
        cols[a : a + b] = idx
        vals[a : a + b] = np.take_along_axis(D, idx, axis=1)
    vals = np.maximum(vals, 0.0)  # a unit with no word in common has no neighbours, not negative ones
    G = csr_matrix((vals.ravel(), (np.repeat(np.arange(n), k), cols.ravel())), shape=(n, n))
    G = G.maximum(G.T).tocsr()
    G.eliminate_zeros()
    if chains is not None and G.nnz:
        first = np.asarray([i for i in range(n - 1) if chains[i] is not None and chains[i] == chains[i + 1]],
                           dtype=np.int64)
        if len(first):
            w = np.full(len(first), float(np.median(G.data)), dtype=np.float32)
            link = csr_matrix((np.r_[w, w], (np.r_[first, first + 1], np.r_[first + 1, first])), shape=(n, n))
            G = G.maximum(link).tocsr()
    deg = np.asarray(G.sum(axis=1)).ravel()
    inv = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1e-12)), 0.0).astype(np.float32)
    return (diags(inv) @ G @ diags(inv)).tocsr().astype(np.float32)


def softmax_rows(S: Any, temperature: float = TEMPERATURE) -> Any:
    import numpy as np

    Z = (S - S.max(axis=1, keepdims=True)) / temperature
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def spread(G: Any, Y0: Any, alpha: float = ALPHA, iterations: int = ITERATIONS) -> Any:
    """Iterate ``F <- alpha G F + (1 - alpha) Y0``; rows of the result are normalised to sum to 1."""
    import numpy as np

    F = Y0.astype(np.float32, copy=True)
    seed = (1.0 - alpha) * F
    for _ in range(iterations):
        F = alpha * (G @ F) + seed
    return F / np.maximum(F.sum(axis=1, keepdims=True), 1e-12)


def neighbour_rows(Wq: Any, Wc: Any, k: int = NEIGHBOURS) -> tuple[Any, Any]:
    """For each query row, the ``k`` most similar corpus rows and their similarity weights (summing to 1)."""
    import numpy as np

    D = np.asarray((Wq @ Wc.T).toarray(), dtype=np.float32)
    k = min(k, D.shape[1])
    idx = np.argpartition(-D, k - 1, axis=1)[:, :k]
    w = np.maximum(np.take_along_axis(D, idx, axis=1), 0.0)
    tot = w.sum(axis=1, keepdims=True)
    w = np.where(tot > 0, w / np.maximum(tot, 1e-12), 0.0)
    return idx, w
