"""Page furniture, reading order, Markdown and chunks on real corpus PDFs (text layers)."""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

import pytest

from folio.pipeline import DocumentResult, OcrMode, PipelineOptions, process_file
from folio.pipeline.structure import (
    BlockKind,
    chunk_document,
    chunk_structure,
    count_tokens,
    document_structure,
    render_markdown,
    to_markdown,
)

from .conftest import CORPUS

MULTICOLUMN = "pypdf_sample_files/026-latex-multicolumn/multicolumn.pdf"
INVOICE_TWO_PAGES = "invoice2data/tests/compare/QualityHosting.pdf"
OLMOCR = "olmocr_bench/olmocr/bench/sample_data/pdfs"
EARNINGS = f"{OLMOCR}/earnings.pdf"
PLOS = f"{OLMOCR}/headers_footers/ff0f0b22c55d8b90dd77d153f48e144fc9db_pg2.pdf"
FOUR_PAGES = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
INVOICE_TEXT = "invoice2data/tests/compare/Orlen.txt"
OFF = PipelineOptions(ocr=OcrMode.off)


@cache
def processed(name: str) -> DocumentResult:
    return process_file(CORPUS / name, OFF)


def words_of(text: str) -> list[str]:
    """Words without Markdown syntax, for comparing text in order."""
    text = re.sub(r"^#+ |\\|\|[-| ]*\||\|", " ", text, flags=re.MULTILINE)
    return re.findall(r"\w+", text)


