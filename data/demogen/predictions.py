"""Simulated model submissions: raw answer text in the styles real MLLMs produce.

Each simulated model has a skill that varies by question type, sub-dimension, image source
and scope, plus a per-item difficulty shared by all models (so hard items are hard for
everyone). Its intended answer is then rendered in the model's own style mix: bare letters,
"The answer is (C).", Chinese, <think> blocks, refusals, empty answers, ...

The intended score of every item (what a correct scorer should find) is kept, so the build
can report each model's intended accuracy.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from demogen import oe_text
from demogen.facets import FACETS, WHOLE, fill
from leaderboard.taxonomy import OPTION_LETTERS


@dataclass(frozen=True)
class SimModel:
    """A simulated model: metadata, skill profile and answer style."""

    name: str
    file: str  # relative to the bundle root
    params: str | None
    open: bool
    link: str | None
    target: float  # intended overall accuracy (0-1), reached by calibrating the skill offset
    offsets: dict[str, float] = field(default_factory=dict)  # category value -> logit shift
    styles: dict[str, dict[str, float]] = field(default_factory=dict)  # qtype -> style -> weight
    failures: dict[str, float] = field(default_factory=dict)  # refusal/empty/unreadable -> rate
    missing: int = 0  # ids left out of the file
    tf_true_bias: float = 0.5  # P(says True) when guessing
    mc_single_rate: float = 0.0  # P(answers an MC item with a single letter)
    random_guess: bool = False


MODELS: tuple[SimModel, ...] = (
    SimModel(
        "SimVL-Large (simulated)",
        "predictions/simvl_large.jsonl",
        "72B",
        True,
        "https://example.com/simulated/simvl-large",
        0.68,
        offsets={
            "SC": 0.3,
            "MC": -0.5,
            "TF": 0.5,
            "OE": 0.3,
            "Tech": 0.35,
            "AIGC": -0.8,
            "Blur": -0.3,
            "Color": 0.5,
            "Composition": -0.4,
            "AGI": -0.3,
            "CGI": -0.3,
            "local": -0.2,
        },
        styles={
            "SC": {"letter": 6, "paren": 1.5, "letter_dot_text": 2.5},
            "MC": {"letters_comma": 6, "letters_concat": 4},
            "TF": {"tf_word": 8, "yes_no": 2},
            "OE": {"oe_plain": 1},
        },
    ),
    SimModel(
        "ThinkerVL (simulated)",
        "predictions/thinkervl.jsonl",
        None,
        False,
        "https://example.com/simulated/thinkervl",
        0.62,
        offsets={
            "MC": 0.1,
            "TF": 0.3,
            "OE": 0.2,
            "Aes": 0.5,
            "AIGC": 0.3,
            "Noise": -0.5,
            "Artifacts": -0.6,
            "Exposure": -0.2,
            "AI": 0.3,
            "SDI": -0.3,
            "local": -0.1,
        },
        styles={
            "SC": {"think_answer_colon": 5, "think_boxed": 3, "think_bold": 2},
            "MC": {"think_answer_colon": 6, "think_boxed": 4},
            "TF": {"think_answer_colon": 7, "think_bold": 3},
            "OE": {"think_oe": 1},
        },
        failures={"think_only": 0.015},
    ),
    SimModel(
        "ChattyVLM (simulated)",
        "predictions/chattyvlm.jsonl",
        "13B",
        True,
        "https://example.com/simulated/chattyvlm",
        0.55,
        offsets={
            "OE": 0.6,
            "MC": -0.6,
            "SC": 0.1,
            "Lighting": 0.4,
            "Emotion": 0.4,
            "Anatomy": -0.5,
            "NI": 0.1,
            "CGI": -0.4,
            "local": -0.3,
        },
        styles={
            "SC": {"explain_answer_is": 5, "bold_option": 3, "explain_answer_colon": 2},
            "MC": {"options_are": 7, "letters_and": 3},
            "TF": {"tf_sentence": 8, "tf_dot": 2},
            "OE": {"oe_chatty": 1},
        },
        failures={"refusal": 0.03},
    ),
    SimModel(
        "BilingualVL (simulated)",
        "predictions/bilingualvl.jsonl",
        "8B",
        True,
        "https://example.com/simulated/bilingualvl",
        0.50,
        offsets={
            "Color": 0.6,
            "Exposure": 0.3,
            "Composition": -0.6,
            "Semantics": -0.4,
            "TF": 0.2,
            "MC": -0.2,
            "SDI": 0.3,
            "AI": -0.3,
        },
        styles={
            "SC": {"zh_answer": 5, "letter": 2, "answer_is": 1.5, "answer_colon": 1.5},
            "MC": {"letters_zh": 5, "letters_comma": 5},
            "TF": {"tf_zh": 6, "tf_word": 4},
            "OE": {"oe_zh": 5, "oe_plain": 5},
        },
        failures={"unreadable": 0.02, "refusal": 0.01},
    ),
    SimModel(
        "TerseNet (simulated)",
        "predictions/tersenet.jsonl",
        "3B",
        True,
        None,
        0.44,
        offsets={
            "SC": 0.3,
            "MC": -0.4,
            "OE": -0.6,
            "Tech": 0.2,
            "Blur": 0.3,
            "Style": -0.5,
            "AGI": -0.3,
            "global": 0.2,
        },
        styles={
            "SC": {"option_text": 4.5, "letter": 5.5},
            "MC": {"letters_concat": 1},
            "TF": {"yes_no": 5, "tf_lower": 5},
            "OE": {"oe_terse": 1},
        },
        failures={"empty": 0.02},
        missing=20,
    ),
    SimModel(
        "SimVL-Tiny (simulated)",
        "predictions/simvl_tiny.jsonl",
        "1B",
        True,
        "https://example.com/simulated/simvl-tiny",
        0.37,
        offsets={
            "SC": 0.2,
            "OE": 0.2,
            "Aes": 0.3,
            "AIGC": -0.4,
            "Tech": -0.1,
            "AI": 0.2,
            "local": -0.2,
        },
        styles={
            "SC": {"letter": 6, "letter_dot": 4},
            "MC": {"letters_comma": 1},
            "TF": {"tf_word": 1},
            "OE": {"oe_plain": 1},
        },
        failures={"unreadable": 0.05, "empty": 0.03},
        tf_true_bias=0.75,
        mc_single_rate=0.5,
    ),
    SimModel(
        "Random guess (simulated)",
        "predictions/random_guess.jsonl",
        None,
        True,
        None,
        0.0,
        styles={
            "SC": {"letter": 1},
            "MC": {"letters_concat": 1},
            "TF": {"tf_word": 1},
            "OE": {"oe_generic": 1},
        },
        random_guess=True,
    ),
)

#: A regex per style (and failure kind) that finds answers written in it: the test checks
#: every style a model declares is present in its file.
STYLE_PATTERNS: dict[str, str] = {
    "letter": r"^[ABCD]$",
    "paren": r"^\([ABCD]\)$",
    "letter_dot": r"^[ABCD]\.$",
    "letter_dot_text": r"^[ABCD]\. \w",
    "answer_colon": r"^Answer: [ABCD]$",
    "answer_is": r"^The answer is \([ABCD]\)\.$",
    "option_text": r"^[A-Z][a-z][^\n]*[a-z)]$",
    "think_answer_colon": r"^<think>[\s\S]+</think>\s+Answer: (True|False|[ABCD](, [ABCD])*)$",
    "think_boxed": r"^<think>[\s\S]+</think>\s+\\boxed\{[ABCD]+\}$",
    "think_bold": r"^<think>[\s\S]+</think>\s+The answer is \*\*",
    "think_oe": r"^<think>[\s\S]+</think>\s+\w",
    "explain_answer_is": r"Therefore, the answer is \([ABCD]\)\.$",
    "explain_answer_colon": r"\n\nAnswer: [ABCD]$",
    "bold_option": r"\*\*[ABCD]\. [^*]+\*\*",
    "options_are": r"^The (correct options are|only correct option is) [ABCD]",
    "letters_and": r"^[ABCD]( and [ABCD])+$",
    "letters_comma": r"^[ABCD](, [ABCD])+$",
    "letters_concat": r"^[ABCD]{2,4}$",
    "letters_zh": r"[ABCD](、[ABCD])+",
    "zh_answer": r"^答案(是|：)[ABCD]",
    "tf_word": r"^(True|False)$",
    "tf_dot": r"^(True|False)\.$",
    "tf_lower": r"^(true|false)$",
    "yes_no": r"^(Yes|No)$",
    "tf_sentence": r"^(Yes, the statement is true|No, that is not correct)",
    "tf_zh": r"^(正确|错误)",
    "oe_plain": r"^[A-Z][^\n]{20,}$",
    "oe_chatty": r"^Looking at",
    "oe_zh": r"[\u4e00-\u9fff]{6,}",
    "oe_terse": r"^[a-z][a-z ,()-]+\.?$",
    "oe_generic": r"^(The image quality is average|The portrait looks acceptable|There are some"
    r" quality issues|It is a typical photo)\.$",
    "refusal": r"^(I'm sorry|I cannot|抱歉)",
    "empty": r"^$",
    "unreadable": r"^(Both|It could be|Hard to say|我不确定|It depends)",
    "think_only": r"^<think>[\s\S]+</think>$",
}
_REFUSALS = (
    "I'm sorry, I can't assess this image.",
    "I cannot help with evaluating images of real people.",
    "I'm sorry, but I can't provide an assessment of this photo.",
)
_ZH_REFUSAL = "抱歉，我无法评估这张图片。"


@dataclass
class Answer:
    """One simulated answer: raw text plus what a correct scorer should make of it."""

    text: str
    score: float  # intended item score: 0/1 closed, 0/0.5/1 OE
    status: str  # ok | refused | empty | unreadable


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _skill_logit(model: SimModel, item: dict) -> float:
    return sum(
        model.offsets.get(item[f], 0.0)
        for f in ("qtype", "scope", "image_source", "dimension", "subdimension")
    )


def _expected(model: SimModel, item: dict, p: float) -> float:
    """Expected intended score of an answered item when the model knows it w.p. p."""
    q = item["qtype"]
    if q == "SC":
        return p + (1 - p) * 0.25
    if q == "TF":
        guess = model.tf_true_bias if item["answer"] == "True" else 1 - model.tf_true_bias
        return p + (1 - p) * guess
    if q == "MC":
        k = len(item["answer"])
        single = model.mc_single_rate * (p + (1 - p) * 0.25 if k == 1 else 0.0)
        return single + (1 - model.mc_single_rate) * (p + (1 - p) / 15)
    # OE: know -> 2 (80%) or 1; else 1 (25%) or 0; a terse fragment at most 1 and only if known
    terse = model.styles["OE"].get("oe_terse", 0.0) / sum(model.styles["OE"].values())
    return (1 - terse) * (p * 0.9 + (1 - p) * 0.125) + terse * p * 0.5


def calibrate(model: SimModel, items: list[dict], difficulty: list[float]) -> float:
    """The skill offset that makes the model's expected overall accuracy hit its target."""
    fail = sum(model.failures.values())
    present = 1 - model.missing / len(items)

    def mean(a: float) -> float:
        return (
            sum(
                _expected(model, it, _sigmoid(a + _skill_logit(model, it) - d))
                for it, d in zip(items, difficulty, strict=False)
            )
            / len(items)
            * (1 - fail)
            * present
        )

    lo, hi = -8.0, 8.0
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean(mid) < model.target else (lo, mid)
    return (lo + hi) / 2


