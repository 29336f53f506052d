"""The search engine behind the knowledge base: which note answers a question typed in a hurry.

Only what is exported here is meant for use outside this package::

    index = KnowledgeIndex.build(loaded.notes, loaded.synonyms)       # once, after loading the notes
    result = index.search("客户要推货怎么办", audience="staff")        # a SearchResult
    result.outcome, result.answer, result.suggestions, result.matches

Modules, in the order a question goes through them:

- ``text.py`` normalisation (width, case, Traditional → Simplified, punctuation), English stemming;
- ``pinyin.py`` readings of Han characters, typed pinyin split into syllables;
- ``synonyms.py`` synonym groups, also typed in pinyin; ``fillers.py`` words that carry no topic;
- ``analysis.py`` the pipeline: a text cut into units (``Analyzer``);
- ``features.py`` n-grams and words as integer codes; ``postings.py`` posting lists; ``questions.py``
  reverse coverage; ``building.py`` the index's arrays, built chunk by chunk;
- ``scoring.py`` the four signals and the confidence; ``weights.py`` every tuning constant;
- ``decision.py`` answer, suggest or unknown; ``index.py`` :class:`KnowledgeIndex`, the face of it all.
"""

from bot.knowledge.search.decision import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_MIN_MARGIN,
    DEFAULT_SUGGEST_THRESHOLD,
    Audience,
    Match,
    Outcome,
    SearchResult,
    decide,
)
from bot.knowledge.search.index import KnowledgeIndex
from bot.knowledge.search.text import is_han

__all__ = [
    "DEFAULT_ANSWER_THRESHOLD",
    "DEFAULT_MIN_MARGIN",
    "DEFAULT_SUGGEST_THRESHOLD",
    "Audience",
    "KnowledgeIndex",
    "Match",
    "Outcome",
    "SearchResult",
    "decide",
    "is_han",
]
