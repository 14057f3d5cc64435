"""The offline approximate judge: paraphrase -> 2, partial -> 1, wrong/other issue/generic -> 0."""

from __future__ import annotations

import pytest

from leaderboard.judges import JudgeRequest
from leaderboard.judges.approx import APPROX_MODEL, ApproxJudge, approx_score
from leaderboard.judges.reference import parse_score

BLUR_Q = "How does the blur affect the subject's face in this portrait?"
BLUR_REF = (
    "The face is noticeably blurred, so the eyes and facial features lack sharpness "
    "and fine details like the eyelashes are lost."
)
NOISE_Q = "What is the main technical distortion in this image?"
NOISE_REF = (
    "Heavy noise: grainy speckles cover the whole image, especially visible in the "
    "dark background and on the skin."
)
EXPO_Q = "How is the exposure of the portrait?"
EXPO_REF = (
    "The image is overexposed: the highlights on the forehead and cheeks are blown out "
    "and the skin looks washed out."
)
HAND_Q = "Are there any anatomical errors in the generated portrait?"
HAND_REF = (
    "Yes, the left hand has six fingers and two of the fingers are fused together, "
    "which looks unnatural."
)
MOOD_Q = "What emotion does the portrait convey?"
MOOD_REF = (
    "A calm, melancholic mood: the subject's downcast gaze and muted colors convey quiet sadness."
)
COMP_Q = "Describe the composition of this portrait."
COMP_REF = (
    "The subject is placed off-center following the rule of thirds, with negative "
    "space on the left that balances the frame."
)
LIGHT_Q = "How does the lighting affect the portrait?"
LIGHT_REF = (
    "Soft, diffused light from the window evenly illuminates the face, giving gentle "
    "shadows and a natural skin tone."
)
SKIN_Q = (
    "Considering the whole image, how do global noise and compression influence the "
    "appearance of the subject's skin tones and the headband?"
)
SKIN_REF = (
    "The noise and compression make the skin tones look blotchy and uneven, and the "
    "headband shows blocky artifacts that hide its woven texture."
)
STYLE_Q = "What artistic style is this portrait painted in?"
STYLE_REF = (
    "It is an impressionist oil painting with loose, visible brushstrokes and soft, blended colors."
)
TEXTURE_Q = "How realistic is the skin texture of this generated face?"
TEXTURE_REF = (
    "Not realistic: the skin is overly smooth and waxy, like plastic, with no visible pores."
)
COLOR_Q = "How are the colors in the image?"
COLOR_REF = (
    "The colors are oversaturated with a strong red cast, making the skin look unnaturally red."
)

