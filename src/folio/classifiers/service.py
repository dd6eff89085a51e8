"""A team's document types: user corrections (labels), its trained models, and their use."""

from __future__ import annotations

import io
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.classifiers.models import ClassifierModel, DocumentLabel
from folio.classifiers.repository import ClassifierRepository
from folio.classifiers.schemas import ClassificationUpdate, ClassifierRead
from folio.core.errors import Conflict, NotFound
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.storage import forget_on_rollback
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.events.service import event as event_service
from folio.pipeline.intelligence import NotEnoughData, TrainableClassifier, engine_versions
from folio.pipeline.intelligence.trainable import MAX_CHARS
from folio.pipeline.intelligence.types import Alternative, Classification

MAX_TRAINING_DOCUMENTS = 5000
CACHE_KEY = "team_classifiers"
CACHE_SIZE = 16


class NotEnoughLabels(Conflict):
    code = "NOT_ENOUGH_LABELS"
    title = "Not enough labelled documents to train"


def _classification(document: Document) -> dict[str, Any] | None:
    intelligence = document.intelligence or {}
    return intelligence.get("classification")


def _set_classification(document: Document, classification: Classification) -> None:
    """Assigns new dicts: the JSON column only notices a replaced value."""
    document.document_type = classification.document_type
    if document.intelligence is not None:
        intelligence = dict(document.intelligence)
        intelligence["classification"] = classification.model_dump(mode="json")
        document.intelligence = intelligence


