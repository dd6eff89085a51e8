from __future__ import annotations

from urllib.parse import unquote

from folio.core.downloads import attachment, file_download


def test_a_stored_name_cannot_break_out_of_the_header_and_keeps_its_exact_form() -> None:
    name = 'crawl "best" photo; x=1\u00e9.jpg'
    header = attachment(name)
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and fallback.endswith(".jpg")
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name


def test_the_size_becomes_the_content_length_and_extra_headers_are_kept() -> None:
    response = file_download(
        [b"ab", b"c"], media_type="text/plain", filename="a.txt", size=3, headers={"X-A": "1"}
    )
    assert response.headers["content-length"] == "3"
    assert response.headers["x-a"] == "1"
    assert response.headers["content-disposition"].startswith('attachment; filename="a.txt"')
    assert "content-length" not in file_download([b""], media_type="a/b", filename="b").headers
