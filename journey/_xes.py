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
_COUNTED = ATTRIBUTE_TAGS | _NESTED_TAGS  # counted as not read inside another attribute
_CHUNK = 1 << 20
_MAX_CHUNK = 1 << 28
_PRESIZED = 24  # at most this many keys in the template of new events
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


class _Events:
    """The events read so far: those ready to yield, and those of the open trace.

    ``pending`` waits for the end of its trace, whose attributes may follow its events.
    """

    __slots__ = ("pending", "pending_rows", "ready", "ready_rows")

    def __init__(self) -> None:
        self.pending: list[dict[str, str | None]] = []
        self.pending_rows: list[int] = []
        self.ready: list[dict[str, str | None]] = []
        self.ready_rows: list[int] = []


def _key_value(attrs: list[str]) -> tuple[str | None, str | None]:
    """The ``key`` and ``value`` of an attribute element, from expat's ordered attributes."""
    found = dict(zip(attrs[::2], attrs[1::2], strict=True))
    return found.get("key"), found.get("value")


def _handlers(stats: XesStats, events: _Events) -> tuple[Callable, Callable]:
    """Expat's start and end handlers, filling ``stats`` and ``events``.

    A new event starts as a copy of ``template``: the first event keys seen, all None (as
    good as missing), so that filling it rarely grows it. It never holds a ``case:`` key, so
    that an event's None does not hide its trace's value.
    """
    types = stats.types
    types_get = types.get
    attribute_tags, nested_tags = ATTRIBUTE_TAGS, _NESTED_TAGS
    pending, pending_rows = events.pending, events.pending_rows
    ready, ready_rows = events.ready, events.ready_rows
    trace: dict[str, str | None] = {}
    event: dict[str, str | None] | None = None  # the open event
    template: dict[str, None] = {}
    in_trace = False
    depth = 0  # > 0 inside an attribute element: its children are meta-attributes
    count = 0  # events read

    def start(name: str, attrs: list[str]) -> None:
        nonlocal event, in_trace, depth
        if depth:
            depth += 1
            if (event is not None or in_trace) and name.rpartition(":")[2] in _COUNTED:
                stats.nested += 1
            return
        if name not in attribute_tags:
            name = name.rpartition(":")[2]
            if name not in attribute_tags:
                if name in nested_tags:
                    if event is not None or in_trace:
                        stats.nested += 1
                    depth = 1
                elif name == "event":
                    event = template.copy()
                elif name == "trace":
                    in_trace = True
                    trace.clear()
                return
        depth = 1
        try:
            first, key, second, value = attrs
        except ValueError:
            first = second = None
        if first != "key" or second != "value":
            key, value = _key_value(attrs)
            if key is None:
                return
        if event is not None:
            event[key] = value
        elif in_trace:
            key = "case:" + key
            trace[key] = value
        else:
            return  # a log-level attribute
        known = types_get(key)
        if known != name:
            types[key] = name if known is None else "string"
            if known is None and len(template) < _PRESIZED and not key.startswith("case:"):
                template[key] = None

    def end(name: str) -> None:
        nonlocal event, in_trace, depth, count
        if depth:
            depth -= 1
            return
        name = name.rpartition(":")[2]
        if name == "event":
            if event is None:
                return
            count += 1
            if in_trace:
                pending.append(event)
                pending_rows.append(count)
            else:
                ready.append(event)
                ready_rows.append(count)
            event = None
        elif name == "trace":
            in_trace = False
            ready.extend([trace | e for e in pending] if trace else pending)
            ready_rows.extend(pending_rows)
            pending.clear()
            pending_rows.clear()

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
    # intern=None: names are compared by value, so expat need not look each one up in a dict
    parser = expat.ParserCreate("utf-8" if decoder else None, intern=None)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    events = _Events()

    def refuse(*_args: object) -> None:
        raise _Refused("the XES file declares a DTD or entities, which journey does not read "
                       "(they can expand without bound or fetch other files); remove the "
                       "<!DOCTYPE ...> part or export the log again")

    start, end = _handlers(stats, events)

    parser.ordered_attributes = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse

    def columns_of() -> tuple[list[int], pa.Table]:
        kind = pa.struct([(c, pa.string()) for c in stats.types])
        table = pa.Table.from_struct_array(pa.array(events.ready, kind))
        rows = events.ready_rows.copy()
        events.ready.clear()
        events.ready_rows.clear()
        return rows, table

    size, offset, chunk = _CHUNK, 0, head
    while True:
        final = not chunk
        data = _decode(decoder, chunk, final, declared, offset, label)
        seen = parser.CurrentByteIndex
        _parse(parser, data, final, label)
        if len(events.ready) >= batch or (final and events.ready):
            yield columns_of()
        if final:
            return
        offset += len(chunk)
        # one value spanning many reads is re-scanned on every read by expat 2.5: read more
        size = _CHUNK if parser.CurrentByteIndex != seen else min(size * 2, _MAX_CHUNK)
        chunk = fh.read(size)
