"""The web app in real Chromium against a real `folio serve`: sign-in, live upload progress, the
page viewer's boxes, corrections, API keys and a second user who sees none of it."""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import corpus
from tests.web.conftest import AXE, Running
from tests.webcrawl.site import LocalSite

pytestmark = [pytest.mark.e2e, pytest.mark.ocr]
INVOICE = "invoice2data/tests/compare/AzureInterior.pdf"
RECEIPT = "sroie/data/img/005.jpg"
TEXT_PDF = "pdfplumber/tests/pdfs/issue-1054-example.pdf"
PASSWORD = "a long enough passphrase 42"


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(**options)
    context.add_init_script(path=str(AXE))  # the page's CSP does not apply to init scripts
    return context


def watched_page(context: BrowserContext) -> Page:
    """A page that fails the test on any script error or policy violation."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.problems = problems  # type: ignore[attr-defined]
    return page


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{url}/")
    expect(page.locator("#documents-body tr").first).to_be_attached()


def check_page(page: Page, artifacts: Path, name: str) -> None:
    """No serious or critical axe-core violation, no CSP breach; a screenshot as artefact."""
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert page.problems == []  # type: ignore[attr-defined]
    page.screenshot(path=str(artifacts / name), full_page=True)


def mailed_token(running: Running, address: str, path: str) -> str:
    """The token of the newest mail to ``address`` linking to ``path`` (the outbox: no SMTP)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for mail in sorted((running.server.data_dir / "outbox").glob("*.eml"), reverse=True):
            message = message_from_bytes(mail.read_bytes())
            body = message.get_payload(decode=True)
            if message["To"] == address and isinstance(body, bytes):
                found = re.search(rf"{path}\?token=([\w-]+)", body.decode())
                if found:
                    return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} with {path}")


def register(running: Running, email: str) -> None:
    with running.client() as client:
        made = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert made.status_code == 201, made.text


