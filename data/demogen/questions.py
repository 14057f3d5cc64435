"""Question, options and gold answer of one demo item, worded like the real benchmark.

Global questions open with "Considering the whole image, ...", local ones point at a region
("Looking at the subject's eyes, ..."). The gold answer is read off the image spec (level and
kind of the applied effect), so an item's answer matches what its image shows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from demogen.facets import FACETS, FOREIGN_SOURCES, SOURCE_RESEMBLES, WHOLE, Facet, Part, fill
from demogen.images import ImageSpec
from leaderboard.taxonomy import OPTION_LETTERS


@dataclass(frozen=True)
class Question:
    question: str
    options: list[str]
    answer: str
    part: Part  # the region asked about (WHOLE for global items)


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _lead(scope: str, part: Part) -> str:
    return "Considering the whole image" if scope == "global" else f"Looking at {part[0]}"


def _has_kind(facet: Facet, spec: ImageSpec, part: Part = WHOLE) -> bool:
    """Whether the image's kind of effect can be asked about for this region."""
    if part != WHOLE and not facet.local_kinds:
        return False
    return spec.kind is not None and (spec.level > 0 or facet.kind_at_level0)


def _tier(facet: Facet, level: int) -> tuple[str, str]:
    return facet.good if level == 0 else facet.mild if level == 1 else facet.bad


def statements(facet: Facet, spec: ImageSpec, part: Part) -> tuple[list[str], list[str]]:
    """True and false statements about `part` of the image, most specific first."""
    lv = spec.level
    true = [fill("{Where} {is} " + facet.levels[lv] + ".", part)]
    false = [
        fill("{Where} {is} " + facet.levels[o] + ".", part)
        for o in sorted(range(4), key=lambda o: -abs(o - lv))
        if abs(o - lv) >= 2
    ]
    other_kinds = [k for key, k in facet.kinds.items() if key != spec.kind]
    other_kinds += facet.extra_kinds
    if _has_kind(facet, spec, part):
        true.append(fill(facet.kind_sentence, part, kind=facet.kinds[spec.kind]))
    if part == WHOLE or facet.local_kinds:
        false += [fill(facet.kind_sentence, part, kind=k) for k in other_kinds]
    true += [fill(t, part) for t in _tier(facet, lv)]
    opposite = facet.bad if lv <= 1 else facet.good
    false += [fill(t, part) for t in opposite]
    if lv == 0:  # the mild tier still contradicts a flawless image
        false += [fill(t, part) for t in facet.mild]
    return true, false


def _foreign(spec: ImageSpec, part: Part, rng: random.Random) -> list[str]:
    """Off-topic problems the image does not have, as extra false statements.

    Aesthetic regions ("the subject's posture") cannot be grainy, so those speak of the image.
    """
    facet = FACETS[spec.subdimension]
    if facet.kind_at_level0:
        part = WHOLE
    skip = {spec.subdimension, *facet.resembles, *SOURCE_RESEMBLES[spec.image_source]}
    out = [fill(FACETS[s].bad[0], part) for s in FOREIGN_SOURCES if s not in skip]
    rng.shuffle(out)
    return out


def _place(gold: str, distractors: list[str], letter: str, rng: random.Random) -> list[str]:
    """Four options with `gold` at `letter` and the distractors shuffled around it."""
    rest = distractors[:3]
    rng.shuffle(rest)
    i = OPTION_LETTERS.index(letter)
    return rest[:i] + [gold] + rest[i:]


def _sc(
    facet: Facet, spec: ImageSpec, scope: str, part: Part, letter: str, rng: random.Random
) -> Question:
    lead = _lead(scope, part)
    region = "this portrait" if scope == "global" else "this region"
    if _has_kind(facet, spec, part) and rng.random() < 0.5:
        question = rng.choice(
            [
                f"{lead}, which {facet.kind_noun} is most evident in {region}?",
                f"{lead}, what best describes the {facet.kind_noun} in {region}?",
            ]
        )
        gold = _cap(facet.kinds[spec.kind])
        pool = [k for key, k in facet.kinds.items() if key != spec.kind] + list(facet.extra_kinds)
        rng.shuffle(pool)
        distractors = [_cap(k) for k in pool]
    else:
        question = rng.choice(
            [
                f"{lead}, how would you rate the {facet.aspect} of {region}?",
                f"{lead}, which option best describes the {facet.aspect} of {region}?",
                f"{lead}, how is the {facet.aspect} of {region}?",
            ]
        )
        gold = _cap(facet.levels[spec.level])
        distractors = [_cap(v) for i, v in enumerate(facet.levels) if i != spec.level]
    return Question(question, _place(gold, distractors, letter, rng), letter, part)