CASES = [
    # (question, reference, model answer, expected score, what it checks)
    (
        BLUR_Q,
        BLUR_REF,
        "The subject's face appears quite blurry; the eyes and other features "
        "aren't sharp and small details such as the eyelashes are lost.",
        2,
        "paraphrase",
    ),
    (BLUR_Q, BLUR_REF, "The face is blurry, so the eyes are not sharp.", 1, "few details"),
    (BLUR_Q, BLUR_REF, "There is some blur on the face.", 0, "restates the question"),
    (
        BLUR_Q,
        BLUR_REF,
        "The face is slightly blurred, but the eyes remain sharp.",
        1,
        "right issue, wrong detail",
    ),
    (
        BLUR_Q,
        BLUR_REF,
        "The face is sharp and clear with well-defined features.",
        0,
        "opposite polarity",
    ),
    (BLUR_Q, BLUR_REF, "The image has a pleasing composition and nice colors.", 0, "generic"),
    (
        NOISE_Q,
        NOISE_REF,
        "The biggest problem is strong noise - the picture is very grainy all "
        "over, most visible in the dark background and the skin.",
        2,
        "paraphrase",
    ),
    (NOISE_Q, NOISE_REF, "The image is a bit noisy.", 1, "right issue, wrong severity"),
    (NOISE_Q, NOISE_REF, "The main distortion is motion blur on the face.", 0, "other issue"),
    (NOISE_Q, NOISE_REF, "The image is clean and noise-free.", 0, "negated issue"),
    (
        NOISE_Q,
        NOISE_REF,
        "The portrait shows a woman with long hair against a dark background.",
        0,
        "describes content, not quality",
    ),
    (NOISE_Q, NOISE_REF, "The image quality is average.", 0, "generic"),
    (
        EXPO_Q,
        EXPO_REF,
        "It's over-exposed, with blown highlights on the forehead and cheeks, "
        "leaving the skin washed out.",
        2,
        "paraphrase",
    ),
    (EXPO_Q, EXPO_REF, "The image is too bright.", 1, "right issue, no detail"),
    (
        EXPO_Q,
        EXPO_REF,
        "The highlights on the forehead and cheeks are blown out.",
        2,
        "the facts, other words",
    ),
    (
        EXPO_Q,
        EXPO_REF,
        "The portrait is underexposed and too dark, with details lost in the shadows.",
        0,
        "opposite exposure",
    ),
    (
        HAND_Q,
        HAND_REF,
        "Yes - the left hand shows six fingers, and two fingers are merged "
        "together, which looks unnatural.",
        2,
        "paraphrase",
    ),
    (HAND_Q, HAND_REF, "The hand looks a bit deformed.", 1, "vague"),
    (HAND_Q, HAND_REF, "Yes, there are anatomical errors.", 0, "restates the question"),
    (HAND_Q, HAND_REF, "No, the anatomy looks correct and the hands are natural.", 0, "denial"),
    (
        MOOD_Q,
        MOOD_REF,
        "It feels peaceful yet melancholic, with the lowered, downcast gaze and "
        "muted palette suggesting quiet sadness.",
        2,
        "paraphrase",
    ),
    (MOOD_Q, MOOD_REF, "The portrait feels calm.", 1, "half the mood"),
    (
        MOOD_Q,
        MOOD_REF,
        "The portrait conveys joy and excitement; the subject is smiling happily.",
        0,
        "opposite mood",
    ),
    (
        COMP_Q,
        COMP_REF,
        "The person sits off centre according to the rule of thirds, and the "
        "empty space on the left balances the frame.",
        2,
        "paraphrase",
    ),
    (COMP_Q, COMP_REF, "The composition follows the rule of thirds.", 1, "partial"),
    (COMP_Q, COMP_REF, "The subject is centered symmetrically in the frame.", 0, "contradiction"),
    (
        LIGHT_Q,
        LIGHT_REF,
        "The window provides soft, diffused lighting that lights the face "
        "evenly, creating gentle shadows and natural skin tones.",
        2,
        "paraphrase",
    ),
    (
        LIGHT_Q,
        LIGHT_REF,
        "Harsh direct light creates strong shadows across the face.",
        0,
        "opposite lighting",
    ),
    (
        SKIN_Q,
        SKIN_REF,
        "Skin tones become blotchy and uneven because of noise and compression, "
        "while the headband has blocky artifacts that hide its woven texture.",
        2,
        "paraphrase",
    ),
    (SKIN_Q, SKIN_REF, "The skin tones look blotchy.", 1, "half the answer"),
    (
        SKIN_Q,
        SKIN_REF,
        "Global noise and compression influence the appearance of the subject's "
        "skin tones and the headband.",
        0,
        "echoes the question",
    ),
    (
        STYLE_Q,
        STYLE_REF,
        "An oil painting in the impressionism style, with loose, visible brush "
        "strokes and softly blended colours.",
        2,
        "paraphrase",
    ),
    (STYLE_Q, STYLE_REF, "It is an oil painting.", 1, "medium only"),
    (STYLE_Q, STYLE_REF, "It is a cubist work built from geometric shapes.", 0, "other style"),
    (
        TEXTURE_Q,
        TEXTURE_REF,
        "It looks unrealistic: the skin is too smooth, waxy and "
        "plastic-like, and no pores are visible.",
        2,
        "paraphrase",
    ),
    (
        TEXTURE_Q,
        TEXTURE_REF,
        "The skin texture is realistic and natural, with visible pores and fine detail.",
        0,
        "opposite",
    ),
    (
        COLOR_Q,
        COLOR_REF,
        "Colours are over-saturated and there is a strong reddish cast that "
        "makes the skin appear unnaturally red.",
        2,
        "paraphrase",
    ),
    (COLOR_Q, COLOR_REF, "The colors are muted and natural.", 0, "opposite"),
    (COLOR_Q, COLOR_REF, "I'm sorry, I cannot see the image.", 0, "refusal"),
    (COLOR_Q, COLOR_REF, "", 0, "empty"),
]


@pytest.mark.parametrize(
    "question,reference,answer,expected,why",
    CASES,
    ids=[f"{i}-{c[4]}" for i, c in enumerate(CASES)],
)
def test_hand_written_examples(question, reference, answer, expected, why):
    result = approx_score(question, reference, answer)
    assert result.score == expected, result.explain()


def test_judge_reports_itself_as_approximate_and_explains_each_score():
    judge = ApproxJudge()
    requests = [JudgeRequest(q, r, a) for q, r, a, *_ in CASES[:6]]
    seen = []
    out = judge.judge(requests, progress=lambda done, total: seen.append((done, total)))
    assert judge.info.approximate is True
    assert judge.info.backend == "approx" and judge.info.model == APPROX_MODEL
    assert [j.status for j in out] == ["judged"] * 6
    assert seen[-1] == (6, 6)
    for judgement in out:
        assert judgement.raw.startswith("approx")
        assert "F1=" in judgement.raw and "key-terms=" in judgement.raw
        # the raw text ends like an LLM judge's reply, and says the same score
        assert parse_score(judgement.raw) == judgement.score


def test_deterministic():
    requests = [JudgeRequest(q, r, a) for q, r, a, *_ in CASES]
    first = ApproxJudge().judge(requests)
    assert ApproxJudge().judge(requests) == first


def test_identical_answer_scores_2_and_think_blocks_are_ignored():
    assert approx_score(BLUR_Q, BLUR_REF, BLUR_REF).score == 2
    thinking = "<think>Maybe the face is sharp? Score: 0</think>" + BLUR_REF
    assert approx_score(BLUR_Q, BLUR_REF, thinking).score == 2


def test_reference_without_key_terms_falls_back_to_word_overlap():
    q = "What object is the subject holding?"
    ref = "She is holding a red umbrella above her head."
    assert approx_score(q, ref, "A red umbrella, held above her head.").score == 2
    assert approx_score(q, ref, "A cup of coffee.").score == 0
