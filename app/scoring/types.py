"""What the scorer returns for one officer turn: plain values, safe to store as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class TechniqueHit:
    """One behaviour found in a turn.

    ``polarity`` is +1 for a calming behaviour and -1 for an escalating one; ``evidence`` is the
    stretch of the officer's words that shows it, so an instructor can agree or disagree.
    """

    name: str
    label: str
    polarity: int
    evidence: str

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TechniqueHit:
        return cls(
            name=str(data["name"]),
            label=str(data.get("label", data["name"])),
            polarity=int(data.get("polarity", 0)),
            evidence=str(data.get("evidence", "")),
        )


@dataclass(frozen=True)
class TurnScore:
    """Score 0-100 (higher = more de-escalating), the techniques found and one line of feedback.

    ``next_step`` is the advice for the next turn alone (also at the end of a praising ``feedback``).
    """

    score: float
    techniques: list[TechniqueHit] = field(default_factory=list)
    feedback: str = ""
    next_step: str = ""

    @property
    def positives(self) -> list[TechniqueHit]:
        return [t for t in self.techniques if t.polarity > 0]

    @property
    def negatives(self) -> list[TechniqueHit]:
        return [t for t in self.techniques if t.polarity < 0]

    def techniques_json(self) -> list[dict]:
        return [t.to_dict() for t in self.techniques]
