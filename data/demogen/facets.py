"""Wording of each sub-dimension: rating scale, kinds of problem, regions, statements.

A demo image carries a severity `level` (0 = best, 3 = worst) and a `kind` (which effect
was applied); the question templates turn those into gold answers, so the text of every
item agrees with what its image shows.
"""

from __future__ import annotations

from dataclasses import dataclass

#: (noun phrase, plural?) of the region a local question points at.
Part = tuple[str, bool]
WHOLE: Part = ("the image", False)


@dataclass(frozen=True)
class Facet:
    """How questions about one sub-dimension are worded."""

    aspect: str  # "sharpness"
    levels: tuple[str, str, str, str]  # rating scale, best first, as predicate adjectives
    kinds: dict[str, str]  # implemented effect -> noun phrase
    extra_kinds: tuple[str, ...]  # plausible distractor kinds, never applied
    kind_noun: str  # "kind of blur"
    kind_sentence: str  # "{Where} {is} affected mainly by {kind}."
    parts: tuple[Part, ...]  # regions for local questions
    good: tuple[str, str]  # statements true at level 0
    mild: tuple[str, str]  # true at level 1
    bad: tuple[str, str]  # true at levels 2-3
    kind_levels: dict[str, tuple[int, ...]] | None = None  # kinds tied to levels (aesthetics)
    kind_at_level0: bool = False  # whether a best-quality image still has a kind (mood, style)
    local_kinds: bool = True  # False: the kind describes the whole frame only (framing)
    #: other sub-dimensions whose problems this one's effects can resemble (a graded mood
    #: shifts colours; an over-smoothed texture looks blurred): never used as distractors
    resembles: tuple[str, ...] = ()
    kind_in_answer: str = "{kind}"  # how the kind reads after "..., with" in a reference answer


def _p(phrase: str, plural: bool = False) -> Part:
    return (phrase, plural)


