"""Offline approximate OE judge: lexical agreement with the reference, mapped to 0/1/2.

It lets the app and the CLI score open-ended items with no network and no key. It is NOT the
paper's GPT judge: results carry `info.approximate = True` and must be labelled as such.

How a score is made (deterministic, pure stdlib):

1. Normalise both texts (NFKC, lower case, drop `<think>` blocks, "n't" -> "not", hyphens to
   spaces, British -> American spelling), tokenise, and stem with a small suffix stripper.
2. Negation: a cue ("not", "no", "without", "lack", "never", "hardly", "free of"; postfix
   "X-free") negates the next `NEGATION_WINDOW` words, up to punctuation or a contrast word.
3. Key terms: a lexicon of portrait-quality terms (blur/sharp, noise, exposure, colour,
   anatomy, texture, composition, lighting, emotion, style, severity...) maps phrases to
   (group, value) facts, e.g. "out of focus" -> (blur, +), "not blurry" -> (blur, -),
   "underexposed" -> (exposure, under). For each group the reference mentions, the answer
   MATCHES it (same value), CONTRADICTS it (only other values), HEDGES (both: half credit) or
   MISSES it. Each group weighs 1, severity (a modifier) MODIFIER_WEIGHT, and a fact the
   question already states ("how does the blur...") GIVEN_WEIGHT; key recall = credit /
   total weight.
4. Content F1: token F1 over stemmed content words (stopwords and words of the question
   removed, so echoing the question earns nothing; negated words kept apart as "not_x").
5. sim = KEY_WEIGHT * key recall + (1 - KEY_WEIGHT) * F1 (just F1 when the reference has no
   key term). Then, in order:
   - 0 if a main fact (any group but severity) is contradicted and none is matched;
   - 0 if F1 is 0 and no fact beyond the question's is matched (a restated question);
   - 2 if sim >= THRESHOLD_2, F1 >= MIN_F1_FOR_2 and nothing is contradicted;
   - 1 if sim >= THRESHOLD_1; else 0.

Known limits: synonyms outside the lexicon are missed (an unusual paraphrase drops to 1), and
a fact the question already states cannot be told from a correct answer that repeats it.

The thresholds were set on hand-written portrait-quality examples
(tests/leaderboard/test_judge_approx.py): a paraphrase of the reference scores 2, the same
issue with missing or wrong detail 1, a different issue, the opposite polarity, a refusal or
generic praise 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .budget import BudgetMeter
from .protocol import JudgeInfo, Judgement, JudgeRequest, Progress

APPROX_MODEL = "lexical-v1"
KEY_WEIGHT = 0.6  # share of the similarity that comes from key-term recall
THRESHOLD_2 = 0.50  # sim at or above -> 2 (when nothing is contradicted)
THRESHOLD_1 = 0.12  # sim at or above -> 1
NEGATION_WINDOW = 3  # words after a negation cue that it negates
MODIFIER_GROUPS = frozenset({"severity"})  # contradicting only these never forces a 0
MODIFIER_WEIGHT = 0.5  # weight of a modifier group in key recall (a main fact weighs 1)
GIVEN_WEIGHT = 0.5  # weight of a fact the question already states ("how does the blur...")
MIN_F1_FOR_2 = 0.30  # a 2 also needs this much content overlap: key terms alone are partial

_STOPWORDS = frozenset(
    """
