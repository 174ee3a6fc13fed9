"""Corpus BLEU-4 (max n-gram order 4) with exponential smoothing, on sacrebleu. Scale 0-1.

Smoothing keeps short conversational lines, which often share no 4-gram with the reference, from
scoring a flat zero; effective order lets a corpus of lines shorter than four words still score.
sacrebleu's standard 13a tokenisation, case-sensitive.
"""

import datasets
import evaluate
from sacrebleu.metrics import BLEU

_DESCRIPTION = "Smoothed corpus BLEU-4 of the predictions against one reference each (0-1)."
_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, one per prediction.
Returns:
    bleu4: corpus BLEU with max order 4 and exp smoothing (0-1).
"""


class Bleu4(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Papineni et al., BLEU, 2002; Post, A Call for Clarity in Reporting BLEU Scores, 2018.",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions, references):
        if not predictions:
            return {"bleu4": 0.0}
        bleu = BLEU(max_ngram_order=4, smooth_method="exp", effective_order=True)
        return {"bleu4": bleu.corpus_score(list(predictions), [list(references)]).score / 100.0}