# ---------------------------------------------------------------- intended answers


def _choose(weights: dict[str, float], rng: random.Random) -> str:
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _intended_closed(model: SimModel, item: dict, knows: bool, rng: random.Random) -> str:
    """The answer the model means: a letter, a letter set, or True/False."""
    q, gold = item["qtype"], item["answer"]
    if q == "SC":
        return gold if knows else rng.choice(OPTION_LETTERS)
    if q == "TF":
        if knows:
            return gold
        return "True" if rng.random() < model.tf_true_bias else "False"
    if rng.random() < model.mc_single_rate:
        return rng.choice(gold) if knows else rng.choice(OPTION_LETTERS)
    if knows:
        return gold
    return _subset(rng.randrange(1, 16))


def _random_guess(item: dict, rng: random.Random) -> str:
    q = item["qtype"]
    if q == "SC":
        return rng.choice(OPTION_LETTERS)
    if q == "TF":
        return rng.choice(("True", "False"))
    if q == "MC":
        return _subset(rng.randrange(1, 16))
    return oe_text.generic(rng)


def _subset(mask: int) -> str:
    """The option letters of a non-empty subset given as a 4-bit mask."""
    return "".join(c for i, c in enumerate(OPTION_LETTERS) if mask >> i & 1)


def _closed_score(item: dict, meant: str) -> float:
    return 1.0 if meant == item["answer"] else 0.0


