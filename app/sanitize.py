"""Stored content that a page renders: the rich-text allow-list and the URL rule (docs/security.md).

Every rich-text field is cleaned on write by `clean_html`; every URL-like field accepts only what
`url_error` lets through. The marshmallow field types that apply them are in app/schemas/base.py.
"""

import re

import nh3

# What an article editor produces; anything else is unwrapped (its text kept), script-like elements dropped whole.
TAGS = {
    *("p", "br", "span", "div", "strong", "b", "em", "i", "u", "s", "strike", "del", "ins", "sub", "sup", "small"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "a", "img", "pre", "code", "hr"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"),
    *("section", "figure", "figcaption", "mark", "font", "center"),
}
# Dropped with their content (not just unwrapped).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
ATTRIBUTES = {
    "*": {"style", "title", "align"},
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "width"},
    "th": {"colspan", "rowspan", "width"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "table": {"width", "border", "cellpadding", "cellspacing"},
    "ol": {"start"},
    "font": {"color", "size"},
}
# `style` keeps only these properties: no url(), position or behaviour can come back through it.
STYLE_PROPERTIES = {
    *("color", "background-color", "font-size", "font-weight", "font-style", "font-family", "text-align"),
    *("text-decoration", "text-indent", "line-height", "letter-spacing", "vertical-align", "white-space"),
    *("margin", "margin-top", "margin-bottom", "margin-left", "margin-right"),
    *("padding", "padding-top", "padding-bottom", "padding-left", "padding-right"),
    *("width", "max-width", "height", "border", "border-collapse", "border-color", "border-width"),
    *("border-style", "border-radius", "box-sizing", "word-break", "word-wrap", "overflow-wrap"),
}
# javascript:, data:, vbscript: ... are not here, so such href/src values are removed.
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    filter_style_properties=STYLE_PROPERTIES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """`html` with only the allowed tags, attributes, style properties and URL schemes left."""
    return _CLEANER.clean(html) if html else html


_URL = re.compile(r"^https?://[^\s\"'<>\\`]+$", re.IGNORECASE)
_STATICS_PATH = re.compile(r"^/?statics/[\w\-./]+$")
URL_RULE = "必须是 http(s) 地址或 statics/ 下的路径"


def url_error(value) -> str | None:
    """Why `value` is not an acceptable link or picture (None when it is): an http(s) URL or a path under
    our own statics/ (as img_merge returns), never `..`, another scheme (javascript:, data:) or markup."""
    if not isinstance(value, str) or not value:
        return URL_RULE
    if _URL.match(value):
        return None
    if _STATICS_PATH.match(value) and ".." not in value.split("/"):
        return None
    return URL_RULE