@pytest.fixture(scope="module")
def admin(browser: Browser, running: Running) -> Iterator[Page]:
    context = new_context(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = watched_page(context)
    sign_in(page, running.server.url, running.email, running.password)
    yield page
    context.close()


@pytest.fixture(scope="module")
def uploaded(admin: Page, running: Running) -> dict[str, Any]:
    """Three corpus files dropped on the upload form, watched to the end without a reload."""
    admin.goto(f"{running.server.url}/")
    expect(admin.locator("#live-status[data-state=live]")).to_be_attached(timeout=20_000)
    admin.evaluate(
        """() => {
            window.__sameDocument = true;
            window.__statuses = [];
            new MutationObserver(records => records.forEach(r =>
                window.__statuses.push(r.target.dataset.status)))
              .observe(document.getElementById("uploads"),
                       {subtree: true, attributes: true, attributeFilter: ["data-status"]});
        }"""
    )
    files = [corpus(name) for name in (INVOICE, RECEIPT, TEXT_PDF)]
    started = time.monotonic()
    admin.set_input_files("#file-input", [str(path) for path in files])
    admin.click("#upload-button")
    done = admin.locator("#uploads li[data-status=completed]")
    expect(done).to_have_count(3, timeout=180_000)
    ids = {
        row.get_attribute("data-filename"): row.get_attribute("data-document-id")
        for row in done.all()
    }
    return {
        "ids": ids,
        "seconds": time.monotonic() - started,
        "statuses": admin.evaluate("() => window.__statuses"),
        "same_document": admin.evaluate("() => window.__sameDocument === true"),
    }


def test_pages_carry_a_strict_policy_and_session_posts_need_same_origin(running: Running) -> None:
    with running.client() as client:
        page = client.get("/")
        refused = client.post("/web/session", json={"email": "a@b.co", "password": "x"})
        cross_site = client.post(
            "/web/session",
            json={"email": running.email, "password": running.password},
            headers={"X-Folio-CSRF": "1", "Origin": "https://evil.example"},
        )
        wrong = client.post(
            "/web/session",
            json={"email": running.email, "password": "wrong"},
            headers={"X-Folio-CSRF": "1"},
        )
        no_cookie = client.post("/web/session/refresh", headers={"X-Folio-CSRF": "1"})
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert cross_site.status_code == 403 and "set-cookie" not in cross_site.headers
    assert wrong.status_code == 401
    assert no_cookie.status_code == 401


def test_sign_in_refuses_a_wrong_password_then_takes_the_first_start_admin(
    browser: Browser, running: Running, artifacts: Path
) -> None:
    context = new_context(browser)
    page = watched_page(context)
    page.goto(f"{running.server.url}/")
    page.wait_for_url(f"{running.server.url}/login")  # no session: to the sign-in page
    page.get_by_label("E-mail").fill(running.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#login-error")).not_to_be_empty()
    check_page(page, artifacts, "login.png")
    sign_in(page, running.server.url, running.email, running.password)
    cookie = next(c for c in context.cookies() if c["name"] == "folio_refresh")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/web/session"
    context.close()


def test_three_uploads_reach_completed_live_without_a_reload(
    admin: Page, uploaded: dict[str, Any], artifacts: Path, running: Running
) -> None:
    assert set(uploaded["ids"]) == {"AzureInterior.pdf", "005.jpg", "issue-1054-example.pdf"}
    assert uploaded["same_document"]
    # "processing" only ever arrives over the WebSocket (the upload's answer says "queued")
    assert "processing" in uploaded["statuses"]
    rows = admin.locator("#documents-body tr[data-document-id]")
    for document_id in uploaded["ids"].values():
        row = admin.locator(f'#documents-body tr[data-document-id="{document_id}"]')
        expect(row.locator("[data-status=completed]")).to_be_visible()
    assert rows.count() == 3
    check_page(admin, artifacts, "documents.png")
    print(f"three uploads completed in {uploaded['seconds']:.1f} s")


def test_search_and_status_filter(admin: Page, uploaded: dict[str, Any], running: Running) -> None:
    invoice_id = uploaded["ids"]["AzureInterior.pdf"]
    with running.client() as client:
        text = client.get(f"/api/v1/documents/{invoice_id}/text").text
    word = max(re.findall(r"[A-Za-z]{6,}", text), key=len)
    admin.goto(f"{running.server.url}/?q={word}")
    rows = admin.locator("#documents-body tr[data-document-id]")
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-document-id") == invoice_id
    admin.goto(f"{running.server.url}/?status=failed")
    expect(admin.locator("#documents-body [data-empty]")).to_be_visible()

    admin.goto(f"{running.server.url}/")
    admin.get_by_text("More filters and sorting").click()
    admin.locator("#search-form select[name=type]").select_option("image")
    admin.locator("#search-form select[name=sort]").select_option("oldest")
    admin.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-document-id") == uploaded["ids"]["005.jpg"]
    assert "type=image" in admin.url and "sort=oldest" in admin.url
    today = time.strftime("%Y-%m-%d", time.gmtime())
    admin.goto(f"{running.server.url}/?sort=oldest&from={today}&to={today}&pii=true")
    expect(rows.first).to_be_attached()
    with running.client() as client:
        listed = client.get("/api/v1/documents", params={"sort": "oldest", "pii": "true"})
    assert [r.get_attribute("data-document-id") for r in rows.all()] == [
        d["id"] for d in listed.json()["items"]
    ]
    admin.goto(f"{running.server.url}/?to=2000-01-01")
    expect(admin.locator("#documents-body [data-empty]")).to_be_visible()


def _area(box: dict[str, float]) -> float:
    return box["width"] * box["height"]


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Intersection over the smaller box."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0.0, width) * max(0.0, height) / min(_area(a), _area(b))


def test_document_page_draws_a_pii_box_on_its_word_and_takes_a_type_correction(
    admin: Page, uploaded: dict[str, Any], running: Running, artifacts: Path
) -> None:
    invoice_id = uploaded["ids"]["AzureInterior.pdf"]
    admin.goto(f"{running.server.url}/documents/{invoice_id}")
    expect(admin.locator("#viewer .page canvas")).to_have_count(1, timeout=30_000)
    admin.get_by_role("switch", name="Words", exact=True).check()
    email_box = admin.locator(".box.pii[data-type=email]").first
    expect(email_box).to_be_visible()
    value = email_box.get_attribute("data-text") or ""
    assert "@" in value
    word_box = admin.locator(f'.box.word[data-text="{value}"]')
    pii_rect, word_rect = email_box.bounding_box(), word_box.first.bounding_box()
    assert pii_rect and word_rect and _overlap(pii_rect, word_rect) > 0.8
    email_box.click()
    expect(admin.locator('#box-details dd[data-field="value"]')).to_have_text(value)
    expect(admin.locator('#box-details dd[data-field="confidence"]')).to_have_text(
        re.compile(r"\d+%")
    )
    admin.get_by_role("switch", name="PII", exact=True).uncheck()
    expect(email_box).to_be_hidden()
    admin.get_by_role("switch", name="PII", exact=True).check()
    admin.get_by_role("switch", name="Words", exact=True).uncheck()
    check_page(admin, artifacts, "document.png")

    admin.get_by_label("Correct the type").select_option("contract")
    admin.get_by_role("button", name="Save type").click()
    expect(admin.locator("#current-type")).to_contain_text("contract")
    with running.client() as client:
        document = client.get(f"/api/v1/documents/{invoice_id}").json()
    assert document["document_type"] == "contract"

    admin.get_by_role("link", name="Report a problem with this document").click()
    admin.get_by_label("Your name").fill("Ada Admin")
    admin.get_by_label("What happened").fill("The <b>total</b> looks wrong")
    admin.get_by_role("button", name="Report the problem").click()
    expect(admin.locator("#tickets-body tr[data-status=open]")).to_have_count(1)
    ticket_id = admin.locator("#tickets-body tr").first.get_attribute("data-ticket-id")
    ticket = admin.locator(f'#tickets-body tr[data-ticket-id="{ticket_id}"]')
    expect(ticket.locator(".ticket-text")).to_have_text("The <b>total</b> looks wrong")  # as text
    ticket.get_by_role("combobox").select_option("in_progress")
    expect(ticket).to_have_attribute("data-status", "in_progress")
    with running.client() as client:
        stored = client.get("/api/v1/tickets").json()["items"][0]
    assert stored["document_id"] == invoice_id and stored["status"] == "in_progress"
    check_page(admin, artifacts, "tickets.png")
    admin.goto(f"{running.server.url}/documents/{invoice_id}")

    with admin.expect_download() as original:
        admin.get_by_role("button", name="Original").click()
    assert original.value.suggested_filename == "AzureInterior.pdf"
    assert Path(original.value.path()).read_bytes() == corpus(INVOICE).read_bytes()
    expect(admin.locator("#markdown")).to_contain_text("INV/2023/03/0008")
    admin.get_by_role("checkbox", name="email").check()  # the redaction is previewed first
    expect(admin.locator("#redaction-preview")).to_have_attribute("data-boxes", re.compile("[1-9]"))
    expect(email_box).to_have_class(re.compile("redact-preview"))
    with running.client() as client:
        assert client.get(f"/api/v1/documents/{invoice_id}/redactions").json()["items"] == []
    with admin.expect_download(timeout=60_000) as redacted:
        admin.get_by_role("button", name="Write the redacted PDF").click()
    assert Path(redacted.value.path()).read_bytes().startswith(b"%PDF")

    recommendation = admin.locator("#recommendations li[data-status=open]").filter(
        has=admin.get_by_role("button", name=re.compile("^Propose"))
    )
    expect(recommendation.first).to_be_visible()
    rec_id = recommendation.first.get_attribute("data-recommendation-id")
    recommendation.first.get_by_role("button", name=re.compile("^Propose")).click()
    item = admin.locator(f'#recommendations li[data-recommendation-id="{rec_id}"]')
    expect(item).to_have_attribute("data-status", "pending_review")
    item.get_by_role("button", name=re.compile("^Approve")).click()
    expect(item).to_have_attribute("data-status", "completed")


def test_extraction_review_corrects_a_field_validates_and_exports(
    admin: Page, uploaded: dict[str, Any], running: Running, artifacts: Path
) -> None:
    invoice_id = uploaded["ids"]["AzureInterior.pdf"]
    admin.goto(f"{running.server.url}/documents/{invoice_id}")
    admin.get_by_label("Template to apply").select_option("invoice")
    admin.get_by_role("button", name="Extract fields").click()
    rows = admin.locator("#fields-table tbody tr")
    expect(rows.first).to_be_visible(timeout=30_000)
    flagged = admin.locator("#fields-table tr.needs-review")
    assert flagged.count() == admin.locator("#fields-table tr[data-review=true]").count() > 0
    with running.client() as client:
        stored = client.get(f"/api/v1/documents/{invoice_id}/extractions").json()["items"][0]
    assert flagged.count() == len(stored["review"])
    expect(admin.locator(".box.field").first).to_be_attached()  # the fields' boxes on the page
    check_page(admin, artifacts, "extraction-review.png")

    admin.get_by_label("Value of invoice_number").fill("INV-REVIEWED-7")
    admin.get_by_role("button", name="Save invoice_number").click()
    row = admin.locator('#fields-table tr[data-field="invoice_number"]')
    expect(row).to_have_attribute("data-method", "corrected")
    expect(row).to_have_attribute("data-review", "false")
    with running.client() as client:
        base = f"/api/v1/documents/{invoice_id}/extractions/{stored['id']}/corrections"
        corrections = client.get(base).json()["items"]
        audit = client.get(
            "/api/v1/audit/logs", params={"action": "documents.extractions.corrections"}
        ).json()["items"]
    assert corrections[0]["value"] == "INV-REVIEWED-7"
    assert corrections[0]["previous_value"] == stored["values"]["invoice_number"]
    assert audit and audit[0]["resource_id"] == stored["id"]
    admin.get_by_label("Value of total").fill("not a number")
    admin.get_by_role("button", name="Save total").click()
    expect(admin.locator('#fields-table tr[data-field="total"] .field-note')).to_contain_text(
        "number"
    )

    admin.get_by_role("button", name="Run validation").click()
    expect(admin.locator("#validation-summary")).to_be_visible()
    expect(admin.locator("#validation-results li").first).to_be_visible()
    admin.get_by_label("Export format").select_option("csv")
    with admin.expect_download() as exported:
        admin.get_by_role("button", name=re.compile("^Export ")).click()
    assert "INV-REVIEWED-7" in Path(exported.value.path()).read_text()


def test_line_items_and_a_list_are_corrected_in_the_review_table(
    admin: Page, uploaded: dict[str, Any], running: Running, artifacts: Path
) -> None:
    invoice_id = uploaded["ids"]["AzureInterior.pdf"]
    with running.client() as client:
        applied = client.post(
            "/api/v1/templates/invoice/apply", json={"document_ids": [invoice_id]}
        )
        assert applied.status_code == 200, applied.text
        stored = client.get(f"/api/v1/documents/{invoice_id}/extractions").json()["items"][0]
    admin.goto(f"{running.server.url}/documents/{invoice_id}")
    items = admin.locator('#fields-table tr[data-field="line_items"]')
    rows = items.locator(".items-table tbody tr")
    expect(items.locator(".items-table")).to_be_visible(timeout=30_000)
    expect(rows).to_have_count(len(stored["values"]["line_items"]))
    kept = stored["values"]["line_items"][1:]
    if stored["values"]["line_items"]:
        admin.get_by_role("button", name="Remove item 1 of line_items").click()
    admin.get_by_role("button", name="Add an item to line_items").click()
    number = len(kept) + 1
    for column, text in (("description", "Review chair"), ("quantity", "2"), ("amount", "lots")):
        admin.get_by_label(f"line_items item {number}: {column}", exact=True).fill(text)
    admin.get_by_role("button", name="Save line_items").click()
    note = items.locator(".field-note")
    expect(note).to_contain_text(f"value[{number - 1}].amount")  # the API's 422 detail
    amount = admin.get_by_label(f"line_items item {number}: amount", exact=True)
    expect(amount).to_have_attribute("aria-invalid", "true")
    check_page(admin, artifacts, "extraction-items.png")
    wide = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    assert not admin.evaluate(wide)  # the item table scrolls in its cell, not the page
    amount.fill("100,00")
    admin.get_by_role("button", name="Save line_items").click()
    expect(items).to_have_attribute("data-method", "corrected")
    expect(items).to_have_attribute("data-review", "false")

    vat = admin.locator('#fields-table tr[data-field="vat_ids"]')
    vat.get_by_role("textbox").fill('["NL0012", ')
    admin.get_by_role("button", name="Save vat_ids").click()
    expect(vat.locator(".field-note")).to_contain_text("Not valid JSON")
    vat.get_by_role("textbox").fill('["NL 0012 34"]')
    admin.get_by_role("button", name="Save vat_ids").click()
    expect(vat).to_have_attribute("data-method", "corrected")
    with running.client() as client:
        base = f"/api/v1/documents/{invoice_id}/extractions/{stored['id']}/corrections"
        corrections = client.get(base).json()["items"]
        after = client.get(f"/api/v1/documents/{invoice_id}/extractions").json()["items"][0]
    assert [c["field"] for c in corrections] == ["vat_ids", "line_items"]  # the misfit: none
    chair = {"description": "Review chair", "quantity": 2.0, "unit_price": None, "amount": 100.0}
    assert after["values"]["line_items"] == [*kept, chair]
    assert after["values"]["vat_ids"] == ["NL 0012 34"]

    admin.get_by_label("Export format").select_option("json")
    with admin.expect_download() as exported:
        admin.get_by_role("button", name=re.compile("^Export ")).click()
    records = json.loads(Path(exported.value.path()).read_text())
    record = next(r for r in records if r["document"] == invoice_id)
    assert {"line_items", "vat_ids"} <= set(record["corrected"])
    assert record["line_items"][-1] == chair


def test_reprocess_makes_a_new_version_shown_on_the_page(
    admin: Page, uploaded: dict[str, Any], running: Running
) -> None:
    document_id = uploaded["ids"]["issue-1054-example.pdf"]
    admin.goto(f"{running.server.url}/documents/{document_id}")
    expect(admin.locator("#versions-body tr")).to_have_count(1)
    admin.locator("#reprocess-form select[name=ocr]").select_option("off")
    admin.get_by_role("button", name="Reprocess").click()  # "Queued again" until it reloads
    expect(admin.locator("#versions-body tr")).to_have_count(2, timeout=60_000)  # reloaded
    expect(admin.locator('#versions-body tr[data-version="2"]')).to_contain_text("latest")


def test_api_key_is_shown_once_listed_masked_and_revoked(
    admin: Page, running: Running, artifacts: Path
) -> None:
    admin.goto(f"{running.server.url}/keys")
    admin.get_by_label("Key name").fill("browser test key")
    admin.get_by_role("button", name="Create key").click()
    key = admin.locator("#new-key").inner_text()
    row = admin.locator("#keys-body tr", has_text="browser test key")
    expect(row).to_have_attribute("data-status", "active")
    assert key not in row.inner_text()  # the list shows the masked form only
    with running.client(key) as client:
        assert client.get("/api/v1/documents").status_code == 200
    check_page(admin, artifacts, "keys.png")
    admin.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke browser test key").click()
    expect(row).to_have_attribute("data-status", "revoked")
    with running.client(key) as client:
        assert client.get("/api/v1/documents").status_code == 401

    admin.get_by_label("Key name").fill("rotated key")
    admin.get_by_role("button", name="Create key").click()
    expect(admin.locator("#new-key")).not_to_have_text(key)
    old_key = admin.locator("#new-key").inner_text()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Rotate rotated key").first.click()
    expect(admin.locator("#new-key")).not_to_have_text(old_key)
    new_key = admin.locator("#new-key").inner_text()
    with running.client(new_key) as client, running.client(old_key) as old_client:
        assert client.get("/api/v1/documents").status_code == 200
        assert old_client.get("/api/v1/documents").status_code == 200  # the grace period
        keys = client.get("/api/v1/keys").json()["items"]
    new_id = next(k["id"] for k in keys if k["name"] == "rotated key" and k["status"] == "active")
    admin.locator(f'#keys-body tr[data-key-id="{new_id}"]').get_by_role("link").click()
    expect(admin.locator("#key-usage svg rect.bar").first).to_be_attached()
    assert admin.locator("select[name=key]").input_value() == new_id


def test_api_key_ip_allow_list_is_set_on_create_and_edited(
    admin: Page, running: Running, artifacts: Path
) -> None:
    admin.goto(f"{running.server.url}/keys")
    admin.get_by_label("Key name").fill("office key")
    allowed = admin.get_by_label("Allowed IP addresses (optional)")
    allowed.fill("127.0.0.1\n10.20.0.0/16\n10.20.0.0/33")
    admin.get_by_role("button", name="Create key").click()
    expect(admin.locator("#new-key-ips-error")).to_contain_text("allowed_ips.2")  # the API's 422
    expect(allowed).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#new-key")).to_have_count(0)
    allowed.fill("127.0.0.1\n 10.20.0.0/16 \n")
    admin.get_by_role("button", name="Create key").click()
    secret = admin.locator("#new-key").inner_text()
    row = admin.locator("#keys-body tr[data-key-id]", has_text="office key")
    expect(row.locator(".key-ips li")).to_have_text(["10.20.0.0/16", "127.0.0.1/32"])
    with running.client() as client:
        keys = client.get("/api/v1/keys", params={"limit": 100}).json()["items"]
    [office] = [k for k in keys if k["name"] == "office key"]
    assert office["allowed_ips"] == ["10.20.0.0/16", "127.0.0.1/32"]
    with running.client(secret) as client:
        assert client.get("/api/v1/documents").status_code == 200  # from 127.0.0.1

    row.get_by_role("button", name="Edit the allow-list of office key").click()
    edit = admin.get_by_label("Allowed IP addresses for office key")
    expect(edit).to_be_focused()
    expect(edit).to_have_value("10.20.0.0/16\n127.0.0.1/32")
    edit.fill("192.0.2.0/24\n300.1.1.1")
    admin.get_by_role("button", name="Save allow-list").click()
    expect(admin.locator(f"#ips-{office['id']}-error")).to_contain_text("allowed_ips.1")
    check_page(admin, artifacts, "keys-allow-list.png")
    edit.fill("192.0.2.0/24")
    admin.get_by_role("button", name="Save allow-list").click()
    expect(row.locator(".key-ips li")).to_have_text(["192.0.2.0/24"])
    expect(admin.locator("tr.key-edit")).to_have_count(0)
    with running.client() as client:
        assert client.get(f"/api/v1/keys/{office['id']}").json()["allowed_ips"] == ["192.0.2.0/24"]
    with running.client(secret) as client:
        refused = client.get("/api/v1/documents")
    assert refused.status_code == 403 and refused.json()["code"] == "ADDRESS_NOT_ALLOWED"
    admin.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke office key").click()
    expect(row).to_have_attribute("data-status", "revoked")


def test_usage_page_shows_quotas_and_a_key_chart(
    admin: Page, uploaded: dict[str, Any], running: Running, artifacts: Path
) -> None:
    with running.client() as client:  # the first-start key: the team's only active key here
        assert client.get("/api/v1/documents").status_code == 200
    time.sleep(1.5)  # usage is buffered for audit_flush_interval_s
    admin.goto(f"{running.server.url}/usage")
    documents = admin.locator('[data-quota="Documents processed"]')
    expect(documents).to_contain_text(re.compile(r"Documents processed: \d"))
    used = int(re.search(r": (\d+)", documents.inner_text()).group(1))  # type: ignore[union-attr]
    assert used >= len(uploaded["ids"])
    bars = admin.locator("#key-usage svg rect.bar")
    expect(bars.first).to_be_attached()
    assert sum(int(bar.get_attribute("data-requests") or 0) for bar in bars.all()) >= 1
    documents_series = admin.locator("#team-usage [data-series=documents] rect.bar")
    expect(documents_series.first).to_be_attached()
    charted = sum(int(bar.get_attribute("data-value") or 0) for bar in documents_series.all())
    with running.client() as client:
        report = client.get("/api/v1/analytics/usage", params={"period": "30d"}).json()
    assert charted == report["totals"]["documents"] >= len(uploaded["ids"])
    expect(admin.locator("#latency tbody tr").first).to_contain_text("All requests")
    check_page(admin, artifacts, "usage.png")


def test_a_finished_batch_shows_on_its_page_and_rings_the_bell_live(
    admin: Page, running: Running, artifacts: Path
) -> None:
    admin.goto(f"{running.server.url}/batches")
    expect(admin.locator("body[data-live='1']")).to_be_attached(timeout=20_000)
    bell = admin.locator("#unread-count")
    expect(bell).to_have_attribute("data-count", re.compile(r"\d+"))
    before = bell.get_attribute("data-count")
    notes = [(f"note-{n}.txt", f"Meeting note {n}".encode(), "text/plain") for n in (1, 2)]
    with running.client() as client:
        batch = client.post(
            "/api/v1/batches", files=[("files", note) for note in notes], data={"name": "notes"}
        ).json()
    expect(bell).not_to_have_attribute("data-count", before or "", timeout=60_000)  # no reload
    admin.goto(f"{running.server.url}/batches")
    row = admin.locator(f'#batches-body tr[data-batch-id="{batch["id"]}"]')
    expect(row).to_have_attribute("data-status", "completed")
    row.get_by_role("link").click()
    expect(admin.locator("#batch-documents tr")).to_have_count(2)
    expect(admin.locator("#batch-documents [data-status=completed]")).to_have_count(2)
    check_page(admin, artifacts, "batch.png")
    with admin.expect_download() as results:
        admin.get_by_role("button", name="Download results (ZIP)").click()
    with zipfile.ZipFile(results.value.path()) as archive:
        names = archive.namelist()
    assert len([n for n in names if n.endswith(".txt")]) >= 2, names
    admin.goto(f"{running.server.url}/notifications")
    expect(admin.locator("#notifications")).to_contain_text("A batch finished")
    check_page(admin, artifacts, "notifications.png")
    admin.get_by_role("button", name="Mark all as read").click()
    expect(bell).to_have_attribute("data-count", "0")
    admin.get_by_role("checkbox", name="Team changes").uncheck()
    admin.locator("select[name=digest_frequency]").select_option("weekly")
    admin.get_by_role("button", name="Save preferences").click()
    expect(admin.locator("#preferences-status")).to_have_text("Saved.")
    with running.client() as client:  # the first-start key acts as the admin
        saved = client.get("/api/v1/notifications/preferences").json()
    assert "team" not in saved["categories"] and saved["digest_frequency"] == "weekly"


def test_webhook_is_added_tested_and_deleted(
    admin: Page, running: Running, artifacts: Path, receiver: tuple[str, list[dict[str, str]]]
) -> None:
    url, received = receiver
    admin.goto(f"{running.server.url}/webhooks")
    admin.get_by_label("Endpoint URL").fill(url)
    admin.get_by_role("button", name="Add webhook").click()
    expect(admin.locator("#webhook-secret")).to_have_text(re.compile(r"^whsec_"))
    item = admin.locator("#webhooks article", has_text=url)
    item.get_by_role("button", name="Send a test event").click()
    expect(item.locator(".webhook-result")).to_have_attribute("data-ok", "true", timeout=30_000)
    assert any("webhook-signature" in {k.lower() for k in r} for r in received)
    item.get_by_text("Delivery log").click()
    check_page(admin, artifacts, "webhooks.png")
    item.get_by_text("Edit", exact=True).click()
    item.get_by_label("Events (comma-separated; empty for all)").fill("document.processed")
    item.get_by_role("switch", name="Active").uncheck()
    item.get_by_role("button", name="Save changes").click()
    expect(admin.locator("#webhooks article", has_text="disabled")).to_be_visible()
    with running.client() as client:
        saved = client.get("/api/v1/webhooks").json()["items"][0]
    assert saved["event_types"] == ["document.processed"] and not saved["is_active"]
    admin.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Delete").click()
    expect(admin.locator("#webhooks [data-empty]")).to_be_visible()


def test_team_invitation_is_accepted_and_the_member_gets_a_role(
    admin: Page, browser: Browser, running: Running, artifacts: Path
) -> None:
    admin.goto(f"{running.server.url}/team")
    expect(admin.locator("#members-body tr")).to_have_count(1)
    admin.get_by_label("E-mail to invite").fill("joiner@example.com")
    admin.get_by_role("button", name="Invite").click()
    expect(admin.locator("#invitations-body tr[data-status=pending]")).to_have_count(1)
    check_page(admin, artifacts, "team.png")
    token = mailed_token(running, "joiner@example.com", "/invitations/accept")
    register(running, "joiner@example.com")
    context = new_context(browser)
    joiner = watched_page(context)
    accept_url = f"{running.server.url}/invitations/accept?token={token}"
    joiner.goto(accept_url)  # the e-mailed link, signed out: sign in first, then back to it
    joiner.wait_for_url(f"{running.server.url}/login")
    joiner.get_by_label("E-mail").fill("joiner@example.com")
    joiner.get_by_label("Password").fill(PASSWORD)
    joiner.get_by_role("button", name="Sign in", exact=True).click()
    joiner.wait_for_url(accept_url)
    joiner.get_by_role("button", name="Join the team").click()
    expect(joiner.locator("#accept-status")).to_contain_text("You joined")
    context.close()

    admin.reload()
    row = admin.locator("#members-body tr", has_text="joiner@example.com")
    expect(row).to_have_attribute("data-role", "member")
    row.get_by_label("Role of joiner@example.com").select_option("viewer")
    expect(admin.locator("#team-status")).to_contain_text("now viewer")
    with running.client() as client:
        team_id = client.get("/api/v1/auth/me").json()["personal_team_id"]
        members = client.get(f"/api/v1/teams/{team_id}/members").json()
    assert {m["email"]: m["role"] for m in members}["joiner@example.com"] == "viewer"


def test_profile_password_change_and_reset(
    browser: Browser, running: Running, artifacts: Path
) -> None:
    register(running, "reset@example.com")
    context = new_context(browser)
    page = watched_page(context)
    token = mailed_token(running, "reset@example.com", "/verify-email")
    page.goto(f"{running.server.url}/verify-email?token={token}")
    expect(page.locator("#verify-status")).to_contain_text("is verified")
    sign_in(page, running.server.url, "reset@example.com", PASSWORD)
    page.goto(f"{running.server.url}/account")
    expect(page.locator("#profile")).to_contain_text("(verified)")
    page.get_by_label("Name").fill("Rita Reset")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#profile-status")).to_have_text("Saved: Rita Reset")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("another long passphrase 7")
    page.get_by_label("New password again").fill("another long passphrase 7")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-error")).not_to_be_empty()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-status")).to_contain_text("Password changed")
    check_page(page, artifacts, "account.png")
    expect(page.locator("#sessions-body tr[data-current=true]")).to_have_count(1)
    page.get_by_role("button", name="Set up two-step sign-in").click()
    totp = pyotp.TOTP(page.locator("#mfa-secret").inner_text())
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#recovery-codes li").first).to_be_visible()
    with running.client() as client:
        login = client.post(
            "/api/v1/auth/login",
            json={"email": "reset@example.com", "password": "another long passphrase 7"},
        )
    assert login.json().get("mfa_required") is True
    page.reload()
    page.locator("#mfa-disable-form input[name=password]").fill("another long passphrase 7")
    page.get_by_label("Code from the app (or a recovery code)").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.locator("#mfa-status")).to_have_text("Two-step sign-in is off.")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{running.server.url}/login")

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill("reset@example.com")
    page.get_by_role("button", name="Send a reset link").click()
    expect(page.locator("#forgot-status")).to_contain_text("reset link")
    check_page(page, artifacts, "forgot-password.png")
    token = mailed_token(running, "reset@example.com", "/reset-password")
    page.goto(f"{running.server.url}/reset-password?token={token}")
    page.get_by_label("New password", exact=True).fill("a third long passphrase 9")
    page.get_by_label("New password again").fill("a third long passphrase 9")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-status")).to_contain_text("password is changed")
    check_page(page, artifacts, "reset-password.png")
    sign_in(page, running.server.url, "reset@example.com", "a third long passphrase 9")
    context.close()