a an the and or but nor of to in on at by for with from as into onto about than then so such
is are was were be been being am it its it's this that these those there here their they them
he she his her him hers i you we our your my me us one ones both each either which who whom
whose what how why when where some any all also very quite rather somewhat fairly more most
much many can could would should may might will shall do does did done has have had having
yes okay ok overall appear appears appeared appearing seem seems seemed look looks looked
looking image images photo photograph picture portrait subject's subject person individual
quality visible visibly noticeable noticeably clearly clear show shows showing shown
give gives giving make makes making made cause causes causing caused result results
resulting due because while whereas although though however yet whole entire entirely
just only even still well like
""".split()
)
_NEGATION_CUES = frozenset(
    {
        "not",
        "no",
        "without",
        "never",
        "lack",
        "lacks",
        "lacking",
        "lacked",
        "hardly",
        "barely",
        "none",
        "nor",
        "neither",
        "cannot",
    }
)
_SCOPE_BREAKERS = frozenset(
    {"but", "however", "although", "though", "while", "whereas", "yet", "except", "and"}
)
_SPELLING = {
    "colour": "color",
    "colours": "colors",
    "coloured": "colored",
    "centre": "center",
    "centred": "centered",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "grey": "gray",
    "greyish": "grayish",
    "saturisation": "saturation",
    "sombre": "somber",
    "favour": "favor",
}
_SUFFIXES = (
    "iness",
    "ness",
    "ingly",
    "edly",
    "ings",
    "ing",
    "ied",
    "ies",
    "ion",
    "ions",
    "ed",
    "es",
    "ly",
    "s",
    "y",
    "e",
)

#: group -> value -> phrases. Bipolar groups use "+" / "-" (negation flips them); other groups
#: are categories (negation drops the mention). A phrase may appear in several groups.
_LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "blur": {
        "+": (
            "blur",
            "blurry",
            "blurred",
            "blurriness",
            "out of focus",
            "unfocused",
            "fuzzy",
            "defocus",
            "defocused",
            "motion blur",
            "smeared",
            "smudged",
            "soft focus",
            "lack of sharpness",
            "lacks sharpness",
            "hazy",
        ),
        "-": (
            "sharp",
            "sharpness",
            "crisp",
            "crisply",
            "in focus",
            "well focused",
            "tack sharp",
            "razor sharp",
            "well defined",
            "clearly defined",
        ),
    },
    "noise": {
        "+": (
            "noise",
            "noisy",
            "grain",
            "grainy",
            "graininess",
            "speckle",
            "speckles",
            "speckled",
            "sensor noise",
            "film grain",
        )
    },
    "compression": {
        "+": (
            "compression",
            "compressed",
            "jpeg",
            "blocky",
            "blocking",
            "block artifacts",
            "macroblocking",
            "pixelated",
            "pixelation",
            "pixelization",
            "banding",
            "ringing",
            "mosquito noise",
        )
    },
    "artifact": {
        "+": (
            "artifact",
            "artifacts",
            "glitch",
            "glitches",
            "aliasing",
            "jaggies",
            "halo",
            "halos",
            "haloing",
        )
    },
    "detail": {
        "+": (
            "detailed",
            "fine detail",
            "fine details",
            "rich detail",
            "rich details",
            "intricate",
            "pores",
            "pore",
        ),
        "-": (
            "loss of detail",
            "lost detail",
            "lost details",
            "details are lost",
            "detail loss",
            "blotchy",
            "muddy",
            "washed away",
        ),
    },
    "exposure": {
        "over": (
            "overexposed",
            "overexposure",
            "over exposed",
            "over exposure",
            "blown out",
            "blown highlights",
            "highlights are blown",
            "clipped highlights",
            "washed out",
            "too bright",
            "excessively bright",
            "overly bright",
        ),
        "under": (
            "underexposed",
            "underexposure",
            "under exposed",
            "under exposure",
            "too dark",
            "overly dark",
            "crushed shadows",
            "crushed blacks",
        ),
        "good": (
            "well exposed",
            "properly exposed",
            "correctly exposed",
            "balanced exposure",
            "good exposure",
        ),
    },
    # Bare "bright"/"dark" are left out: "dark background", "bright smile" say nothing of
    # the exposure.
    "brightness": {
        "+": ("brightly lit", "well lit", "luminous", "airy", "high key"),
        "-": ("dim", "dimly lit", "low light", "poorly lit", "gloomy", "murky", "low key"),
    },
    "contrast": {
        "+": ("high contrast", "strong contrast", "punchy"),
        "-": (
            "low contrast",
            "poor contrast",
            "flat contrast",
            "lacks contrast",
            "lack of contrast",
        ),
    },
    "saturation": {
        "+": (
            "oversaturated",
            "over saturated",
            "saturated",
            "vivid",
            "vibrant",
            "intense colors",
            "rich colors",
            "garish",
        ),
        "-": (
            "desaturated",
            "undersaturated",
            "muted",
            "dull",
            "faded",
            "pale",
            "subdued",
            "washed out colors",
        ),
    },
    "color_cast": {
        "+": (
            "color cast",
            "tint",
            "tinted",
            "yellowish",
            "bluish",
            "greenish",
            "reddish",
            "magenta",
            "red cast",
            "green cast",
            "blue cast",
            "yellow cast",
            "color shift",
            "unnatural color",
            "unnatural colors",
            "inaccurate color",
            "inaccurate colors",
            "unnaturally red",
            "unnaturally yellow",
        ),
        "-": (
            "natural color",
            "natural colors",
            "accurate color",
            "accurate colors",
            "true to life colors",
            "natural skin tone",
            "natural skin tones",
        ),
    },
    "warmth": {"+": ("warm", "warm tones", "golden"), "-": ("cool tones", "cold tones", "cold")},
    "light_quality": {
        "+": (
            "soft light",
            "soft lighting",
            "diffused",
            "diffuse",
            "even lighting",
            "evenly lit",
            "evenly illuminated",
            "evenly illuminates",
            "gentle light",
            "gentle lighting",
            "gentle shadows",
            "soft shadows",
            "lights the face evenly",
        ),
        "-": (
            "harsh",
            "harsh light",
            "harsh lighting",
            "hard light",
            "direct light",
            "harsh shadows",
            "strong shadows",
            "deep shadows",
            "uneven lighting",
        ),
    },
    "backlight": {
        "+": (
            "backlit",
            "backlight",
            "backlighting",
            "silhouette",
            "silhouetted",
            "rim light",
            "rim lighting",
        )
    },
    "anatomy": {
        "+": (
            "deformed",
            "malformed",
            "deformity",
            "mutated",
            "extra finger",
            "extra fingers",
            "six fingers",
            "missing finger",
            "missing fingers",
            "fused",
            "merged",
            "disproportionate",
            "distorted proportions",
            "anatomical error",
            "anatomical errors",
            "extra limb",
            "extra limbs",
            "asymmetric eyes",
            "misshapen",
            "twisted",
        ),
        "-": (
            "anatomy looks correct",
            "anatomically correct",
            "correct anatomy",
            "natural proportions",
            "well proportioned",
            "hands are natural",
        ),
    },
    "texture_realism": {
        "+": (
            "plastic",
            "waxy",
            "airbrushed",
            "overly smooth",
            "too smooth",
            "doll like",
            "artificial",
            "unrealistic",
            "unnatural texture",
            "cgi like",
            "fake",
            "over smoothed",
            "oversmoothed",
            "smoothed out",
        ),
        "-": (
            "realistic",
            "lifelike",
            "natural texture",
            "photorealistic",
            "true to life",
            "natural skin texture",
        ),
    },
    "placement": {
        "center": (
            "centered",
            "centrally",
            "central",
            "in the center",
            "middle of the frame",
            "symmetrical",
            "symmetrically",
            "symmetry",
        ),
        "off_center": (
            "off center",
            "rule of thirds",
            "third of the frame",
            "offset",
            "asymmetrical composition",
        ),
    },
    "framing": {
        "close": (
            "close up",
            "closeup",
            "tight framing",
            "tightly framed",
            "tightly cropped",
            "headshot",
        ),
        "wide": ("full body", "wide shot", "full length", "environmental portrait"),
    },
    "space": {"+": ("negative space", "empty space", "breathing room")},
    "background": {
        "+": ("cluttered", "busy background", "distracting background", "distracting"),
        "-": (
            "simple background",
            "clean background",
            "uncluttered",
            "plain background",
            "minimalist",
            "minimal background",
        ),
    },
    "depth": {
        "+": (
            "shallow depth of field",
            "bokeh",
            "background blur",
            "blurred background",
            "background is blurred",
            "background is blurry",
            "blurry background",
        )
    },
    "valence": {
        "+": (
            "happy",
            "happily",
            "happiness",
            "joy",
            "joyful",
            "cheerful",
            "smiling",
            "smile",
            "delighted",
            "playful",
            "uplifting",
            "excitement",
            "excited",
            "optimistic",
            "positive mood",
        ),
        "-": (
            "sad",
            "sadness",
            "melancholy",
            "melancholic",
            "sorrow",
            "sorrowful",
            "somber",
            "gloomy mood",
            "depressed",
            "lonely",
            "loneliness",
            "grief",
            "mournful",
            "downcast",
            "negative mood",
        ),
    },
    "arousal": {
        "-": (
            "calm",
            "calmness",
            "serene",
            "serenity",
            "peaceful",
            "tranquil",
            "relaxed",
            "quiet",
            "contemplative",
            "gentle mood",
        ),
        "+": (
            "tense",
            "tension",
            "anxious",
            "anxiety",
            "fear",
            "fearful",
            "scary",
            "ominous",
            "angry",
            "anger",
            "dramatic",
            "energetic",
            "excitement",
            "excited",
            "intense",
        ),
    },
    "style": {
        "impressionism": ("impressionist", "impressionism", "impressionistic"),
        "cubism": ("cubist", "cubism", "geometric shapes"),
        "expressionism": ("expressionist", "expressionism"),
        "realism_art": ("realist painting", "realism"),
        "renaissance": ("renaissance",),
        "baroque": ("baroque",),
        "surrealism": ("surreal", "surrealist", "surrealism"),
        "pop_art": ("pop art",),
        "abstract": ("abstract",),
        "cartoon": ("cartoon", "cartoonish", "anime", "comic", "manga"),
        "sketch": ("sketch", "pencil drawing", "charcoal", "line drawing"),
    },
    "medium": {
        "oil": ("oil painting", "oil on canvas", "oils"),
        "watercolor": ("watercolor", "watercolour"),
        "digital": ("digital art", "digital painting", "3d render", "cgi", "rendered"),
        "photo": ("photograph", "photographic"),
    },
    "brushwork": {
        "+": (
            "visible brushstrokes",
            "visible brush strokes",
            "loose brushstrokes",
            "loose brush strokes",
            "brushstrokes",
            "brush strokes",
            "impasto",
        )
    },
    "overall": {
        "+": ("high quality", "good quality", "excellent quality", "great quality"),
        "-": ("low quality", "poor quality", "bad quality", "degraded", "mediocre"),
    },
    "severity": {
        "+": (
            "severe",
            "severely",
            "heavy",
            "heavily",
            "strong",
            "strongly",
            "significant",
            "significantly",
            "extreme",
            "extremely",
            "pronounced",
            "substantial",
            "obvious",
            "noticeable",
            "noticeably",
            "considerable",
            "major",
        ),
        "-": (
            "slight",
            "slightly",
            "mild",
            "mildly",
            "minor",
            "subtle",
            "subtly",
            "faint",
            "minimal",
            "a bit",
            "a little",
            "somewhat",
            "barely",
        ),
    },
}


def _stem(word: str) -> str:
    """Crude suffix stripping: enough to equate blurry/blurred/blurriness, noise/noisy."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word[-2] in "su":  # focus, glass: not plurals
                continue
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # blurr -> blur
    return word


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"<think>.*?</think>", " ", text, flags=re.DOTALL)
    text = text.replace("’", "'").replace("n't", " not").replace("cannot", "can not")
    text = re.sub(r"[-_/]", " ", text)
    return text


