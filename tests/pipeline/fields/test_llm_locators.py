"""``llm`` locators against a stand-in chat-completions server: the answer is validated and
typed, kept as the raw response, and every failure falls back to the rule locators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from folio.pipeline import DocumentResult, PipelineOptions, process_file
from folio.pipeline.fields import FieldType, Template, apply_template
from folio.pipeline.fields.llm import ChatEndpoint, field_schema
from folio.pipeline.fields.templates.builder import anchor, field, llm

from .chat_standin import StandIn, chat_standin

LETTER = """Payment request
From: Northwind Traders Ltd
To: Contoso Retail
Reference 2024-118
Amount to pay 1,250.40 EUR
Pay before 15/04/2024
"""
TEMPLATE = Template(
    name="payment-request",
    date_order="DMY",
    fields=[
        field("issuer", FieldType.string, llm("Who sends the payment request")),
        field(
            "total",
            FieldType.money,
            llm("The amount to pay"),
            anchor("amount to pay", value_pick="first"),
        ),
        field("due", FieldType.date, anchor("pay before"), llm("The date payment is due")),
        field("reference", FieldType.string, anchor("reference")),
    ],
)


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> DocumentResult:
    path = tmp_path_factory.mktemp("llm") / "request.txt"
    path.write_text(LETTER)
    return process_file(path, PipelineOptions())


@pytest.fixture
def server() -> Iterator[StandIn]:
    with chat_standin() as running:
        yield running


def endpoint(server: StandIn, timeout_s: float = 5.0) -> ChatEndpoint:
    return ChatEndpoint(server.base_url, "stand-in-1", "sk-local", timeout_s)


def test_without_an_endpoint_nothing_is_sent_and_fields_stay_pending(
    letter: DocumentResult, server: StandIn
) -> None:
    extraction = apply_template(letter, TEMPLATE)

    assert server.requests == []
    assert extraction.llm_pending == ["issuer"]
    assert extraction.fields["issuer"].value is None
    assert extraction.fields["total"].value == 1250.40
    assert extraction.fields["total"].method == "anchor:right_of"


def test_answers_are_typed_marked_llm_and_keep_the_response(
    letter: DocumentResult, server: StandIn
) -> None:
    extraction = apply_template(letter, TEMPLATE, llm=endpoint(server))

    issuer, total, due = (extraction.fields[n] for n in ("issuer", "total", "due"))
    assert issuer.value == "Northwind Traders Ltd" and issuer.method == "llm"
    assert total.value == 1250.40 and total.raw == "1,250.40" and total.method == "llm"
    assert due.value == "2024-04-15" and due.method == "llm"  # the template's DMY order
    assert issuer.llm_response is not None and '"Northwind Traders Ltd"' in issuer.llm_response
    assert extraction.fields["reference"].method == "anchor:right_of"  # no llm locator: no call
    assert extraction.llm_pending == [] and extraction.warnings == []
    assert len(server.requests) == 3


def test_the_request_carries_instruction_schema_document_and_key(
    letter: DocumentResult, server: StandIn
) -> None:
    apply_template(letter, TEMPLATE, llm=endpoint(server))

    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-local"
    body = request["body"]
    assert body["model"] == "stand-in-1" and body["temperature"] == 0
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert '"required": ["value"]' in system
    assert "Instruction: Who sends the payment request" in user
    assert "Amount to pay 1,250.40 EUR" in user


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("not_json", "the answer is not JSON"),
        ("invented", "the value does not occur in the document"),
        ("error", "HTTP 500"),
        ("null", "the model found no value"),
    ],
)
def test_a_bad_answer_falls_back_to_the_rule_locators(
    letter: DocumentResult, server: StandIn, behaviour: str, reason: str
) -> None:
    server.behaviour = behaviour

    extraction = apply_template(letter, TEMPLATE, llm=endpoint(server))

    total = extraction.fields["total"]
    assert total.value == 1250.40 and total.method == "anchor:right_of"
    assert extraction.fields["issuer"].value is None
    assert reason in (extraction.fields["issuer"].missing_reason or "")
    assert any(w.startswith("total: LLM answer not used") for w in extraction.warnings)


def test_a_timeout_falls_back_to_the_rule_locators(letter: DocumentResult, server: StandIn) -> None:
    server.behaviour = "slow"

    extraction = apply_template(letter, TEMPLATE, llm=endpoint(server, timeout_s=0.3))

    assert extraction.fields["due"].value == "2024-04-15"
    assert extraction.fields["due"].method == "anchor:right_of"
    assert "no answer within 0.3 s" in extraction.fields["issuer"].missing_reason


def test_a_wrong_type_is_refused(letter: DocumentResult, server: StandIn) -> None:
    misread = TEMPLATE.model_copy(
        update={"fields": [field("issuer", FieldType.money, llm("the sender"))]}
    )

    extraction = apply_template(letter, misread, llm=endpoint(server))

    assert extraction.fields["issuer"].value is None
    assert "not a money" in extraction.fields["issuer"].missing_reason


def test_the_schema_allows_null_and_only_the_value() -> None:
    schema = field_schema(field("kind", FieldType.enum, enum_values=["sale", "gift"]))

    assert schema["required"] == ["value"] and schema["additionalProperties"] is False
    assert schema["properties"]["value"]["anyOf"][0] == {"type": "string", "enum": ["sale", "gift"]}
