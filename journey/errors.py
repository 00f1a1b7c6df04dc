"""The package's own error type, raised for every problem with a user's input."""

from __future__ import annotations

__all__ = ["JourneyError"]


class JourneyError(ValueError):
    """A problem with the input that the user can fix.

    The message names the file, the rows and the column involved and says how to fix it.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    source : str, optional
        The file (or ``"<DataFrame>"``) the problem was found in.
    column : str, optional
        The column involved.
    rows : list of int, optional
        Row numbers as a spreadsheet shows them (header = row 1), at most ten.
    reason : (str, dict), optional
        An id of :data:`journey.findings.REASONS` and its values, so that a notebook in
        another language can say why a section does not apply in that language.

    Examples
    --------
    >>> raise JourneyError("end before start", source="log.csv", column="end", rows=[5])
    Traceback (most recent call last):
    ...
    journey.errors.JourneyError: log.csv, column 'end', rows 5: end before start
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
        reason: tuple[str, dict] | None = None,
    ) -> None:
        self.reason = reason
        self.source = source
        self.column = column
        self.rows = list(rows or [])[:10]
        where = []
        if source:
            where.append(str(source))
        if column:
            where.append(f"column {column!r}")
        if self.rows:
            where.append("rows " + ", ".join(str(r) for r in self.rows))
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
