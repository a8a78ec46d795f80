"""From what a file holds to the report's text: format, boilerplate, language, sentences.

* HTML: scripts, styles, navigation, headers, footers, forms, comment widgets and
  asides go; jusText (its stoplist for the page's language) keeps the paragraphs that
  read as text; where it keeps nothing, the cleaned page's text is used.  Broken markup
  is read by lxml's forgiving parser.
* Markdown: headings, emphasis, links and images become their plain words.
* Plain text (and the text of HTML and Markdown): page furniture lines ("Posted by",
  "Header Ads Widget", share bars, subscription prompts, "Read more") are dropped, and a
  line such as "Related Reading", "About Us" or "Post a Comment" ends the report.
  The patterns are data (`data/lexicon.yaml`).

The result's offsets all refer to the cleaned text, which is what the store keeps.

Pure, no I/O: callers pass the file's text.
"""

from __future__ import annotations

import re

from corridor.intel.model import Sentence
from corridor.intel.vocab import Vocabulary

_HTML_HINT = re.compile(
    r"<\s*(html|body|head|div|p|article|script|style|span|a|br|table|meta)\b", re.IGNORECASE
)
_MD_HINT = re.compile(
    r"^(#{1,6}\s|\s*[-*+]\s|\s*\d+\.\s|>\s)|\[[^\]]+\]\([^)]+\)|\*\*[^*]+\*\*", re.MULTILINE
)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "form",
    "aside",
    "iframe",
    "svg",
    "button",
    "select",
    "template",
)
_COMMENTS = re.compile(
    r"comment|disqus|related|share|social|subscribe|newsletter|sidebar|advert|promo|cookie|menu|nav",
    re.IGNORECASE,
)

# English function words: the share of them tells English from other Latin-script text.
_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "was",
        "were",
        "are",
        "it",
        "from",
        "at",
        "be",
        "has",
        "have",
        "had",
        "this",
        "which",
        "its",
        "their",
        "been",
        "or",
        "not",
        "but",
        "an",
        "will",
        "would",
        "said",
        "also",
        "than",
        "more",
        "after",
        "into",
    ]
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def detect_format(text: str, hint: str = "") -> str:
    """html | markdown | text, from the file name's suffix (`hint`) or the content."""
    hint = hint.casefold()
    if hint in (".html", ".htm", ".xhtml"):
        return "html"
    if hint in (".md", ".markdown"):
        return "markdown"
    head = text[:4000]
    if len(_HTML_HINT.findall(head)) >= 2 or head.lstrip().startswith("<!"):
        return "html"
    if hint in (".txt", ".text"):
        return "text"
    if len(_MD_HINT.findall(head)) >= 2:
        return "markdown"
    return "text"


def html_to_text(html: str, language: str = "English") -> str:
    """The article text of an HTML page (boilerplate removed), paragraphs on their own lines."""
    import justext
    import lxml.html
    from lxml import etree

    if not html.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*_DROP_TAGS)):
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.getparent() is not None:
                element.drop_tree()
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if (
            element.tag not in ("html", "body")
            and _COMMENTS.search(marker)
            and element.getparent() is not None
        ):
            element.drop_tree()
    cleaned = lxml.html.tostring(root, encoding="unicode")
    try:
        paragraphs = justext.justext(cleaned, justext.get_stoplist(language))
        kept = [p.text for p in paragraphs if not p.is_boilerplate]
    except (ValueError, etree.ParserError):
        kept = []
    if kept:
        title = root.findtext(".//title") or ""
        heading = root.findtext(".//h1") or title
        lines = [heading.strip()] if heading.strip() and heading.strip() not in kept else []
        return "\n\n".join(lines + kept)
    # jusText found no paragraph that reads as text (short pages): the page's own text
    blocks = []
    for block in root.iter("h1", "h2", "h3", "p", "li", "td", "pre", "blockquote", "div"):
        if block.tag == "div" and block.find(".//p") is not None:
            continue
        text = " ".join(block.text_content().split())
        if text:
            blocks.append(text)
    return "\n\n".join(dict.fromkeys(blocks))


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_BULLET = re.compile(r"^\s*([-*+]|>)\s+", re.MULTILINE)


def markdown_to_text(markdown: str) -> str:
    text = _MD_IMAGE.sub(r"\1", markdown)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return _MD_BULLET.sub("", text)


def strip_boilerplate(text: str, vocab: Vocabulary) -> str:
    """Page furniture lines dropped; a cut-off line ends the text."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        bare = line.strip()
        key = bare.casefold().rstrip(":").strip()
        if key in vocab.cutoff_lines and kept:
            break
        if bare and vocab.boilerplate_line.fullmatch(bare):
            continue
        kept.append(line.rstrip())
    cleaned = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


def detect_language(text: str) -> str:
    """en | ru | ko | other, from the scripts of the letters and, for Latin text, the
    share of English function words."""
    sample = text[:6000]
    hangul = len(_HANGUL.findall(sample))
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    total = latin + cyrillic + hangul
    if total == 0:
        return "other"
    if hangul / total > 0.3:
        return "ko"
    if cyrillic / total > 0.4:
        return "ru"
    if latin / total < 0.5:
        return "other"
    words = [w.casefold() for w in _WORD.findall(text[:6000])]
    if not words:
        return "other"
    share = sum(1 for w in words if w in _ENGLISH) / len(words)
    return "en" if share >= 0.08 else "other"


# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "nos",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gen",
        "col",
        "lt",
        "capt",
        "sgt",
        "co",
        "corp",
        "inc",
        "ltd",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.n",
        "u.k",
        "approx",
        "est",
        "dept",
        "govt",
        "adm",
        "rep",
        "sen",
        "fig",
    ]
)
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their spans: a paragraph break always ends one; so does . ! ?
    followed by space and a capital, digit or quote, unless after an abbreviation or
    an initial."""
    sentences: list[Sentence] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        start = para.start()
        chunk = para.group(0)
        last = 0
        for match in _BOUNDARY.finditer(chunk):
            end = match.end(2)
            following = chunk[match.end() : match.end() + 1]
            if not following or not (following.isupper() or following.isdigit() or following in "\"'“‘«(["):
                continue
            before = chunk[last : match.start()].rsplit(None, 1)
            word = before[-1].casefold().rstrip(".") if before else ""
            if match.group(1) == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
                continue
            _add(sentences, text, start + last, start + end)
            last = match.end()
        _add(sentences, text, start + last, start + len(chunk))
    return sentences


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
