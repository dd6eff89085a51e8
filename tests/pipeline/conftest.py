"""Fixtures for the pipeline tests: the shared corpus, and documents the corpus lacks.

Generated documents are built with the real libraries (python-docx, openpyxl, python-pptx,
pikepdf, Pillow) once per session; nothing here fakes Folio code.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pikepdf
import pptx
import pytest
from PIL import Image
from pptx.util import Inches

from .helpers import write

CORPUS = Path(os.environ.get("FOLIO_CORPUS", Path(__file__).resolve().parents[3] / "shared/corpus"))
TESSERACT_TEST = CORPUS / "tesseract_test/testing"
PHOTOTEST = TESSERACT_TEST / "phototest.tif"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS} (set FOLIO_CORPUS)")
    return CORPUS


# --- generated documents ------------------------------------------------------------------


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


@pytest.fixture(scope="session")
def docx_file(generated: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Quarterly report"
    document.core_properties.author = "Ada Lovelace"
    document.core_properties.created = datetime(2024, 3, 1, 9, 30)
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("Revenue grew by twelve percent in the third quarter.")
    table = document.add_table(rows=2, cols=3)
    for column, value in enumerate(("Region", "Q3", "Q4")):
        table.cell(0, column).text = value
    for column, value in enumerate(("North", "10", "12")):
        table.cell(1, column).text = value
    document.add_paragraph("Closing paragraph after the table.")
    path = generated / "report.docx"
    document.save(str(path))
    return path


@pytest.fixture(scope="session")
def xlsx_file(generated: Path) -> Path:
    workbook = openpyxl.Workbook()
    sales = workbook.active
    sales.title = "Sales"
    sales.append(["Item", "Qty", "Price", "Date"])
    sales.append(["Apple", 3, 1.5, datetime(2024, 1, 2)])
    sales.append(["Pear", 2, 2.0, None])
    notes = workbook.create_sheet("Notes")
    notes["A1"] = "Remember the pears"
    workbook.properties.title = "Fruit book"
    workbook.properties.creator = "Bob"
    path = generated / "book.xlsx"
    workbook.save(path)
    return path


@pytest.fixture(scope="session")
def pptx_file(generated: Path) -> Path:
    presentation = pptx.Presentation()
    first = presentation.slides.add_slide(presentation.slide_layouts[1])
    first.shapes.title.text = "Welcome slide"
    first.placeholders[1].text = "First point\nSecond point"
    first.notes_slide.notes_text_frame.text = "Speaker notes here"
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    second.shapes.title.text = "Table slide"
    shape = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1))
    for (row, column), value in {(0, 0): "A", (0, 1): "B", (1, 0): "1", (1, 1): "2"}.items():
        shape.table.cell(row, column).text = value
    presentation.core_properties.title = "Deck"
    path = generated / "deck.pptx"
    presentation.save(str(path))
    return path


EML = b"""From: Alice Example <alice@example.com>
To: Bob <bob@example.com>
Subject: =?utf-8?q?Quarterly_r=C3=A9sum=C3=A9?=
Date: Tue, 2 Jan 2024 10:30:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: multipart/alternative; boundary="YY"

--YY
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello Bob,=0Athe numbers are attached. Caf=C3=A9 at noon?

--YY
Content-Type: text/html; charset=utf-8

<p>Hello Bob,</p><p>the numbers are attached.</p>
--YY--
--XX
Content-Type: application/pdf
Content-Disposition: attachment; filename="numbers.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--XX--
"""

HTML_ONLY_EML = b"""From: news@example.org
Subject: Newsletter
Date: Wed, 3 Jan 2024 08:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=iso-8859-1

<html><body><h1>Big news</h1><p>Caf\xe9 opens <b>today</b>.</p><script>x()</script></body></html>
"""

HTML = """<!doctype html><html><head><meta charset="utf-8"><title> Release   notes </title>
<style>p { color: red }</style><script>var hidden = "script text";</script></head>
<body><h1>Version 2</h1><p>First paragraph
continues here.</p><ul><li>alpha</li><li>beta</li></ul>
<table><tr><th>Key</th><th>Value</th></tr><tr><td>size</td><td>42</td></tr></table>
<pre>line one
line two</pre>Tail text<br>after break &amp; more</body></html>"""


@pytest.fixture(scope="session")
def eml_file(generated: Path) -> Path:
    path = generated / "message.eml"
    path.write_bytes(EML)
    return path


@pytest.fixture(scope="session")
def html_eml_file(generated: Path) -> Path:
    path = generated / "newsletter.eml"
    path.write_bytes(HTML_ONLY_EML)
    return path


@pytest.fixture(scope="session")
def html_file(generated: Path) -> Path:
    path = generated / "notes.html"
    path.write_text(HTML, encoding="utf-8")
    return path


# --- PDFs ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def huge_pdf(generated: Path) -> Path:
    """10,000 blank pages: enough to hit TooManyPages with the default limits."""
    pdf = pikepdf.new()
    for _ in range(10_000):
        pdf.add_blank_page(page_size=(200, 200))
    path = generated / "huge.pdf"
    pdf.save(path)
    return path


@pytest.fixture(scope="session")
def truncated_pdf(generated: Path, corpus: Path) -> Path:
    data = (corpus / "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf").read_bytes()
    return write(generated, "truncated.pdf", data[: len(data) // 3])


@pytest.fixture(scope="session")
def phototest() -> Image.Image:
    if not PHOTOTEST.is_file():
        pytest.skip(f"test corpus not found at {CORPUS}")
    with Image.open(PHOTOTEST) as image:
        return image.convert("L")