def without_repeated_headers(texts: list[str]) -> list[str]:
    """A table cut over several chunks repeats its header row in each: keep the first only."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        lines = text.splitlines()
        out = []
        for index, line in enumerate(lines):
            header = index + 1 < len(lines) and lines[index + 1].startswith("| --- ")
            if header and line in seen:
                continue
            seen.update([line] if header else [])
            out.append(line)
        kept.append("\n".join(out))
    return kept


def first_row_after_header(text: str) -> str:
    lines = text.splitlines()
    separator = next(i for i, line in enumerate(lines) if line.startswith("| --- "))
    return lines[separator + 1].split("|")[1].strip()


class TestMarkdown:
    def test_headings_paragraphs_and_a_table(self, corpus: Path) -> None:
        markdown = to_markdown(processed(MULTICOLUMN))

        assert markdown.startswith("# Two-Column Document with Lorem Ipsum\n")
        assert "\n## Abstract\n" in markdown
        assert (
            "| Country | Population (millions) | Area (km2 ) | Capital | Official Language |\n"
            in (markdown)
        )
        table = markdown[markdown.index("| Country") :].split("\n\n")[0].splitlines()
        assert table[1] == "| --- | --- | --- | --- | --- |"
        assert "| Belgium | 11.5 | 30,689 | Brussels | Dutch, French, German |" in table

    def test_two_columns_read_one_after_the_other(self, corpus: Path) -> None:
        markdown = to_markdown(processed(MULTICOLUMN))
        # the left column's first paragraph runs on from line to line, and the right column's
        # first line (level with it on the page) comes after it
        left = "This is a sample document with two columns filled with Lorem Ipsum text."
        right = "pellentesque ante. Phasellus adipiscing semper elit."
        assert left in markdown
        assert markdown.index(left) < markdown.index(right)

    def test_page_numbers_are_furniture_with_their_boxes(self, corpus: Path) -> None:
        result = processed(FOUR_PAGES)
        structure = document_structure(result)

        numbers = {
            (box.page, text)
            for box, text in zip(structure.furniture, structure.furniture_text, strict=True)
        }
        assert numbers == {(1, "1"), (2, "2"), (3, "3"), (4, "4")}
        for box in structure.furniture:
            page = result.pages[box.page - 1]
            (index,) = box.words
            assert page.words[index].text == str(box.page)
            assert tuple(page.words[index].bbox) == box.bbox
        body = render_markdown(structure)
        assert all(re.fullmatch(r"\d", line) is None for line in body.splitlines())

    def test_repeated_footer_is_left_out_but_keeps_its_words(self, corpus: Path) -> None:
        result = processed(INVOICE_TWO_PAGES)
        structure = document_structure(result)
        markdown = render_markdown(structure)

        footer = "Registergericht Hanau | HRB 13302"
        found = [
            (box, text)
            for box, text in zip(structure.furniture, structure.furniture_text, strict=True)
            if text == footer
        ]
        assert [box.page for box, _ in found] == [1, 2]  # on both pages
        for box, _ in found:
            words = [result.pages[box.page - 1].words[i] for i in box.words]
            assert " ".join(w.text for w in words) == footer
            for word in words:  # the words are still in the results, inside the box
                assert box.bbox[0] <= word.bbox[0] and word.bbox[2] <= box.bbox[2]
        assert "Registergericht" not in markdown
        assert "Registergericht" in result.pages[0].text
        assert "Total EUR 34,73" in markdown

    def test_running_footer_of_a_single_page(self, corpus: Path) -> None:
        structure = document_structure(processed(PLOS))
        markdown = render_markdown(structure)

        assert "www.plosntds.org" in " ".join(structure.furniture_text)
        assert "www.plosntds.org" not in markdown
        assert "March 2014 | Volume 8" not in markdown
        assert markdown.startswith("# Lassa Fever in Post-Conflict Sierra Leone\n")

    def test_a_lone_page_number_below_a_short_page(self, corpus: Path) -> None:
        structure = document_structure(processed(EARNINGS))

        assert structure.furniture_text == ["62"]
        tables = [block for block in structure.blocks if block.kind is BlockKind.table]
        assert len(tables) == 1
        assert "| Research and development |  | 3,423 | 2,532 | 1,892 |" in render_markdown(
            structure
        )

    def test_a_document_without_boxes(self, corpus: Path) -> None:
        result = processed(INVOICE_TEXT)
        assert not any(page.words for page in result.pages)

        markdown = to_markdown(result)

        assert words_of(markdown) == re.findall(r"\w+", result.text)

    def test_markdown_characters_in_text_are_escaped(self, corpus: Path) -> None:
        markdown = to_markdown(processed(INVOICE_TWO_PAGES))

        assert "OUDJQ\\_office" in markdown


class TestChunks:
    @pytest.mark.parametrize("max_tokens", [24, 64, 400])
    def test_chunks_fit_and_cover_the_body_in_order(self, corpus: Path, max_tokens: int) -> None:
        result = processed(MULTICOLUMN)
        structure = document_structure(result)

        chunks = chunk_structure(structure, max_tokens=max_tokens)

        assert all(0 < chunk.tokens <= max_tokens for chunk in chunks)
        assert all(chunk.tokens == count_tokens(chunk.text) for chunk in chunks)
        texts = without_repeated_headers([chunk.text for chunk in chunks])
        chunked = [word for text in texts for word in words_of(text)]
        assert chunked == words_of(render_markdown(structure))

    def test_pages_and_boxes_point_at_the_source_text(self, corpus: Path) -> None:
        result = processed(MULTICOLUMN)
        chunks = chunk_document(result, max_tokens=64)

        assert {page for chunk in chunks for page in chunk.pages} == {1, 2, 3}
        for chunk in chunks:
            assert chunk.pages == sorted({box.page for box in chunk.boxes})
            page_words = {
                number: {word.text for word in result.pages[number - 1].words}
                for number in chunk.pages
            }
            for word in chunk.text.split()[:5]:
                if re.fullmatch(r"\w+", word):
                    assert any(word in words for words in page_words.values()), word
            for box in chunk.boxes:
                page = result.pages[box.page - 1]
                x0, y0, x1, y1 = box.bbox
                assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
                inside = [page.words[i] for i in box.words]
                assert inside and all(x0 <= w.bbox[0] and w.bbox[2] <= x1 for w in inside)

    def test_headings_start_chunks_and_give_their_path(self, corpus: Path) -> None:
        chunks = chunk_document(processed(MULTICOLUMN), max_tokens=200)

        assert chunks[0].text.startswith("# Two-Column Document with Lorem Ipsum")
        abstract = [chunk for chunk in chunks if chunk.text.startswith("## Abstract")]
        assert len(abstract) == 1
        assert abstract[0].headings == ["Two-Column Document with Lorem Ipsum", "Abstract"]

    def test_a_table_stays_whole_when_it_fits(self, corpus: Path) -> None:
        chunks = chunk_document(processed(MULTICOLUMN), max_tokens=400)

        holding = [chunk for chunk in chunks if "| Country |" in chunk.text]
        assert len(holding) == 1
        assert "| Finland | 5.5 | 338,424 | Helsinki | Finnish, Swedish |" in holding[0].text

    def test_a_long_table_is_cut_between_rows_under_its_header(self, corpus: Path) -> None:
        chunks = chunk_document(processed(MULTICOLUMN), max_tokens=60)

        parts = [chunk.text for chunk in chunks if "| Country |" in chunk.text]
        assert len(parts) >= 2
        assert all(part.count("\n| --- ") == 1 for part in parts)
        first_rows = [first_row_after_header(part) for part in parts]
        assert first_rows[:3] == ["Austria", "Belgium", "Czech Republic"]

    def test_overlap_repeats_the_end_of_a_cut_paragraph(self, corpus: Path) -> None:
        plain = chunk_document(processed(MULTICOLUMN), max_tokens=48)
        overlapping = chunk_document(processed(MULTICOLUMN), max_tokens=48, overlap=16)

        assert all(chunk.tokens <= 48 for chunk in overlapping)
        assert len(overlapping) > len(plain)
        repeated = [
            (a, b)
            for a, b in itertools.pairwise(overlapping)
            if " ".join(b.text.split()[:4]) in " ".join(a.text.split()[-16:])
        ]
        assert repeated

    @pytest.mark.parametrize(("max_tokens", "overlap"), [(8, 0), (64, 32), (64, -1)])
    def test_bad_sizes_are_refused(self, corpus: Path, max_tokens: int, overlap: int) -> None:
        with pytest.raises(ValueError):
            chunk_document(processed(FOUR_PAGES), max_tokens=max_tokens, overlap=overlap)
