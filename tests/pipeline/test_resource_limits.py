"""Bombs refused before they burn CPU: office files that unpack far beyond their size, markup
nested too deep (issue 25 item 12)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from folio.pipeline import Limits, PipelineOptions, process_file
from folio.pipeline.errors import DocumentTooLarge, ResourceLimit
from folio.pipeline.formats.html import html_to_text, nesting_depth
from folio.pipeline.formats.office import unpacked_limit
from tests.bombs import docx_bomb, nested_html


class TestUnpackedSize:
    def test_a_small_docx_that_unpacks_to_21_mb_is_refused_at_once(self, tmp_path: Path) -> None:
        path = tmp_path / "bomb.docx"
        path.write_bytes(docx_bomb())
        assert path.stat().st_size < 200_000

        started = time.monotonic()
        with pytest.raises(DocumentTooLarge, match="unpacks to"):
            process_file(path, PipelineOptions())
        assert time.monotonic() - started < 1.0

    def test_the_limit_follows_the_file_size_between_floor_and_cap(self) -> None:
        limits = Limits(max_unpacked_ratio=100, unpacked_floor_bytes=10_000_000)

        assert unpacked_limit(limits, 59_000) == 10_000_000  # the floor
        assert unpacked_limit(limits, 1_000_000) == 100_000_000  # 100 x
        assert unpacked_limit(limits, 50_000_000) == limits.max_unpacked_bytes  # the cap

    def test_an_ordinary_docx_still_reads(self, tmp_path: Path) -> None:
        path = tmp_path / "small.docx"
        path.write_bytes(docx_bomb(paragraphs=2_000))  # 70 KB of XML

        assert process_file(path, PipelineOptions()).pages


class TestNesting:
    def test_deeply_nested_html_fails_fast_with_resource_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "deep.html"
        path.write_bytes(nested_html())

        started = time.monotonic()
        with pytest.raises(ResourceLimit, match="deeper than 1000"):
            process_file(path, PipelineOptions())
        assert time.monotonic() - started < 1.0

    def test_nested_html_inside_an_email_too(self, tmp_path: Path) -> None:
        path = tmp_path / "deep.eml"
        path.write_bytes(
            b"From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n" + nested_html(5_000)
        )

        with pytest.raises(ResourceLimit):
            process_file(path, PipelineOptions())

    def test_ordinary_markup_passes(self) -> None:
        sloppy = b"<p>one<p>two<ul><li>a<li>b</ul><br><img src=x><table><tr><td>c</table>"

        assert nesting_depth(nested_html(50), 1000) == 50
        assert nesting_depth(sloppy * 5_000, 1000) <= 2
        assert "deep" in html_to_text(nested_html(500), max_depth=1000).text
