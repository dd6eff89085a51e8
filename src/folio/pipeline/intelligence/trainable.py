"""A per-team trainable document classifier (TF-IDF + logistic regression, scikit-learn).

The server stores one serialized model per team and version (:meth:`to_bytes`); it trains only
on that team's labelled documents. ``from_bytes`` must only be given bytes this class produced
and the server stored: the format is pickle.

scikit-learn is imported on first use: it takes seconds to import, and most processes (API,
CLI) never train or load a model.
"""

from __future__ import annotations

import io
import pickle
from collections import Counter
from importlib import metadata
from typing import TYPE_CHECKING

from folio.pipeline.intelligence.types import CrossValidation

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

FORMAT = b"FOLIO-CLF-1\n"
MAX_FOLDS = 5
MAX_CHARS = 20_000


class NotEnoughData(ValueError):
    """Training needs at least two labels with two examples each."""


def _pipeline() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=50_000)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, max_features=50_000
    )
    features = FeatureUnion([("words", words), ("chars", chars)])
    return Pipeline([("features", features), ("clf", LogisticRegression(max_iter=2000, C=10.0))])


def _cross_validate(docs: list[str], labels: list[str], folds: int) -> list[float]:
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    return [float(s) for s in cross_val_score(_pipeline(), docs, labels, cv=splitter)]


class TrainableClassifier:
    def __init__(self) -> None:
        self._model: Pipeline | None = None
        self.report: CrossValidation | None = None

    @property
    def labels(self) -> list[str]:
        return [] if self._model is None else [str(c) for c in self._model.classes_]

    def fit(self, texts: list[str], labels: list[str]) -> CrossValidation:
        """Train on all examples; report accuracy cross-validated on stratified folds."""
        counts = Counter(labels)
        if len(counts) < 2 or min(counts.values()) < 2 or len(texts) != len(labels):
            raise NotEnoughData("need at least two labels with two examples each")
        docs = [t[:MAX_CHARS] for t in texts]
        folds = min(MAX_FOLDS, min(counts.values()))
        scores = _cross_validate(docs, labels, folds)
        self._model = _pipeline().fit(docs, labels)
        self.report = CrossValidation(
            accuracy=round(sum(scores) / len(scores), 4),
            folds=folds,
            fold_scores=[round(s, 4) for s in scores],
            samples=len(texts),
            labels=dict(counts),
        )
        return self.report

    def predict(self, text: str) -> tuple[str, float, list[tuple[str, float]]]:
        """``(label, confidence, [(other label, probability), …])``, best first."""
        if self._model is None:
            raise RuntimeError("the classifier is not trained")
        probs = self._model.predict_proba([text[:MAX_CHARS]])[0]
        ranked = sorted(zip(self.labels, probs, strict=True), key=lambda kv: -kv[1])
        (label, conf), rest = ranked[0], ranked[1:4]
        return label, round(float(conf), 4), [(k, round(float(p), 4)) for k, p in rest]

    def to_bytes(self) -> bytes:
        state = {
            "model": self._model,
            "report": self.report,
            "sklearn": metadata.version("scikit-learn"),
        }
        buffer = io.BytesIO()
        pickle.dump(state, buffer)
        return FORMAT + buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainableClassifier:
        if not data.startswith(FORMAT):
            raise ValueError("not a Folio classifier")
        state = pickle.loads(data[len(FORMAT) :])  # only bytes Folio itself stored
        clf = cls()
        clf._model, clf.report = state["model"], state["report"]
        return clf
