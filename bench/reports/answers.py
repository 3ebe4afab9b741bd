"""The answer to each sense of "is MNIST too easy?" (one :class:`Answer` per question module):
its rule at the point estimates and its stability, the share of bootstrap replicates agreeing."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

YES, NO, PARTLY, UNCLEAR = "Yes", "No", "Partly", "Unclear"
STABLE = 0.80  # an answer kept by fewer replicates than this is shown as Unclear
ORDER = ("floor", "discrimination", "transfer", "data", "pixel", "headroom", "shift")


@dataclass(frozen=True)
class Answer:
    """One sense of "too easy", answered with the numbers behind it."""

    key: str  # one of ORDER (the first-screen order); also the anchor in mnist-too-easy.md
    question: str  # plain question, e.g. "Are few errors left, next to MNIST's label noise?"
    answer: str  # YES / NO / PARTLY / UNCLEAR by the rule at the point estimates
    figure: str  # the key MNIST-vs-Fashion-MNIST figure, e.g. "93 vs 1,005 errors"
    interval: str  # its 95% interval(s), e.g. "[76, 111] vs [946, 1,063]"
    stability: float  # share of bootstrap replicates whose rule gives ``answer`` (nan: none)
    rule: str  # the rule, as "How to read it" states it
    text: str  # one paragraph: the numbers behind the answer, for mnist-too-easy.md
    alternatives: tuple[tuple[str, str], ...] = ()  # (named alternative rule, its answer)

    @property
    def shown(self) -> str:
        """The first-screen answer: Unclear unless the rule's answer is stable."""
        return self.answer if self.stability >= STABLE else UNCLEAR


def unclear(key: str, question: str, rule: str, why: str, figure: str = "–",
            interval: str = "–") -> Answer:
    """An Unclear answer without numbers; ``why`` says what it needs."""
    return Answer(key, question, UNCLEAR, figure, interval, math.nan, rule, why)


def stability(point: str, replicate_answers: Iterable[str]) -> float:
    """The share of replicates whose answer equals ``point`` (nan when there are none)."""
    found = list(replicate_answers)
    return sum(a == point for a in found) / len(found) if found else math.nan


def block(a: Answer) -> str:
    """The answer, its stability and rule, and the alternative rules' answers (markdown)."""
    kept = ("no bootstrap replicates" if math.isnan(a.stability) else
            f"kept by {math.floor(1000 * a.stability) / 10:.1f}% of bootstrap replicates")
    return "\n".join([f"**Answer: {a.answer}** ({kept}; shown as *{a.shown}* on the first "
                      f"screen). Rule: {a.rule}.", "", "Under alternative rules:",
                      *(f"- {name}: *{ans}*" for name, ans in a.alternatives)])
