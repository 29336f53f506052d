"""The calibrated decision, as fitted by ``bench/kb_fit.py``: do not edit by hand.

Fitted on 60 notes, 364 queries, 5 folds x 3 splits. Two logistic regressions over the features of
:mod:`~bot.knowledge.search.calibration` (lexical only, and with the semantic channel; None where that one was
not fitted), and the thresholds on their probability in percent, chosen on out-of-fold probabilities over the
notes as written and with few questions, for each model: the most right answers with wrong answers at or below
2 % of all queries and at least 90 % of the out-of-domain queries refused; suggestions for at most 20 % of
those.
"""

ANSWER_THRESHOLD = 65.5
SUGGEST_THRESHOLD = 31.0
MIN_MARGIN = 5.0

LEXICAL = {
    "features": [
        "confidence",
        "relative",
        "confidence_margin",
        "coverage",
        "coverage_margin",
        "reverse",
        "similarity",
        "similarity_margin",
        "lexical",
        "char_coverage_margin",
        "pinyin_coverage_margin",
        "clause",
        "length",
    ],
    "means": [
        0.358667,
        0.576352,
        -0.26378,
        0.435409,
        -0.279611,
        0.202402,
        0.520739,
        -0.205289,
        0.238465,
        -0.285015,
        -0.257297,
        0.042105,
        0.425577,
    ],
    "scales": [
        0.220409,
        0.289958,
        0.358022,
        0.258701,
        0.360603,
        0.289091,
        0.172868,
        0.268856,
        0.257179,
        0.370926,
        0.332932,
        0.200829,
        0.204052,
    ],
    "coefficients": [
        0.28455,
        0.470632,
        1.099979,
        0.083565,
        0.550899,
        0.618447,
        0.020423,
        1.208147,
        0.120771,
        0.658195,
        0.51099,
        0.06523,
        0.105296,
    ],
    "intercept": -5.192338,
}

SEMANTIC = {
    "features": [
        "confidence",
        "relative",
        "confidence_margin",
        "coverage",
        "coverage_margin",
        "reverse",
        "similarity",
        "similarity_margin",
        "lexical",
        "char_coverage_margin",
        "pinyin_coverage_margin",
        "clause",
        "length",
        "semantic",
        "semantic_margin",
    ],
    "means": [
        0.357012,
        0.576545,
        -0.262835,
        0.432879,
        -0.278903,
        0.201431,
        0.51976,
        -0.205738,
        0.237149,
        -0.283887,
        -0.256655,
        0.041873,
        0.423967,
        0.875053,
        -0.043336,
    ],
    "scales": [
        0.220955,
        0.290038,
        0.357529,
        0.260118,
        0.360164,
        0.288634,
        0.173382,
        0.267654,
        0.257078,
        0.370641,
        0.332505,
        0.2003,
        0.204714,
        0.046587,
        0.049755,
    ],
    "coefficients": [
        0.217716,
        0.133055,
        0.949654,
        0.020152,
        0.587054,
        0.412665,
        -0.185641,
        0.953646,
        0.425282,
        0.504064,
        0.544127,
        0.132168,
        -0.063009,
        0.218572,
        1.574975,
    ],
    "intercept": -5.361102,
}

#: Out-of-fold figures (percent) of the decision above: model -> version of the notes -> figure.
FIGURES = {
    "lexical": {
        "notes as written": {"queries": 1092, "top1": 95.6, "right": 86.4, "wrong": 1.1, "refused": 96.1},
        "few questions": {"queries": 1092, "top1": 89.0, "right": 70.7, "wrong": 1.8, "refused": 95.2},
    },
    "lexical + semantic": {
        "notes as written": {"queries": 1092, "top1": 97.2, "right": 88.0, "wrong": 1.2, "refused": 95.7},
        "few questions": {"queries": 1092, "top1": 91.3, "right": 72.0, "wrong": 1.9, "refused": 94.8},
    },
}
