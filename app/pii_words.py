"""Word lists and title patterns for finding names; no heavy imports, so label parsing stays cheap.

The NLP engine (:mod:`deescal.app.pii_engine`) loads Presidio and spaCy, which takes seconds; code that
only needs to know whether a word is a title or a name (speaker labels, realism checks) uses this.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Officer|Deputy|Sergeant|Sgt|Detective|Corporal|Trooper|Lieutenant|Lt|Captain"
    r"|Sheriff|Chief|Agent|Ranger|Inspector)\.?"
)
HONORIFIC = re.compile(rf"^{TITLES}$", re.IGNORECASE)


@cache
def first_names() -> frozenset[str]:
    """Common first names, so that a name spaCy misses in a short line ("Hey Kevin") is still caught."""
    text = resources.files("deescal.app").joinpath("first_names.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# Words that follow a name cue but are no one's name ("I'm Sorry", "This is Tuesday"), lowercase.
NOT_NAMES = frozenset(
    """
    i im the a an and but so not fine okay ok sorry just going scared tired done here sure trying
    telling alright leaving good sick drunk home gonna getting looking calling sir ma'am officer
    police yes no hi hey hello please thanks thank what why how where when who listen look well now
    right nobody afraid angry upset there this that these those it its god monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july august
    september october november december county city street road avenue department sheriff court
    with from at in on of to for by is was be my your his her our their me him them us you he she
    we they whatever something someone somebody anything nothing everything one two three four
    five six seven eight nine ten all about after again also always an any are as back being
    both can could did do does doing don't dude man bro buddy guys guy honey baby babe sweetheart
    sweetie kid kids boss chief coming talking serious really very too here's there's let's
    if or then than because like yeah yep nope uh um huh oh hmm wow i'm i'll i've i'd it's that's
    email merry christmas christ easter thanksgiving halloween memorial day dispatch copy roger
    dad mom mommy daddy grandma grandpa badge happy interstate services control unit medic
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


# First names that are also places or groups: a list match on them yields to spaCy's reading.
PLACES_AND_NAMES = frozenset(
    """
    Austin Virginia Jordan Georgia Carolina Charlotte Dallas Phoenix Florence Savannah Madison Dakota
    Sydney Chelsea Brooklyn Israel India Kenya Paris Houston Lincoln Jackson Cleveland Orlando Tyler
    Aurora Troy Regina Victoria Alexandria Denver Austin Nevada Tennessee Montana Camden Orange
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