_TOKEN_RE = re.compile(r"[a-z0-9']+|[.,;:!?()]")


def _words(text: str) -> list[str]:
    """Tokens of normalised text; punctuation is kept as scope-breaking tokens."""
    out = []
    for tok in _TOKEN_RE.findall(_normalise(text)):
        tok = tok.strip("'")
        if tok.endswith("'s"):
            tok = tok[:-2]
        if tok:
            out.append(_SPELLING.get(tok, tok))
    return out


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _words(phrase))


def _build_phrases() -> dict[tuple[str, ...], list[tuple[str, str]]]:
    phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for group, values in _LEXICON.items():
        for value, surface in values.items():
            for phrase in surface:
                facts = phrases.setdefault(_phrase_key(phrase), [])
                if (group, value) not in facts:
                    facts.append((group, value))
    return phrases


_PHRASES = _build_phrases()
_MAX_PHRASE = max(len(k) for k in _PHRASES)
_BIPOLAR = {g for g, v in _LEXICON.items() if set(v) <= {"+", "-"}}
_PUNCT = frozenset(".,;:!?()")


@dataclass(frozen=True)
class _Analysis:
    facts: dict[str, set[str]]  # group -> values asserted
    content: Counter[str]  # stemmed content words, negated ones as "not_x"


