"""The WordNet 3.0 corpus METEOR needs, found or assembled where NLTK can read it, never downloaded.

No PyPI package ships WordNet. Debian's ``wordnet-base`` and ``wordnet-sense-index`` carry the
database files but not ``lexnames``, which we write from the lexnames(5WN) manual page. NLTK refuses
files reached through symbolic links out of its data folders, so files are copied.

Lookup order: ``<data dir>/nltk_data/corpora/wordnet``, then the copy an installer bundled beside
this module (:func:`bundled_wordnet_dir`), then assembled from the Debian files into the data dir.
Installers call :func:`prepare_wordnet` on the build machine and ship the folder it writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from deescal.app.errors import UserFacingError

DEBIAN_WORDNET = Path("/usr/share/wordnet")

WORDNET_FILES = (
    "cntlist.rev",
    "index.sense",
    "index.adj",
    "index.adv",
    "index.noun",
    "index.verb",
    "data.adj",
    "data.adv",
    "data.noun",
    "data.verb",
    "adj.exc",
    "adv.exc",
    "noun.exc",
    "verb.exc",
)

# lexnames(5WN): file number, lexicographer file, syntactic category (1 noun, 2 verb, 3 adj, 4 adv).
_LEXICOGRAPHER_FILES = (
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
)
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}

MISSING_MESSAGE = (
    "The WordNet dictionary that the METEOR metric needs is missing. Reinstall DeEscal Trainer, or on "
    "Debian/Ubuntu install it with: sudo apt install wordnet-base wordnet-sense-index"
)


def lexnames_text() -> str:
    """The 45-line ``lexnames`` file, tab separated, as the manual page lists it."""
    return "".join(
        f"{number:02d}\t{name}\t{_CATEGORY[name.split('.')[0]]}\n"
        for number, name in enumerate(_LEXICOGRAPHER_FILES)
    )


def bundled_wordnet_dir() -> Path:
    """Where an installer puts the corpus folder it carries (inside this package)."""
    return Path(__file__).resolve().parent / "nltk_data" / "corpora" / "wordnet"


def data_wordnet_dir(data_root: Path) -> Path:
    return Path(data_root) / "nltk_data" / "corpora" / "wordnet"


def is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (*WORDNET_FILES, "lexnames"))


def prepare_wordnet(target: Path, source: Path = DEBIAN_WORDNET) -> Path:
    """Copies the Debian WordNet files into ``target`` and writes ``lexnames``; returns ``target``.

    Written to a sibling temporary folder and renamed, so an interrupted copy leaves nothing half-done.
    """
    target = Path(target)
    missing = [name for name in WORDNET_FILES if not (source / name).is_file()]
    if missing:
        raise UserFacingError(f"{MISSING_MESSAGE} (missing in {source}: {', '.join(missing)})")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name in WORDNET_FILES:
        shutil.copyfile(source / name, partial / name)  # copies the content, never a link
    (partial / "lexnames").write_text(lexnames_text(), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)
    return target


def find_wordnet(data_root: Path) -> Path:
    """A complete WordNet folder for this installation, assembling one if needed."""
    in_data = data_wordnet_dir(data_root)
    if is_complete(in_data):
        return in_data
    bundled = bundled_wordnet_dir()
    if is_complete(bundled):
        return bundled
    if not DEBIAN_WORDNET.is_dir():
        raise UserFacingError(MISSING_MESSAGE)
    return prepare_wordnet(in_data)
