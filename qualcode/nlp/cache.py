"""The project's cache of fitted suggesters, so a fresh process does not refit: ``<project>/.qualcode/models/``.

Two folders per state, both keyed by the engine (qualcode version and the source of this package), the text
pipeline, the codebook hash and the units being coded (see :meth:`Suggester.state_keys`):

- ``corpus-<key>/``: the vectoriser, the units' rows, the codebook prior and the unit graph: the
  expensive part, unchanged by coding;
- ``learned-<key>/``: the learners, label spreading and calibration for one set of codings and decisions
  (its key adds a hash of every coded unit, its codes and rejected codes).

A new coding or decision changes the second key only, so a fresh process refits the learners (fast) but not
the rest. New units (an import) or units gone (a transcript removed) change both keys: the newest corpus folder
saved for the same codebook (its ``meta.json`` names it) is then brought up to date incrementally
(:func:`restore_incremental`) instead of fitting from scratch; such a state carries how many units it has added or
removed since its last fit from scratch, and a fit from scratch saved later under the same key replaces it.

The cache is never needed for correctness: a missing, stale, unreadable or damaged folder is ignored
(and a damaged one removed) and the model fitted as if it were not there; a folder is written under a temporary
name and renamed, so readers never see half of one. Each array is a NumPy ``.npy`` file read with
``allow_pickle=False`` and memory-mapped (a fresh process reads only the pages it uses: the rows of the units it
scores), beside a JSON header: loading them runs no code.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.nlp.suggester import Suggester

MODELS_DIR = Path(".qualcode") / "models"
FORMAT = 4
KEEP = 3  # folders of each kind kept per project (another process may be using an older state)


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


def _encode(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(arrays to save, JSON header): sparse matrices as their CSR parts; everything not an array in the header."""
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
    return arrays, {"kinds": kinds, "plain": plain}


def _load_array(path: Path) -> Any:
    import numpy as np

    try:
        # Copy-on-write: the model may change its arrays in memory; the file never changes.
        return np.load(path, mmap_mode="c", allow_pickle=False)
    except ValueError:
        return np.load(path, allow_pickle=False)  # an empty array cannot be mapped


