"""Streaming XES reader on the standard library's expat parser (no DTD, no entities).

:func:`xes_batches` yields the events of an IEEE 1849 XES file in batches of columns, each
value as the text written in the file. It never builds a tree, never expands entities or reads
a DTD (a document declaring one is refused, as defusedxml does), never opens a network or file
reference, and grows its read size while one value spans many reads, so a very long value costs
linear time.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat

import pyarrow as pa

from journey.errors import JourneyError

__all__ = ["ATTRIBUTE_TAGS", "XesStats", "xes_batches"]

#: XES attribute elements read as values; ``list`` and ``container`` are skipped and counted.
ATTRIBUTE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})
_NESTED_TAGS = frozenset({"list", "container"})
_CHUNK = 1 << 20
_MAX_CHUNK = 1 << 28
_NATIVE = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "iso8859-1", "ascii"}
_DECLARATION = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


class _Refused(Exception):
    """A construct the reader refuses (a DTD or an entity); carries the message."""


@dataclass
class XesStats:
    """What :func:`xes_batches` saw besides the events.

    Attributes
    ----------
    types : dict
        Column -> XES type tag (``"string"`` when a key appears with several types).
    nested : int
        List and container attributes, and attributes nested inside other attributes, that
        were not read.
    encoding : str
        The encoding the file was decoded in.

    Examples
    --------
    >>> XesStats().nested
    0
    """

    types: dict[str, str] = field(default_factory=dict)
    nested: int = 0
    encoding: str = "utf-8"


def _declared_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _DECLARATION.match(head.lstrip())
    return match.group(1).decode("ascii") if match else None


def _decoder(head: bytes, label: str, stats: XesStats,
             ) -> tuple[str | None, codecs.IncrementalDecoder | None]:
    """The declared encoding, and a decoder to UTF-8 when expat cannot read it natively."""
    declared = _declared_encoding(head[:1024])
    decoder = None
    if declared is not None:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            raise JourneyError(f"the XES file declares the unknown encoding {declared!r}; save "
                               "it again as UTF-8", source=label) from None
        stats.encoding = codec
        if codec not in _NATIVE:
            decoder = codecs.getincrementaldecoder(codec)()
    return declared, decoder


def _handlers(stats: XesStats, trace: dict[str, str], pending: list[dict[str, str]],
              ready: list[dict[str, str]], state: list) -> tuple[Callable, Callable]:
    """Expat's start and end handlers, filling ``trace``, ``pending``, ``ready`` and ``state``."""
    types = stats.types

    def start(name: str, attrs: list[str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name in ATTRIBUTE_TAGS:
            if state[2]:
                state[2] += 1
                if state[0] is not None or state[1]:
                    stats.nested += 1
                return
            state[2] = 1
            event = state[0]
            if event is not None:
                target, prefix = event, ""
            elif state[1]:
                target, prefix = trace, "case:"
            else:
                return  # a log-level attribute
            if attrs[0] == "key" and len(attrs) > 3 and attrs[2] == "value":
                key, value = attrs[1], attrs[3]
            else:
                found = dict(zip(attrs[::2], attrs[1::2], strict=True))
                key, value = found.get("key"), found.get("value")
                if key is None:
                    return
            column = prefix + key if prefix else key
            target[column] = value
            if types.get(column) != name:
                types[column] = name if column not in types else "string"
        elif name in _NESTED_TAGS:
            if state[0] is not None or state[1]:
                stats.nested += 1
            state[2] += 1
        elif state[2]:
            state[2] += 1  # <values> of a list
        elif name == "event":
            state[0] = {}
        elif name == "trace":
            state[1] = True
            trace.clear()

    def end(name: str) -> None:
        if state[2]:
            state[2] -= 1
            return
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "event":
            event = state[0]
            if event is None:
                return
            state[3] += 1
            event["\0row"] = state[3]
            (pending if state[1] else ready).append(event)
            state[0] = None
        elif name == "trace":
            state[1] = False
            if trace:
                for e in pending:
                    for k, v in trace.items():
                        e.setdefault(k, v)
            ready.extend(pending)
            pending.clear()

    return start, end


def _decode(decoder: codecs.IncrementalDecoder | None, chunk: bytes, final: bool,
            declared: str | None, offset: int, label: str) -> bytes:
    """``chunk`` as UTF-8 for expat (as it is when expat reads its encoding natively)."""
    try:
        return chunk if decoder is None else decoder.decode(chunk, final).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise JourneyError(f"the XES file declares the encoding {declared!r} but bytes "
                           f"{exc.object[exc.start:exc.end].hex(' ').upper()} at byte offset "
                           f"{offset + exc.start} are not valid in it; correct the "
                           "declaration (<?xml ... encoding=...?>) or save the file again "
                           "as UTF-8", source=label) from None
    except UnicodeError as exc:  # e.g. UTF-16 without a byte-order mark
        raise JourneyError(f"the XES file is not {declared} text ({exc}); correct the "
                           "declaration (<?xml ... encoding=...?>) or save the file again "
                           "as UTF-8", source=label) from None


def _parse(parser: expat.XMLParserType, data: bytes, final: bool, label: str) -> None:
    """Feed ``data`` to expat; a refused or malformed document raises a JourneyError."""
    try:
        parser.Parse(data, final)
    except _Refused as exc:
        raise JourneyError(str(exc), source=label) from None
    except expat.ExpatError as exc:
        what = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
        raise JourneyError(f"the XES file is not well-formed XML at line {exc.lineno}, "
                           f"column {exc.offset + 1} ({what}); if the file was cut short, "
                           "copy or export it again, otherwise repair that line",
                           source=label) from None
    except (ValueError, zlib.error, EOFError) as exc:
        raise JourneyError(f"cannot read the XES file ({exc}); check that the file is "
                           "complete", source=label) from None


def xes_batches(fh: BinaryIO, label: str, stats: XesStats, *, batch: int = 50_000,
                ) -> Iterator[tuple[list[int], pa.Table]]:
    """Yield ``(rows, table)`` batches of the events of an XES stream.

    ``rows`` are the 1-based positions of the events in the file; ``table`` holds every
    column seen so far as text (null where an event lacks it). Trace attributes get the
    prefix ``case:`` and are repeated on each event of the trace.

    Parameters
    ----------
    fh : binary file object
        The XES document (already decompressed).
    label : str
        The file name shown in errors.
    stats : XesStats
        Filled in while reading: column types, skipped nested attributes, encoding.
    batch : int
        Events per batch.

    Raises
    ------
    JourneyError
        For a document that is not well-formed, declares a DTD or entities, or cannot be
        decoded in its declared encoding; the message gives the line and column.

    Examples
    --------
    >>> import io
    >>> doc = (b'<log><trace><string key="concept:name" value="V1"/>'
    ...        b'<event><string key="concept:name" value="Triage"/></event></trace></log>')
    >>> rows, table = next(xes_batches(io.BytesIO(doc), "log.xes", XesStats()))
    >>> rows, table.to_pydict()
    ([1], {'case:concept:name': ['V1'], 'concept:name': ['Triage']})
    """
    head = fh.read(_CHUNK)
    declared, decoder = _decoder(head, label, stats)
    parser = expat.ParserCreate("utf-8" if decoder else None)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    types = stats.types
    trace: dict[str, str] = {}
    pending: list[dict[str, str]] = []  # events of the open trace, waiting for its attributes
    ready: list[dict[str, str]] = []
    # state: the open event (or None), whether a trace is open, the depth inside an attribute
    # (> 0 while in an attribute element: its children are meta-attributes), events read
    state: list = [None, False, 0, 0]

    def refuse(*_args: object) -> None:
        raise _Refused("the XES file declares a DTD or entities, which journey does not read "
                       "(they can expand without bound or fetch other files); remove the "
                       "<!DOCTYPE ...> part or export the log again")

    start, end = _handlers(stats, trace, pending, ready, state)

    parser.ordered_attributes = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse

    def columns_of(events: list[dict[str, str]]) -> tuple[list[int], pa.Table]:
        rows = [e.pop("\0row") for e in events]
        schema = pa.schema([(c, pa.string()) for c in types])
        return rows, pa.Table.from_pylist(events, schema=schema)

    size, offset, chunk = _CHUNK, 0, head
    while True:
        final = not chunk
        data = _decode(decoder, chunk, final, declared, offset, label)
        seen = parser.CurrentByteIndex
        _parse(parser, data, final, label)
        if len(ready) >= batch or (final and ready):
            yield columns_of(ready)
            ready.clear()
        if final:
            return
        offset += len(chunk)
        # one value spanning many reads is re-scanned on every read by expat 2.5: read more
        size = _CHUNK if parser.CurrentByteIndex != seen else min(size * 2, _MAX_CHUNK)
        chunk = fh.read(size)