# ---------------------------------------------------------------- rendering


def _option(item: dict, letter: str) -> str:
    return item["options"][OPTION_LETTERS.index(letter)]


def _join(letters: str, sep: str) -> str:
    return sep.join(letters)


def _letters_and(letters: str) -> str:
    return letters if len(letters) == 1 else ", ".join(letters[:-1]) + " and " + letters[-1]


def _region(item: dict) -> str:
    q = item["question"]
    if q.startswith("Looking at "):
        return q[len("Looking at ") : q.index(",")]
    return "the whole portrait"


def _observation(item: dict, level: int, knows: bool, rng: random.Random) -> str:
    """A sentence of reasoning about the asked region: right if the model knows the item,
    otherwise describing the wrong severity."""
    facet = FACETS[item["subdimension"]]
    part = next((p for p in facet.parts if p[0] == _region(item)), WHOLE)
    tiers = [facet.good, facet.mild, facet.bad]
    right = min(level, 2)
    tier = tiers[right] if knows else tiers[rng.choice([t for t in range(3) if t != right])]
    return fill(rng.choice(tier), part)


def _think(item: dict, meant: str, obs: str, rng: random.Random) -> str:
    """A reasoning block that weighs other options before settling."""
    facet = FACETS[item["subdimension"]]
    lines = [f"The question is about the {facet.aspect} of {_region(item)}.", obs]
    if not meant and item["qtype"] != "OE":  # a block that never reaches a verdict
        lines.append("I keep going back and forth; let me look at the image once more.")
    elif item["qtype"] in ("SC", "MC"):
        others = [c for c in OPTION_LETTERS if c not in meant]
        if others:
            other = rng.choice(others)
            lines.append(
                f'Option {other} says "{_option(item, other)}" - that does not match what I see.'
            )
        lines.append(f"So I will go with {_letters_and(meant)}.")
    elif item["qtype"] == "TF":
        lines.append(f"Checking the statement against the image, it looks {meant.lower()}.")
    else:
        lines.append("I should describe the main issue and its effect briefly.")
    return "<think>\n" + "\n".join(lines) + "\n</think>\n\n"