def test_a_crawl_fills_a_project_with_kept_and_rejected_images_and_builds_a_dataset(
    admin: Page, running: Running, image_site: LocalSite, artifacts: Path
) -> None:
    admin.goto(f"{running.server.url}/datasets")
    admin.get_by_label("Project name").fill("Pets")
    admin.get_by_role("button", name="Create project").click()
    expect(admin.locator("#projects-body tr[data-project-id]")).to_have_count(1)
    check_page(admin, artifacts, "projects.png")
    admin.get_by_role("link", name="Pets").click()
    admin.get_by_label("Start pages or sitemaps (one URL a line)").fill(image_site.base_url + "/")
    admin.get_by_label("Label").fill("pets")
    admin.get_by_role("button", name="Start crawl").click()
    expect(admin.locator("#crawls-body tr[data-status=completed]")).to_have_count(1, timeout=60_000)
    kept = admin.locator("#kept-images .thumb")
    expect(kept.first).to_be_visible()
    expect(kept.first.locator("img")).to_have_attribute("src", re.compile("^blob:"))
    expect(admin.locator('#rejected-images li[data-reason="not_an_image"]')).to_have_count(1)
    expect(admin.locator('#rejected-images li[data-reason="robots_disallowed"]')).to_have_count(1)
    with running.client() as client:
        images = client.get("/api/v1/images", params={"is_valid": "true", "is_duplicate": "false"})
    assert kept.count() == len(images.json()["items"]) > 0
    admin.get_by_role("button", name="Build dataset").click()
    ready = admin.locator("#datasets-body tr[data-status=ready]")
    expect(ready).to_have_count(1, timeout=60_000)
    check_page(admin, artifacts, "datasets.png")
    with admin.expect_download() as built:
        ready.get_by_role("button", name=re.compile("^Download")).click()
    with zipfile.ZipFile(built.value.path()) as archive:
        assert "manifest.csv" in archive.namelist()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Delete project").click()
    admin.wait_for_url(f"{running.server.url}/datasets")
    expect(admin.locator("#projects-body [data-empty]")).to_be_visible()


