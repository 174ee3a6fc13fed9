"""The behaviours the scorer looks for, with the phrasing patterns that show them.

Grounded in the trainers' frameworks (../shared/docs/deescalation-frameworks.md): LEAPS (listen,
empathise, ask, paraphrase, summarise), the Verbal Judo truths (respect, ask don't tell, say why,
options not threats), LEED, procedural justice and CIT; and the opposite list (threats,
ultimatums, insults, profanity, dismissing, orders with no reason, silencing, sarcasm, blaming,
rushing). Patterns catch the clear phrasings; the MiniLM exemplar banks catch the paraphrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    name: str
    label: str
    polarity: int  # +1 calming, -1 escalating
    tip: str  # one line of coaching: praise for +1, what to do instead for -1
    patterns: tuple[re.Pattern[str], ...] = ()


def _p(*expressions: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(e, re.IGNORECASE) for e in expressions)


_YOU = r"(?:you|ya|u)"
_NAMEISH = r"[A-Z][a-z]+"

TECHNIQUES: tuple[Technique, ...] = (
    # -- calming ----------------------------------------------------------------------------
    Technique(
        "introduces_self",
        "Introduces self / uses name",
        +1,
        "introducing yourself and using their name makes it personal",
        _p(
            r"\b(?:I'?m|I am|this is|my name(?:'s| is))\s+(?:officer|deputy|sergeant|sgt\.?|detective|corporal|trooper|constable)\b(?:\s+\w+)?",
            r"\bmy name(?:'s| is)\s+\w+",
            r"\bI'?m (?:\w+ )?(?:with|from) the (?:\w+ )?(?:police|sheriff|department|crisis team)\b",
            r"\b(?:what(?:'s| is|should) (?:I call you|your name))|(?:can|may) I (?:get|have|ask) your name\b",
            r"\b(?:Mr|Mrs|Ms|Miss)\.? [A-Z][a-z]+",
        ),
    ),
    Technique(
        "shows_respect",
        "Shows respect",
        +1,
        "courtesy (please, thank you, sir/ma'am) keeps their dignity intact",
        _p(
            r"\b(?:thank you|thanks for|I appreciate|appreciate (?:you|that|it))\b",
            r"\bplease\b",
            r"\b(?:sir|ma'?am)\b",
        ),
    ),
    Technique(
        "acknowledges_feelings",
        "Acknowledges feelings",
        +1,
        "naming the feeling shows you are listening",
        _p(
            r"\bI (?:can )?(?:see|tell|hear) (?:that )?(?:you(?:'re| are)|this is|how|you)\b[^.?!]*",
            r"\bI (?:totally |completely )?(?:understand|get) (?:that|how|why|you|it)\b[^.?!]*",
            r"\b(?:that|this|it) (?:sounds|must (?:be|have been)|seems) (?:really |so |very )?(?:hard|tough|frustrating|scary|awful|terrible|painful|difficult|overwhelming|upsetting|rough|exhausting|stressful)\b",
            r"\byou (?:seem|look|sound) (?:really |pretty |very )?(?:upset|scared|angry|frustrated|worried|afraid|hurt|overwhelmed|stressed|tired|sad)\b",
            r"\b(?:it|that) makes sense (?:that|you|why)\b",
            r"\bI(?:'d| would) (?:be|feel) (?:\w+ )?(?:upset|angry|frustrated|scared|mad) too\b",
            r"\bI'?m (?:so |really |very )?sorry (?:that|for|to hear|about|you)\b[^.?!]*",
            r"\banyone would (?:be|feel)\b[^.?!]*",
        ),
    ),
    Technique(
        "paraphrases",
        "Paraphrases / summarises",
        +1,
        "putting their words back in yours proves you heard them",
        _p(
            r"\bso (?:what )?(?:you(?:'re| are) (?:saying|telling me)|I'?m hearing)\b[^.?!]*",
            r"\b(?:if I (?:understand|heard) (?:you|this|that) (?:right|correctly))\b",
            r"\bit sounds like you\b[^.?!]*",
            r"\bwhat I'?m hearing (?:is|you say)\b[^.?!]*",
            r"\blet me (?:make sure|see if) I (?:got|get|have|understand)\b[^.?!]*",
            r"\bso (?:you|he|she|they) (?:feel|felt|think|thought|want|wanted|were|was|had|just)\b[^.?!]*\?",
            r"\bcorrect me if I'?m wrong\b",
            r"\bso (?:you|he|she|they)\b[^.?!]*,? (?:is that right|right|correct|is that it|did I get that right)\?",
        ),
    ),
    Technique(
        "open_question",
        "Asks open questions / invites them to talk",
        +1,
        "open questions give them a voice and tell you what is going on",
        _p(
            r"(?:^|[.!?]\s+|,\s*)(?:so |and |okay,? |ok,? )?(?:what|how)\b(?!'?s? wrong with)(?![^?.!]*\b(?:problem|deal)\b)[^?.!]*\?",
            r"\b(?:can|could|would) you (?:tell|walk|help) me\b[^.?!]*",
            r"\btell me (?:about|what|more|how|why|your side)\b[^.?!]*",
            r"\bhelp me understand\b[^.?!]*",
            r"\bwalk me through\b[^.?!]*",
            r"\bI(?:'d| would) like to hear\b[^.?!]*",
            r"\b(?:keep talking|go on|I'?m listening|I'?m all ears|I want to hear)\b[^.?!]*",
        ),
    ),
    Technique(
        "explains_why",
        "Explains what and why",
        +1,
        "saying what is happening and why makes the request fair",
        _p(
            r"\b(?:the reason (?:I|we|I'?m|we'?re)|here'?s (?:what|why)|let me explain|I(?:'ll| will) explain|what(?:'s| is) going to happen (?:next|now)?|what happens (?:next|now))\b[^.?!]*",
            r"\b(?:because|so that|so (?:I|we) can|so nobody|so no one|so everyone|for your (?:own )?safety|for everyone'?s safety)\b[^.?!]*",
            r"\b(?:I'?m|we'?re) (?:here|asking|doing this|going to \w+) (?:because|to make sure|so)\b[^.?!]*",
            r"\b(?:I|we) (?:need|have) to [^.?!]* (?:because|so|to make sure)\b[^.?!]*",
        ),
    ),
    Technique(
        "offers_choices",
        "Offers choices",
        +1,
        "options instead of orders let them keep control and dignity",
        _p(
            r"\b(?:would|do) you (?:rather|prefer)\b[^.?!]*",
            r"\b(?:it'?s|that'?s) (?:your (?:choice|call|decision)|up to you)\b",
            r"\byou (?:can|could) (?:either\b[^.?!]*|choose\b[^.?!]*)",
            r"\b(?:you|we) (?:can|could) [^.?!]{3,60}\bor (?:we|you) (?:can|could)\b[^.?!]*",
            r"\b(?:one|another|a couple of|some|a few|two) (?:option|choice)s?\b[^.?!]*",
            r"\bwhich (?:would you|do you) (?:prefer|like|want)\b[^.?!]*",
            r"\bif you(?:'d)? (?:prefer|like|want),? (?:we|you|I) (?:can|could)\b[^.?!]*",
        ),
    ),
    Technique(
        "reassures_safety",
        "Reassures about safety",
        +1,
        "telling them they are safe lowers the fear that drives the anger",
        _p(
            r"\b(?:you(?:'re| are)|everyone(?:'s| is)|we(?:'re| are)) (?:safe|okay|ok) (?:now|here|with me)\b",
            r"\b(?:no one|nobody|I'?m not|we'?re not|I am not|we are not) (?:is )?(?:going|gonna|trying) (?:to )?(?:hurt|harm|arrest|take)\b[^.?!]*",
            r"\byou(?:'re| are) not in (?:any )?trouble\b",
            r"\b(?:nobody|no one|nobody'?s|no one'?s) (?:is )?(?:going|gonna) (?:to )?jail\b",
            r"\b(?:I'?m|we'?re|I am|we are) not here to (?:arrest|hurt|judge|take|get|punish)\b[^.?!]*",
            r"\b(?:I'?m|we'?re|I am|we are) (?:just )?here to (?:help|listen|make sure|keep)\b[^.?!]*",
            r"\b(?:I|we) want (?:to keep )?(?:you|everyone|everybody|all of us) (?:to )?(?:be |stay |get home )?safe\b[^.?!]*",
            r"\b(?:keep|make sure) (?:you|everyone|everybody)(?:'s| is)? (?:safe|okay)\b",
            r"\byou(?:'re| are) safe\b",
        ),
    ),
    Technique(
        "slows_down",
        "Slows things down",
        +1,
        "slowing down buys time and lowers the temperature",
        _p(
            r"\btake (?:your|all the|a|some) (?:time|deep breath|breath|moment|minute|second)\b",
            r"\b(?:there(?:'s| is)|we(?:'ve| have)(?: got)?) (?:no (?:rush|hurry)|(?:all the |plenty of )?time)\b",
            r"\bno (?:rush|hurry)\b",
            r"\blet'?s (?:take a (?:step back|breath|minute|moment|second|break)|slow (?:this|things|it) down|just (?:talk|breathe)|sit down|both (?:take|sit|breathe))\b",
            r"\bone (?:thing|step) at a time\b",
            r"\b(?:breathe|breathe with me)\b",
            r"\bI'?m (?:not going anywhere|in no hurry)\b",
        ),
    ),
    Technique(
        "asks_what_helps",
        "Asks what would help / offers help",
        +1,
        "asking what would help, and offering it, shows trustworthy motives",
        _p(
            r"\bwhat (?:would|could|might|will) (?:help|make (?:this|it|you|things)|get you)\b[^.?!]*",
            r"\b(?:what|how) can (?:I|we) (?:do|help)\b[^.?!]*",
            r"\bis there (?:anything|anyone|someone|somebody) (?:I|we|that|who)\b[^.?!]*",
            r"\bwhat do you need\b[^.?!]*",
            r"\b(?:I|we) (?:can|could) (?:get you|call|connect you|find you|help you|bring|arrange|give you a ride)\b[^.?!]*",
            r"\b(?:counsel(?:l)?or|crisis (?:line|team|worker|center)|shelter|social worker|doctor|paramedics?|medic)\b",
        ),
    ),
    Technique(
        "asks_about_self_harm",
        "Asks directly about self-harm",
        +1,
        "asking plainly about suicide is what CIT teaches, and it does not plant the idea",
        _p(
            r"\b(?:are|were) you (?:thinking|planning) (?:about|of|on) (?:killing|hurting|ending|harming)\b[^.?!]*",
            r"\bdo you (?:want|plan|intend) to (?:hurt|kill|harm) yourself\b",
            r"\bare you (?:feeling )?suicidal\b",
            r"\bthinking (?:about|of) suicide\b",
        ),
    ),
    # Context-only: an order that is legitimate because of an immediate danger (never a pattern).
    Technique(
        "safety_command",
        "Clear safety command under threat",
        +1,
        "one clear, calm command is right when a weapon is out; add what happens next",
    ),
    # -- escalating --------------------------------------------------------------------------
    Technique(
        "threatens",
        "Threatens",
        -1,
        "say what you need and why, and what they can choose, instead of threatening",
        _p(
            r"\b(?:I(?:'ll| will)|I'?m (?:going to|gonna)|we(?:'ll| will)|we'?re (?:going to|gonna)) (?:\w+ )?(?:arrest|cuff|tase|taze|shoot|hurt|drag|lock|throw|slam|pepper[- ]spray|spray|mace|put you (?:in|on|down|away)|take you (?:down|in|to jail)|make (?:you|sure you)|book you|haul)\b[^.?!]*",
            r"\byou(?:'re| are)? (?:going|gonna) (?:to )?(?:jail|prison|regret|get hurt|be (?:arrested|sorry|in cuffs|tased))\b[^.?!]*",
            r"\b(?:or else|you(?:'ll| will) regret|you want to go to jail|do you want to get (?:tased|hurt|arrested))\b[^.?!]*",
            r"\b(?:spend the night|sleep) in (?:jail|a cell|lock ?up)\b",
            r"\b(?:I'?m done being nice|I'?ve had it with you|before I lose my (?:patience|temper))\b",
        ),
    ),
    Technique(
        "ultimatum",
        "Gives an ultimatum",
        -1,
        "drop the countdown: give a reason and a real choice",
        _p(
            r"\b(?:last|final|only) (?:chance|warning|time I'?m (?:asking|telling|saying))\b",
            r"\b(?:I'?m|I am) (?:not (?:going to|gonna) (?:ask|tell|say (?:it|this))|done ask(?:ing)?)(?: you)? (?:again|twice)\b",
            r"\b(?:I'?m|I am) (?:only )?(?:going to|gonna) (?:say|ask|tell you) (?:this|it|that)? ?(?:once|one more time)\b",
            r"\b(?:count(?:ing)? to|on the count of) (?:three|3|five|5|ten|10)\b",
            r"\byou(?:'ve)? (?:have|got) (?:\d+|one|two|three|five|ten|thirty) (?:seconds|minutes)\b",
            r"\bone more (?:time|word|step)(?: and)?\b[^.?!]*",
            r"\b(?:now or never|right now or|this is it)\b",
        ),
    ),
    Technique(
        "insults",
        "Insults",
        -1,
        "insults cost their dignity and your authority; describe behaviour, not the person",
        _p(
            r"\b(?:idiot|stupid|moron|dumb(?:ass)?|loser|pathetic|psycho|junkie|lowlife|low-life|scum(?:bag)?|animal|clown|punk|nutcase|lunatic|trash|retard(?:ed)?|worthless|useless|crackhead|drunk(?:ard)?|thug|degenerate|freak|imbecile|coward)\b",
            r"\bwhat(?:'s| is) wrong with you\b",
            r"\b(?:grow up|act your age|act like an? (?:adult|man|grown))\b",
            r"\b(?:acting|behaving|crying) like an? (?:child|baby|kid|animal|idiot|maniac)\b",
            r"\bpiece of (?:work|garbage|trash|\w+)\b",
            r"\byou people\b",
            r"\bare you (?:deaf|stupid|dumb|crazy|insane|high|slow)\b",
        ),
    ),
    Technique(
        "profanity",
        "Uses profanity",
        -1,
        "swearing raises the temperature; keep your language professional",
        _p(
            r"\b(?:f+u+c+k\w*|motherf\w*|shit\w*|bullshit|damn(?:ed|it)?|goddam\w*|bitch\w*|bastard|asshole|ass|crap|piss(?:ed)?|dick|the hell|hell no)\b",
        ),
    ),
    Technique(
        "dismisses_feelings",
        "Dismisses feelings",
        -1,
        'acknowledge the feeling instead of dismissing it ("I can see you\'re upset")',
        _p(
            r"\bcalm (?:the \w+ )?down\b",
            r"\bstop (?:crying|whining|complaining|being (?:so )?(?:dramatic|emotional|hysterical|ridiculous))\b",
            r"\b(?:you(?:'re| are) )?(?:overreacting|being (?:dramatic|hysterical|ridiculous|emotional|paranoid))\b",
            r"\b(?:it'?s|that'?s) (?:not (?:a|that) big (?:of a )?deal|nothing|not my problem|your problem)\b",
            r"\bget over it\b",
            r"\b(?:I|nobody|no one) (?:don'?t |doesn'?t )?cares?\b[^.?!]*",
            r"\bcry me a river\b",
            r"\b(?:relax|chill out)\b",
            r"\bthere'?s no reason to be (?:upset|angry|scared|mad)\b",
            r"\b(?:your|those) feelings (?:don'?t|do not) matter\b",
        ),
    ),
    Technique(
        "orders_no_reason",
        "Orders with no reason",
        -1,
        'add the why ("so everyone stays safe") or ask instead of ordering',
        _p(
            r"(?:^|[.!?]\s+)(?:now,? )?(?:get|put|sit|stand|turn|step|drop|come|move|back|give|show|open|stay|go|face|hands|shut|keep|stop|leave|lie|get out|get back)\b[^.?!,]*(?:!|\bnow\b|\bright now\b)",
            r"\b(?:do (?:what|as) I (?:say|said|tell you)|because I said so|I (?:said|told you)(?: to)?|don'?t (?:argue|question|talk back)(?: with me)?|I'?m not asking|that'?s an order|I don'?t (?:have|need) to (?:explain|tell you))\b[^.?!]*",
        ),
    ),
    Technique(
        "silences",
        "Interrupts or silences",
        -1,
        "let them talk: venting is the first step of LEED",
        _p(
            r"\bshut (?:up|it|your (?:mouth|trap))\b",
            r"\b(?:be quiet|keep quiet|quiet down|zip it|save it|not another word|stop talking|enough talking|enough!)\b",
            r"\bI (?:don'?t|do not) (?:want|need|care) to hear\b[^.?!]*",
            r"\b(?:I'?m|I am) not (?:interested in|listening to)\b[^.?!]*",
            r"\b(?:don'?t|do not) (?:interrupt|say (?:a|another) word|open your mouth)\b",
            r"\bI'?m (?:talking|speaking) now\b",
        ),
    ),
    Technique(
        "sarcasm",
        "Uses sarcasm",
        -1,
        "sarcasm reads as contempt; say plainly what you mean",
        _p(
            r"\b(?:oh,? (?:great|sure|really|wonderful|perfect|please|boo hoo|poor you)|yeah,? right|boo hoo|poor (?:baby|thing|you)|good for you|congratulations|nice (?:job|going|one|try))\b",
            r"\b(?:real(?:ly)? (?:smart|mature|nice|clever|tough)|(?:so|very) (?:brave|tough|smart) of you)\b",
            r"\b(?:sure you (?:are|did|were|do|will)|I'?m sure you (?:are|did|were|do|will))\b",
            r"\b(?:tell it to the judge|whatever you say|am I supposed to (?:care|be impressed|feel sorry))\b",
            r"\bI'?m (?:so |really )?(?:scared|impressed|shaking)\b",
        ),
    ),
    Technique(
        "blames",
        "Blames or accuses",
        -1,
        "blame makes them defend themselves; ask what happened instead",
        _p(
            r"\b(?:this|that|it) (?:is|was|'s) (?:all )?(?:your (?:own )?fault|on you)\b",
            r"\byou (?:brought|did) this (?:on|to) yourself\b",
            r"\b(?:look )?what you (?:did|made|caused|started)\b",
            r"\byou (?:always|never)\b[^.?!]*",
            r"\byou (?:started|caused) (?:this|it|all this)\b",
            r"\bif you (?:had(?:n'?t)?|would(?:n'?t)?|just|did(?:n'?t)?) [^.?!]* (?:wouldn'?t|won'?t|none of this)\b[^.?!]*",
            r"\byou(?:'re| are) the (?:one|problem|reason)\b[^.?!]*",
            r"\bwhy (?:do|did|are|would|can'?t|won'?t) you (?:always|even|keep|have to|act|people)\b[^.?!]*",
            r"\byou(?:'re| are) (?:lying|a liar)\b",
            r"\bshould(?:'ve| have) thought (?:about|of) (?:that|this|your \w+)\b[^.?!]*",
        ),
    ),
    Technique(
        "rushes",
        "Rushes",
        -1,
        "rushing raises stress; time is on your side, take it",
        _p(
            r"\bI (?:don'?t|do not) have (?:all (?:day|night)|time for this|time for (?:your|you)|the time)\b",
            r"\b(?:hurry (?:up|it up)|make it (?:quick|fast|snappy)|let'?s go,? let'?s go|chop chop|move it|pick up the pace|get (?:on with|to the point)|spit it out|wrap (?:it|this) up)\b",
            r"\b(?:I(?:'ve| have) got|I have) (?:other|better) (?:calls|things)\b[^.?!]*",
            r"\bwe don'?t have all (?:day|night)\b",
            r"\b(?:not|I'?m not) (?:going to |gonna )?stand(?:ing)? here all\b[^.?!]*",
            r"\bwaste of (?:my )?time\b",
            r"\bwasting my time\b",
        ),
    ),
    Technique(
        "shouts",
        "Shouts / repeats the same command",
        -1,
        "repeating a loud command rarely works; change the approach, lower your voice",
    ),
)

BY_NAME: dict[str, Technique] = {t.name: t for t in TECHNIQUES}