def _render_sc(style: str, item: dict, meant: str, obs: str, rng: random.Random) -> str:
    text = _option(item, meant)
    if style == "letter":
        return meant
    if style == "paren":
        return f"({meant})"
    if style == "letter_dot":
        return f"{meant}."
    if style == "letter_dot_text":
        return f"{meant}. {text}"
    if style == "answer_colon":
        return f"Answer: {meant}"
    if style == "answer_is":
        return f"The answer is ({meant})."
    if style == "option_text":
        return text
    if style == "zh_answer":
        return rng.choice([f"答案是{meant}", f"答案：{meant}。", f"答案是{meant}。{text}"])
    if style == "explain_answer_is":
        return (
            f'{obs} Looking at the options, "{text}" fits best. Therefore, the answer is ({meant}).'
        )
    if style == "explain_answer_colon":
        return f"Let me look closely at {_region(item)}. {obs}\n\nAnswer: {meant}"
    if style == "bold_option":
        return f"{obs}\n\nThe best option is **{meant}. {text}**"
    if style == "think_answer_colon":
        return _think(item, meant, obs, rng) + f"Answer: {meant}"
    if style == "think_boxed":
        return _think(item, meant, obs, rng) + f"\\boxed{{{meant}}}"
    if style == "think_bold":
        return _think(item, meant, obs, rng) + f"The answer is **{meant}**."
    raise ValueError(style)


