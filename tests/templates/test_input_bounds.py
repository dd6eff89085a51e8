"""Templates refuse what the fuzzer sent: huge integers (issue 25 #15), incomplete rules (#16)."""

from __future__ import annotations

import json

import httpx
import pytest

from folio.pipeline.fields import Rule, validate
from tests.helpers import assert_problem

from .test_endpoints import PO_TEMPLATE

HUGE = 2**64


def with_field(**changes: object) -> dict:
    field = {**PO_TEMPLATE["fields"][0], **changes}
    return {**PO_TEMPLATE, "fields": [field]}


def with_locator(**changes: object) -> dict:
    locator = {**PO_TEMPLATE["fields"][0]["locators"][0], **changes}
    return with_field(locators=[locator])


class TestHugeIntegers:
    @pytest.mark.parametrize(
        "body",
        [
            with_field(max_items=HUGE),
            with_locator(group=HUGE),
            with_locator(max_lines_below=HUGE),
            with_field(fields=[{"name": "inner", "max_items": -HUGE}], type="object"),
        ],
        ids=["max_items", "group", "max_lines_below", "nested"],
    )
    async def test_rejected_and_the_team_lists_still_work(
        self, client: httpx.AsyncClient, body: dict
    ) -> None:
        assert_problem(await client.post("/api/v1/templates", json=body), 422, "VALIDATION_ERROR")

        assert (await client.get("/api/v1/templates")).status_code == 200

    async def test_an_infinite_float_is_rejected(self, client: httpx.AsyncClient) -> None:
        body = json.dumps({**PO_TEMPLATE, "rules": [{"kind": "range", "field": "total"}]})
        body = body.replace('"field": "total"}]', '"field": "total", "max": 1e999}]')

        response = await client.post(
            "/api/v1/templates", content=body, headers={"content-type": "application/json"}
        )

        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_update_rejects_them_too(self, client: httpx.AsyncClient) -> None:
        created = await client.post("/api/v1/templates", json=PO_TEMPLATE)
        url = f"/api/v1/templates/{created.json()['id']}"

        response = await client.patch(url, json={"fields": with_field(max_items=HUGE)["fields"]})

        assert_problem(response, 422, "VALIDATION_ERROR")
        assert (await client.get(url)).status_code == 200
        assert (await client.get(f"{url}/versions")).status_code == 200


RULES_MISSING_INPUTS = [
    {"kind": "required"},
    {"kind": "range", "min": 1},
    {"kind": "pattern", "field": "total"},
    {"kind": "sum", "field": "total"},
    {"kind": "add", "field": "total"},
    {"kind": "date_order", "fields": ["due_date"]},
]


class TestRulesNeedTheirInputs:
    @pytest.mark.parametrize("rule", RULES_MISSING_INPUTS, ids=lambda r: r["kind"])
    async def test_a_template_rule_is_422(self, client: httpx.AsyncClient, rule: dict) -> None:
        body = {**PO_TEMPLATE, "rules": [rule]}

        problem = assert_problem(
            await client.post("/api/v1/templates", json=body), 422, "VALIDATION_ERROR"
        )

        assert problem["errors"][0]["field"] == "body.rules.0"

    async def test_rules_sent_to_validate_are_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/documents/doc_01jabcdefghjkmnpqrstvwxyz0/validate",
            json={"rules": [{"kind": "required"}]},
        )

        assert_problem(response, 422, "VALIDATION_ERROR")

    def test_the_validator_skips_a_stored_rule_without_inputs(self) -> None:
        rules = [Rule(kind=kind) for kind in ("required", "range", "sum", "add", "pattern")]

        report = validate({"total": 3}, rules)

        assert [r.status for r in report.results] == ["skip"] * 5
        assert report.passed
