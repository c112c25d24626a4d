"""Text made fit for XML documents that readers' software fetches.

Bodies are sanitised HTML, but the sanitiser keeps control characters, which
XML 1.0 forbids: one stray vertical tab pasted from a word processor would turn
a feed into an error. Links inside bodies are relative to the site, and a feed
reader shows them out of the site's context.
"""

import re

# Characters XML 1.0 cannot carry, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The sanitiser writes every attribute in double quotes, so this sees them all.
_SITE_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/))')


def xml_text(value) -> str:
    return _NOT_XML.sub("", str(value or ""))


def absolute_links(html: str, origin: str) -> str:
    """``html`` with site-relative href and src made absolute under ``origin`` (scheme://host)."""
    return _SITE_RELATIVE.sub(lambda m: m.group(1) + origin + m.group(2), html)
