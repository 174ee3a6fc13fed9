"""METEOR (NLTK: exact, stem and WordNet synonym matches), mean over pairs. Scale 0-1.

NLTK's default parameters (alpha 0.9, beta 3, gamma 0.5), as in Hugging Face's ``meteor`` metric.
The WordNet folder is passed in (``wordnet_dir``, a ``<root>/corpora/wordnet`` folder) because nothing may be downloaded; tokens come
from a regular expression so that NLTK's punkt data is not needed either.
"""

import re
import warnings
from pathlib import Path

import datasets
import evaluate
import nltk.data
from nltk.corpus.reader.wordnet import WordNetCorpusReader
from nltk.translate.meteor_score import meteor_score

_DESCRIPTION = "METEOR between each prediction and its reference, averaged (0-1)."
_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, one per prediction.
    wordnet_dir: folder with the WordNet 3.0 database files and lexnames.
Returns:
    meteor: mean METEOR (0-1).
"""

_TOKEN = re.compile(r"\w+(?:'\w+)?|[^\w\s]")
_READERS = {}


def _tokens(text):
    return _TOKEN.findall(text.lower())


def _reader(folder):
    if folder not in _READERS:
        # NLTK only opens files under its data roots: <root>/corpora/wordnet -> add <root>.
        root = str(Path(folder).resolve().parents[1])
        if root not in nltk.data.path:
            nltk.data.path.append(root)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The multilingual functions are not available")
            _READERS[folder] = WordNetCorpusReader(folder, None)
    return _READERS[folder]


class Meteor(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="Banerjee and Lavie, METEOR, 2005.",
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _compute(self, predictions, references, wordnet_dir):
        wordnet = _reader(str(wordnet_dir))
        scores = []
        for pred, ref in zip(predictions, references, strict=True):
            hyp, gold = _tokens(pred), _tokens(ref)
            scores.append(meteor_score([gold], hyp, wordnet=wordnet) if hyp and gold else 0.0)
        return {"meteor": sum(scores) / len(scores) if scores else 0.0}
