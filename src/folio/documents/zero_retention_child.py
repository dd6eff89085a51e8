"""What a zero-retention request runs in its sandbox process (``runtime.processor``).

Imports only the pipeline: the child stays small and starts quickly. It reads the temporary
file the API process wrote (and deletes, whatever happens here) and answers plain data:
``("result", result_json, intelligence_json_or_none)`` or ``("error", code, message)``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from folio.pipeline import Limits, PipelineError, PipelineOptions, process_file
from folio.pipeline.errors import ResourceLimit
from folio.pipeline.intelligence import IntelligenceOptions, analyze

logger = logging.getLogger("folio.zero_retention")
MEMORY_MESSAGE = "The document needs more memory than the processing limit allows."


def process_once(
    path: str, filename: str, mime_type: str, options: dict[str, Any], limits: dict[str, Any]
) -> tuple[Any, ...]:
    pipeline = PipelineOptions(
        ocr=options["ocr"],
        ocr_engine=options["ocr_engine"],
        languages=tuple(options["language"]),
        password=options.get("password"),
        limits=Limits.model_validate(limits),
    )
    try:
        result = process_file(Path(path), pipeline, filename=filename, mime_type=mime_type)
    except PipelineError as error:
        return ("error", error.code, error.message)
    except MemoryError:
        return ("error", ResourceLimit.code, MEMORY_MESSAGE)
    except Exception:  # the parent answers 503, never a stack trace
        logger.exception("unexpected failure in zero-retention processing")
        return ("error", "INTERNAL_ERROR", "Unexpected failure while processing the document.")
    intelligence = None
    if options["analyze"]:
        wanted = IntelligenceOptions(
            security_scan=options["perform_security_scan"],
            insights=options["generate_insights"],
            compliance_frameworks=tuple(options["compliance_frameworks"]),
            summary_length=options["summary_length"],
            extension_mismatch=options["extension_mismatch"],
        )
        try:  # as for stored documents: analysis never fails extracted text
            intelligence = analyze(result, wanted, path=Path(path)).model_dump(mode="json")
        except Exception:
            logger.exception("analysis failed")
            result.warnings.append("Analysis failed; the extracted text is complete.")
    return ("result", result.model_dump(mode="json"), intelligence)
