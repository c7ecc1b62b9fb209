"""The project's cache of fitted suggesters, so a fresh process does not refit: ``<project>/.qualcode/models/``.

Two files per state, both keyed by the engine (qualcode version and the source of this package), the text
pipeline, the codebook hash and the units being coded (see :meth:`Suggester.state_keys`):

- ``corpus-<key>.npz``: the vectoriser, the units' rows, the codebook prior and the unit graph: the
  expensive part, unchanged by coding;
- ``learned-<key>.npz``: the learners, label spreading and calibration for one set of codings and decisions
  (its key adds a hash of every coded unit, its codes and rejected codes).

A new coding or decision changes the second key only, so a fresh process refits the learners (fast) but not
the rest. The cache is never needed for correctness: a missing, stale, unreadable or damaged file is ignored
(and a damaged one removed) and the model fitted as if it were not there; files are written to a temporary
name and renamed, so readers never see half a file. Files are NumPy ``.npz`` archives read with
``allow_pickle=False`` plus a JSON header: loading them runs no code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.nlp.suggester import Suggester

MODELS_DIR = Path(".qualcode") / "models"
FORMAT = 2
KEEP = 3  # files of each kind kept per project (another process may be using an older state)


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """qualcode's version and a hash of the suggestion engine's source: any change to the method invalidates."""
    from qualcode import __version__

    h = hashlib.sha256(f"{__version__}\x1f{FORMAT}".encode())
    here = Path(__file__).resolve().parent
    for src in sorted(here.glob("*.py")):
        h.update(src.name.encode() + b"\x1f" + src.read_bytes())
    for data in sorted((here / "data").glob("*.npz")):  # the word vectors
        h.update(data.name.encode() + b"\x1f" + data.read_bytes())
    return h.hexdigest()


def models_dir(project_dir: str | Path) -> Path:
    return Path(project_dir) / MODELS_DIR


def _file_key(key: str) -> str:
    return hashlib.sha256(f"{engine_fingerprint()}\x1f{key}".encode()).hexdigest()[:40]


# ---------------------------------------------------------------------------- encoding


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    """Arrays for ``np.savez``; sparse matrices as their CSR parts; everything else in a JSON header."""
    import numpy as np
    from scipy.sparse import issparse

    arrays: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    plain: dict[str, Any] = {}
    for name, v in values.items():
        if v is None:
            kinds[name] = "none"
        elif issparse(v):
            m = v.tocsr()
            kinds[name] = "csr"
            arrays[f"{name}.data"] = m.data
            arrays[f"{name}.indices"] = m.indices
            arrays[f"{name}.indptr"] = m.indptr
            arrays[f"{name}.shape"] = np.asarray(m.shape, dtype=np.int64)
        elif isinstance(v, np.ndarray):
            if v.dtype == object:
                raise TypeError(f"{name}: object arrays are not saved")
            kinds[name] = "array"
            arrays[name] = v
        else:
            kinds[name] = "json"
            plain[name] = v
    arrays["__header__"] = np.frombuffer(json.dumps({"kinds": kinds, "plain": plain}).encode("utf-8"), dtype=np.uint8)
    return arrays


def _decode(archive: Any) -> dict[str, Any]:
    from scipy.sparse import csr_matrix

    header = json.loads(bytes(archive["__header__"]).decode("utf-8"))
    out: dict[str, Any] = dict(header["plain"])
    for name, kind in header["kinds"].items():
        if kind == "none":
            out[name] = None
        elif kind == "array":
            out[name] = archive[name]
        elif kind == "csr":
            shape = tuple(int(x) for x in archive[f"{name}.shape"])
            m = csr_matrix((archive[f"{name}.data"], archive[f"{name}.indices"], archive[f"{name}.indptr"]),
                           shape=shape)
            m.check_format(full_check=True)  # out-of-range indices would otherwise reach compiled code
            out[name] = m
    return out


# ---------------------------------------------------------------------------- files


def _read(path: Path, kind: str, key: str) -> dict[str, Any] | None:
    """The saved values, or None when the file is missing, for another key, or damaged (then removed)."""
    import numpy as np

    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            values = _decode(archive)
    except Exception:  # damaged, truncated or foreign: a cache miss, never an error
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    if values.get("__engine__") != engine_fingerprint() or values.get("__kind__") != kind or values.get(
            "__key__") != key:
        return None
    return values


def _write(folder: Path, kind: str, key: str, values: dict[str, Any]) -> Path | None:
    """Write atomically; returns the path, or None when the folder cannot be written (read-only project)."""
    import numpy as np

    path = folder / f"{kind}-{_file_key(key)}.npz"
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        arrays = _encode({**values, "__engine__": engine_fingerprint(), "__kind__": kind, "__key__": key})
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError):
        return None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _prune(folder, kind, keep=path)
    return path


def _prune(folder: Path, kind: str, keep: Path) -> None:
    """Remove all but the ``KEEP`` most recently written files of a kind (and stray temporary files)."""
    try:
        files = sorted(folder.glob(f"{kind}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        old = [p for p in files if p != keep][KEEP - 1 :]
        for p in old:
            p.unlink()
    except OSError:
        pass


# ---------------------------------------------------------------------------- public


def restore(project_dir: str | Path, suggester: Suggester) -> str:
    """Bring ``suggester`` to its fitted state from the cache if possible.

    Returns ``"hit"`` (everything restored), ``"corpus"`` (the corpus part restored, the learners refitted:
    the codings changed) or ``"miss"`` (nothing usable; the suggester is untouched).
    """
    folder = models_dir(project_dir)
    corpus_key, learned_key = suggester.state_keys()
    corpus = _read(folder / f"corpus-{_file_key(corpus_key)}.npz", "corpus", corpus_key)
    if corpus is None:
        return "miss"
    learned = _read(folder / f"learned-{_file_key(learned_key)}.npz", "learned", learned_key)
    try:
        ok = suggester.restore_state(corpus, learned)
    except Exception:  # a state that does not fit: fit from scratch as if there were no cache
        ok = False
    if not ok:
        suggester.reset()
        return "miss"
    return "hit" if learned is not None and suggester.restored_learned else "corpus"


def save(project_dir: str | Path, suggester: Suggester, *, corpus: bool = True) -> None:
    """Save the fitted state (``corpus=False``: only the learned part, after a retraining)."""
    folder = models_dir(project_dir)
    corpus_key, learned_key = suggester.state_keys()
    corpus_values, learned_values = suggester.export_state()
    if corpus:
        _write(folder, "corpus", corpus_key, corpus_values)
    _write(folder, "learned", learned_key, learned_values)