def _decode(folder: Path) -> dict[str, Any]:
    from scipy.sparse import csr_matrix

    header = json.loads((folder / "header.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = dict(header["plain"])
    for name, kind in header["kinds"].items():
        if kind == "none":
            out[name] = None
        elif kind == "array":
            out[name] = _load_array(folder / f"{name}.npy")
        elif kind == "csr":
            shape = tuple(int(x) for x in _load_array(folder / f"{name}.shape.npy"))
            m = csr_matrix((_load_array(folder / f"{name}.data.npy"), _load_array(folder / f"{name}.indices.npy"),
                            _load_array(folder / f"{name}.indptr.npy")), shape=shape)
            m.check_format(full_check=True)  # out-of-range indices would otherwise reach compiled code
            out[name] = m
        elif kind != "json":
            raise ValueError(f"{name}: unknown kind {kind!r}")
    return out


# ---------------------------------------------------------------------------- folders


def _read(path: Path, kind: str, key: str) -> dict[str, Any] | None:
    """The saved values, or None when the folder is missing, for another key, or damaged (then removed)."""
    if not (path / "header.json").is_file():
        return None
    try:
        values = _decode(path)
    except Exception:  # damaged, truncated or foreign: a cache miss, never an error
        shutil.rmtree(path, ignore_errors=True)
        return None
    if values.get("__engine__") != engine_fingerprint() or values.get("__kind__") != kind or values.get(
            "__key__") != key:
        return None
    return values


def _write(folder: Path, kind: str, key: str, values: dict[str, Any], changed: int,
           meta: dict[str, Any] | None = None) -> Path | None:
    """Write atomically; returns the path, or None when the folder cannot be written (read-only project).
    ``changed``: units added or removed incrementally since the state's last fit from scratch, noted in the header as
    ``fit_changed`` (see :func:`_header_fits`). ``meta``: a small JSON file beside the arrays, read without loading
    them."""
    import numpy as np

    path = folder / f"{kind}-{_file_key(key)}"
    if _header_fits(path, kind, key, changed):
        return path  # the same key holds the same state (or a closer one): another process wrote it already
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        arrays, header = _encode({**values, "fit_changed": changed, "__engine__": engine_fingerprint(),
                                  "__kind__": kind, "__key__": key})
        tmp = tempfile.mkdtemp(prefix=f".{kind}-", suffix=".tmp", dir=folder)
        for name, arr in arrays.items():
            np.save(Path(tmp) / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        (Path(tmp) / "header.json").write_text(json.dumps(header), encoding="utf-8")
        if meta is not None:
            (Path(tmp) / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        if path.exists():  # damaged: out of the way first (a folder cannot be renamed over a full one)
            shutil.rmtree(path, ignore_errors=True)
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError):
        return None if not (path / "header.json").is_file() else path
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _prune(folder, kind, keep=path)
    return path


def _header_fits(path: Path, kind: str, key: str, changed: int = 0) -> bool:
    """The folder holds this key's state, updated incrementally by no more units than ``changed`` (a state fitted
    from scratch replaces one brought up to date incrementally)."""
    try:
        plain = json.loads((path / "header.json").read_text(encoding="utf-8"))["plain"]
        return bool(plain["__engine__"] == engine_fingerprint() and plain["__kind__"] == kind
                    and plain["__key__"] == key and int(plain.get("fit_changed") or 0) <= changed)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _prune(folder: Path, kind: str, keep: Path) -> None:
    """Remove all but the ``KEEP`` most recently written folders of a kind (and stray temporary ones)."""
    try:
        found = sorted(folder.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        old = [p for p in found if p != keep][KEEP - 1 :]
        old += [p for p in folder.glob(f".{kind}-*.tmp") if time.time() - p.stat().st_mtime > 3600]
        for p in old:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink()
    except OSError:
        pass


# ---------------------------------------------------------------------------- public


def _took(suggester: Suggester, take: Any, *parts: Any) -> bool:
    """Whether ``take`` (the suggester's :meth:`~Suggester.restore_state` or :meth:`~Suggester.extend_state`) took the
    saved parts over. Either changes nothing when it answers False; one that failed half way leaves the suggester to
    be fitted from scratch, as if there were no cache."""
    try:
        return bool(take(*parts))
    except Exception:  # a state that does not fit
        suggester.reset()
        return False


def restore(project_dir: str | Path, suggester: Suggester) -> str:
    """Bring ``suggester`` to its fitted state from the cache if possible.

    Returns ``"hit"`` (everything restored), ``"corpus"`` (the corpus part restored, the learners refitted:
    the codings changed) or ``"miss"`` (nothing usable; the suggester is untouched).
    """
    folder = models_dir(project_dir)
    corpus_key, learned_key = suggester.state_keys()
    corpus = _read(folder / f"corpus-{_file_key(corpus_key)}", "corpus", corpus_key)
    if corpus is None:
        return "miss"
    learned = _read(folder / f"learned-{_file_key(learned_key)}", "learned", learned_key)
    if not _took(suggester, suggester.restore_state, corpus, learned):
        return "miss"
    return "hit" if learned is not None and suggester.restored_learned else "corpus"


def save(project_dir: str | Path, suggester: Suggester, *, corpus: bool = True,
         units: dict[str, Any] | None = None) -> None:
    """Save the fitted state (``corpus=False``: only the learned part, after a retraining). A model left stale by a
    quick update is not saved: another process would take it for a complete fit. ``units``: what the project notes of
    its units beside the corpus part (JSON values; its ``units``, a fingerprint: see :func:`units_known`)."""
    if suggester.stale:
        return
    folder = models_dir(project_dir)
    corpus_key, learned_key = suggester.state_keys()
    corpus_values, learned_values = suggester.export_state()
    changed = int(corpus_values["fit_changed"])
    if corpus:
        _write(folder, "corpus", corpus_key, corpus_values, changed,
               meta={**(units or {}), "engine": engine_fingerprint(), "family": suggester.family_key(),
                     "key": corpus_key})
    _write(folder, "learned", learned_key, learned_values, changed)


def has_saved_models(project_dir: str | Path) -> bool:
    """Whether any corpus part is saved for the project (cheap: a folder listing)."""
    try:
        return any(models_dir(project_dir).glob("corpus-*"))
    except OSError:
        return False


def has_state(project_dir: str | Path, suggester: Suggester) -> bool:
    """Whether the corpus part of ``suggester``'s current state is saved (its header only is looked at)."""
    corpus_key = suggester.state_keys()[0]
    return _header_fits(models_dir(project_dir) / f"corpus-{_file_key(corpus_key)}", "corpus", corpus_key, 1 << 62)


def _metas(project_dir: str | Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The saved corpus parts of this engine with their small ``meta.json`` (their arrays are not read)."""
    try:
        paths = list(models_dir(project_dir).glob("corpus-*"))
    except OSError:
        return
    for path in paths:
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("engine") == engine_fingerprint():
            yield path, meta


def saved_metas(project_dir: str | Path) -> list[dict[str, Any]]:
    """What was noted beside each saved corpus part of this engine (see :func:`save`), the newest first."""
    found = []
    for path, meta in _metas(project_dir):
        try:
            found.append((path.stat().st_mtime, str(path), meta))
        except OSError:
            continue
    return [meta for _, _, meta in sorted(found, key=lambda f: f[:2], reverse=True)]


def units_known(project_dir: str | Path, units: str) -> bool:
    """Whether a saved corpus part was fitted on the units of this fingerprint (read from the small ``meta.json``
    files only): when not, the model will be brought up to date or fitted, and the caller can get ready for that."""
    return any(meta.get("units") == units for _, meta in _metas(project_dir))


def restore_incremental(project_dir: str | Path, suggester: Suggester) -> str:
    """Bring ``suggester`` up to date from the newest saved state of the same codebook for another set of units
    (:meth:`Suggester.extend_state`), after :func:`restore` found nothing for the current units.

    Returns ``"extended"``, or ``"miss"`` (nothing usable; the suggester is untouched).
    """
    folder = models_dir(project_dir)
    family = suggester.family_key()
    found: list[tuple[float, Path, str]] = []
    for path, meta in _metas(project_dir):
        try:
            if meta.get("family") == family:
                found.append((path.stat().st_mtime, path, str(meta["key"])))
        except (OSError, KeyError):
            continue
    if not found:
        return "miss"
    _, path, key = max(found)  # the newest: the closest to the current units
    corpus = _read(path, "corpus", key)
    if corpus is None:
        return "miss"
    learned_key = suggester.learned_key(key)
    learned = _read(folder / f"learned-{_file_key(learned_key)}", "learned", learned_key)
    return "extended" if _took(suggester, suggester.extend_state, corpus, learned) else "miss"
