"""The portal's controlled vocabularies, read once from the YAML files of this folder.

Pure Python (no CKAN import): a vocabulary is a list of concepts, each with a ``code``, an URI
(``scheme`` + ``/`` + code, or none for the portal's internal vocabularies) and labels per
language. Lookups by URI or code, labels in a language, and choice lists in the shape scheming's
``choices_helper`` returns. See README.md for the sources of the data.
"""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import yaml

VOCABULARIES_DIR = Path(__file__).parent
# labels fall back to French (the portal's language), then English
FALLBACK_LANGUAGES = ("fr", "en")
# vocabularies made of others: the spatial coverage picker offers France, regions, départements
COMPOSITES = {"spatial": ("country", "region", "departement")}


class UnknownVocabulary(KeyError):
    """No vocabulary file of that name in this folder."""


@dataclasses.dataclass(frozen=True)
class Concept:
    code: str
    uri: str | None
    labels: Mapping[str, str]
    data: Mapping[str, Any]  # every other key of the entry (mimetype, region, private…)
    vocabulary: str

    @property
    def value(self) -> str:
        """What a dataset stores: the URI, or the code for a vocabulary without URIs."""
        return self.uri or self.code

    def get(self, key: str, default: Any = None) -> Any:
        if key == "uri":
            return self.uri
        if key == "code":
            return self.code
        if key == "value":
            return self.value
        return self.data.get(key, default)

    def label(self, lang: str | None = None) -> str:
        for candidate in (lang, (lang or "").split("_")[0], *FALLBACK_LANGUAGES):
            if candidate and self.labels.get(candidate):
                return self.labels[candidate]
        return self.code


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    name: str
    title: Mapping[str, str]
    scheme: str | None
    concepts: tuple[Concept, ...]
    choice_format: Mapping[str, str]

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    @functools.cached_property
    def _by_value(self) -> dict[str, Concept]:
        return {c.value: c for c in self.concepts}

    @functools.cached_property
    def _by_code(self) -> dict[str, Concept]:
        return {c.code: c for c in self.concepts}

    def get(self, value: Any) -> Concept | None:
        """The concept whose stored value (URI, or code without URIs) is ``value``."""
        return self._by_value.get(value) if isinstance(value, str) else None

    def by_code(self, code: Any) -> Concept | None:
        return self._by_code.get(code) if isinstance(code, str) else None

    def find(self, value: Any, key: str = "value") -> Concept | None:
        """The concept whose ``key`` (value, uri, code or a data key) equals ``value``."""
        if key == "value":
            return self.get(value)
        if key == "code":
            return self.by_code(value)
        return next((c for c in self.concepts if c.get(key) == value), None)

    def choice_label(self, concept: Concept, lang: str | None = None) -> str:
        """The label of a picker option: the concept's, shaped by ``choice_format``
        (« Gironde (33) ») of the vocabulary it comes from."""
        if concept.vocabulary != self.name:  # a composite: format as its own vocabulary does
            return vocabulary(concept.vocabulary).choice_label(concept, lang)
        label = concept.label(lang)
        fmt = self.choice_format.get(lang or "") or self.choice_format.get(
            (lang or "").split("_")[0]) or next(
            (self.choice_format[x] for x in FALLBACK_LANGUAGES if x in self.choice_format), None)
        return fmt.format(label=label, code=concept.code) if fmt else label

    def choices(self, lang: str | None = None, key: str = "value") -> list[dict[str, str]]:
        """``[{"value": …, "label": …}]`` for a scheming select, labels in ``lang``."""
        return [{"value": c.get(key), "label": self.choice_label(c, lang)}
                for c in self.concepts]


def _read(name: str) -> dict[str, Any]:
    path = VOCABULARIES_DIR / f"{name}.yaml"
    if not path.is_file():
        raise UnknownVocabulary(name)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _concept(entry: dict[str, Any], scheme: str | None, vocabulary: str) -> Concept:
    entry = dict(entry)
    code = str(entry.pop("code"))
    uri = entry.pop("uri", None) or (f"{scheme}/{code}" if scheme else None)
    labels = {lang: entry.pop(lang) for lang in list(entry)
              if len(lang) == 2 and isinstance(entry[lang], str)}
    return Concept(code=code, uri=uri, labels=MappingProxyType(labels),
                   data=MappingProxyType(entry), vocabulary=vocabulary)


@functools.cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary ``name`` (file ``<name>.yaml``, or a composite), read once."""
    if name in COMPOSITES:
        parts = [vocabulary(part) for part in COMPOSITES[name]]
        return Vocabulary(name=name, title=MappingProxyType({}), scheme=None,
                          concepts=tuple(c for part in parts for c in part.concepts),
                          choice_format=MappingProxyType({}))
    raw = _read(name)
    scheme = raw.get("scheme")
    return Vocabulary(
        name=name,
        title=MappingProxyType(raw.get("title") or {}),
        scheme=scheme,
        concepts=tuple(_concept(e, scheme, name) for e in raw.get("concepts") or []),
        choice_format=MappingProxyType(raw.get("choice_format") or {}),
    )


def names() -> list[str]:
    """Every vocabulary: the YAML files of this folder, then the composites."""
    return sorted(p.stem for p in VOCABULARIES_DIR.glob("*.yaml")) + sorted(COMPOSITES)


def label(name: str, value: Any, lang: str | None = "fr") -> str | None:
    """The label of a stored value in ``lang``; None when the value is unknown."""
    concept = vocabulary(name).get(value)
    return concept.label(lang) if concept else None


def choices(name: str, lang: str | None = "fr", key: str = "value") -> list[dict[str, str]]:
    return vocabulary(name).choices(lang, key)


def uri(name: str, code: str) -> str:
    """The URI of a concept from its code (``uri("frequency", "ANNUAL")``); KeyError if none."""
    concept = vocabulary(name).by_code(code)
    if concept is None or concept.uri is None:
        raise KeyError(f"{name}: {code}")
    return concept.uri


def file_type(value: Any) -> Concept | None:
    """The file type a resource format, extension, EU code, URI or media type designates
    (case-insensitive); None when the portal does not know it."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _file_type_index().get(value.strip().lower())


@functools.cache
def _file_type_index() -> dict[str, Concept]:
    index: dict[str, Concept] = {}
    for concept in vocabulary("file-type"):
        keys = [concept.get("format"), concept.code, concept.uri, concept.get("mimetype"),
                *(concept.get("aliases") or [])]
        for key in keys:
            if key:
                index.setdefault(str(key).lower(), concept)
    return index
