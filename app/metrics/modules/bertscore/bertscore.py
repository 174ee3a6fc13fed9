"""BERTScore F1 on a local encoder folder (the embedded all-MiniLM-L6-v2), mean over pairs. Scale 0-1.

Raw F1, not rescaled with a baseline (bert-score ships no baseline for a local model). The scorer is
built once per module instance and kept, since loading the encoder is the slow part.
"""

import datasets
import evaluate
from bert_score import BERTScorer

_DESCRIPTION = "BERTScore F1 between each prediction and its reference, averaged (0-1)."
_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, one per prediction.
    model_dir: folder of a transformers encoder.
    num_layers: which hidden layer to use (6 for MiniLM-L6).
Returns:
    bertscore_f1: mean BERTScore F1 (0-1).
"""


class BertScoreF1(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Zhang et al., BERTScore: Evaluating Text Generation with BERT, 2020.",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions, references, model_dir, num_layers=6):
        # An empty line scores 0, as bert-score itself intends (its own empty-line path fails on
        # transformers 5), and is left out of the encoder batch.
        pairs = [(p, r) for p, r in zip(predictions, references, strict=True) if p.strip() and r.strip()]
        if not pairs:
            return {"bertscore_f1": 0.0}
        key = (str(model_dir), int(num_layers))
        if getattr(self, "_scorer_key", None) != key:
            self._scorer = BERTScorer(model_type=str(model_dir), num_layers=int(num_layers), device="cpu")
            self._scorer_key = key
        _, _, f1 = self._scorer.score([p for p, _ in pairs], [r for _, r in pairs], batch_size=32)
        return {"bertscore_f1": float(f1.sum()) / len(predictions)}
