"""ROUGE-L F-measure (longest common subsequence), mean over pairs, on the rouge-score package.

Same tokenisation as Hugging Face's ``rouge`` metric (lower case, alphanumeric tokens, no stemming),
so numbers compare with papers that used it. Scale 0-1.
"""

import datasets
import evaluate
from rouge_score import rouge_scorer

_DESCRIPTION = "ROUGE-L F-measure between each prediction and its reference, averaged (0-1)."
_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, one per prediction.
Returns:
    rougeL: mean ROUGE-L F-measure (0-1).
"""


class RougeL(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Lin, ROUGE: A Package for Automatic Evaluation of Summaries, 2004.",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions, references):
        scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
        scores = [
            scorer.score(ref, pred)["rougeL"].fmeasure
            for pred, ref in zip(predictions, references, strict=True)
        ]
        return {"rougeL": sum(scores) / len(scores) if scores else 0.0}