class ClassifierService:
    # ---- corrections ---------------------------------------------------------------------

    async def correct(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        data: ClassificationUpdate,
    ) -> DocumentLabel:
        document = await document_service.get(session, principal, document_id)
        repository = ClassifierRepository.from_session(session)
        label = await repository.label_of(document.id)
        if label is None:
            label = DocumentLabel(
                id=new_id(IdPrefix.label),
                team_id=document.team_id,
                document_id=document.id,
                previous_type=document.document_type,
            )
        label.label, label.labelled_by = data.document_type, principal.user_id
        await repository.add(label)
        _set_classification(document, self._user_classification(document, label))
        return label

    def _user_classification(self, document: Document, label: DocumentLabel) -> Classification:
        current = _classification(document) or {}
        alternatives = []
        if current.get("document_type") and current["document_type"] != label.label:
            alternatives.append(
                Alternative(
                    document_type=current["document_type"],
                    confidence=current.get("confidence", 0.0),
                )
            )
        return Classification(
            document_type=label.label,
            confidence=1.0,
            alternatives=alternatives,
            language=current.get("language") or document.language,
            complexity=current.get("complexity", "simple"),
            method="user",
            evidence=["corrected by a user"],
        )

    async def get_label(
        self, session: AsyncSession, principal: Principal, document_id: str
    ) -> DocumentLabel:
        document = await document_service.get(session, principal, document_id)
        label = await ClassifierRepository.from_session(session).label_of(document.id)
        if label is None:
            raise NotFound(f"Document {document_id} has no corrected type.")
        return label

    # ---- training ------------------------------------------------------------------------

    async def train(
        self, session: AsyncSession, principal: Principal, runtime: Runtime
    ) -> ClassifierModel:
        """Trains on the acting team's labelled documents only; the new version is active."""
        repository = ClassifierRepository.from_session(session)
        examples = await repository.labelled_texts(
            principal, limit=MAX_TRAINING_DOCUMENTS, max_chars=MAX_CHARS
        )
        texts, labels = [text for _, text in examples], [label for label, _ in examples]
        trained = TrainableClassifier()
        try:
            report = await anyio.to_thread.run_sync(lambda: trained.fit(texts, labels))
        except NotEnoughData as exc:
            raise NotEnoughLabels(
                "Training needs at least two document types with two labelled documents each; "
                f"the team has {len(examples)} labelled documents. Correct more with "
                "PUT /api/v1/documents/{id}/classification.",
                labelled_documents=len(examples),
            ) from exc
        model_id = new_id(IdPrefix.classifier)
        key = f"{principal.team_id}/classifiers/{model_id}.bin"
        data = trained.to_bytes()
        stored = await anyio.to_thread.run_sync(
            lambda: runtime.storage.put_stream(key, io.BytesIO(data), max_bytes=len(data))
        )
        forget_on_rollback(session, runtime.storage, key)
        model = ClassifierModel(
            id=model_id,
            team_id=principal.team_id,
            version=await repository.next_version(principal.team_id),
            is_active=True,
            accuracy=report.accuracy,
            folds=report.folds,
            fold_scores=report.fold_scores,
            samples=report.samples,
            labels=report.labels,
            blob_key=stored.key,
            size_bytes=stored.size,
            sklearn_version=engine_versions().get("scikit-learn"),
            trained_by=principal.user_id,
        )
        await repository.deactivate_all(principal.team_id)
        await repository.add(model)
        self._cache(runtime)[model.id] = trained
        trained_event = Event(
            type="classifier.trained",
            team_id=model.team_id,
            data={"classifier_id": model.id, "version": model.version, "accuracy": model.accuracy},
        )
        await event_service.emit(session, runtime, trained_event)
        return model

    async def list_models(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[ClassifierRead]:
        rows = await ClassifierRepository.from_session(session).list_page(
            principal, limit=page.limit, before=page.after
        )
        return Page[ClassifierRead].from_rows(rows, page.limit, cursor=lambda m: m.id)

    async def activate(
        self, session: AsyncSession, principal: Principal, model_id: str
    ) -> ClassifierModel:
        repository = ClassifierRepository.from_session(session)
        model = await repository.get(principal, model_id)
        if model is None:
            raise NotFound(f"No classifier {model_id}.")
        await repository.deactivate_all(model.team_id)
        model.is_active = True
        await session.flush()
        return model

    # ---- use after processing (the job runner owns the transaction) ----------------------

    async def apply_to_document(
        self, session: AsyncSession, runtime: Runtime, document: Document
    ) -> None:
        """A user's label wins; else the team's active model decides when it is confident."""
        repository = ClassifierRepository.from_session(session)
        label = await repository.label_of(document.id)
        if label is not None:
            _set_classification(document, self._user_classification(document, label))
            return
        if document.intelligence is None:
            return  # analysis was off for this upload
        model = await repository.active_for_team(document.team_id)
        if model is None:
            return
        team_model = await self._load(runtime, model)
        text = await document_service.text_of(session, document)
        predicted, confidence, others = await anyio.to_thread.run_sync(
            lambda: team_model.predict(text)
        )
        if confidence < runtime.settings.classifier_min_confidence:
            return
        _set_classification(
            document, self._model_classification(document, model, predicted, confidence, others)
        )

    def _model_classification(
        self,
        document: Document,
        model: ClassifierModel,
        predicted: str,
        confidence: float,
        others: list[tuple[str, float]],
    ) -> Classification:
        rules = _classification(document) or {}
        alternatives = [Alternative(document_type=k, confidence=p) for k, p in others]
        if rules.get("document_type") and rules["document_type"] != predicted:
            alternatives.append(
                Alternative(document_type=rules["document_type"], confidence=rules["confidence"])
            )
        return Classification(
            document_type=predicted,
            confidence=confidence,
            alternatives=alternatives,
            language=rules.get("language") or document.language,
            complexity=rules.get("complexity", "simple"),
            method="model",
            model_version=f"{model.id}@v{model.version}",
            evidence=[f"team classifier v{model.version} (accuracy {model.accuracy:.2f})"],
        )

    def _cache(self, runtime: Runtime) -> dict[str, TrainableClassifier]:
        cache: dict[str, TrainableClassifier] = runtime.state.setdefault(CACHE_KEY, {})
        while len(cache) >= CACHE_SIZE:
            cache.pop(next(iter(cache)))
        return cache

    async def _load(self, runtime: Runtime, model: ClassifierModel) -> TrainableClassifier:
        cache = self._cache(runtime)
        if model.id not in cache:
            path = runtime.storage.local_path(model.blob_key)
            data = await anyio.Path(path).read_bytes()
            cache[model.id] = await anyio.to_thread.run_sync(
                lambda: TrainableClassifier.from_bytes(data)
            )
        return cache[model.id]


classifier = ClassifierService()
