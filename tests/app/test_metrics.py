"""Reference metrics through the repository's own evaluate modules, offline (the socket guard is on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from deescal.app.errors import UserFacingError
from deescal.app.metrics import METRIC_KEYS, compute_metrics, prepare_wordnet
from deescal.app.metrics import wordnet as wordnet_module
from deescal.app.metrics.reference import metric_module

REFERENCES = [
    "I just want to get my car back, that's all.",
    "Leave me alone, I didn't do anything wrong.",
    "My brother is inside and he's not answering his phone.",
]
CLOSE = [
    "I just want my car back, that's all.",
    "Leave me alone, I did nothing wrong.",
    "My brother is inside and he won't answer his phone.",
]
UNRELATED = [
    "The weather forecast says rain tomorrow afternoon.",
    "Seven purple elephants danced in the library.",
    "Quarterly revenue grew by four percent.",
]


def _reader(folder: Path):
    import nltk.data
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    nltk.data.path.append(str(folder.parents[1]))  # NLTK reads only under its data roots
    return WordNetCorpusReader(str(folder), None)


@pytest.fixture(scope="module")
def metrics_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("metrics-data")


def test_identical_lines_score_one_on_every_metric(metrics_root):
    scores = compute_metrics(REFERENCES, REFERENCES, data_root=metrics_root)
    assert set(scores) == set(METRIC_KEYS)
    assert scores["rougeL"] == pytest.approx(1.0)
    assert scores["bleu4"] == pytest.approx(1.0)
    assert scores["bertscore_f1"] == pytest.approx(1.0, abs=1e-4)
    assert scores["meteor"] > 0.95


def test_close_paraphrases_beat_unrelated_lines_and_stay_in_0_1(metrics_root):
    close = compute_metrics(CLOSE, REFERENCES, data_root=metrics_root)
    unrelated = compute_metrics(UNRELATED, REFERENCES, data_root=metrics_root)
    for key in METRIC_KEYS:
        assert 0.0 <= unrelated[key] < close[key] < 1.0, key
    assert unrelated["rougeL"] < 0.1 and unrelated["bleu4"] < 0.05


def test_scores_match_the_underlying_libraries(metrics_root):
    """The evaluate modules are thin: their numbers are the libraries' own."""
    from nltk.translate.meteor_score import meteor_score
    from rouge_score import rouge_scorer
    from sacrebleu.metrics import BLEU

    scores = compute_metrics(CLOSE, REFERENCES, data_root=metrics_root)
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    rouge = sum(scorer.score(r, p)["rougeL"].fmeasure for p, r in zip(CLOSE, REFERENCES, strict=True)) / 3
    bleu = BLEU(smooth_method="exp", effective_order=True).corpus_score(CLOSE, [REFERENCES]).score / 100
    wordnet = _reader(metrics_root / "nltk_data" / "corpora" / "wordnet")
    first = meteor_score([["i", "just", "want", "to", "get"]], ["i", "just", "want", "get"], wordnet=wordnet)
    assert scores["rougeL"] == pytest.approx(rouge)
    assert scores["bleu4"] == pytest.approx(bleu)
    assert compute_metrics(["I just want get"], ["I just want to get"], ("meteor",), metrics_root)[
        "meteor"
    ] == pytest.approx(first)


def test_meteor_uses_wordnet_synonyms(metrics_root):
    """'auto' matches 'car' only through WordNet, so the synonym score is higher."""
    synonym = compute_metrics(["the auto is red"], ["the car is red"], ("meteor",), metrics_root)
    other = compute_metrics(["the banana is red"], ["the car is red"], ("meteor",), metrics_root)
    assert synonym["meteor"] > other["meteor"] + 0.1


def test_empty_lines_score_zero_without_crashing(metrics_root):
    scores = compute_metrics(["", "hello there"], ["hello there", ""], data_root=metrics_root)
    assert all(value == 0.0 for value in scores.values())
    assert compute_metrics([], [], data_root=metrics_root) == dict.fromkeys(METRIC_KEYS, 0.0)
    with pytest.raises(ValueError):
        compute_metrics(["a"], [], data_root=metrics_root)


def test_modules_are_loaded_from_the_repository_by_path():
    module = metric_module("rouge_l")
    assert module.name == "rouge_l"
    assert module.compute(predictions=["a b c"], references=["a b c"])["rougeL"] == 1.0


def test_wordnet_is_copied_with_a_45_line_lexnames(tmp_path):
    if not wordnet_module.DEBIAN_WORDNET.is_dir():
        pytest.skip("Debian wordnet-base is not installed")
    folder = prepare_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    lines = (folder / "lexnames").read_text().splitlines()
    assert len(lines) == 45
    assert (
        lines[0] == "00\tadj.all\t3" and lines[18] == "18\tnoun.person\t1" and lines[44] == "44\tadj.ppl\t3"
    )
    assert all(not path.is_symlink() for path in folder.iterdir())
    assert wordnet_module.is_complete(folder)
    reader = _reader(folder)
    assert "car.n.01" in {s.name() for s in reader.synsets("automobile")}
    assert reader.synset("car.n.01").lexname() == "noun.artifact"


def test_missing_wordnet_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr(wordnet_module, "DEBIAN_WORDNET", tmp_path / "absent")
    monkeypatch.setattr(wordnet_module, "bundled_wordnet_dir", lambda: tmp_path / "absent-bundle")
    with pytest.raises(UserFacingError, match="wordnet-base wordnet-sense-index"):
        compute_metrics(["a"], ["a"], ("meteor",), tmp_path / "fresh")
    # the other metrics do not need WordNet
    assert compute_metrics(["a b"], ["a b"], ("rougeL",), tmp_path / "fresh")["rougeL"] == 1.0