def _mc(
    facet: Facet, spec: ImageSpec, scope: str, part: Part, k: int, rng: random.Random
) -> Question:
    lead = _lead(scope, part)
    true, false = statements(facet, spec, part)
    false = false[:4] + _foreign(spec, part, rng) + false[4:]
    chosen_true = rng.sample(true, k)
    pool = false[:6]
    rng.shuffle(pool)
    chosen_false = pool[: 4 - k]
    letters = sorted(rng.sample(OPTION_LETTERS, k))
    options: list[str] = []
    ti, fi = iter(chosen_true), iter(chosen_false)
    for letter in OPTION_LETTERS:
        options.append(next(ti) if letter in letters else next(fi))
    opts = [o.rstrip(".") for o in options]
    what = "this portrait" if scope == "global" else "this region"
    question = rng.choice(
        [
            f"{lead}, which of the following statements are true? (Select all that apply.)",
            f"{lead}, which statements correctly describe the {facet.aspect} of {what}? "
            "Select all that apply.",
        ]
    )
    return Question(question, opts, "".join(letters), part)


def _tf(
    facet: Facet, spec: ImageSpec, scope: str, part: Part, gold: bool, rng: random.Random
) -> Question:
    lead = _lead(scope, part)
    true, false = statements(facet, spec, part)
    statement = rng.choice(true if gold else false[:5])
    question = rng.choice(
        [
            f'{lead}, is the following statement true or false? "{statement}"',
            f'{lead}, judge this statement as True or False: "{statement}"',
        ]
    )
    return Question(question, [], "True" if gold else "False", part)


def reference_answer(facet: Facet, spec: ImageSpec, part: Part) -> str:
    """One or two sentences: the verdict (level, kind) and its visible consequence."""
    first = fill("{Where} {is} " + facet.levels[spec.level], part)
    if _has_kind(facet, spec, part):
        joiner = ", with " if facet.kind_at_level0 else ", mainly because of "
        first += joiner + facet.kind_in_answer.format(kind=facet.kinds[spec.kind])
    return first + ". " + fill(_tier(facet, spec.level)[0], part)


def _oe(facet: Facet, spec: ImageSpec, scope: str, part: Part, rng: random.Random) -> Question:
    lead = _lead(scope, part)
    if scope == "global":
        question = rng.choice(
            [
                f"{lead}, how does the {facet.aspect} affect the overall quality of this portrait?",
                f"{lead}, describe the {facet.aspect} of this portrait.",
                f"{lead}, how would you assess the {facet.aspect}, and what is the most visible "
                "effect on the subject?",
            ]
        )
    else:
        question = rng.choice(
            [
                f"{lead}, what can you say about the {facet.aspect} in this region, and how does "
                "this affect the portrait?",
                f"{lead}, describe the {facet.aspect} of this region.",
            ]
        )
    return Question(question, [], reference_answer(facet, spec, part), part)


def make_question(
    spec: ImageSpec,
    qtype: str,
    scope: str,
    rng: random.Random,
    *,
    sc_letter: str = "A",
    tf_gold: bool = True,
    mc_k: int = 1,
) -> Question:
    """The item text for one image, question type and scope."""
    facet = FACETS[spec.subdimension]
    part = WHOLE if scope == "global" else rng.choice(facet.parts)
    if qtype == "SC":
        return _sc(facet, spec, scope, part, sc_letter, rng)
    if qtype == "MC":
        return _mc(facet, spec, scope, part, mc_k, rng)
    if qtype == "TF":
        return _tf(facet, spec, scope, part, tf_gold, rng)
    return _oe(facet, spec, scope, part, rng)