def _analyse(text: str) -> _Analysis:
    words = _words(text)
    stems = [w if w in _PUNCT else _stem(w) for w in words]
    negated = [False] * len(words)
    scope = 0
    for i, w in enumerate(words):
        if w in _PUNCT or w in _SCOPE_BREAKERS:
            scope = 0
        elif w == "free" and i > 0 and (i + 1 >= len(words) or words[i + 1] != "of"):
            negated[i - 1] = True  # "noise free", "artifact-free"
        elif w in _NEGATION_CUES or (w == "free" and i + 1 < len(words)):
            scope = NEGATION_WINDOW + (1 if w == "free" else 0)  # "free of X"
        elif scope:
            negated[i] = True
            scope -= 1
    facts: dict[str, set[str]] = {}
    i = 0
    while i < len(stems):
        for n in range(min(_MAX_PHRASE, len(stems) - i), 0, -1):  # longest match first
            found = _PHRASES.get(tuple(stems[i : i + n]))
            if found:
                # A phrase carrying its own cue ("lack of sharpness") is not negated by it.
                neg = negated[i] and not _NEGATION_CUES.intersection(words[i : i + n])
                for group, value in found:
                    if neg and group in _BIPOLAR:
                        value = "-" if value == "+" else "+"
                    elif neg:
                        continue  # "not an oil painting" asserts no category
                    facts.setdefault(group, set()).add(value)
                i += n
                break
        else:
            i += 1
    content: Counter[str] = Counter()
    for w, s, neg in zip(words, stems, negated, strict=False):
        if w in _PUNCT or w in _STOPWORDS or w in _NEGATION_CUES or w == "free":
            continue
        content["not_" + s if neg else s] += 1
    return _Analysis(facts, content)