def _render_mc(style: str, item: dict, meant: str, obs: str, rng: random.Random) -> str:
    if style == "letters_concat":
        return meant
    if style == "letters_comma":
        return _join(meant, ", ")
    if style == "letters_and":
        return _letters_and(meant)
    if style == "letters_zh":
        return rng.choice(["", "答案是"]) + _join(meant, "、")
    if style == "options_are":
        if len(meant) == 1:
            return f"The only correct option is {meant}."
        return f"The correct options are {_letters_and(meant)}."
    if style == "think_answer_colon":
        return _think(item, meant, obs, rng) + f"Answer: {_join(meant, ', ')}"
    if style == "think_boxed":
        return _think(item, meant, obs, rng) + f"\\boxed{{{meant}}}"
    raise ValueError(style)


def _render_tf(style: str, item: dict, meant: str, obs: str, rng: random.Random) -> str:
    yes = meant == "True"
    if style == "tf_word":
        return meant
    if style == "tf_dot":
        return f"{meant}."
    if style == "tf_lower":
        return meant.lower()
    if style == "yes_no":
        return "Yes" if yes else "No"
    if style == "tf_zh":
        return ("正确" if yes else "错误") + rng.choice(["", "。"])
    if style == "tf_sentence":
        head = "Yes, the statement is true." if yes else "No, that is not correct."
        return f"{head} {obs}"
    if style == "think_answer_colon":
        return _think(item, meant, obs, rng) + f"Answer: {meant}"
    if style == "think_bold":
        return _think(item, meant, obs, rng) + f"The answer is **{meant}**."
    raise ValueError(style)


def _oe_answer(style: str, item: dict, score: int, obs: str, rng: random.Random) -> str:
    sub, ref = item["subdimension"], item["answer"]
    if style == "oe_terse":
        return oe_text.terse(sub, ref, score >= 1, rng)
    if style == "oe_zh":
        return oe_text.chinese(sub, ref, score, rng)
    body = (
        oe_text.paraphrase(sub, ref, rng)
        if score == 2
        else oe_text.partial(sub, ref, rng)
        if score == 1
        else oe_text.wrong(sub, rng)
    )
    if style == "oe_chatty":
        return (
            f"Looking at {_region(item)}, here is my assessment. {body} "
            "Let me know if you would like more detail."
        )
    if style == "think_oe":
        return _think(item, "", obs, rng) + body
    return body


def _oe_score(knows: bool, rng: random.Random) -> int:
    if knows:
        return 2 if rng.random() < 0.8 else 1
    return 1 if rng.random() < 0.25 else 0


