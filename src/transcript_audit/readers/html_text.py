"""HTML bodies as text, for every reader that meets them (e-mails, canned responses, CSV cells).

One converter, so a ``<p>`` or an ``&nbsp;`` means the same whatever the file
it came in. ``html.parser`` reads the tags (quoted attributes, entities,
``<pre>``) as a browser would; two passes before it keep it linear on hostile
input: comments, scripts and styles are cut out by one forward scan, and a
``<`` that does not open a tag closed on the spot is escaped, since the parser
would otherwise rescan the rest of the text for every unclosed ``<``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "pre", "address", "section", "article", "header", "footer", "dd", "dt", "center",
        "blockquote",
    }
)
_HIDDEN_TAGS = frozenset({"head", "title", "template", "noscript"})
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"})
# HTML's own whitespace: a non-breaking space is text (French typography puts one before "!").
_HTML_SPACES = " \t\r\n\f"
_HTML_SPACE_RUN = re.compile(r"[ \t\r\n\f]+")

_CUT_BLOCK = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)
_UNCLOSED_TAG = re.compile(r"<(?![/!?]?[A-Za-z][^<>]{0,2000}>)")
# Tags that mark a value as HTML even in a field not named "html" (some tools export HTML as "body").
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|b|i|u|strong|em|ul|ol|li|a|table|tr|td|th|blockquote|font|img|hr|h[1-6])\b[^<>]*>",
    re.IGNORECASE,
)


class _VisibleText(HTMLParser):
    """Blocks become lines; a block boundary ends the current line only when it holds text.

    So ``</p><p>`` is one line break, while ``<br>`` always breaks: ``<div><br></div>``
    and Outlook's ``<p>&nbsp;</p>`` are blank lines, as a mail client shows them.
    """

    def __init__(self, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_tags = _HIDDEN_TAGS | {"blockquote"} if drop_quotes else _HIDDEN_TAGS
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden = 0  # depth inside head, title, template… (and blockquote when dropped)
        self.pre = 0

    def end_line(self, soft: bool) -> None:
        line = "".join(self.current).strip(_HTML_SPACES)
        self.current = []
        if line or not soft:
            self.lines.append(line)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.hidden_tags:
            self.hidden += 1
        elif tag == "br":
            self.end_line(soft=False)
        elif tag in _BLOCK_TAGS:
            self.end_line(soft=True)
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.end_line(soft=False)
        elif tag in _BLOCK_TAGS:
            self.end_line(soft=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden_tags:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS and tag not in _VOID_TAGS:
            self.end_line(soft=True)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            *complete, last = data.split("\n")
            for piece in complete:
                self.current.append(piece)
                self.end_line(soft=False)
            self.current.append(last)
        else:
            self.current.append(_HTML_SPACE_RUN.sub(" ", data))


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """Visible text of an HTML body: one line per block, entities decoded.

    Runs of HTML whitespace become one space and lines are stripped of it;
    non-breaking spaces stay. Blank lines stay too (a ``<br><br>`` paragraph
    break): callers that want none drop them. Comments, scripts and styles go
    with their content, and an unclosed one hides the rest. ``drop_quotes``
    leaves out ``<blockquote>`` content: in an e-mail it is the quoted history.
    """
    parser = _VisibleText(drop_quotes)
    parser.feed(_UNCLOSED_TAG.sub("&lt;", _without_hidden_blocks(html)))
    parser.close()
    parser.end_line(soft=True)
    return "\n".join(parser.lines)


def looks_like_html(text: str) -> bool:
    """Does a value that was not declared HTML hold tags anyway (``"<p>Bonjour</p>"``)?"""
    return "<" in text and bool(_HTML_TAG.search(text))


def _without_hidden_blocks(html: str) -> str:
    """The HTML without comments, scripts and styles, in one forward scan."""
    kept, position = [], 0
    lower = html.lower()
    while (match := _CUT_BLOCK.search(html, position)) is not None:
        kept.append(html[position : match.start()])
        if match.group(1):
            close = lower.find(f"</{match.group(1).lower()}", match.end())
            end = lower.find(">", close) + 1 if close >= 0 else 0
        else:
            close = html.find("-->", match.end())
            end = close + 3 if close >= 0 else 0
        if end <= 0:
            return "".join(kept)  # unclosed: the rest is not text
        position = end
    kept.append(html[position:])
    return "".join(kept)
