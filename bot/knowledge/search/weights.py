"""The tuning of the scoring: how much each field and kind of match counts, and how much work a query gets.

The signals' weights here make the scoring's ``confidence`` (which ranks the candidates, and is one feature of
the calibrated decision); how much each signal counts in the decision itself is fitted by ``bench/kb_fit.py``
(:mod:`~bot.knowledge.search.fitted`). Change a weight here only with the figures of ``bench/kb_fit.py``
(cross-validated) and ``bench/kb_speed.py`` before and after, and fit the decision again.
"""

from __future__ import annotations

import numpy as np

# Signal weights in the confidence (divided by their sum).
W_COVERAGE = 0.6
W_SIMILARITY = 0.25
W_LEXICAL = 0.15
W_REVERSE = 0.3
W_TITLE_END = 0.06
W_TOTAL = W_COVERAGE + W_SIMILARITY + W_LEXICAL + W_REVERSE + W_TITLE_END

# Coverage credit of a query unit, by where and how a note matches it: its head (title, questions, tags),
# its body, or only its reply scripts (the ``## 话术`` section: what to tell the customer, often in
# English too, says less about the situation than the rest of the body).
IN_SCRIPTS, IN_BODY, IN_HEAD = 1, 2, 3
SCRIPTS_FACTOR = 0.5
CREDIT: dict[tuple[int, str], float] = {
    # (field, kind): credit
    (IN_HEAD, "cbi"): 1.0,
    (IN_HEAD, "pbi"): 0.9,
    (IN_HEAD, "word"): 1.0,
    (IN_HEAD, "cuni"): 0.3,
    (IN_HEAD, "puni"): 0.25,
    (IN_HEAD, "cuni1"): 1.0,
    (IN_HEAD, "puni1"): 0.8,
    (IN_BODY, "cbi"): 0.5,
    (IN_BODY, "pbi"): 0.45,
    (IN_BODY, "word"): 0.25,
    (IN_BODY, "cuni"): 0.2,
    (IN_BODY, "puni"): 0.1,
    (IN_BODY, "cuni1"): 0.5,
    (IN_BODY, "puni1"): 0.4,
}
# Typos inside words (a short text's character pairs read the other way round, characters two apart
# around a doubled one, a note's skip bigrams): credited as the bigram kind they stand for, times
# TYPO_CREDIT (a fraction, applied to the integer codes alike wherever a note's codes come from).
TYPO_KINDS = {"cswap": "cbi", "cjump": "cbi", "cskip": "cbi"}
TYPO_CREDIT = (4, 5)
TYPO_MAX_UNITS = 16  # a longer text is read for typos clause by clause
# The coverage channels: characters, pinyin (words count in both).
CHAR_KINDS = frozenset({"cbi", "cuni", "cuni1", "cswap", "cjump", "cskip"})
PINYIN_KINDS = frozenset({"pbi", "puni", "puni1"})
# The same as small integer codes (the credit x CODE_SCALE, so that the best credit is the largest code),
# by where a note has the feature (0: nowhere, IN_SCRIPTS, IN_BODY, IN_HEAD): a unit's credit is then the
# largest code over its features, found in arrays of bytes.
CODE_SCALE = 200
_KINDS = ("cbi", "pbi", "word", "cuni", "puni", "cuni1", "puni1")
CREDIT_CODES = {
    kind: np.round(
        CODE_SCALE
        * np.array(
            [0.0, SCRIPTS_FACTOR * CREDIT[(IN_BODY, kind)], CREDIT[(IN_BODY, kind)], CREDIT[(IN_HEAD, kind)]]
        )
    ).astype(np.uint8)
    for kind in _KINDS
}
CREDIT_CODES |= {
    kind: (CREDIT_CODES[base].astype(np.uint16) * TYPO_CREDIT[0] // TYPO_CREDIT[1]).astype(np.uint8)
    for kind, base in TYPO_KINDS.items()
}
# Function characters (STOP_CHARS below) and Latin words no title, question or tag uses weigh this much.
STOP_WEIGHT = 0.15
FOREIGN_WORD_WEIGHT = 0.4

# BM25F parameters: field weight and length normalisation.
K1 = 1.2
FIELDS = {"head": (3.0, 0.3), "tags": (2.0, 0.0), "body": (1.0, 0.75), "scripts": (0.5, 0.75)}
# Query feature weights by kind: bigrams say more than single characters, characters more than pinyin.
# (Lone pinyin syllables do not count: there are only about 400.)
FEATURE_WEIGHT = {"cbi": 1.0, "cuni": 0.3, "pbi": 0.7, "word": 1.0}
# Notes compared closely (reverse coverage, similarity), and notes whose coverage is computed (the best by
# lexical score): for the whole message, and for each of its clauses.
CANDIDATES, CLAUSE_CANDIDATES = 12, 4
POOL, CLAUSE_POOL = 256, 32

# Frequent function characters: kept (they make bigrams) but weigh little as query content.
STOP_CHARS = frozenset(
    "的了是我你您他她它们在有和与或就都也还又很太把被给让对说问想要会能去来到这那个些一得地着过之而及等"
)
# A chatty message is also scored clause by clause; a clause counts a little less than the whole message,
# and only with this many units that are not function characters.
CLAUSE_FACTOR = 0.9
# A clause's match to a note counts this much by the clause alone, the rest by how well the whole message
# matches the same note: a clause with one generic word (是不是要自己去申请啊) must not carry a note that the
# rest of the message does not speak of.
CLAUSE_SHARE = 0.5
MIN_CLAUSE_UNITS = 3
MAX_CLAUSES = 3  # of a longer message, the clauses with the most such units are scored
