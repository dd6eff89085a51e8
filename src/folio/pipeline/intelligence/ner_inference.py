"""The entity model's prediction in numpy: the same weights and decisions as spaCy's ``ner``,
at a fraction of its per-sentence cost.

spaCy predicts a sentence of twenty tokens in about 5 ms on this machine kind, and only a
tenth of that is arithmetic:

- its tok2vec is a chain of some thirty thinc layers, each a Python call with its own arrays;
- its greedy transition loop is compiled with Cython 3, whose checks after each nogil call
  take the GIL: for every step, every one of the ~80 actions' validity tests takes it again;
- BLIS (thinc's matrix library) does not recognise an AMD EPYC and uses its generic kernels,
  four times slower than numpy's OpenBLAS on these shapes.

:class:`EntityTagger` reads the weights of a loaded ``ner`` (tok2vec: hash embeddings, a
maxout mixer and residual window-CNN layers; parser: a precomputed lower layer over three
state tokens, a maxout hidden layer and a linear output) and replays the same forward pass and
the same BILUO decoding. States with no entity open only ever look at one token, so their
scores are computed for all tokens at once; only the tokens inside an entity are scored one by
one. A model of another architecture gets ``None`` from :meth:`EntityTagger.from_pipeline`,
and the caller keeps using spaCy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from thinc.api import NumpyOps
from threadpoolctl import ThreadpoolController

Floats = NDArray[np.float32]
Span = tuple[int, int, str]  # start and end character, label

_OPS = NumpyOps()
_BEGIN, _IN, _LAST, _UNIT, _OUT = "BILUO"
_TOKEN_ATTRS = ["IDX", "LENGTH", "IS_SPACE", "SENT_START"]


@dataclass(frozen=True)
class _Maxout:
    """A maxout layer followed by layer normalisation (thinc's ``Maxout(normalize=True)``)."""

    W: Floats  # (inputs, outputs * pieces)
    b: Floats
    outputs: int
    pieces: int
    G: Floats
    shift: Floats

    def __call__(self, X: Floats) -> Floats:
        Y = X @ self.W
        Y += self.b
        Z = _OPS.maxout(Y.reshape(Y.shape[0], self.outputs, self.pieces))[0]
        width = Z.shape[1]
        # the same arithmetic, in the same order, as thinc's LayerNorm
        mu = Z.sum(axis=1, keepdims=True) / width
        centred = Z - mu
        var = (centred * centred).sum(axis=1, keepdims=True) / width + 1e-08
        out: Floats = centred * var ** (-1.0 / 2.0)
        out *= self.G
        out += self.shift
        return out


def _nodes(model: Any, name: str) -> list[Any]:
    return [node for node in model.walk() if node.name == name]


def _maxout(maxout: Any, norm: Any) -> _Maxout:
    outputs, pieces, inputs = (maxout.get_dim(d) for d in ("nO", "nP", "nI"))
    W = maxout.get_param("W").reshape(outputs * pieces, inputs)
    return _Maxout(
        np.ascontiguousarray(W.T), maxout.get_param("b").reshape(outputs * pieces),
        outputs, pieces, norm.get_param("G"), norm.get_param("b"),
    )  # fmt: skip


@dataclass(frozen=True)
class _Tok2Vec:
    """spaCy's ``HashEmbedCNN`` tok2vec and the parser's linear projection after it."""

    columns: list[int]
    embeddings: list[tuple[int, int, Floats]]  # column, seed, table
    mixer: _Maxout
    encoders: list[_Maxout]
    pad: int  # zero rows around each document, as thinc's ``with_array(pad=...)`` adds
    window: int
    W: Floats
    b: Floats

    @classmethod
    def read(cls, chain: Any) -> _Tok2Vec | None:
        features = _nodes(chain, "extract_features")
        embeddings = _nodes(chain, "hashembed")
        maxouts, norms = _nodes(chain, "maxout"), _nodes(chain, "layernorm")
        windows = _nodes(chain, "expand_window")
        encoders = [n for n in chain.walk() if n.name.startswith("with_array(residual")]
        linear = _nodes(chain, "linear")
        residuals = [n for n in chain.walk()
                     if n.name.startswith("residual(") and len(n.layers) == 1]  # fmt: skip
        shape_ok = (
            len(features) == 1 and embeddings and len(maxouts) == len(norms) == len(windows) + 1
            and len(residuals) == len(windows) and len(encoders) == 1 and len(linear) == 1
            and not _nodes(chain, "static_vectors")
        )  # fmt: skip
        if not shape_ok or len({w.attrs["window_size"] for w in windows}) != 1:
            return None
        return cls(
            columns=list(features[0].attrs["columns"]),
            embeddings=[(e.attrs["column"], e.attrs["seed"], e.get_param("E")) for e in embeddings],
            mixer=_maxout(maxouts[0], norms[0]),
            encoders=[_maxout(m, n) for m, n in zip(maxouts[1:], norms[1:], strict=True)],
            pad=encoders[0].attrs["pad"],
            window=windows[0].attrs["window_size"],
            W=np.ascontiguousarray(linear[0].get_param("W").T),
            b=linear[0].get_param("b"),
        )

    def __call__(self, docs: Sequence[Any]) -> Floats:
        """One row per token of all ``docs`` (none of them empty), in order."""
        features = np.concatenate([doc.to_array(self.columns).reshape(len(doc), -1)
                                   for doc in docs]).astype("uint64")  # fmt: skip
        embedded = [
            _OPS.gather_add(table, _OPS.hash(np.ascontiguousarray(features[:, column]), seed)
                            % table.shape[0])
            for column, seed, table in self.embeddings
        ]  # fmt: skip
        mixed = self.mixer(np.concatenate(embedded, axis=1))
        lengths = [len(doc) for doc in docs]
        padded = np.zeros((len(mixed) + self.pad * (len(lengths) + 1), mixed.shape[1]), "f")
        before = np.cumsum([0, *lengths[:-1]])
        rows = np.concatenate([np.arange(n) + self.pad * (i + 1) + before[i]
                               for i, n in enumerate(lengths)])  # fmt: skip
        padded[rows] = mixed
        for encoder in self.encoders:
            padded = padded + encoder(_OPS.seq2col(padded, self.window))
        out: Floats = padded[rows] @ self.W
        out += self.b
        return out


@dataclass(frozen=True)
class _Actions:
    """The transition system's actions as arrays: move letter and label per action."""

    moves: list[str]
    labels: list[str]
    in_of: dict[str, int]  # label -> index of its I action
    last_of: dict[str, int]

    @classmethod
    def read(cls, ner: Any) -> _Actions | None:
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        moves, labels = [], []
        for name in names:
            move, _, label = name.partition("-")
            if move not in "BILUOM" or len(move) != 1:
                return None
            moves.append(move)
            labels.append(label)
        in_of = {lab: i for i, (m, lab) in enumerate(zip(moves, labels, strict=True)) if m == _IN}
        last_of = {lab: i for i, (m, lab) in enumerate(zip(moves, labels, strict=True))
                   if m == _LAST}  # fmt: skip
        if set(in_of) != set(last_of):
            return None
        return cls(moves, labels, in_of, last_of)

    def mask(self, *allowed: str) -> NDArray[np.bool_]:
        """Which actions are among ``allowed`` moves; B, I, L and U need a label."""
        return np.array([m in allowed and (m == _OUT or lab != "")
                         for m, lab in zip(self.moves, self.labels, strict=True)])  # fmt: skip


class EntityTagger:
    """Entities of texts as ``(start_char, end_char, label)``, as the ``ner`` pipe finds them."""

    def __init__(self, nlp: Any, tok2vec: _Tok2Vec, actions: _Actions, lower: Any, upper: Any):
        self._nlp = nlp
        self._tok2vec = tok2vec
        self._actions = actions
        self._lower_W = np.ascontiguousarray(
            lower.get_param("W").reshape(-1, lower.get_dim("nI")).T
        )
        self._lower_b = lower.get_param("b")  # (hidden, pieces)
        self._lower_pad = lower.get_param("pad")[0]  # (features, hidden, pieces)
        self._features = lower.get_dim("nF")
        self._hidden, self._pieces = lower.get_dim("nO"), lower.get_dim("nP")
        self._upper_W = np.ascontiguousarray(upper.get_param("W").T)
        self._upper_b = upper.get_param("b")
        # OpenBLAS splits these matrix products over every core, and its threads spin while
        # they wait: two worker processes on two cores then took 12 ms a sentence, not 2
        self._blas = ThreadpoolController().select(user_api="blas")
        # the masks of the valid actions when no entity is open
        self._open_mask = actions.mask(_BEGIN, _UNIT, _OUT)
        self._unit_mask = actions.mask(_UNIT, _OUT)
        self._out_mask = actions.mask(_OUT)

    @classmethod
    def from_pipeline(cls, nlp: Any) -> EntityTagger | None:
        """The tagger for ``nlp``'s ``ner`` pipe, or ``None`` if it is built another way."""
        if nlp.pipe_names != ["ner"]:
            return None
        ner = nlp.get_pipe("ner")
        model = ner.model
        greedy = ner.cfg.get("beam_width", 1) == 1
        if not greedy or model.name != "parser_model" or not model.attrs.get("has_upper"):
            return None
        if model.attrs.get("unseen_classes"):  # spaCy lowers their scores; not replayed here
            return None
        lower, upper = model.get_ref("lower"), model.get_ref("upper")
        if lower.get_dim("nF") != 3 or upper.get_param("W").shape[0] != ner.moves.n_moves:
            return None
        tok2vec, actions = _Tok2Vec.read(model.get_ref("tok2vec")), _Actions.read(ner)
        if tok2vec is None or actions is None:
            return None
        return cls(nlp, tok2vec, actions, lower, upper)

    def entities(self, texts: Sequence[str]) -> list[list[Span]]:
        with self._blas.limit(limits=1):
            return self._entities(texts)

    def _entities(self, texts: Sequence[str]) -> list[list[Span]]:
        docs = [self._nlp.make_doc(text) for text in texts]
        found: list[list[Span]] = [[] for _ in docs]
        filled = [i for i, doc in enumerate(docs) if len(doc)]
        if not filled:
            return found
        vectors = self._tok2vec([docs[i] for i in filled])
        # the lower layer for every token, row 0 the padding (as spaCy's PrecomputableAffine)
        precomputed = np.empty((len(vectors) + 1, self._features, self._hidden, self._pieces), "f")
        precomputed[1:] = (vectors @ self._lower_W).reshape(len(vectors), *precomputed.shape[1:])
        precomputed[0] = self._lower_pad
        first = 1
        for i in filled:
            found[i] = self._decode(docs[i], precomputed, first)
            first += len(docs[i])
        return found

    def _scores(self, unmaxed: Floats) -> Floats:
        """Action scores of states, from their summed lower-layer rows ``(states, hidden,
        pieces)``."""
        hidden = _OPS.maxout(unmaxed + self._lower_b)[0]
        scores: Floats = hidden @ self._upper_W
        scores += self._upper_b
        return scores

    def _decode(self, doc: Any, pre: Floats, first: int) -> list[Span]:
        """Greedy BILUO decoding of one document whose tokens are rows ``first``… of ``pre``."""
        starts, lengths, spaces, sentence_starts = doc.to_array(_TOKEN_ATTRS).T
        n = len(doc)
        rows = np.arange(first, first + n)
        # no entity open: the state's features are the next token and two paddings
        closed = self._scores(pre[rows, 0] + pre[0, 1] + pre[0, 2])
        # B needs a next token in the same sentence; B and U do not start on whitespace
        last = np.zeros(n, bool)
        last[-1] = True
        last[:-1] |= sentence_starts[1:] == 1
        masks = np.where(spaces[:, None].astype(bool), self._out_mask,
                         np.where(last[:, None], self._unit_mask, self._open_mask))  # fmt: skip
        best = np.where(masks, closed, -np.inf).argmax(axis=1)
        actions = self._actions
        spans: list[Span] = []
        b, opened = 0, -1
        label = ""
        while b < n:
            if opened < 0:
                action = int(best[b])
                move = actions.moves[action]
                if move == _BEGIN:
                    opened, label = b, actions.labels[action]
                elif move == _UNIT:
                    spans.append((b, b + 1, actions.labels[action]))
            else:
                unmaxed = pre[first + b, 0] + pre[first + opened, 1] + pre[first + b - 1, 2]
                scores = self._scores(unmaxed[None])[0]
                inside, end = actions.in_of[label], actions.last_of[label]
                can_continue = not last[b]
                if can_continue and (scores[inside] > scores[end] or
                                     (scores[inside] == scores[end] and inside < end)):  # fmt: skip
                    pass
                else:
                    spans.append((opened, b + 1, label))
                    opened = -1
            b += 1
        return [(int(starts[s]), int(starts[e - 1] + lengths[e - 1]), lab) for s, e, lab in spans]
