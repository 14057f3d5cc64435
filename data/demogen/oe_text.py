"""Open-ended answers of the simulated models: paraphrases of the reference (good), a verdict
with the wrong severity (partial), or a description of the wrong problem (poor)."""

from __future__ import annotations

import random

from demogen.facets import FACETS, FOREIGN_SOURCES, WHOLE, fill

_SUBJECTS = ("The portrait", "This photo", "The picture", "Overall, the image")
_ZH_ASPECT = {
    "Noise": "噪声",
    "Blur": "清晰度",
    "Exposure": "曝光",
    "Color": "色彩",
    "Artifacts": "压缩伪影",
    "Anatomy": "人体结构",
    "Texture": "纹理",
    "Semantics": "语义一致性",
    "Emotion": "情感表达",
    "Composition": "构图",
    "Lighting": "光照",
    "Style": "艺术风格",
}
_ZH_LEVEL = ("很好，没有明显问题", "略有不足", "存在明显问题", "问题非常严重")


def level_of(subdim: str, reference: str) -> int:
    """The rating level named in a reference answer (the templates always name one)."""
    levels = FACETS[subdim].levels
    return max(range(4), key=lambda i: (levels[i] in reference, len(levels[i])))


def paraphrase(subdim: str, reference: str, rng: random.Random) -> str:
    """A good answer: the reference's content in other words."""
    first, _, second = reference.partition(". ")
    first = first.replace(", mainly because of ", ", largely due to ").replace(
        ", with ", " and shows "
    )
    if first.startswith("The image "):
        first = rng.choice(_SUBJECTS) + first[len("The image") :]
    second = second.rstrip(".")
    if not second:
        return first + "."
    joiner = rng.choice(["; as a result, ", ". In particular, ", ". ", " - "])
    tail = second if joiner.endswith(". ") else second[0].lower() + second[1:]
    return f"{first}{joiner}{tail}."


def partial(subdim: str, reference: str, rng: random.Random) -> str:
    """A half-right answer: the right aspect, the wrong severity, no detail."""
    facet = FACETS[subdim]
    lv = level_of(subdim, reference)
    wrong = facet.levels[min(3, lv + 1) if lv < 2 else lv - 1]
    opener = rng.choice(["I would say", "In my view", "It seems that"])
    return f"{opener} the {facet.aspect} is an issue: the image is {wrong}."


def wrong(subdim: str, rng: random.Random) -> str:
    """A poor answer: describes a problem from another sub-dimension."""
    other = rng.choice(
        [s for s in FOREIGN_SOURCES if s != subdim and s not in FACETS[subdim].resembles]
    )
    text = fill(FACETS[other].bad[rng.randrange(2)], WHOLE)
    return rng.choice(
        [
            f"The main problem is that {text[0].lower()}{text[1:]}",
            f"{text} Otherwise the portrait looks fine.",
            f"{text}",
        ]
    )


def terse(subdim: str, reference: str, good: bool, rng: random.Random) -> str:
    """A fragment, as terse models answer open questions."""
    facet = FACETS[subdim]
    lv = level_of(subdim, reference) if good else rng.randrange(4)
    return facet.levels[lv] + rng.choice(["", ".", " overall"])


def chinese(subdim: str, reference: str, score: int, rng: random.Random) -> str:
    """A Chinese answer of the intended quality."""
    lv = level_of(subdim, reference)
    if score == 0:
        other = rng.choice([s for s in _ZH_ASPECT if s != subdim])
        return f"这张图像的主要问题在于{_ZH_ASPECT[other]}。"
    if score == 1:
        lv = min(3, lv + 1) if lv < 2 else lv - 1
    return f"这张人像的{_ZH_ASPECT[subdim]}{_ZH_LEVEL[lv]}。" + (
        "整体质量受到影响。" if lv >= 2 else ""
    )


def generic(rng: random.Random) -> str:
    """What a random guesser says to an open question."""
    return rng.choice(
        [
            "The image quality is average.",
            "The portrait looks acceptable.",
            "There are some quality issues.",
            "It is a typical photo.",
        ]
    )
