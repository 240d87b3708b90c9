"""mkdocs hooks: render the Sphinx roles of the docstrings (``:class:`X```) as plain code."""

from __future__ import annotations

import re

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):(?=<code>)")


def on_page_content(html: str, **kwargs) -> str:
    """Drop the role prefix that mkdocstrings leaves in front of ``<code>``."""
    return _ROLE.sub("", html)