def _f1(answer: Counter[str], reference: Counter[str]) -> float:
    common = sum((answer & reference).values())
    if not common:
        return 0.0
    precision = common / sum(answer.values())
    recall = common / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class ApproxScore:
    score: int
    f1: float
    key_credit: float
    key_total: float
    sim: float
    contradicted: tuple[str, ...]
    matched: tuple[str, ...]

    def explain(self) -> str:
        """Raw judge text; ends with `Score: N` like an LLM judge's reply."""
        keys = (
            f"key-terms={self.key_credit:g}/{self.key_total:g}"
            if self.key_total
            else "key-terms=none"
        )
        parts = [f"approx {APPROX_MODEL}: F1={self.f1:.2f}", keys, f"sim={self.sim:.2f}"]
        if self.matched:
            parts.append("matched=" + ",".join(self.matched))
        if self.contradicted:
            parts.append("contradicted=" + ",".join(self.contradicted))
        return " ".join(parts) + f" -> Score: {self.score}"


def approx_score(question: str, reference: str, answer: str) -> ApproxScore:
    """Score one answer against its reference; see the module docstring for the rule."""
    ref, ans, q = _analyse(reference), _analyse(answer), _analyse(question)
    ref_content = Counter({t: c for t, c in ref.content.items() if t not in q.content})
    ans_content = Counter({t: c for t, c in ans.content.items() if t not in q.content})
    if not ref_content:  # the reference only restates the question: compare everything
        ref_content, ans_content = ref.content, ans.content
    f1 = _f1(ans_content, ref_content)
    credit, total, matched, contradicted = 0.0, 0.0, [], []
    new_fact_matched = False  # a matched fact the question did not already state
    for group, values in sorted(ref.facts.items()):
        given = values <= q.facts.get(group, set())
        weight = (MODIFIER_WEIGHT if group in MODIFIER_GROUPS else 1.0) * (
            GIVEN_WEIGHT if given else 1.0
        )
        total += weight
        said = ans.facts.get(group)
        if not said:
            continue
        hit, miss = bool(said & values), bool(said - values)
        if hit:
            credit += weight * (0.5 if miss else 1.0)
            matched.append(group)
            new_fact_matched |= not given
        else:
            contradicted.append(group)
    sim = KEY_WEIGHT * credit / total + (1 - KEY_WEIGHT) * f1 if total else f1
    main_contradicted = any(g not in MODIFIER_GROUPS for g in contradicted)
    main_matched = any(g not in MODIFIER_GROUPS for g in matched)
    if main_contradicted and not main_matched:
        score = 0  # e.g. "sharp" for a blurred face
    elif f1 == 0 and not new_fact_matched:
        score = 0  # nothing beyond what the question already says
    elif sim >= THRESHOLD_2 and f1 >= MIN_F1_FOR_2 and not contradicted:
        score = 2
    elif sim >= THRESHOLD_1:
        score = 1
    else:
        score = 0
    return ApproxScore(score, f1, credit, total, sim, tuple(contradicted), tuple(matched))


class ApproxJudge:
    """`Judge` that needs no network: deterministic lexical agreement (see module docs)."""

    def __init__(self) -> None:
        self.info = JudgeInfo(backend="approx", model=APPROX_MODEL, approximate=True)

    def judge(
        self,
        requests: Sequence[JudgeRequest],
        progress: Progress | None = None,
        budget: BudgetMeter | None = None,
    ) -> list[Judgement]:
        """One judgement per request; `budget` is not charged: no call is made, and the
        work per answer is bounded by the judge's answer cap (`scoring.judge_open`)."""
        out = []
        for i, r in enumerate(requests, 1):
            result = approx_score(r.question, r.reference, r.answer)
            out.append(Judgement(result.score, result.explain(), "judged"))
            if progress and (i % 100 == 0 or i == len(requests)):
                progress(i, len(requests))
        return out

    def close(self) -> None:
        """Nothing to release; present so every backend can be closed the same way."""
