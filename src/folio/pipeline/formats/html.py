"""HTML with selectolax (lexbor): visible text, block elements as line breaks, <title>."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from folio.pipeline.errors import ResourceLimit
from folio.pipeline.formats import ExtractContext, Extraction, Properties, clean_field
from folio.pipeline.pages import native_pages, paginate_text

INVISIBLE_TAGS = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]
BLOCK_TAGS = (
    "address, article, aside, blockquote, caption, dd, details, dialog, div, dl, dt, fieldset, "
    "figcaption, figure, footer, form, h1, h2, h3, h4, h5, h6, header, hr, legend, li, main, "
    "nav, ol, p, pre, section, summary, table, tbody, thead, tfoot, tr, ul"
)
# Private-use markers survive whitespace collapsing, then become the real separators.
LINE_MARK, CELL_MARK = "\ue000", "\ue001"
_SPACES = re.compile(r"[^\S\ue000\ue001]+")  # whitespace other than our markers
_LINE_SPACES = re.compile(r"(?: *\ue000 *)+")  # consecutive block edges: one line break
_CELL_SPACES = re.compile(r" *\ue001 *")
# Tags that open a level of nesting: not void elements, not those whose end tag is optional
# (a new <p>, <li>, <td> … closes the previous one), not the document's own skeleton.
_FLAT_TAGS = frozenset(
    b"area base br col embed hr img input link meta param source track wbr "
    b"p li dt dd tr td th option optgroup rb rt rp tbody thead tfoot colgroup caption "
    b"html head body".split()
)
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(/?)>")


@dataclass(frozen=True)
class HtmlText:
    text: str
    title: str | None


def extract_html(ctx: ExtractContext) -> Extraction:
    document = html_to_text(ctx.path.read_bytes(), max_depth=ctx.options.limits.max_nesting_depth)
    pages = native_pages(paginate_text(document.text))
    ctx.check_page_count(len(pages))
    ctx.report_pages(pages)
    return Extraction(pages=pages, properties=Properties(title=document.title))


def nesting_depth(markup: bytes, stop_above: int) -> int:
    """The deepest nesting of elements the markup opens, counted from its tags (an upper
    bound: stray unclosed tags count); counting stops once past ``stop_above``."""
    depth = deepest = 0
    for match in _TAG.finditer(markup):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT_TAGS:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > stop_above:
                break
    return deepest


def check_nesting(markup: bytes | str, max_depth: int) -> None:
    """Lexbor's parse time grows with the square of the nesting (100,000 nested <div> take
    minutes): refuse such markup before parsing it."""
    raw = markup.encode("utf-8", "replace") if isinstance(markup, str) else markup
    if nesting_depth(raw, max_depth) > max_depth:
        raise ResourceLimit(f"The markup nests elements deeper than {max_depth} levels")


def html_to_text(markup: bytes | str, *, max_depth: int | None = None) -> HtmlText:
    """Visible text of an HTML document; bytes are decoded per the HTML standard."""
    if max_depth is not None:
        check_nesting(markup, max_depth)
    if isinstance(markup, bytes):
        tree = LexborHTMLParser(markup, encoding=True)
    else:
        tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    title = clean_field(" ".join(title_node.text().split())) if title_node is not None else None
    tree.strip_tags(INVISIBLE_TAGS)
    _mark_separators(tree)
    root = tree.body if tree.body is not None else tree.root
    raw = root.text(deep=True) if root is not None else ""
    return HtmlText(text=_tidy(raw), title=title)


def _mark_separators(tree: LexborHTMLParser) -> None:
    for pre in tree.css("pre"):
        body = pre.text(deep=True).replace("\n", LINE_MARK)
        pre.replace_with(f"{LINE_MARK}{body}{LINE_MARK}")
    for node in tree.css("br"):
        node.insert_after(LINE_MARK)
    for node in tree.css("td, th"):
        node.insert_after(CELL_MARK)
    for node in tree.css(BLOCK_TAGS):
        node.insert_before(LINE_MARK)
        node.insert_after(LINE_MARK)


def _tidy(raw: str) -> str:
    text = _SPACES.sub(" ", raw)
    text = _CELL_SPACES.sub("\t", text)
    text = _LINE_SPACES.sub("\n", text)
    lines = (line.strip(" \t") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