def _failure(kind: str, item: dict, obs: str, rng: random.Random) -> str:
    if kind == "refusal":
        return _ZH_REFUSAL if rng.random() < 0.2 else rng.choice(_REFUSALS)
    if kind == "empty":
        return ""
    if kind == "think_only":
        return _think(item, "", obs, rng).rstrip()
    q = item["qtype"]
    if q == "SC":  # two letters and no cue: no single answer can be read
        a, b = rng.sample(OPTION_LETTERS, 2)
        return rng.choice(
            [f"Both {a} and {b} seem plausible.", "Hard to say from this image.", "我不确定。"]
        )
    if q == "TF":
        return rng.choice(
            ["It depends on how closely you look.", "Hard to say from this image.", "我不确定。"]
        )
    # MC and OE: no letters at all, since "Both A and C" would read as an MC answer
    return rng.choice(["Hard to say from this image.", "我不确定。"])


_FAILURE_STATUS = {
    "refusal": "refused",
    "empty": "empty",
    "think_only": "empty",
    "unreadable": "unreadable",
}


def simulate(
    model: SimModel, items: list[dict], difficulty: list[float], levels: dict[str, int], seed: int
) -> dict[str, Answer]:
    """Every answer of one model (missing ids left out), keyed by item id.

    `levels` maps an image file to the severity level of its effect, so the reasoning text
    a model writes is right when the model knows the item.
    """
    rng = random.Random(f"{seed}:{model.name}")
    offset = 0.0 if model.random_guess else calibrate(model, items, difficulty)
    missing = set(rng.sample([it["id"] for it in items], model.missing))
    out: dict[str, Answer] = {}
    for it, d in zip(items, difficulty, strict=False):
        if it["id"] in missing:
            continue
        q = it["qtype"]
        style = _choose(model.styles[q], rng)
        if model.random_guess:
            meant = _random_guess(it, rng)
            score = 0.0 if q == "OE" else _closed_score(it, meant)
            out[it["id"]] = Answer(meant, score, "ok")
            continue
        u = rng.random()
        fail = next((k for k, r in _cumulative(model.failures) if u < r), None)
        knows = rng.random() < _sigmoid(offset + _skill_logit(model, it) - d)
        obs = _observation(it, levels[it["file_name"]], knows, rng)
        if fail:
            out[it["id"]] = Answer(_failure(fail, it, obs, rng), 0.0, _FAILURE_STATUS[fail])
            continue
        if q == "OE":
            s = _oe_score(knows, rng)
            if style == "oe_terse":  # a fragment earns at most partial credit
                s = min(s, 1) if knows else 0
            out[it["id"]] = Answer(_oe_answer(style, it, s, obs, rng), s / 2, "ok")
            continue
        meant = _intended_closed(model, it, knows, rng)
        render = {"SC": _render_sc, "MC": _render_mc, "TF": _render_tf}[q]
        out[it["id"]] = Answer(render(style, it, meant, obs, rng), _closed_score(it, meant), "ok")
    return out


def _cumulative(rates: dict[str, float]) -> list[tuple[str, float]]:
    acc, out = 0.0, []
    for k, r in rates.items():
        acc += r
        out.append((k, acc))
    return out


def item_difficulty(items: list[dict], seed: int) -> list[float]:
    """A per-item difficulty shared by all models (hard items are hard for everyone)."""
    rng = random.Random(f"{seed}:difficulty")
    return [rng.gauss(0.0, 0.9) for _ in items]


def write_predictions(answers: dict[str, Answer], items: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for it in items:
            a = answers.get(it["id"])
            if a is not None:
                fh.write(
                    json.dumps({"id": it["id"], "prediction": a.text}, ensure_ascii=False) + "\n"
                )


def style_present(style: str, texts: list[str]) -> bool:
    pattern = re.compile(STYLE_PATTERNS[style])
    return any(pattern.search(t) for t in texts)


def intended_accuracy(
    answers: dict[str, Answer], items: list[dict], field_name: str | None = None
) -> dict[str, float]:
    """Intended accuracy in percent, overall or per value of one item field."""
    groups: dict[str, list[float]] = {}
    for it in items:
        key = "Overall" if field_name is None else it[field_name]
        a = answers.get(it["id"])
        groups.setdefault(key, []).append(a.score if a else 0.0)
    return {k: round(100 * sum(v) / len(v), 2) for k, v in groups.items()}