FACETS: dict[str, Facet] = {
    "Noise": Facet(
        aspect="noise level",
        levels=(
            "clean, with no visible noise",
            "lightly grainy",
            "noticeably noisy",
            "heavily noisy",
        ),
        kinds={"luma": "fine luminance grain", "chroma": "coloured (chroma) speckle noise"},
        extra_kinds=("salt-and-pepper dots", "horizontal banding stripes"),
        kind_noun="kind of noise",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the skin on the subject's face"),
            _p("the background"),
            _p("the subject's hair"),
            _p("the subject's clothing"),
        ),
        good=("Smooth areas in {where} look clean.", "Texture in {where} is free of grain."),
        mild=(
            "A faint grain is visible in {where} on close inspection.",
            "Fine texture in {where} is still readable despite some grain.",
        ),
        bad=(
            "Grain is clearly visible throughout {where}.",
            "Speckles mask the fine texture in {where}.",
        ),
    ),
    "Blur": Facet(
        aspect="sharpness",
        levels=(
            "sharp, with no visible blur",
            "slightly soft",
            "noticeably blurred",
            "severely blurred",
        ),
        kinds={"defocus": "defocus (out-of-focus) blur", "motion": "motion blur"},
        extra_kinds=("tilt-shift miniature blur", "a soft-focus glow filter"),
        kind_noun="kind of blur",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the subject's eyes", True),
            _p("the subject's hair"),
            _p("the subject's mouth and lips", True),
            _p("the outline of the subject's face"),
            _p("the background"),
        ),
        good=("Fine details in {where} are crisp.", "Edges in {where} are clearly defined."),
        mild=(
            "Fine details in {where} are a little soft but still readable.",
            "Edges in {where} have lost a small amount of crispness.",
        ),
        bad=("Fine details in {where} are smeared.", "Edges in {where} look soft and indistinct."),
    ),
    "Exposure": Facet(
        aspect="exposure",
        levels=(
            "well exposed",
            "slightly mis-exposed",
            "clearly mis-exposed",
            "severely mis-exposed",
        ),
        kinds={
            "over": "overexposure with clipped highlights",
            "under": "underexposure with crushed shadows",
        },
        extra_kinds=("uneven flash fall-off", "HDR halos around the subject"),
        kind_noun="exposure problem",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the subject's forehead and cheeks", True),
            _p("the subject's hair"),
            _p("the background"),
            _p("the subject's eyes", True),
        ),
        good=(
            "Highlights and shadows in {where} both keep their detail.",
            "Brightness in {where} looks natural.",
        ),
        mild=(
            "Brightness in {where} is a little off but detail survives.",
            "Only the extreme tones in {where} have lost some detail.",
        ),
        bad=(
            "Large areas of {where} have lost detail to clipping.",
            "Brightness in {where} looks clearly unnatural.",
        ),
    ),
    "Color": Facet(
        aspect="colour rendition",
        levels=(
            "natural and accurate in colour",
            "slightly tinted",
            "noticeably tinted",
            "strongly tinted",
        ),
        kinds={
            "blue": "a blue colour cast",
            "yellow": "a yellow-orange colour cast",
            "magenta": "a magenta colour cast",
            "green": "a green colour cast",
        },
        extra_kinds=("washed-out, desaturated colours", "oversaturated, neon-like colours"),
        kind_noun="colour problem",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the skin on the subject's face"),
            _p("the subject's lips", True),
            _p("the background"),
            _p("the subject's hair"),
        ),
        good=("Colours in {where} look natural.", "Neutral tones in {where} stay neutral."),
        mild=(
            "Colours in {where} carry a faint tint.",
            "Neutral tones in {where} lean slightly towards one hue.",
        ),
        bad=(
            "Colours in {where} are clearly shifted by a tint.",
            "Neutral tones in {where} are visibly tinted.",
        ),
    ),
    "Artifacts": Facet(
        aspect="artifact level",
        levels=(
            "free of artifacts",
            "showing slight artifacts",
            "showing clear artifacts",
            "showing severe artifacts",
        ),
        kinds={
            "jpeg": "JPEG blocking",
            "pixel": "pixelation",
            "banding": "colour banding",
            "ringing": "ringing halos along edges",
        },
        extra_kinds=("moire patterns", "interlacing lines"),
        kind_noun="kind of artifact",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the edges of the subject's hair", True),
            _p("the background"),
            _p("the skin on the subject's face"),
            _p("the subject's clothing"),
        ),
        good=(
            "{Where} {is} clean, without visible processing artifacts.",
            "Edges and gradients in {where} look clean.",
        ),
        mild=(
            "Faint artifacts appear in {where} on close inspection.",
            "Fine detail in {where} is slightly disrupted by artifacts.",
        ),
        bad=(
            "Processing artifacts are obvious in {where}.",
            "Fine detail in {where} is clearly disrupted by artifacts.",
        ),
        resembles=("Blur",),
    ),
    "Anatomy": Facet(
        aspect="anatomical plausibility",
        levels=(
            "anatomically plausible",
            "showing minor anatomical flaws",
            "showing clear anatomical errors",
            "severely distorted anatomically",
        ),
        kinds={
            "warp": "warped, swirling facial features",
            "dup": "a duplicated facial feature",
            "stretch": "unnaturally stretched proportions",
        },
        extra_kinds=("extra fingers on a hand", "a missing ear"),
        kind_noun="anatomical error",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the subject's eyes", True),
            _p("the subject's mouth"),
            _p("the shape of the subject's face"),
            _p("the subject's neck and shoulders", True),
        ),
        good=(
            "The proportions of {where} look natural.",
            "The shapes in {where} are what a real person would have.",
        ),
        mild=(
            "{Where} {is} mostly plausible with a small irregularity.",
            "A slight asymmetry is visible in {where}.",
        ),
        bad=(
            "The shape of {where} is implausible for a real person.",
            "{Where} {shows} deformations a real body could not have.",
        ),
        resembles=("Blur",),
    ),
    "Texture": Facet(
        aspect="texture realism",
        levels=(
            "natural and detailed in texture",
            "slightly artificial in texture",
            "clearly artificial in texture",
            "severely artificial in texture",
        ),
        kinds={
            "smooth": "over-smoothed, plastic-looking surfaces",
            "tiled": "repetitive tiled patterns",
            "blotch": "blotchy, mottled patches",
        },
        extra_kinds=("over-sharpened, crunchy detail", "canvas-like cross-hatching"),
        kind_noun="texture problem",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the skin on the subject's face"),
            _p("the subject's hair"),
            _p("the subject's clothing"),
            _p("the background"),
        ),
        good=("Texture in {where} looks natural.", "{Where} {has} believable fine detail."),
        mild=(
            "Texture in {where} is slightly too uniform.",
            "Fine detail in {where} looks a little synthetic.",
        ),
        bad=(
            "Texture in {where} looks obviously synthetic.",
            "Fine detail in {where} is missing or repetitive.",
        ),
        resembles=("Blur",),
    ),
    "Semantics": Facet(
        aspect="semantic consistency",
        levels=(
            "fully coherent",
            "slightly inconsistent",
            "clearly inconsistent",
            "severely incoherent",
        ),
        kinds={
            "dup": "a duplicated object in the frame",
            "merge": "an object merging into the subject",
            "flip": "background elements that make no physical sense",
        },
        extra_kinds=("garbled text-like symbols", "shadows falling in two directions"),
        kind_noun="semantic error",
        kind_sentence="{Where} {is} affected mainly by {kind}.",
        parts=(
            _p("the background"),
            _p("the area around the subject's head"),
            _p("the subject's clothing"),
            _p("the edges of the frame", True),
        ),
        good=(
            "Everything in {where} fits together logically.",
            "{Where} {contains} nothing out of place.",
        ),
        mild=(
            "{Where} {contains} one small detail that looks slightly off.",
            "Most of {where} is coherent, with a minor oddity.",
        ),
        bad=(
            "{Where} {contains} elements that clearly do not belong.",
            "Objects in {where} contradict each other.",
        ),
    ),
    "Emotion": Facet(
        aspect="emotional tone",
        levels=(
            "strongly evocative",
            "clearly expressive",
            "only weakly expressive",
            "emotionally flat",
        ),
        kinds={
            "calm": "calm and serene",
            "cheerful": "cheerful and warm",
            "gloomy": "melancholic and gloomy",
            "tense": "tense and dramatic",
        },
        extra_kinds=(),
        kind_noun="mood",
        kind_sentence="The mood conveyed by {where} is {kind}.",
        parts=(
            _p("the subject's eyes", True),
            _p("the subject's expression"),
            _p("the colour palette of the background"),
            _p("the subject's posture"),
        ),
        good=(
            "{Where} strongly {supports} the mood of the portrait.",
            "{Where} {conveys} the feeling immediately.",
        ),
        mild=(
            "{Where} {supports} the mood, though not strongly.",
            "{Where} {conveys} a recognisable but restrained feeling.",
        ),
        bad=("{Where} {does} little to convey a mood.", "{Where} {feels} emotionally neutral."),
        kind_at_level0=True,
        resembles=("Exposure", "Color"),
        kind_in_answer="a {kind} mood",
    ),
    "Composition": Facet(
        aspect="composition",
        levels=("well composed", "reasonably composed", "awkwardly composed", "poorly composed"),
        kinds={
            "centred": "centred, symmetric framing",
            "thirds": "off-centre placement following the rule of thirds",
            "tilted": "a tilted, unbalanced frame",
            "cropped": "a tight crop that cuts off the top of the head",
        },
        extra_kinds=(),
        kind_noun="framing",
        kind_sentence="{Where} {shows} {kind}.",
        parts=(
            _p("the placement of the subject's face"),
            _p("the background"),
            _p("the space above the subject's head"),
            _p("the edges of the frame", True),
        ),
        good=("{Where} {supports} a balanced layout.", "{Where} {leads} the eye to the subject."),
        mild=(
            "{Where} {is} acceptable but could be better balanced.",
            "{Where} only partly {supports} the layout.",
        ),
        bad=("{Where} {unbalances} the layout.", "{Where} {distracts} from the subject."),
        kind_levels={"centred": (0, 1), "thirds": (0, 1), "tilted": (2, 3), "cropped": (2, 3)},
        kind_at_level0=True,
        local_kinds=False,
    ),
    "Lighting": Facet(
        aspect="lighting",
        levels=("beautifully lit", "adequately lit", "poorly lit", "very poorly lit"),
        kinds={
            "soft": "soft, even front lighting",
            "side": "strong directional side lighting",
            "back": "backlighting that leaves the face dark",
            "harsh": "harsh, high-contrast lighting",
        },
        extra_kinds=(),
        kind_noun="lighting setup",
        kind_sentence="{Where} {is} lit with {kind}.",
        parts=(
            _p("the subject's face"),
            _p("the subject's eyes", True),
            _p("the background"),
            _p("the subject's hair"),
        ),
        good=("Light on {where} is flattering.", "{Where} {is} clearly modelled by the light."),
        mild=(
            "Light on {where} is acceptable if unremarkable.",
            "{Where} {is} lit evenly but without much depth.",
        ),
        bad=("Light on {where} is unflattering.", "Shadows on {where} hide important detail."),
        kind_levels={"soft": (0, 1), "side": (0, 1, 2), "back": (2, 3), "harsh": (2, 3)},
        kind_at_level0=True,
        resembles=("Exposure",),
    ),
    "Style": Facet(
        aspect="artistic style",
        levels=(
            "distinctive and well executed in style",
            "coherent in style",
            "somewhat inconsistent in style",
            "muddled and inconsistent in style",
        ),
        kinds={
            "oil": "a painterly, oil-paint look",
            "cartoon": "flat cartoon (cel) shading",
            "sepia": "vintage sepia toning",
            "mono": "high-contrast black-and-white",
        },
        extra_kinds=("pointillist dots", "a pencil-sketch look"),
        kind_noun="style",
        kind_sentence="{Where} {is} rendered with {kind}.",
        parts=(
            _p("the rendering of the subject's face"),
            _p("the background"),
            _p("the subject's hair"),
            _p("the subject's clothing"),
        ),
        good=(
            "{Where} {is} rendered consistently with the style.",
            "The treatment of {where} is deliberate and cohesive.",
        ),
        mild=(
            "{Where} {follows} the style with small lapses.",
            "The treatment of {where} is mostly cohesive.",
        ),
        bad=(
            "{Where} {breaks} the overall style.",
            "{Where} {looks} unfinished next to the rest of the image.",
        ),
        kind_at_level0=True,
        resembles=("Color", "Blur"),
    ),
}

