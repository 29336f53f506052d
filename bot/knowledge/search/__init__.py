"""The search engine behind the knowledge base: which note answers a question typed in a hurry.

Only what is exported here is meant for use outside this package::

    index = KnowledgeIndex.build(loaded.notes, loaded.synonyms)       # once, after loading the notes
    result = index.search("客户要推货怎么办", audience="staff")        # a SearchResult
    result.outcome, result.answer, result.suggestions, result.matches
    normalize_query("親，退貨流程是什麼？")                          # "退货流程是": a question's comparable form

    channel = load_semantic(data_dir / "embeddings")                 # None without the semantic extra
    index = KnowledgeIndex.build(loaded.notes, loaded.synonyms, semantic_channel=channel)

A match's score is the probability, in percent, that it is the note the question is about; the answer and
suggestion thresholds (``KB_ANSWER_THRESHOLD``, ``KB_SUGGEST_THRESHOLD``) are on that scale.

Modules, in the order a question goes through them:

- ``text.py`` normalisation (width, case, Traditional → Simplified, punctuation), English stemming;
- ``pinyin.py`` readings of Han characters, typed pinyin split into syllables;
- ``synonyms.py`` synonym groups, also typed in pinyin; ``lexicon.py`` the trade's own words and their
  English, added to every workplace's synonyms; ``english.py`` other English words read as the notes' Chinese
  words (CC-CEDICT); ``fillers.py`` words that carry no topic;
- ``analysis.py`` the pipeline: a text cut into units (``Analyzer``);
- ``features.py`` n-grams, words and typo readings as integer codes; ``postings.py`` posting lists;
  ``questions.py`` reverse coverage; ``building.py`` the index's arrays, built chunk by chunk;
- ``scoring.py`` the signals of each candidate note; ``weights.py`` every tuning constant of the scoring;
- ``semantic.py`` the optional semantic channel (sentence embeddings, cached on disk);
- ``calibration.py`` the signals as features and their probability; ``fitted.py`` the fitted model and
  thresholds (written by ``bench/kb_fit.py``);
- ``decision.py`` answer, suggest or unknown; ``index.py`` :class:`KnowledgeIndex`, the face of it all.
"""

from bot.knowledge.search.analysis import normalize_query
from bot.knowledge.search.decision import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_MIN_MARGIN,
    DEFAULT_SUGGEST_THRESHOLD,
    Audience,
    Match,
    Outcome,
    SearchResult,
    decide,
    worth_offering,
)
from bot.knowledge.search.index import KnowledgeIndex
from bot.knowledge.search.semantic import SemanticChannel
from bot.knowledge.search.semantic import load as load_semantic
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
    "SemanticChannel",
    "decide",
    "is_han",
    "load_semantic",
    "normalize_query",
    "worth_offering",
]
