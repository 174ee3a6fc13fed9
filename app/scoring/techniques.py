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


# The feelings an officer names ("you seem worn out") and the words for a hard time ("that sounds brutal").
_FEELING = r"(?:upset|scared|frightened|terrified|angry|furious|mad|frustrated|worried(?: sick)?|afraid|hurt|hurting|overwhelmed|stressed|tired|exhausted|worn out|wound up|sad|nervous|anxious|betrayed|lonely|heartbroken|devastated|shaken|on edge|frantic|embarrassed|ashamed|humiliated|panicking|in pain)"
_HARD_TIME = r"(?:hard|tough|frustrating|scary|awful|terrible|painful|difficult|overwhelming|upsetting|rough|exhausting|stressful|crushing|lonely|unfair|brutal|heartbreaking|devastating|infuriating|humiliating|embarrassing|confusing|frightening|a lot|a nightmare|terrifying|horrible|sad|heavy)"

TECHNIQUES: tuple[Technique, ...] = (
    # -- calming ----------------------------------------------------------------------------
    Technique(
        "introduces_self",
        "Introduces self / uses name",
        +1,
        "introducing yourself and using their name makes it personal",
        _p(
            r"\b(?:I'?m|I am|this is|it'?s|my name(?:'s| is)|name'?s)\s+(?:officer|deputy|sergeant|sgt\.?|detective|corporal|trooper|constable|sheriff)\b(?:\s+\w+)?",
            r"\bmy name(?:'s| is)\s+\w+",
            r"\bI'?m (?:\w+ )?(?:with|from) the (?:\w+ )?(?:police|sheriff|department|crisis team|mental health)\b",
            r"\b(?-i:(?:Officer|Deputy|Sergeant|Detective|Corporal|Trooper|Constable|Sheriff'?s? Deputy)\s+[A-Z][a-z]+)",
            r"\b(?:what(?:'s| is) your name|your name\b|what (?:should|can|do) I call you|who (?:am I|do I have the pleasure of) (?:talking|speaking) (?:to|with)|do you go by|and you are\?)",
            r"\b(?:Mr|Mrs|Ms|Miss)\.? [A-Z][a-z]+",
            r"\blet me introduce myself\b",
        ),
    ),
    Technique(
        "shows_respect",
        "Shows respect",
        +1,
        "courtesy (please, thank you, sir/ma'am) keeps their dignity intact",
        _p(
            r"\b(?:thank you|thanks|I (?:really )?(?:do )?appreciate|appreciated?|much appreciated)\b",
            r"\bplease\b",
            r"\b(?:sir|ma'?am)\b",
            r"\b(?:nice to meet you|(?:the|a) pleasure|if (?:that'?s|it'?s) (?:okay|ok|alright|all right)|I respect|(?:was|that'?s) kind of you|excuse (?:me|the interruption))\b",
            r"\bI'?m sorry (?:for|about) the (?:wait|delay|trouble|interruption)\b",
            # Owning a misstep: the repair that lets a poor start recover (procedural justice).
            # An apology for oneself ("Sorry, I ...", "sorry for shouting"), not sympathy ("sorry about your
            # mom", or a bare "I'm so sorry." after bad news, which acknowledges feelings).
            r"(?:^|[.!?]\s+)(?:I'?m |I am )?(?:so |really )?sorry(?=\s*[,\u2014-]\s*\w|\s+(?:for|about)\s+"
            r"(?:shouting|yelling|snapping|raising|being|how I|the way I|earlier|that\b|interrupting|my\b)"
            r"|\s+(?:that\s+)?I\s+(?:rushed|snapped|yelled|shouted|told|said|raised|interrupted|cut|was|got|came|talked|spoke)\b)[^.?!]*",
            r"\b(?:I apologi[sz]e|my (?:mistake|bad|fault)|that was (?:wrong of me|unfair of me|me being \w+)|"
            r"I (?:came in|was|came on|got) too (?:hot|harsh|loud|fast|strong|aggressive|rough|short)|"
            r"(?:let me|let'?s) (?:start|try (?:that|this)) (?:again|over))\b[^.?!]*",
        ),
    ),
    Technique(
        "acknowledges_feelings",
        "Acknowledges feelings",
        +1,
        "naming the feeling shows you are listening",
        _p(
            r"\bI (?:can )?(?:see|tell|hear) (?:that |in your voice )?(?:you(?:'re| are)|this is|how|you|it'?s)\b[^.?!]*",
            r"\bI (?:totally |completely )?(?:understand|get) (?:that|how|why|you|it)\b[^.?!]*",
            rf"\b(?:that|this|it)(?:'s| is| was)? (?:\w+ )?(?:sounds?|must (?:be|have been|feel)|seems?|feels?|looks?|is|'s|has (?:obviously )?been)(?: like)? (?:\w+ ){{0,2}}{_HARD_TIME}\b[^.?!]*",
            rf"\byou(?:'re| are| seem| look| sound| must be| must feel|'ve been| feel)(?: like you(?:'re| are))? (?:\w+ ){{0,2}}{_FEELING}\b[^.?!]*",
            rf"\b(?:sounds|seems|looks) like you(?:'re| are)? (?:\w+ ){{0,2}}{_FEELING}\b[^.?!]*",
            r"\b(?:it|that) makes sense (?:that|you|why)\b[^.?!]*",
            rf"\bI(?:'d| would) (?:be|feel) (?:\w+ ){{0,2}}{_FEELING} too\b[^.?!]*",
            rf"\b(?:it'?s|it is) (?:okay|ok|alright|normal) to (?:be|feel) (?:\w+ )?{_FEELING}\b[^.?!]*",
            r"\bI'?m (?:so |really |very )?sorry (?:that|for your|for what|to hear|about your|about what|you)\b[^.?!]*",
            r"(?:^|[.!?]\s+)I(?:'?m| am) (?:so |really |very |truly )?sorry(?=\s*(?:[.!]|$))",
            r"\b(?:anyone|anybody) (?:would|in your (?:shoes|position|place) would) (?:be|feel)\b[^.?!]*",
            r"\b(?:that'?s|it'?s) a lot to (?:carry|deal with|handle|take in|go through)\b[^.?!]*",
            r"\b(?:means|mean) (?:the world|so much|a lot|everything) to you\b",
            r"\bhow much (?:this|that|it|he|she|they) (?:matters?|means?)\b[^.?!]*",
            r"\byou (?:really )?(?:love|care about|miss) (?:your|him|her|them)\b[^.?!]*",
        ),
    ),
    Technique(
        "paraphrases",
        "Paraphrases / summarises",
        +1,
        "putting their words back in yours proves you heard them",
        _p(
            r"\bso (?:what )?(?:you(?:'re| are) (?:saying|telling me)|I'?m hearing)\b[^.?!]*",
            r"\bif I(?:'ve)? (?:understand|understood|heard|got) (?:you |this |that |it )?(?:right|correctly|straight)\b[^.?!]*",
            r"\b(?:it )?sounds like you(?:'re| are)? saying\b[^.?!]*",
            r"\bit sounds like you\b[^.?!]*",
            r"\bwhat I'?m (?:hearing|getting)(?: is| you say)?\b[^.?!]*",
            r"\blet me (?:make sure|see if|check|say that back|get this straight)\b[^.?!]*",
            r"\b(?:just so I understand|correct me if I'?m wrong|in other words|to sum up|you'?re telling me)\b[^.?!]*",
            r"(?:^|[.!?]\s+)(?:okay,? |alright,? |right,? )?so,? (?:basically,? |to sum up,? |from your side,? )?(?!(?:I|we) can\b)(?:you|he|she|they|the|your|his|her|their|it'?s|it was|that was|nobody|no one)\b[^.?!]{8,}",
        ),
    ),
    Technique(
        "open_question",
        "Asks open questions / invites them to talk",
        +1,
        "open questions give them a voice and tell you what is going on",
        _p(
            r"(?:^|[.!?]\s+|,\s*)(?:so |and |okay,? |ok,? )?(?:what|how|where|when)\b(?! about\b)(?!'?s? wrong with)(?![^?.!]*\b(?:problem|deal|your name|call you)\b)[^?.!]*\?",
            r"\b(?:can|could|would) you (?:tell|walk|help) me\b[^.?!]*",
            r"\btell me (?:about|what|more|how|why|your side|a bit|a little)\b[^.?!]*",
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
            r"\b(?:the reason (?:I|we|I'?m|we'?re)|here'?s (?:what|why)|let me explain|I(?:'ll| will) explain|what(?:'s| is) going to happen (?:next|now)?|what happens (?:next|now)|that'?s why|that way|to be safe|(?:department |our )?policy)\b[^.?!]*",
            r"\b(?:because|so that|so nobody|so no one|so everyone|for your (?:own )?safety|for everyone'?s safety|since (?:you|your|the|it|we))\b[^.?!]*",
            r"\w,? so (?:I|we|you|the|nothing|nobody|everyone)\b(?! \w+ (?:feel|felt)\b)[^.?!]*",
            r"\b(?:I'?m|we'?re) (?:here|asking|doing this|going to \w+) (?:because|to make sure|so)\b[^.?!]*",
            r"\b(?:I|we) (?:need|have) to [^.?!]* (?:because|so|to make sure)\b[^.?!]*",
            r"\b(?:next|then|after that),? (?:I'?ll|we'?ll|I will|we will|you'?ll|you will)\b[^.?!]*",
        ),
    ),
    Technique(
        "offers_choices",
        "Offers choices",
        +1,
        "options instead of orders let them keep control and dignity",
        _p(
            r"\b(?:would|do) you (?:rather|prefer)\b[^.?!]*",
            r"\b(?:would|do) you (?:want|like|mind)\b(?! to (?:die|get (?:tased|hurt|arrested)|go to jail))[^.?!]*\?",
            # Asking permission leaves the choice with them ("Mind if I sit with you?").
            r"(?:^|[.!?]\s+)(?:(?:mind|do you mind) if I|may I|(?:is it|would it be) (?:okay|ok|alright|all right)"
            r"(?: with you)? if I)\b[^.?!]*\?",
            r"\b(?:it'?s|that'?s) (?:your (?:choice|call|decision)|up to you)\b[^.?!]*",
            r"\b(?:up to you|you decide|you get (?:to|a) (?:pick|choose|decide|say)|your (?:choice|call)|whichever|whatever you(?:'d)? (?:like|want|prefer))\b[^.?!]*",
            r"\byou (?:can|could) (?:either\b[^.?!]*|choose\b[^.?!]*)",
            r"\b(?:you|we) (?:can|could) [^.?!]{3,60}\bor (?:we|you) (?:can|could)\b[^.?!]*",
            r"\b(?:one|another|a couple of|some|a few|two) (?:option|choice|way)s?\b[^.?!]*",
            r"\bwhich (?:would|do) you\b[^.?!]*",
            r"\bif you(?:'d)? (?:prefer|like|want|rather)\b[^.?!]*",
            r"\b(?:feel free|you'?re welcome to|how about we|shall we|would it help (?:to|if))\b[^.?!]*",
            r"(?:^|[.!?]\s+)(?:want|need) (?:some|a|to|me)\b[^.?!]*\?",
        ),
    ),
    Technique(
        "reassures_safety",
        "Reassures about safety",
        +1,
        "telling them they are safe lowers the fear that drives the anger",
        _p(
            r"\b(?:you(?:'re| are)|everyone(?:'s| is)|we(?:'re| are)) (?:safe|okay|ok) (?:now|here|with (?:me|us))\b",
            r"\b(?:no one|nobody|I'?m not|we'?re not|I am not|we are not|we won'?t|I won'?t)(?: is)? (?:going|gonna|trying|be)? ?(?:to )?(?:hurt|harm|arrest|take|taking|touch|yell|grab|let anything)\b[^.?!]*",
            r"\b(?:you(?:'re| are)|nobody'?s|no one'?s|nobody is|no one is)(?: not)? in (?:any )?trouble\b[^.?!]*",
            r"\b(?:nobody|no one|nobody'?s|no one'?s) (?:is )?(?:going|gonna) (?:to )?jail\b",
            r"\b(?:I'?m|we'?re|I am|we are) not here to (?:arrest|hurt|judge|take|get|punish)\b[^.?!]*",
            r"\b(?:I'?m|we'?re|I am|we are) (?:just )?here to (?:help|listen|make sure|keep|check)\b[^.?!]*",
            r"\b(?:I|we) (?:want|am going|'?m going|'?m gonna) (?:to keep )?(?:you|everyone|everybody|all of us) (?:to )?(?:be |stay |get home )?safe\b[^.?!]*",
            r"\b(?:keep|make sure) (?:you|everyone|everybody)(?:'s| is)? (?:safe|okay)\b",
            r"\byou(?:'re| are) safe\b[^.?!]*",
            r"\b(?:can'?t|cannot|won'?t) (?:get to|reach|hurt) you\b",
            r"\b(?:I(?:'ll| will)|I'?m (?:going to|gonna)|we(?:'ll| will)|we'?re (?:going to|gonna)|let me) (?:call|get) (?:you )?(?:an ambulance|a medic|the medics|paramedics|EMS|a doctor|a nurse)\b[^.?!]*",
            r"\b(?:you won'?t be alone|nothing bad is going to happen|no one'?s getting in|nobody got hurt|there'?s no warrant)\b",
            r"\b(?:isn'?t|is not|this is not) about (?:locking|arresting|punishing|getting)\b[^.?!]*",
            r"\byou(?:'re| are) (?:not|not going to) (?:be |get )?(?:deported|arrested|charged|being charged)\b[^.?!]*",
            r"\b(?:everyone|everybody)(?: here)?(?:(?: is|'s| got)? (?:okay|safe)|(?: is|'s| got) out)\b[^.?!]*",
            r"\b(?:he'?s|she'?s|they'?re|it'?s) (?:gone|over|out) now\b[^.?!]*",
            r"\b(?:she|he|they|the \w+) (?:is|are|'s|'re) (?:fine|okay|safe|going to be (?:fine|okay))\b[^.?!]*",
        ),
    ),
    Technique(
        "slows_down",
        "Slows things down",
        +1,
        "slowing down buys time and lowers the temperature",
        _p(
            r"\btake (?:your|all the|a|some|whatever) (?:time|deep breath|breath|moment|minute|second)\b[^.?!]*",
            r"\b(?:take|for) as long as you (?:want|need|like)\b[^.?!]*",
            r"\b(?:there(?:'s| is)|we(?:'ve| have)(?: got)?) (?:no (?:rush|hurry)|(?:all the |plenty of )?time)\b[^.?!]*",
            r"\bno (?:rush|hurry)\b[^.?!]*",
            r"\blet'?s (?:just )?(?:take (?:a|it)|slow|sit|pause|both|give it|back up|wait|breathe|talk)\b[^.?!]*",
            r"\b(?:one (?:thing|step) at a time|step by step|at your pace|nice and slow|slowly|deep breath|catch your breath|until you'?re ready|we can wait|quietly for a minute)\b[^.?!]*",
            r"\b(?:breathe|breathe with me)\b",
            r"\b(?:I'?m (?:not going anywhere|in no hurry)|I'?ve got nowhere (?:else )?to be)\b[^.?!]*",
            r"\b(?:we|you) don'?t (?:have|need) to (?:\w+ ){1,5}(?:right now|tonight|yet|this minute)\b",
            r"\b(?:nobody|no one) needs to (?:decide|make|rush|do)\b[^.?!]*",
            r"\bslow (?:down|it down)\b[^.?!]*",
        ),
    ),
    Technique(
        "asks_what_helps",
        "Asks what would help / offers help",
        +1,
        "asking what would help, and offering it, shows trustworthy motives",
        _p(
            r"\bwhat (?:would|could|might|will|usually) (?:help|make (?:this|it|you|things)|get you)\b[^.?!]*",
            r"\b(?:what|how) can (?:I|we) (?:do|help|make)\b[^.?!]*",
            r"\bis there (?:anything|anyone|someone|somebody|something) (?:I|we|that|who)\b[^.?!]*",
            r"\bwhat do you need\b[^.?!]*",
            r"\b(?:who|someone|somebody) (?:can|could|should) (?:we|I) call\b[^.?!]*",
            r"\b(?:I|we) (?:can|could|'?ll) (?:get you|call|connect you|find you|help you|bring|arrange|give you a ride|grab you|see if|get the)\b[^.?!]*",
            r"\b(?:let me see what I can do|anything I can (?:get|do)|do you need anything)\b[^.?!]*",
            r"\b(?:make|making) (?:this|it|things|tonight) (?:\w+ ){0,3}(?:easier|better|less)\b[^.?!]*",
            r"\b(?<!from the )(?:counsel(?:l)?or|crisis (?:line|team|worker|center)|shelter|social worker|case worker|doctor|paramedics?|medic)\b",
        ),
    ),
    Technique(
        "asks_about_self_harm",
        "Asks directly about self-harm",
        +1,
        "asking plainly about suicide is what CIT teaches, and it does not plant the idea",
        _p(
            r"\b(?:you|your)\b[^.?!]*\b(?:(?:kill|hurt|harm|cut|hang)(?:ing)? yourself|(?:end|ending|take|taking) (?:your (?:own )?life|it(?: all)?)|suicid\w*|die|dying|overdose|jump(?:ing)? off|in front of (?:a|the) train)\b[^.?!]*\?",
            r"\bare you (?:feeling )?suicidal\b",
            r"\bthinking (?:about|of) (?:suicide|ending it|dying)\b[^.?!]*",
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
            r"\b(?:I(?:'ll| will)|I'?m (?:going to|gonna)|we(?:'ll| will)|we'?re (?:going to|gonna)|I could) (?:\w+ )?(?:arrest|cuff|tase|taze|shoot|hurt|drag|lock|throw|slam|pepper[- ]spray|spray|mace|put you (?:in|on|down|away)|take you (?:down|in|to jail)|make (?:you|sure you|your life)|book you|haul|break|tear|call immigration|have (?:you|your))\b[^.?!]*",
            r"\byou(?:'re| are|'ll| will)? (?:going|gonna|be|about)? ?(?:to )?(?:jail|prison|regret|get hurt|be (?:arrested|sorry|in cuffs|tased)|in cuffs|eating pavement|picking your teeth)\b[^.?!]*",
            r"\bdon'?t (?:think|believe|assume) (?:I|we) (?:won'?t|will not|can'?t)\b[^.?!]*",
            r"\b(?:or else|you(?:'ll| will) regret|you want to (?:go to jail|get tased)|do you want to get (?:tased|hurt|arrested)|want to get tased|the hard way|see what happens|don'?t make me|don'?t test me|before I (?:tase|arrest|cuff|shoot|hurt)|I'?m coming through)\b[^.?!]*",
            r"\b(?:spend the night|sleep|spending the night) in (?:jail|a cell|lock ?up)\b",
            r"\b(?:I'?m done being nice|I'?ve had it with you|before I lose my (?:patience|temper))\b",
            r"\byou(?:'re| are) lucky (?:I'?m|I am|that I'?m|I'?ve been)\b[^.?!]*",
            r"\b(?:gets? impounded|in foster care)\b[^.?!]*",
        ),
    ),
    Technique(
        "ultimatum",
        "Gives an ultimatum",
        -1,
        "drop the countdown: give a reason and a real choice",
        _p(
            r"\b(?:last|final|only) (?:chance|warning|time I'?m (?:asking|telling|saying))\b",
            r"\b(?:I'?m|I am) (?:not (?:going to|gonna) (?:ask|tell|say (?:it|this))|done ask(?:ing)?)(?: you)?(?: again| twice|(?=[.!,]|$))",
            r"\b(?:I|I'?ll|I will) (?:won'?t )?(?:say|ask|tell)(?: you)? (?:it|this|that)? ?(?:once|one more time|twice)\b[^.?!]*",
            r"\bI won'?t (?:say|ask|tell)(?: you)? (?:it|this|that)? ?(?:twice|again)\b",
            r"\b(?:I'?m|I am) (?:only )?(?:going to|gonna) (?:say|ask|tell)(?: you)? (?:this|it|that)? ?(?:once|one more time)\b",
            r"\b(?:count(?:ing)? to|on the count of|by the time I count to) (?:three|3|five|5|ten|10)\b",
            r"\b(?:you(?:'ve| have)(?: got)?|you(?:'ve)? got|you get|(?:give|giving|gives) you) (?:\d+|one|two|three|four|five|ten|thirty|sixty) (?:more )?(?:seconds?|minutes?)\b[^.?!]*",
            r"\b(?:\d+|one|two|three|four|five|ten|thirty|sixty) (?:seconds?|minutes?),? (?:or|(?:and )?then (?:I|we)|before (?:I|we))\b[^.?!]*",
            r"\b(?:\d+|one|two|three|four|five|ten|thirty|sixty) seconds?\b[^.?!]*",
            r"\bkeep (?:talking|going) and (?:it'?s|you'?ll)\b[^.?!]*",
            r"\bone more (?:time|word|step)(?: and)?\b[^.?!]*",
            r"\b(?:now or never|or never|right now or|this is it|time'?s up|until I finish|no more warnings|strike (?:two|three)|(?:another|one) chance)\b[^.?!]*",
        ),
    ),
    Technique(
        "insults",
        "Insults",
        -1,
        "insults cost their dignity and your authority; describe behaviour, not the person",
        _p(
            r"\b(?:idiot|stupid|moron|dumb(?:ass)?|loser|pathetic|psycho|junkie|lowlife|low-life|scum(?:bag)?|clown|punk|nutcase|lunatic|trash|retard(?:ed)?|worthless|useless|crackhead|drunk(?:ard)?|thug|degenerate|freak|imbecile|coward|bum|disgrace|joke|waste of space|dick)\b",
            r"\bwhat(?:'s| is) (?:wrong with you|your problem)\b",
            r"\b(?:grow up|act your age|act(?:ing)? like an? (?:adult|man|grown|baby|child))\b",
            r"\b(?:acting|behaving|crying) like (?:an? (?:child|baby|kid|animal|idiot|maniac)|one)\b",
            r"\byou (?:\w+ )?animals?\b",
            r"\byou(?:'re| are) (?:\w+ )?(?:off your (?:face|head|trolley)|out of your (?:mind|skull|tree))\b",
            r"\bwhat are you,? (?:slow|stupid|deaf|dumb|thick|five|twelve)\b",
            r"\bpiece of (?:work|garbage|trash|\w+)\b",
            r"\byou people\b",
            r"\bare you (?:deaf|stupid|dumb|crazy|insane|high|slow)\b",
            r"\b(?:not very bright|smarter dogs|embarrassing yourself|what kind of (?:an? )?(?:mother|father|parent|person))\b",
            r"\byou(?:'re| are) acting (?:crazy|insane|nuts|mental|psycho|weird)\b",
            r"\b(?:are )?you (?:guys |people |lot )?even legal\b",
        ),
    ),
    Technique(
        "profanity",
        "Uses profanity",
        -1,
        "swearing raises the temperature; keep your language professional",
        _p(
            r"\b(?:f+u+c+k\w*|motherf\w*|shit\w*|bullshit|damn(?:ed|it)?|goddam\w*|bitch\w*|bastard|asshole|ass|crap|piss(?:ed|ing)?|dick|the hell|hell no|bloody hell|jesus(?: christ)?|screw\w*)\b",
        ),
    ),
    Technique(
        "dismisses_feelings",
        "Dismisses feelings",
        -1,
        'acknowledge the feeling instead of dismissing it ("I can see you\'re upset")',
        _p(
            r"\bcalm (?:the \w+ |yourself )?down\b",
            r"\b(?:stop|quit) (?:crying|whining|complaining|worrying|being (?:so )?(?:dramatic|emotional|hysterical|ridiculous))\b",
            r"\b(?:you(?:'re| are) )?(?:overreacting|being (?:dramatic|hysterical|ridiculous|emotional|paranoid))\b",
            r"\b(?:it'?s|that'?s) (?:not (?:a|that) big (?:of a )?deal|nothing|not my problem|your problem|not that (?:serious|bad)|(?:just|only) a)\b",
            r"\b(?:get over it|get a grip|toughen up|man up|chill pill|(?:don'?t|no need to) be (?:so )?(?:silly|ridiculous|a baby|sensitive|dramatic|emotional|hysterical)|so what|sob story|you look fine(?: to me)?|(?:quit|drop|cut) the act|words don'?t hurt|at least you|people have real problems|buy another one|(?<!if )(?<!when )it happens)\b",
            r"(?:^|[.!?]\s+)not my problem\b",
            r"\b(?:find|figure|sort) it (?:out )?yourself\b",
            r"\byour little (?:protest|party|game|show|tantrum|stunt|speech|act)\b[^.?!]*",
            r"\bpeople (?:will )?say anything\b[^.?!]*",
            r"\b(?:I|nobody|no one) (?:don'?t |doesn'?t )?cares?\b[^.?!]*",
            r"\bcry me a river\b",
            r"\b(?:relax|chill out)\b",
            r"\b(?:there'?s )?no(?:thing)? (?:reason )?to be (?:upset|angry|scared|mad|afraid|worried)\b[^.?!]*",
            r"\b(?:your|those) feelings (?:don'?t|do not) matter\b",
            r"\byou(?:'re| are) not making (?:any )?sense\b",
            r"\b(?:couples|kids|people) fight\b",
        ),
    ),
    Technique(
        "orders_no_reason",
        "Orders with no reason",
        -1,
        'add the why ("so everyone stays safe") or ask instead of ordering',
        _p(
            r"(?:^|[.!?]\s+)(?:(?:now|okay|ok|alright|hey|sir|ma'?am|buddy),? )?(?!(?:take (?:a|your|some|all the|all|whatever) (?:time|breath|deep|moment|minute|second)|take (?:as long as|the time|a (?:slow |small )?(?:drink|sip))|sit tight|get (?:home|some (?:rest|sleep))|go (?:and )?(?:see|get|find|talk to|check on) (?:your|her|his|their)|give (?:her|him|them|your \w+) a (?:call|ring)|(?:stay|sit|walk) (?:beside|with|next to) me|come and tell me|back in\b|go (?:on|ahead)|keep (?:talking|going)|look,|come on\b|stay with me|stop (?:being|crying|talking|whining|worrying|complaining)|get (?:over|on with) it))(?:get|put|sit|stand|turn|step|drop|come|move|back|give|show|open|stay|go|face|hands|keep|stop|leave|lie|empty|spit|take|let (?:go|her go|him go)|listen|look at me|lower|don'?t (?:move|touch|reach|run)|do not (?:move|touch|reach|run)|out of the|knife down|gun down|on the ground)\b(?![^.?!]*\b(?:because|so (?:that|I|we|you|nobody|no one|everyone)|for (?:your|everyone'?s) safety|to make sure)\b|[^.?!]*(?:\band|,) (?:I'?ll|I will|you'?ll)\b)[^.?!]*(?=[.!]|$)",
            r"\b(?:do (?:what|as) I (?:say|said|tell you)|because I said so|I (?:said|told you)(?: to)?|don'?t (?:argue|question|talk back|get smart)(?: with me)?|I'?m not asking|that'?s an order|I don'?t (?:have|need) to (?:explain|tell you))\b[^.?!]*",
        ),
    ),
    Technique(
        "silences",
        "Interrupts or silences",
        -1,
        "let them talk: venting is the first step of LEED",
        _p(
            r"\bshut (?:up|it|your (?:mouth|trap))\b",
            r"\b(?:be quiet|keep quiet|quiet down|zip it|save it|not another word|stop talking|enough talking|enough!|hush|button it|sock in it|mouth shut|keep it down|nobody asked you|heard enough|did I ask you|end of (?:story|discussion))\b",
            r"(?:^|[.!?]\s+)quiet\b",
            r"\bI (?:don'?t|do not) (?:want|need|care) to hear\b[^.?!]*",
            r"\bI (?:don'?t|do not) need your\b[^.?!]*",
            r"\b(?:I'?m|I am) not (?:interested in|listening to)\b[^.?!]*",
            r"\b(?:don'?t|do not) (?:interrupt|say (?:a|another) word|open your mouth)\b",
            r"\b(?:keep your (?:opinions|comments|thoughts) to yourself|spare me|talk when I tell you)\b[^.?!]*",
            r"\bI'?m (?:talking|speaking) now\b",
        ),
    ),
    Technique(
        "sarcasm",
        "Uses sarcasm",
        -1,
        "sarcasm reads as contempt; say plainly what you mean",
        _p(
            r"\b(?:oh,? (?:great|sure|really|wonderful|perfect|please|boo hoo|poor you|brilliant|lovely|yes|I'?m so)|yeah,? right|boo hoo|poor (?:baby|thing|you)|good for you|congratulations|nice (?:job|going|one|try))\b[^.?!]*",
            r"\b(?:real(?:ly)? (?:smart|mature|nice|clever|tough)|(?:so|very) (?:brave|tough|smart) of you|smart move|smooth move|genius|tough guy|ooh|gee|ray of sunshine|aren'?t you a|that'?s a new one|never heard that before|what a surprise|how (?:impressive|original|convenient)|outdone yourself|thanks a lot for|just what I needed)\b[^.?!]*",
            r"\b(?:sure you (?:are|did|were|do|will)|I'?m sure you (?:are|did|were|do|will|had))\b[^.?!]*",
            r"\b(?:tell it to the judge|whatever you say|am I supposed to (?:care|be impressed|feel sorry))\b[^.?!]*",
            r"\bI'?m (?:so |really )?(?:scared|impressed|shaking)\b",
        ),
    ),
    Technique(
        "blames",
        "Blames or accuses",
        -1,
        "blame makes them defend themselves; ask what happened instead",
        _p(
            r"\b(?:this|that|it)(?: mess)? (?:is|was|'s) (?:all )?(?:your (?:own )?fault|on you)\b",
            r"\b(?:it'?s|this is|that'?s) on you\b[^.?!]*",
            r"\byou (?:brought|did) this (?:on|to) yourself\b",
            r"\b(?:look )?what you(?:'ve)? (?:did|done|made|caused|started)\b",
            r"\byou (?:always|never)\b[^.?!]*",
            r"\byou (?:started|caused|provoked) (?:this|it|all this|him|her|the)\b[^.?!]*",
            r"\bif you(?:'d)? (?:had(?:n'?t)?|would(?:n'?t)?|just|did(?:n'?t)?|hadn'?t) [^.?!]* (?:wouldn'?t|won'?t|none of this)\b[^.?!]*",
            r"\byou(?:'re| are) the (?:one|problem|reason)\b[^.?!]*",
            r"\bwhy (?:do|did|are|were|would|can'?t|won'?t) you (?:always|even|keep|have to|act|acting|behaving|people)\b[^.?!]*",
            # "why" asked as an accusation: what they did wrong, not what happened
            r"\bwhy (?:would|wouldn'?t|didn'?t|couldn'?t) you\b(?! (?:think|feel|say|want|like|need|believe))[^.?!]*\?",
            r"\bwhy (?:were|was|are|did|do) you\b[^.?!]*\bso (?:fast|quick(?:ly)?|late|drunk|loud|reckless|careless)\b[^.?!]*",
            r"\bwhy did you (?:run|lie|hit|leave|take|steal|do (?:that|this|it))\b[^.?!]*",
            r"\byou(?:'re| are) (?:lying|a liar)\b",
            r"(?<!\bhe )(?<!\bshe )(?<!\bthey )\bshould(?:'ve| have|n'?t have) (?:thought|left|done|gone|been)\b[^.?!]*",
            r"\b(?:no thanks to you|should(?:'ve| have) seen it coming|so you admit it|you did something (?:wrong|stupid))\b[^.?!]*",
            r"\byou(?:'re| are) (?:only )?making (?:it|this|things) worse\b|\byou(?:'re| are) making a scene\b",
            r"\byou(?:'re| are) (?:a|the) (?:thief|shoplifter|criminal|crook)\b",
            r"\b(?:happy now|because of (?:how )?you|you must have done something|don'?t blame anyone else|don'?t play the victim|that'?s what happens when you|every time we come out)\b[^.?!]*",
        ),
    ),
    Technique(
        "rushes",
        "Rushes",
        -1,
        "rushing raises stress; time is on your side, take it",
        _p(
            r"\bI (?:don'?t|do not) have (?:all (?:day|night)|time for this|time for (?:your|you)|the time)\b",
            r"\b(?:hurry (?:up|it up)|make it (?:quick|fast|snappy)|let'?s go,? let'?s go|chop chop|move it|pick up the pace|get (?:on with|to the point)|spit it out|wrap (?:it|this) up|any day now|short version|skip the details|sooner rather than later|speed it up|dawdle|get this over with|better things to do)\b[^.?!]*",
            r"(?:^|[.!?]\s+)(?:quickly|faster)\b[^.?!]*",
            r"(?:^|[.!?]\s+)(?:[\w']+ ){0,4}(?:quickly|faster)(?:,? (?:please|now))?[.!]",
            r"\b(?:I(?:'ve| have) got|I have) (?:other|better) (?:calls|things)\b[^.?!]*",
            r"\b(?:we|I) (?:don'?t|haven'?t got|do not) (?:have )?(?:all (?:day|night)|time for)\b[^.?!]*",
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
