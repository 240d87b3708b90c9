"""mkdocs hooks: render the Sphinx roles of the docstrings (``:class:`X```) as plain code.

mkdocstrings renders ``:func:`name``` as the text ``:func:`` followed by ``<code>name</code>``,
or, inside a type column, as the literal text in one code span; both lose the role prefix here.
"""

from __future__ import annotations

import re

_ROLE_BEFORE_CODE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):(?=<code>)")
_ROLE_IN_CODE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`([^`<]+)`")


def on_page_content(html: str, **kwargs) -> str:
    """Drop the role prefix that mkdocstrings leaves in the rendered docstrings."""
    return _ROLE_IN_CODE.sub(r"\1", _ROLE_BEFORE_CODE.sub("", html))