#: Sub-dimensions whose "bad" statements serve as off-topic distractors: photographic
#: problems that demo images of other sub-dimensions do not have (see `Facet.resembles`).
FOREIGN_SOURCES: tuple[str, ...] = ("Noise", "Blur", "Exposure", "Color")
#: Problems an image source's own look can resemble (stylised images are smoothed, artworks
#: have free palettes).
SOURCE_RESEMBLES: dict[str, tuple[str, ...]] = {
    "NI": (),
    "SDI": (),
    "AGI": ("Blur",),
    "AI": ("Blur", "Color"),
    "CGI": ("Blur",),
}

_VERBS: dict[str, tuple[str, str]] = {  # singular, plural
    "is": ("is", "are"),
    "has": ("has", "have"),
    "shows": ("shows", "show"),
    "contains": ("contains", "contain"),
    "supports": ("supports", "support"),
    "conveys": ("conveys", "convey"),
    "does": ("does", "do"),
    "feels": ("feels", "feel"),
    "leads": ("leads", "lead"),
    "unbalances": ("unbalances", "unbalance"),
    "distracts": ("distracts", "distract"),
    "follows": ("follows", "follow"),
    "breaks": ("breaks", "break"),
    "looks": ("looks", "look"),
}


def fill(template: str, part: Part, **extra: str) -> str:
    """Format a statement template for a region, with verb agreement and a capital start."""
    phrase, plural = part
    words = {v: forms[plural] for v, forms in _VERBS.items()}
    text = template.format(where=phrase, Where=phrase, **words, **extra)
    return text[0].upper() + text[1:]
