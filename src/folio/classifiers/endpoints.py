from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from folio.classifiers.models import ClassifierModel, DocumentLabel
from folio.classifiers.schemas import ClassificationRead, ClassificationUpdate, ClassifierRead
from folio.classifiers.service import classifier as classifier_service
from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.documents.schemas import DocumentId

router = APIRouter(tags=["classifiers"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]


@router.put(
    "/api/v1/documents/{document_id}/classification",
    response_model=ClassificationRead,
    summary="Correct a document's type; the label trains the team's classifier",
    responses=problems(401, 403, 404, 422),
)
async def correct_classification(
    document_id: DocumentId,
    data: ClassificationUpdate,
    principal: DocumentsWrite,
    session: DbSession,
) -> DocumentLabel:
    return await classifier_service.correct(session, principal, document_id, data)


@router.post(
    "/api/v1/classifiers/train",
    status_code=201,
    response_model=ClassifierRead,
    summary="Train a new version of the team's classifier on its labelled documents",
    description="Only the acting team's corrected documents are used. Reports the accuracy "
    "of stratified cross-validation; the new version becomes the active one.",
    responses=problems(401, 403, 409),
)
async def train_classifier(
    principal: DocumentsWrite, session: DbSession, runtime: RuntimeDep
) -> ClassifierModel:
    return await classifier_service.train(session, principal, runtime)


@router.get(
    "/api/v1/classifiers",
    response_model=Page[ClassifierRead],
    summary="The team's classifier versions, newest first, with accuracy and which is active",
    responses=problems(401, 403, 422),
)
async def list_classifiers(
    principal: DocumentsRead, session: DbSession, page: PageQuery
) -> Page[ClassifierRead]:
    return await classifier_service.list_models(session, principal, page)


@router.post(
    "/api/v1/classifiers/{classifier_id}/activate",
    response_model=ClassifierRead,
    summary="Make an earlier (or the latest) version the one used for new documents",
    responses=problems(401, 403, 404),
)
async def activate_classifier(
    classifier_id: str, principal: DocumentsWrite, session: DbSession
) -> ClassifierModel:
    return await classifier_service.activate(session, principal, classifier_id)
