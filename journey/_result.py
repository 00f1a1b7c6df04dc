"""What every result object of an analysis shares: its tables, notes, figure, repr and HTML.

A result is a dataclass that also derives from :class:`Result`; it names the attributes that
hold its tables in ``_tables`` (the main one first) and keeps its notes as a list in
``notes``. Its ``figure(lang=...)`` hands the result to a drawing function of the figures
layer, so that the analysis module imports no plotting library. In JupyterLab a result shows
as its main table with its notes underneath (``_repr_html_``), as lifelines' fitters do.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

import pandas as pd

from journey.errors import JourneyError

__all__ = ["Result"]

#: Rows of a table shown by a result's repr and HTML.
SHOWN_ROWS = 20


class Result:
    """Base of the package's result objects.

    Subclasses are dataclasses with a ``notes`` field (list of str) and set ``_tables``, the
    names of their DataFrame attributes, main table first.

    Examples
    --------
    >>> from dataclasses import dataclass, field
    >>> @dataclass(repr=False)
    ... class Counts(Result):
    ...     table: pd.DataFrame
    ...     notes: list[str] = field(default_factory=list)
    >>> res = Counts(pd.DataFrame({"activity": ["Lab"], "n": [12]}), notes=["one day"])
    >>> print(res)
    Counts
    activity  n
         Lab 12
    one day
    >>> list(res.tables)
    ['table']
    """

    _tables: ClassVar[tuple[str, ...]] = ("table",)
    notes: list[str]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by name, main table first."""
        return {name: getattr(self, name) for name in self._tables}

    def figure(self, *, lang: str | None = None, **options: Any) -> Any:
        """The result's figure; a result without one says so."""
        raise JourneyError(f"{type(self).__name__} draws no figure; see its tables "
                           f"({', '.join(self._tables)}).")

    def _shown(self) -> pd.DataFrame:
        """The table the repr and the HTML show (the main table, rounded)."""
        return next(iter(self.tables.values())).round(3)

    def _headline(self) -> str:
        """The first line of the repr: the class name, and what the result is of."""
        return type(self).__name__

    def __repr__(self) -> str:
        shown = self._shown()
        lines = [self._headline()]
        if not shown.empty:
            lines.append(shown.to_string(index=False, max_rows=SHOWN_ROWS))
        return "\n".join(lines + list(self.notes))

    def _repr_html_(self) -> str:
        shown = self._shown()
        parts = [f"<strong>{html.escape(self._headline())}</strong>"]
        if not shown.empty:
            parts.append(shown.to_html(index=False, max_rows=SHOWN_ROWS, border=0))
        others = [f"<code>.{name}</code> ({len(table)} rows)"
                  for name, table in list(self.tables.items())[1:]]
        if others:
            parts.append("<p>Also: " + ", ".join(others) + "</p>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(str(n))}</li>" for n in self.notes)
                         + "</ul>")
        return "\n".join(parts)