def crawl_progress(running: Running, job_id: str, *, until_idle: bool) -> dict[str, Any]:
    """The job's progress; with ``until_idle``, once no chunk is running any more."""
    deadline = time.monotonic() + 60
    with running.client() as client:
        while True:
            progress = client.get(f"/api/v1/crawl-jobs/{job_id}/progress").json()
            if not until_idle or progress["active_chunks"] == 0:
                return progress
            assert time.monotonic() < deadline, progress
            time.sleep(0.2)


def test_a_crawl_is_stopped_and_resumed_from_the_browser(
    admin: Page, running: Running, polite_site: LocalSite, artifacts: Path
) -> None:
    admin.goto(f"{running.server.url}/datasets")
    admin.get_by_label("Project name").fill("Stop and go")
    admin.get_by_role("button", name="Create project").click()
    admin.get_by_role("link", name="Stop and go").click()
    admin.get_by_label("Start pages or sitemaps (one URL a line)").fill(polite_site.base_url + "/")
    admin.get_by_label("Link depth").fill("2")  # 17 images: more than one batch of downloads
    admin.get_by_role("button", name="Start crawl").click()
    row = admin.locator("#crawls-body tr[data-job-id]")
    expect(row).to_have_attribute("data-status", "running")
    job_id = row.get_attribute("data-job-id")

    admin.get_by_role("button", name=f"Stop crawl {job_id}").click()
    expect(row).to_have_attribute("data-status", "stopped")
    expect(row.locator(".crawl-status")).to_have_text("stopped")
    expect(admin.locator("#project-status")).to_contain_text("Crawl stopped")
    resume = admin.get_by_role("button", name=f"Resume crawl {job_id}")
    expect(resume).to_be_visible()
    check_page(admin, artifacts, "crawl-stopped.png")
    halted = crawl_progress(running, job_id, until_idle=True)  # the batch in flight ends
    assert halted["status"] == "stopped" and halted["pending_chunks"] == 1, halted
    resume.click()
    expect(admin.locator("#project-status")).to_contain_text("Crawl resumed")
    expect(row).to_have_attribute("data-status", "completed", timeout=90_000)
    done = crawl_progress(running, job_id, until_idle=False)
    assert done["status"] == "completed" and done["pending_chunks"] == 0, done
    assert (
        done["images_validated"] + done["images_failed"]
        > halted["images_validated"] + halted["images_failed"]
    )  # the resumed crawl went on where the stop left it
    with running.client() as client:
        images = client.get(f"/api/v1/crawl-jobs/{job_id}/images", params={"limit": 100})
    urls = [image["source_url"] for image in images.json()["items"]]
    assert urls and len(urls) == len(set(urls))  # each URL recorded once
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Delete project").click()
    admin.wait_for_url(f"{running.server.url}/datasets")
    # loaded, so its session refresh has finished before the next test navigates away
    expect(admin.locator("#projects-body [data-project-id]")).to_have_count(0)
    expect(admin.locator("#projects-body [data-empty]")).to_be_visible()


