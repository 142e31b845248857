"""The plain data passed between stages: frozen dataclasses, serialisable to JSON for the cache."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import lru_cache
from typing import Any, Callable, get_args, get_origin, get_type_hints


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the document's normalised text: [start, end) and the quote."""
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A named entity found in the text, resolved to a vocabulary key where one exists.

    kind: state | body | instrument | person | place | redaction | entity
    key:  ISO 3166 alpha-3 for states, the vocabulary IRI for bodies, instruments and gazetteer
          places, the name as printed for persons, other places and unrecognised entities.
    """
    kind: str
    key: str
    label: str
    span: Span
    extractor: str


@dataclass(frozen=True)
class Citation:
    """A reference from this document to another thing.

    target: document | resolution | communication | case | rule | url | publication
    key:    canonical key: a UN symbol ("A/77/686"), a resolution key ("security-council/822"),
            a communication reference ("AL AZE 3/2024"), a URL, or the cited title.
    parts:  for a joint symbol, all its parts (the first is the canonical one).
    characterization: a CiTO property name: cites | repliesTo | disputes | citesAsEvidence
    """
    target: str
    key: str
    label: str
    span: Span
    characterization: str = "cites"
    parts: tuple[str, ...] = ()
    footnote: int | None = None
    year: int | None = None
    extractor: str = "citations"


@dataclass(frozen=True)
class Provision:
    """A legal instrument or domestic law invoked, with the article where given."""
    instrument: str          # vocabulary IRI of an international instrument, or "" for domestic law
    title: str               # the instrument's title as resolved (prefLabel) or printed (domestic)
    article: str | None
    domestic: bool
    jurisdiction: str | None  # ISO3 of a domestic law's state
    span: Span
    extractor: str = "law"


@dataclass(frozen=True)
class PostHolding:
    """A person as the text names them, with the post they hold there."""
    name: str
    post: str | None
    post_in: str | None       # ISO3 or body IRI the post belongs to
    signatory: bool
    span: Span
    extractor: str = "persons"


@dataclass(frozen=True)
class Incident:
    """An event as one document reports it: a claim of that document, never a fact of the graph."""
    type: str
    place: str | None          # the place as printed
    date: str | None           # YYYY, YYYY-MM, YYYY-MM-DD or start/end
    killed: int | None
    injured: int | None
    children_killed: int | None
    hostages: int | None
    missing: int | None
    attributed_to: str | None  # ISO3, as the document claims
    weapons: tuple[str, ...]
    span: Span                 # the quote
    place_key: str | None = None   # the place's key: a gazetteer IRI, or the name the text introduced
    extractor: str = "incidents"


@dataclass(frozen=True)
class Part:
    """An annex or enclosure: a document inside the document, with its own title, date, author and signatories."""
    kind: str
    start: int
    end: int
    title: Span
    dated: str | None
    author_states: tuple[str, ...]
    signatories: tuple[str, ...]


@dataclass(frozen=True)
class DescribedReference:
    """A document referred to by description ('the letter from the Permanent Representative of Armenia
    dated 5 January 2023'): resolved to a document of the corpus with that author and date, if there is one."""
    kind: str
    author_states: tuple[str, ...]
    date: str
    span: Span
    characterization: str = "cites"
    extractor: str = "citations-described"


@dataclass(frozen=True)
class Metadata:
    kind: str = "other"        # note_verbale | letter | state_report | joint_statement | identical_letters | ... | other
    symbols: tuple[str, ...] = ()
    title: str | None = None
    issued: str | None = None
    dated: str | None = None
    received: str | None = None
    language: str | None = None
    job_number: str | None = None
    sessions: tuple[str, ...] = ()
    agenda_items: tuple[str, ...] = ()
    author_states: tuple[str, ...] = ()
    addressees: tuple[str, ...] = ()     # body IRIs
    sender_post: str | None = None       # 'Permanent Representative', "Chargé d'affaires a.i.", ...
    evidence: tuple[tuple[str, Span], ...] = ()   # (field, span) behind each metadata value


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""
    source: str
    sha256: str
    text_length: int
    metadata: Metadata
    mentions: tuple[Mention, ...] = ()
    citations: tuple[Citation, ...] = ()
    provisions: tuple[Provision, ...] = ()
    persons: tuple[PostHolding, ...] = ()
    incidents: tuple[Incident, ...] = ()
    parts: tuple[Part, ...] = ()
    described: tuple[DescribedReference, ...] = ()
    source_offsets: tuple[tuple[int, int, int], ...] = field(default=(), repr=False)

    def to_source(self, offset: int) -> int:
        """Offset in the normalised text -> offset in the source text (see ingest.SourceText)."""
        import bisect
        segs = self.source_offsets
        if not segs:
            return offset
        i = bisect.bisect_right(segs, (offset, float("inf"), 0)) - 1
        if i < 0:
            return segs[0][1]
        t0, s0, n = segs[i]
        return s0 + min(offset - t0, max(n - 1, 0)) if offset - t0 < n else s0 + n


def to_json(obj: Any) -> Any:
    if is_dataclass(obj):
        return asdict(obj)
    raise TypeError(type(obj))


def from_json(cls: type, data: Any) -> Any:
    """Rebuild a dataclass tree written by dataclasses.asdict (tuples come back as tuples)."""
    return _decoder(cls)(data)


def _identity(data: Any) -> Any:
    return data


@lru_cache(maxsize=None)
def _decoder(cls: type) -> Callable[[Any], Any]:
    """A function that rebuilds values of type ``cls``, made once per type: resolving the type hints of
    every object anew cost more than all the mapping a build does."""
    if is_dataclass(cls):
        hints = get_type_hints(cls)
        parts = [(f.name, _decoder(hints[f.name])) for f in fields(cls)]
        return lambda data: cls(**{name: dec(data[name]) for name, dec in parts if name in data})
    origin = get_origin(cls)
    if origin is tuple:
        args = get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return tuple if item is _identity else (lambda data: tuple([item(x) for x in data]))
        items = [_decoder(a) for a in args]
        return lambda data: tuple([dec(x) for dec, x in zip(items, data)])
    if origin is not None and type(None) in get_args(cls):   # Optional[X]
        inner = _decoder([a for a in get_args(cls) if a is not type(None)][0])
        return lambda data: None if data is None else inner(data)
    return _identity