def test_files_uploaded_as_one_batch_show_live_progress_and_link_to_the_batch(
    admin: Page, uploaded: dict[str, Any], running: Running
) -> None:
    admin.goto(f"{running.server.url}/")
    expect(admin.locator("#live-status[data-state=live]")).to_be_attached(timeout=20_000)
    admin.get_by_role("switch", name="Upload the files as one batch").check()
    admin.get_by_label("Batch name (optional)").fill("browser batch")
    memos = [
        {"name": f"memo-{n}.txt", "mimeType": "text/plain", "buffer": f"Memo {n}".encode()}
        for n in (1, 2)
    ]
    admin.set_input_files("#file-input", memos)
    admin.click("#upload-button")
    expect(admin.locator("#uploads li[data-status=completed]")).to_have_count(2, timeout=60_000)
    admin.get_by_role("link", name="browser batch").click()
    expect(admin.locator("#batch-documents [data-status=completed]")).to_have_count(2)
    with running.client() as client:
        batches = client.get("/api/v1/batches").json()["items"]
    assert [b["totals"]["total"] for b in batches if b["name"] == "browser batch"] == [2]


def test_a_second_user_sees_none_of_the_first_users_documents(
    browser: Browser, uploaded: dict[str, Any], running: Running, artifacts: Path
) -> None:
    with running.client() as client:
        made = client.post(
            "/api/v1/auth/register", json={"email": "second@example.com", "password": PASSWORD}
        )
    assert made.status_code == 201, made.text
    context = new_context(browser)
    page = watched_page(context)
    sign_in(page, running.server.url, "second@example.com", PASSWORD)
    expect(page.locator("#documents-body [data-empty]")).to_be_visible()
    invoice_id = uploaded["ids"]["AzureInterior.pdf"]
    page.goto(f"{running.server.url}/?q=Invoice")
    expect(page.locator("#documents-body [data-empty]")).to_be_visible()
    page.goto(f"{running.server.url}/documents/{invoice_id}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    check_page(page, artifacts, "not-found.png")
    page.goto(f"{running.server.url}/keys")
    expect(page.locator("#keys-body")).to_contain_text("No API keys yet")
    page.goto(f"{running.server.url}/batches")
    expect(page.locator("#batches-body [data-empty]")).to_be_visible()
    page.goto(f"{running.server.url}/notifications")
    expect(page.locator("#notifications [data-empty]")).to_be_visible()
    page.goto(f"{running.server.url}/webhooks")
    expect(page.locator("#webhooks [data-empty]")).to_be_visible()
    page.goto(f"{running.server.url}/tickets")
    expect(page.locator("#tickets-body [data-empty]")).to_be_visible()
    page.goto(f"{running.server.url}/datasets")
    expect(page.locator("#projects-body [data-empty]")).to_be_visible()
    page.goto(f"{running.server.url}/team")
    expect(page.locator("#members-body tr")).to_have_count(1)
    expect(page.locator("#members-body")).to_contain_text("second@example.com")
    expect(page.locator("#members-body")).not_to_contain_text(running.email)
    context.close()


def test_mfa_sign_in_then_sign_out(browser: Browser, running: Running, artifacts: Path) -> None:
    with running.client() as client:
        made = client.post(
            "/api/v1/auth/register", json={"email": "mfa@example.com", "password": PASSWORD}
        ).json()
        token = made["tokens"]["access_token"]
        setup = client.post(
            "/api/v1/auth/mfa/enable", headers={"Authorization": f"Bearer {token}"}
        ).json()
        totp = pyotp.TOTP(setup["secret"])
        verified = client.post(
            "/api/v1/auth/mfa/verify",
            json={"code": totp.now()},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert verified.status_code == 200, verified.text
    context = new_context(browser, viewport={"width": 390, "height": 844})  # a phone
    page = watched_page(context)
    page.goto(f"{running.server.url}/login")
    page.get_by_label("E-mail").fill("mfa@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_label("Authentication code").fill(totp.at(time.time() + 30))
    check_page(page, artifacts, "mfa.png")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{running.server.url}/")
    expect(page.locator("#documents-body [data-empty]")).to_be_visible()
    check_page(page, artifacts, "phone.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{running.server.url}/login")
    page.goto(f"{running.server.url}/")
    page.wait_for_url(f"{running.server.url}/login")  # the session ended with the sign-out
    context.close()
