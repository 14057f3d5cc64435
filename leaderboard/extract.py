"""Reference answer extraction: a model's raw text -> a normalised answer and a status.

Deterministic by design. When the text does not say which answer it means, the item is
`unreadable` (it scores 0 and is counted in the report); it is never guessed at random or
matched to the "closest" option. The raw text is never changed: callers keep it beside the
result for the drill-down view.

First, a made-up next turn is cut off: models continue past their answer with "Question:
... Answer: (A)", "###Human:", "USER:" or a leaked chat template. The model's own part
decides when it holds anything (an answer, a hedge or a refusal); only when it holds
nothing is the first block read (the model restated the question, then answered it).

Evidence is then read in tiers, strongest first; the first tier that finds anything decides:

1. cues: "answer is (C)", "Answer: C", "I choose C", "答案是C", "C is correct"; a strong
   cue may name the option by its text ('The correct answer is "Overexposed."', MC
   "Answers: A. <text>, C. <text>"). The last cue in the text wins, so self-corrections
   ("A. Wait, actually the answer is C") count. TF: "the statement is false", "So, no, ...",
   "I would say no.".
2. labels: the whole response, one of its lines or its final sentence is a label ("B",
   "(B)", "B.", "B. Slightly blurry", "Option B"; TF also a leading "No, ..."); or the first
   sentence names options by text and letter together ("Cool (B): ..."), whatever the
   letters discussed after it.
3. bare standalone capital letters (SC: exactly one distinct letter; MC: the set), minus
   letters being ruled out ("not A", "A is wrong", "eliminate B"); TF: polarity words
   (true/false first, then correct/yes/...), negation-aware ("not true" is False); an
   adjective before a noun ("the most accurate data", "false contours") is no verdict.
4. option texts quoted as phrases (SC: exactly one; MC: the set), negated or ruled-out ones
   excluded. Only when no option text appears verbatim, a loose match: articles, a plural
   "s" and a degree adverb's "-ly" are ignored ("a slight rise" is "Slightly rise").

Tiers 3 and 4 are weak evidence. They are skipped when the response is a refusal ("I can't
determine ...") that is not followed by a "but ..." continuation, so "I can't tell whether
option B applies" is `refused`, not "B". A refusal only becomes the status when nothing
else could be read.

Decisions on ambiguous answers (each is a row of tests/data/extraction_cases.csv or of
tests/data/extract_real.jsonl, the outputs in real result-file styles):
- A whole answer "b" or "a" is the label B / A; a lowercase letter elsewhere counts only
  right after a cue ("answer: c"). The article "A" (capital "A" before a lower-case word
  such as "slight") is never a letter, also after a cue; "A is", "A and", "A because" are.
- SC: two letters with no cue ("A or C", "A and C"), two quoted option texts, or a cue
  that hedges ("the answer is B or C") are unreadable; a later cue still decides ("B or C,
  probably B" is B). MC: "or" inside the answer list is a hedge, so unreadable too.
- MC: the last "answer is ..." cue gives the whole set; without one, separate affirmations
  add up ("A is correct. C is also correct." is AC). "All of the above" is ABCD.
- Per-option verdict lists ("A. Yes / B. No / ...") keep the options not rejected.
- A text that only lists the four options (also as "X. <text>" lines for MC, or as
  "<text> (X)" pairs), or says "None of the options", is unreadable.
- A weak cue ("so", "therefore") names letters only when the clause ends or says what they
  are after them: "so A, B and C each describe part of it" names nothing.
- Items with fewer than four options (Q-Bench's "N/A" padding dropped): a letter past the
  item's options names none of them (unreadable); "all of the above" is all of its options.
- TF asked with lettered options (A. Yes  B. No): a letter read as for SC means its option's
  judgement; if the verdict words say the opposite, the answer is unreadable.
- A follow-up is cut at "Question:", "Q:", "Human:", "User:", "Instruction:", "问题:" opening
  a line, at "###Human" anywhere, or at a chat-template token; "Question type:" is no
  follow-up. OE answers are cut the same way before they go to the judge.
- An unclosed <think> block (a truncated reasoning trace) is dropped entirely: the model
  never gave its answer, so nothing in the reasoning is read as one (unreadable).
- TF: "partially true", "yes and no", or both verdict words with no cue are unreadable;
  "right" counts only as a verdict ("that's right."), never as a direction ("right eye");
  "no" only as an opening or closing answer ("No, ...", "So, no.") or set off by commas
  ("After checking, no, they are not clipped"), never as "no blur" or "So no one ...".
- OE: a short refusal with no "but ..." answer is refused; otherwise the text is the
  answer and goes to the judge.

Speed: one benchmark run is 2,765 answers, re-extracted on every upload and re-score. All
patterns are compiled at import. Keyword scans run on an ASCII-lower-cased copy without
re.IGNORECASE and start every alternative with a plain literal (the word-boundary check
sits after it), which lets `re` skip ahead by first character; letter lists are matched
anchored at the few positions where a capital A-D stands alone.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from leaderboard.taxonomy import OPTION_LETTERS, QTYPES, TF_VALUES

__all__ = ["EXTRACTOR_VERSION", "STATUSES", "Extraction", "normalise", "extract"]

#: The rule set's version: bump it with any change that can read an answer differently, so a
#: re-score says "extractor X -> Y" in its change record (leaderboard/changes.py).
EXTRACTOR_VERSION = "1.0.0"
STATUSES: tuple[str, ...] = ("ok", "unreadable", "refused", "missing")


@dataclass(frozen=True)
class Extraction:
    """One extracted answer. `parsed` is None unless `status` is "ok"."""

    parsed: str | None  # SC "B"; MC sorted distinct letters "AC"; TF "True"/"False"; OE text
    status: str  # one of STATUSES


_MISSING = Extraction(None, "missing")
_UNREADABLE = Extraction(None, "unreadable")
_REFUSED = Extraction(None, "refused")
_TRUE, _FALSE = TF_VALUES
_AMBIGUOUS: frozenset[str] = frozenset()  # a tier decided, but on no single answer


def _kw(words: Iterable[str], tail: str = "", guard: bool = True) -> list[str]:
    """Alternatives for the lower-cased text, each led by its literal first character.

    The "no letter or digit before" check is a lookbehind placed after that character, so
    the compiled pattern keeps a first-character set and `re` skips non-candidates fast.
    """
    out = []
    for w in words:
        if w[0] in "([\\":
            raise ValueError(f"keyword must start with a literal character: {w!r}")
        head = re.escape(w[0])
        check = f"(?<![a-z0-9]{head})" if guard and w[0].isascii() and w[0].isalnum() else ""
        out.append(f"{head}{check}{w[1:]}{tail}")
    return out


def _alt(*parts: list[str]) -> str:
    return "|".join(p for part in parts for p in part)


# --------------------------------------------------------------------------- normalising
_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2212": "-",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # keeps length
_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1\s*>", re.S | re.I)
_THINK_CLOSE = re.compile(r"^.*</(?:think|thinking|reasoning)\s*>", re.S | re.I)
_THINK_OPEN = re.compile(r"<(?:think|thinking|reasoning)>.*", re.S | re.I)
_LATEX_WRAP = re.compile(
    r"\\(?:boxed|fbox|text|textbf|textit|textrm|mathrm|mathbf|mbox)\s*\{([^{}]*)\}"
)
_LATEX_DELIM = re.compile(r"\\[()\[\]]")
_LATEX_DOLLARS = re.compile(r"\$([^$]{1,80})\$")  # "$B$" -> "B"; a lone "$5" stays
_EMPHASIS = re.compile(r"\*+|`+|(?<![A-Za-z0-9])_{1,2}(?=\S)|(?<=\S)_{1,2}(?![A-Za-z0-9])")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M)


def _clean(raw: str) -> str:
    """Normalised text with line breaks kept (lines carry labels); spaces collapsed."""
    s = raw
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s).translate(_CHAR_MAP)
    if "<" in s:
        s = _THINK_BLOCK.sub(" ", s)
        s = _THINK_CLOSE.sub(" ", s)  # "reasoning ... </think> answer": no opening tag
        s = _THINK_OPEN.sub(" ", s)  # unclosed: the model never left its reasoning
    if "\\" in s or "$" in s:
        for _ in range(4):  # \boxed{\text{B}} nests
            s, n = _LATEX_WRAP.subn(r"\1", s)
            if not n:
                break
        s = _LATEX_DOLLARS.sub(r"\1", _LATEX_DELIM.sub("", s))
    if "*" in s or "`" in s or "_" in s:
        s = _EMPHASIS.sub("", s)
    if "#" in s:
        s = _HEADING.sub("", s)
    if "\n" not in s and "\r" not in s:
        return " ".join(s.split())
    lines = (" ".join(line.split()) for line in s.splitlines())
    return "\n".join(line for line in lines if line)


def normalise(raw: str) -> str:
    """NFKC, think blocks dropped, markdown emphasis and \\boxed{} unwrapped, one line."""
    return " ".join(_clean(raw).split())


def _last_sentence(flat: str) -> str | None:
    """The text after the last sentence break, or None when there is only one sentence."""
    body = flat.rstrip(" .!。")
    cut = max(body.rfind(c) for c in ".!?。:;")
    return flat[cut + 1 :].strip() if cut >= 0 else None


# --------------------------------------------------------------------------- letters
_UP = "".join(OPTION_LETTERS)  # "ABCD"
_UP_NA = _UP.replace("A", "")  # letters that are never an English word
_LO_NA = _UP_NA.lower()
# Words after which "A" is the option letter, not the article ("A is wrong", "A and C").
_NOT_ARTICLE = (
    "is|isn't|was|are|were|be|seems?|appears?|looks?|fits?|matches|describes|best|better|"
    "most|more|correctly|accurately|would|should|could|might|must|can|will|has|does|"
    "doesn't|only|alone|also|too|here|because|since|as|and|or|but|nor|so|then|thus|"
    "therefore|hence|for|with|to|from|in|on|of|than|vs|versus|not|the|this|that|which|"
    "if|when|while|instead|rather|option|choice|answer|due"
)
_A_GUARD = rf"(?!\s+(?!(?:{_NOT_ARTICLE})\b)[a-z])"  # "A slight blur": the article
_LB = r"(?<![A-Za-z0-9&])(?<![A-Za-z0-9][.\-'])"  # not inside "A.I.", "B&W", "3D", "X-B"
_LB_AFTER = rf"(?<![A-Za-z0-9&][{_UP}])(?<![A-Za-z0-9][.\-'][{_UP}])"  # same, after it
# Not "B-roll", "D's", "A.I."; but "C.Overexposed" (no space after the label) is a letter.
_RB = r"(?![A-Za-z0-9&]|\.[A-Za-z0-9]\.|[\-'][A-Za-z0-9])"
_L_UP = rf"{_LB}(?:[{_UP_NA}]|A{_A_GUARD}){_RB}"
_L_CI = rf"{_LB}(?:[{_UP_NA}{_LO_NA}]|[Aa]{_A_GUARD}){_RB}"
_RUN = rf"{_LB}[{_UP}]{{2,{len(_UP)}}}{_RB}"  # "AC" (MC)
_OPEN, _CLOSE = r"[(\[{\"'「]?", r"[)\]}\"'」]?"
_SEP = r"\s*(?:(?:,|;|&|(?i:\band\b|\bor\b)|/|、|和|与|以及|及|或者|或|\+)\s*){0,2}"
_HEDGE = re.compile(r"(?i:\bor\b)|或")
_OPTWORD = r"(?:(?i:(?:the\s+)?(?:options?|choices?|letters?)\b)|选项)"


def _list(first: str, letter: str) -> str:
    """A maximal letter list; atomic, because backtracking into it only re-splits spaces."""
    token = rf"{_OPEN}\s*(?:{_RUN}|{letter})\s*{_CLOSE}"
    return rf"(?>{first}(?:{_SEP}{token})*)"


_LIST_UP = _list(rf"{_OPEN}\s*(?:{_RUN}|{_L_UP})\s*{_CLOSE}", _L_UP)
_LIST_CI = _list(rf"{_OPEN}\s*(?:{_RUN}|{_L_CI})\s*{_CLOSE}", _L_CI)
# A list matched from the position of its first letter (found by _LETTER_SCAN).
_LIST_AT = _list(rf"(?:[{_UP}]{{2,{len(_UP)}}}|[{_UP_NA}]|A{_A_GUARD}){_RB}\s*{_CLOSE}", _L_UP)
_LETTER_SCAN = re.compile(rf"[{_UP}]{_LB_AFTER}")
_SINGLE_UP = re.compile(rf"[{_UP}]{_LB_AFTER}(?!(?<=A)\s+(?!(?:{_NOT_ARTICLE})\b)[a-z]){_RB}")
_LETTERS_UP = re.compile(rf"{_RUN}|{_L_UP}")
_LETTERS_CI = re.compile(rf"{_RUN}|{_L_CI}")
_SINGULAR = re.compile(
    r"\s*(?:is|was|seems|appears|looks|fits|matches|describes|does|has)\b"
    r"|\s*(?:is|was|does|has)n't\b",
    re.I,
)


def _letters_in(span: str, ci: bool) -> set[str]:
    found = (_LETTERS_CI if ci else _LETTERS_UP).findall(span)
    return {ch for tok in found for ch in tok.upper()}


def _subject(span: str, flat: str, end: int) -> set[str]:
    """Letters a verb after `span` speaks of: "Between B and C, C fits" -> C; "A, D are" -> AD.

    A list pattern reads "B and C, C" as one list; the subject is the part after the last
    repeated letter, and only the last letter when the verb is singular ("B, A is wrong").
    """
    tokens = [tok.upper() for tok in _LETTERS_UP.findall(span)]
    out: list[str] = []
    seen: set[str] = set()
    for tok in reversed(tokens):
        if seen & set(tok):
            break
        out.append(tok)
        seen |= set(tok)
    if len(out) > 1 and _SINGULAR.match(flat, end):
        out = out[:1]
    return {ch for tok in out for ch in tok}


# Said right after a letter list, rules those letters out ("A is wrong", "B和D错误").
_RULEOUT_TAIL = (
    r"\s*(?i:(?:(?:is|are|was|were|seems?|appears?|looks?|(?:would|can|could|should|must)"
    r"\s+be)\s+)?(?:(?:also|both|all|clearly|definitely|probably|likely|obviously|"
    r"therefore|thus|so)\s+)?(?:(?:the|an?)\s+)?(?:wrong|incorrect|untrue|false|unlikely|"
    r"inaccurate|invalid|irrelevant|inapplicable|absent|ruled\s+out|eliminated|excluded|"
    r"discarded)\b"
    r"|(?:is|are|was|were|seems?|appears?|does|do)\s+(?:(?:also|clearly|definitely|"
    r"probably|likely|obviously|certainly)\s+)?not\b(?!\s+only)"
    r"|(?:is|are|was|were|does|do)n't\b)"
    r"|\s*(?:选项|项)?(?:是|为)?(?:错误|错的|错|不正确|不对|不符合?|可以排除|排除|不是)"
)
_RULEOUT_AT = re.compile(_RULEOUT_TAIL)
# Said right before a letter list ("not A", "rule out A and D", "排除B"); on lower text.
_RULEOUT_PRE = re.compile(
    _alt(
        _kw(
            [
                r"not\b",
                r"nor\b",
                r"isn't\b",
                r"rather\s+than\b",
                r"instead\s+of\b",
                r"rul(?:e|es|ed|ing)\s+out\b",
                r"eliminat(?:e|es|ed|ing)\b",
                r"exclud(?:e|es|ed|ing)\b",
                r"discard(?:s|ed|ing)?\b",
                r"reject(?:s|ed|ing)?\b",
                r"except(?:\s+for)?\b",
            ]
        ),
        ["排除", "不选", "不是", "并非", "而非", "除了?"],
    )
)
_PRE_LIST = re.compile(rf"\s*(?:{_OPTWORD}\s*)?(?P<list>{_LIST_UP})")
# Said right after a letter list, names them as the answer ("C is correct", "A和C正确").
_LIST_AT_RE = re.compile(_LIST_AT)
_POST_AT = re.compile(
    r"\s*(?i:(?:(?:is|are|seems?|appears?|looks?|would\s+be|"
    r"should\s+be)\s+)?(?:(?:also|both|all|clearly|definitely|certainly|indeed)\s+)?"
    r"(?:the\s+)?(?:(?:most|more)\s+)?(?:correct|right|true|accurate|appropriate|suitable|"
    r"best|likely|plausible|valid|answer)\b"
    r"|(?:fits|matches|describes)\s+(?:it\s+|the\s+image\s+)?(?:best|better)\b"
    r"|(?:is\s+)?(?:a|the)\s+(?:better|closer)\s+(?:fit|match|choice|option|answer)\b)"
    r"|\s*(?:选项|项)?(?:是|为)?(?:正确|对)的?"
)


def _scan_letters(flat: str) -> tuple[list[tuple[int, frozenset[str]]], set[str]]:
    """One pass over the standalone capitals: (cues after a list, letters ruled out after)."""
    cues: list[tuple[int, frozenset[str]]] = []
    ruled: set[str] = set()
    covered = -1
    for m in _LETTER_SCAN.finditer(flat):
        p = m.start()
        if p < covered:
            continue  # inside a list already read
        lm = _LIST_AT_RE.match(flat, p)
        if lm is None:
            continue  # the article "A"
        span, covered = lm.group(), lm.end()
        if _RULEOUT_AT.match(flat, covered):
            ruled |= _subject(span, flat, covered)
        elif _POST_AT.match(flat, covered):
            letters = _subject(span, flat, covered)
            if letters:
                cues.append((p, _AMBIGUOUS if _HEDGE.search(span) else frozenset(letters)))
    return cues, ruled


def _ruled_out_before(flat: str, low: str) -> set[str]:
    out: set[str] = set()
    for m in _RULEOUT_PRE.finditer(low):
        lm = _PRE_LIST.match(flat, m.end())
        if lm:
            out |= _letters_in(lm.group("list"), ci=False)
    return out


# Cues that precede the answer letters; on lower text, then the list is read on the text.
_VERB = (
    r"(?:is|are|was|would\s+be|should\s+be|will\s+be|must\s+be|seems\s+to\s+be|"
    r"appears\s+to\s+be|:|=|-|—|–)"
)
_OPT_LOW = r"(?:(?:the\s+)?(?:options?|choices?|letters?)\b\s*|选项\s*)?"
_AFTER_VERB = (
    r"(?:(?:(?:most\s+)?likely|probably|definitely|clearly|certainly|"
    rf"therefore|thus)\s+)?{_OPT_LOW}"
)
_NOT_THE_ANSWER = "".join(
    f"(?<!{w} a)"
    for w in (
        "incorrect",
        "wrong",
        "false",
        "invalid",
        "other",
        "possible",
        "candidate",
        "remaining",
    )
)
_CUE_PRE = re.compile(
    _alt(
        _kw(
            [rf"a{_NOT_THE_ANSWER}nswers?"],
            rf"\b(?:\s+to\s+(?:this|the)\s+question)?[\"']?\s*"
            rf"(?:{_VERB}\s*{_AFTER_VERB})?",
        ),
        _kw(
            [
                "correct",
                "right",
                "best",
                "true",
                "proper",
                "valid",
                "appropriate",
                "suitable",
                "accurate",
                r"most\s+(?:appropriate|suitable|accurate|likely|fitting|plausible|"
                r"reasonable)",
            ],
            r"\s+(?:options?|choices?|ones?|descriptions?|letters?|selections?)\b[\"']?\s*"
            rf"{_VERB}\s*{_AFTER_VERB}",
        ),
        _kw(['"', "'"], r"(?:choice|option|selection|prediction|pred|label)s?[\"']\s*[:=]\s*"),
        _kw(
            ["i", "we"],
            r"(?:'d|\s+would|'ll|\s+will|\s+shall)?\s+(?:choose|select|pick|"
            rf"go\s+with|opt\s+for)\b\s*:?\s*{_AFTER_VERB}",
        ),
        _kw(
            [
                r"let'?s\s+go\s+with\s+",
                r"my\s+(?:choice|pick|selection)\s*(?:is|would\s+be|:)?\s*",
                r"best\s+guess\s*(?:is|would\s+be|:)?\s*",
            ],
            _AFTER_VERB,
        ),
        _kw(
            ["therefore", "thus", "hence", "so", "consequently", r"most\s+likely", "probably"],
            rf"\b\s*,?\s*{_OPT_LOW}",
        ),
        [
            r"答案(?:应该|应当|应)?(?:是|为|选)?\s*:?\s*(?:选项)?",
            r"正确(?:答案|选项)(?:是|为|有)?\s*:?\s*",
            r"选(?:择)?(?:的是|是|为)?(?!项)\s*:?\s*",
        ],
    )
)
_CUE_LIST = re.compile(_LIST_CI)


# Cues that may be followed by an option's text rather than its letter: not the weak "so",
# "therefore", ... ("so noise is unlikely"), nor a bare "answer" without a verb.
_WEAK_CUES = ("so", "therefore", "thus", "hence", "consequently", "most", "probably")
# After "so B" comes the end of the clause or a verb saying what B is, not another verb.
_WEAK_CUE_TAIL = re.compile(
    r"\s*(?:[.,;:!?)\]。，、]|$|(?:is|are|was|were|would|should|must|seems?|appears?|looks?|"
    r"fits?|matches|best|because|since|as|due|then|it|here|too|also|both|all|apply|applies)\b)"
)
_BARE_ANSWER = re.compile(r"answers?[\s\"']*(?:to\s+(?:this|the)\s+question[\s\"']*)?")


def _cue_texts(
    flat: str,
    low: str,
    m: re.Match[str],
    opts: Sequence[_Option],
    multi: bool,
    letters: set[str] | None,
) -> frozenset[str] | None:
    """What a cue names by option text ("answer is "Overexposed."", MC "A. <text>, C. ...")."""
    cue = m.group()
    if cue.startswith(_WEAK_CUES) or _BARE_ANSWER.fullmatch(cue):
        return None
    named = _texts_after(flat, low, m.end(), opts, labels=multi)
    if named is None:
        return None
    if letters is not None and not (named and named >= letters and len(named) > len(letters)):
        return None  # a letter list after the cue says more (or the same): it decides
    return named


def _cue_letters(
    flat: str,
    low: str,
    post: list[tuple[int, frozenset[str]]],
    multi: bool,
    opts: Sequence[_Option] = (),
) -> frozenset[str] | None:
    """Letters named by the decisive cue; None if no cue; empty if it hedges ("B or C")."""
    pre: list[tuple[int, frozenset[str]]] = []
    for m in _CUE_PRE.finditer(low):
        lm = _CUE_LIST.match(flat, m.end())
        if opts and (lm is None or multi):
            named = _cue_texts(
                flat, low, m, opts, multi, None if lm is None else _letters_in(lm.group(), ci=True)
            )
            if named is not None:
                pre.append((m.start(), named))
                continue
        if lm is None:
            continue
        span = lm.group()
        letters = _letters_in(span, ci=True)
        if m.group().startswith(_WEAK_CUES) and not _WEAK_CUE_TAIL.match(low, lm.end()):
            continue  # "so A, B and C each describe part of it": the letters are a subject
        if _RULEOUT_AT.match(flat, lm.end()):
            # "The answer is B, A is wrong": the list ran on into a ruled-out letter.
            if len(letters) < 2 or not _SINGULAR.match(flat, lm.end()):
                continue
            letters -= _subject(span, flat, lm.end())
        if letters:
            pre.append((m.start(), _AMBIGUOUS if _HEDGE.search(span) else frozenset(letters)))
    if multi:
        # "Answer: A, C" decides alone (last wins); "A is correct. C is also correct." adds up.
        if pre:
            return pre[-1][1]
        if post:
            if any(not s for _, s in post):
                return _AMBIGUOUS
            return frozenset().union(*(s for _, s in post))
        return None
    cues = sorted(pre + post, key=lambda c: c[0])
    return cues[-1][1] if cues else None


# Labels: a line that is (or starts with) the answer letters.
_LINE_LABEL = re.compile(
    r"\s*(?:[-+•>]\s*)?(?P<pre>(?i:answers?|options?|choices?)\s*[:\-]?\s*|选项|答案\s*[:是为]?\s*)?"
    rf"(?P<list>{_LIST_CI})"
)
_BARE_REST = re.compile(r"[\s.,;:!?)\]}\"'。，！]*(?:选项|[两三四]?项)?[\s.。!]*")
# "A. No" / "Option B: no" / "C - absent": one option judged and rejected, line by line.
_LINE_REJECT = re.compile(
    r"(?i:no|false|incorrect|wrong|absent|not\s+(?:present|visible|correct|applicable|true)|"
    r"n/a)[\s.!。]*|[✗✘×❌][\s.!。]*|(?:否|不是|没有|不正确|错误)[\s.!。]*"
)
_TEXT_SEP = re.compile(r"\s*[.:)\]\-,，。—–]+\s*")
_LABEL_SHAPED = re.compile(rf"(?<![A-Za-z0-9])[(\[]?([{_UP}])[).:\]](?=\s+\S)")  # "B) noise"
_SENTENCE_LABEL = re.compile(rf"(?:{_OPTWORD}\s*)?(?P<list>{_LIST_UP})\s*[.!。]?")


_PAIR_LETTER = re.compile(r"[(\[]([A-D])[)\]]")  # "<option text> (B)"
_LETTER_PAREN = re.compile(rf"{_LB}([A-D])\s*[(\[]")  # "B (<option text>)"
_FIRST_SENTENCE_END = re.compile(r"[.!?。](?=\s|$)|\n")


def _pair_letters(flat: str, low: str, opts: Sequence[_Option]) -> frozenset[str] | None:
    """Options the first sentence names by text and letter together ("Cool (B): ...").

    Text and letter agreeing is a label, so the letters discussed after it ("A would need
    streaks, C ...") do not count. Pairs joined by "or", or one for every option (the options
    listed), are no choice.
    """
    if "(" not in flat and "[" not in flat:
        return None
    end_m = _FIRST_SENTENCE_END.search(flat)
    end = end_m.start() if end_m else len(flat)
    by_letter = {o.letter: o.needle for o in opts}
    found: list[tuple[int, str]] = []
    for m in _PAIR_LETTER.finditer(flat, 0, end):
        needle = by_letter.get(m.group(1))
        if not needle:
            continue
        cut = max(0, m.start() - len(needle) - 8)  # a bounded look back, not the whole text
        head = low[cut : m.start()].rstrip()
        start = cut + len(head) - len(needle)
        if (
            head.endswith(needle)
            and (start == 0 or not low[start - 1].isalnum())
            and not _NEGATED_BEFORE.search(low, max(0, start - 30), start)
            and not _RULEOUT_AT.match(flat, m.end())
        ):  # "... (A) is not present"
            found.append((start, m.group(1)))
    for m in _LETTER_PAREN.finditer(flat, 0, end):
        needle = by_letter.get(m.group(1))
        if (
            needle
            and low.startswith(needle, m.end())
            and (low[m.end() + len(needle) : m.end() + len(needle) + 1] in (")", "]"))
        ):
            found.append((m.start(), m.group(1)))
    if not found:
        return None
    letters = frozenset(letter for _, letter in found)
    first, last = min(p for p, _ in found), max(p for p, _ in found)
    if _HEDGE.search(low, first, last) or (len(letters) == len(opts) > 1):
        return _AMBIGUOUS
    return letters


def _label_letters(
    text: str, flat: str, multi: bool, opts: Sequence[_Option] = ()
) -> frozenset[str] | None:
    bare: frozenset[str] | None = None
    texts: set[str] = set()
    echoed: set[str] = set()  # lines that are exactly "X. <text of X>"
    needles = {o.letter: o.needle for o in opts}
    for line in text.split("\n"):
        m = _LINE_LABEL.match(line)
        if m is None:
            continue
        letters = frozenset(_letters_in(m.group("list"), ci=True))
        rest = line[m.end() :]
        if _BARE_REST.fullmatch(rest):
            # the last bare label line wins; "A or C" is a hedge
            bare = _AMBIGUOUS if _HEDGE.search(m.group("list")) else letters
            continue
        sep = _TEXT_SEP.match(rest)
        if sep is None:
            # "(B) Slightly blurry" and "Option B Slightly blurry" need no separator.
            bracketed = m.group("list").rstrip()[-1:] in ")]」"
            if not ((bracketed or m.group("pre")) and rest[:1].isspace()):
                continue
        after = rest[sep.end() :] if sep else rest
        if _RULEOUT_AT.match(after) or _RULEOUT_AT.match(rest) or _LINE_REJECT.fullmatch(after):
            continue  # "C. Wrong", "B: not present", "D. No": judged and rejected
        if any(x not in letters for x in _LABEL_SHAPED.findall(after)):
            continue  # "A) blur ... B) noise ...": the options listed on one line
        texts |= letters
        if len(letters) == 1 and after.translate(_ASCII_LOWER).rstrip(" .;,!。") == needles.get(
            next(iter(letters))
        ):
            echoed |= letters
    if bare is not None:
        return bare
    last = _last_sentence(flat)
    m = _SENTENCE_LABEL.fullmatch(last) if last else None
    if m:  # "... the face is soft. B."
        if _HEDGE.search(m.group("list")):
            return _AMBIGUOUS
        return frozenset(_letters_in(m.group("list"), ci=False))
    if opts:
        pairs = _pair_letters(flat, flat.translate(_ASCII_LOWER), opts)
        if pairs is not None:
            return pairs
    if texts and echoed == texts and len(texts) == len(opts) > 1:
        return _AMBIGUOUS  # every option echoed as "X. <text>": none chosen
    if texts and (multi or len(texts) == 1):
        return frozenset(texts)
    return None  # several different "X. ..." lines: the options were listed, not chosen


# --------------------------------------------------------------------------- option texts
_NEGATED_BEFORE = re.compile(
    "(?:"
    + _alt(
        _kw(["not", "no", "nor", "without", r"rather\s+than", r"instead\s+of", "non"]),
        ["n't", "不是", "没有", "无"],
    )
    + r")[\s-]*(?:(?:a|an|the|any|obvious|visible|noticeable|signs?\s+of)\s+)*$"
)
# Loose matching (only when no option text appears verbatim): "a slight rise" is the option
# "Slightly rise", "an extra finger" is "Extra fingers". Words are compared after dropping
# articles, a plural "s" and the "-ly" of a degree adverb; a degree word may stand on either
# side of a short option ("rise slightly"). Nothing else is loosened: no synonyms, no tenses.
_WORD = re.compile(r"[a-z0-9]+")
_ARTICLES = frozenset({"a", "an", "the"})
_DEGREE_LY = {
    w + "ly": w
    for w in (
        "slight",
        "significant",
        "strong",
        "severe",
        "mild",
        "moderate",
        "extreme",
        "great",
        "sharp",
        "dramatic",
        "marginal",
        "substantial",
        "considerable",
        "noticeable",
    )
}
_DEGREE_LY["heavily"] = "heavy"
_DEGREE = frozenset(_DEGREE_LY.values()) - {"sharp"}  # "Sharp eyes" is not "eyes sharp"
_DEGREE_SWAP_MAX = 3  # words in an option whose degree word may move to the other side


def _stem(word: str) -> str:
    if word in _DEGREE_LY:
        return _DEGREE_LY[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word[-1] == "s" and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _tokens(low: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of every word but the articles."""
    return [
        (_stem(m.group()), m.start(), m.end())
        for m in _WORD.finditer(low)
        if m.group() not in _ARTICLES
    ]


@dataclass(frozen=True)
class _Option:
    letter: str
    needle: str  # the option text, normalised and lower-cased
    loose: tuple[tuple[str, ...], ...]  # word sequences a loose match may take


@lru_cache(maxsize=4096)
def _prepare(options: tuple[str, ...]) -> tuple[_Option, ...]:
    """The options as matched in answers; cached, a benchmark repeats a few option sets."""
    out = []
    for letter, opt in zip(OPTION_LETTERS, options, strict=False):
        needle = normalise(str(opt or "")).translate(_ASCII_LOWER).rstrip(" .;,!。")
        if len(needle) < 2:
            continue
        words = tuple(t for t, _, _ in _tokens(needle))
        loose: list[tuple[str, ...]] = [words] if words else []
        degree = [w for w in words if w in _DEGREE]
        if degree and len(words) <= _DEGREE_SWAP_MAX:
            rest = [w for w in words if w not in _DEGREE]
            for alt in (tuple(rest + degree), tuple(degree + rest)):
                if alt not in loose:
                    loose.append(alt)
        out.append(_Option(letter, needle, tuple(loose)))
    return tuple(out)


def _exact_spans(low: str, opts: Sequence[_Option]) -> list[tuple[int, int, str]]:
    spans = []
    for o in opts:
        needle = o.needle
        start = low.find(needle)
        while start >= 0:
            end = start + len(needle)
            if (start == 0 or not low[start - 1].isalnum()) and (
                end == len(low) or not low[end].isalnum()
            ):
                spans.append((start, end, o.letter))
            start = low.find(needle, start + 1)
    return spans


def _loose_spans(
    toks: list[tuple[str, int, int]], opts: Sequence[_Option], first: int = 0, only_at: bool = False
) -> list[tuple[int, int, str]]:
    """Loose matches over the word list; with only_at, only those starting at word `first`."""
    spans = []
    stems = [t for t, _, _ in toks]
    last = first + 1 if only_at else len(toks)
    for o in opts:
        for seq in o.loose:
            n = len(seq)
            for i in range(first, min(last, len(toks) - n + 1)):
                if stems[i] == seq[0] and tuple(stems[i : i + n]) == seq:
                    spans.append((toks[i][1], toks[i + n - 1][2], o.letter))
    return spans


def _outermost(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop a match lying inside a longer one ("low" inside "very low")."""
    return [
        (s, e, letter)
        for s, e, letter in spans
        if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans)
    ]


def _option_hits(low: str, opts: Sequence[_Option]) -> frozenset[str] | None:
    """Letters whose option text appears as a phrase, not negated, not inside a longer one."""
    spans = _exact_spans(low, opts) or _loose_spans(_tokens(low), opts)
    spans = [sp for sp in spans if not _NEGATED_BEFORE.search(low, max(0, sp[0] - 30), sp[0])]
    hits = {letter for _, _, letter in _outermost(spans)}
    return frozenset(hits) if hits else None


def _option_at(low: str, pos: int, opts: Sequence[_Option]) -> tuple[str, int] | None:
    """The option whose text starts exactly at `pos` (the longest one), and where it ends."""
    best: tuple[str, int] | None = None
    for o in opts:
        end = pos + len(o.needle)
        if (
            low.startswith(o.needle, pos)
            and (end == len(low) or not low[end].isalnum())
            and (best is None or end > best[1])
        ):
            best = (o.letter, end)
    if best is None:
        m = _WORD.search(low, pos)
        if m is None or low[pos : m.start()].strip():
            return None
        toks = _tokens(low[pos : pos + 200])
        for _s, e, letter in _loose_spans(toks, opts, 0, only_at=True):
            if best is None or pos + e > best[1]:
                best = (letter, pos + e)
    return best


# Around an option text named after a cue: quotes, brackets, bold marks, a colon.
_TEXT_OPEN = re.compile(r"[\s\"'(\[「*:]*")
_TEXT_CLOSE = re.compile(r"[\s.\"'\])」*]*")
_TEXT_OWN_LETTER = re.compile(r"\s*[(\[]([A-D])[)\]]")
_ITEM_SEP = re.compile(r"\s*(?:,|;|/|&|\+|、|和|与|及|或|\band\b|\bor\b)\s*(?:\band\b\s*)?")
_TEXT_LABEL = re.compile(r"([A-Da-d])\s*[.:)]\s*")


def _end_of(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    """The match of a pattern that matches everywhere (only optional parts) at `pos`."""
    m = pattern.match(text, pos)
    assert m is not None, pattern.pattern
    return m


def _texts_after(
    flat: str, low: str, pos: int, opts: Sequence[_Option], labels: bool
) -> frozenset[str] | None:
    """Options named by text right after a cue: '"Overexposed."', 'distorted fingers, ...'.

    With `labels`, items may also be "A. <text of A>" (an MC cue listing labelled options).
    Returns the letters (empty when joined by "or", a hedge), or None if no text is named.
    """
    letters: set[str] = set()
    hedge = False
    p = pos
    while True:
        p = _end_of(_TEXT_OPEN, low, p).end()
        hit = _option_at(low, p, opts)
        if hit is None and labels:
            lab = _TEXT_LABEL.match(flat, p)
            if lab:
                hit = _option_at(low, lab.end(), opts)
                if hit and hit[0] != lab.group(1).upper():
                    hit = None
        if hit is None:
            break
        letters.add(hit[0])
        end = hit[1]
        own = _TEXT_OWN_LETTER.match(flat, end)
        if own and own.group(1) == hit[0]:
            end = own.end()  # "Overexposed (B)"
        close = _end_of(_TEXT_CLOSE, low, end)
        p = close.end()
        sep = _ITEM_SEP.match(low, p)
        if sep is None or "." in close.group():
            break  # the sentence ended: what follows is the explanation
        hedge = hedge or "or" in sep.group() or "或" in sep.group()
        p = sep.end()
    if not letters:
        return None
    return _AMBIGUOUS if hedge else frozenset(letters)


# --------------------------------------------------------------------------- refusals
_INABLE = (
    r"\s+(?:help|assist|answer|respond|determine|tell|say|judge|assess|evaluate|"
    r"analy[sz]e|identify|verify|provide|comply|process|decide|be\s+(?:sure|certain)|"
    r"make\s+(?:a|that|this|any)|(?:see|view|access|open|load|perceive|interpret)\s+"
    r"(?:the\s+|this\s+|an\s+|any\s+|your\s+)?(?:images?|pictures?|photos?|photographs?))"
)
_CANT = (
    r"(?:can\s*not|can't|cannot|could\s*not|couldn't|won't|will\s+not|"
    r"(?:am\s+|'m\s+|are\s+|'re\s+)?(?:not\s+able|unable)\s+to)"
)
_REFUSAL = re.compile(
    _alt(
        _kw(["i", "we"], rf"\s*{_CANT}{_INABLE}"),
        _kw(["unable", r"not\s+possible", "impossible", r"not\s+able"], rf"\s+to{_INABLE}"),
        _kw(
            [r"can\s*not", "can't", "cannot"],
            r"\s+be\s+(?:determined|answered|assessed|judged|"
            r"evaluated|identified|told|verified)",
        ),
        _kw(
            [
                r"as\s+an\s+ai\b",
                r"no\s+image\s+(?:(?:was|is|has\s+been)\s+)?(?:provided|attached|"
                r"uploaded|shown|given|available|included)",
                r"i\s+(?:don't|do\s+not)\s+(?:know|have\s+(?:access|the\s+image|enough))",
                r"i(?:'m|\s+am)\s+not\s+(?:sure|certain)\b",
                r"not\s+enough\s+information",
                r"insufficient\s+information",
                r"i\s+(?:must|have\s+to|need\s+to)\s+(?:decline|refrain)",
                r"we\s+(?:must|have\s+to|need\s+to)\s+(?:decline|refrain)",
            ]
        ),
        _kw(
            ["does", "do"],
            r"(?:\s+not|n't)\s+(?:contain|provide|have|give)\s+enough\s+"
            r"(?:information|detail)",
        ),
        [
            r"无法(?:回答|确定|判断|判定|识别|分析|评估|提供|查看|看到|访问|给出)",
            r"不能(?:回答|确定|判断)",
            "抱歉",
            "对不起",
            "不确定",
            "不知道",
            r"没有(?:提供|上传|看到)(?:任何)?(?:图片|图像)",
        ],
    )
)
_CONTRAST = re.compile(
    _alt(
        _kw(
            [
                "but",
                "however",
                "although",
                "though",
                "nevertheless",
                "nonetheless",
                r"that\s+said",
                "still",
            ],
            r"\b",
        ),
        ["但", "不过", "然而"],
    )
)
_OE_REFUSAL_MAX_CHARS = 300  # a longer OE text that mentions inability is still an answer


def _refusal_blocks(low: str) -> bool:
    """A refusal with no "but ..." after it: weak evidence must not be read as an answer."""
    last = None
    for last in _REFUSAL.finditer(low):  # noqa: B007 - the loop keeps the last match
        pass
    return last is not None and _CONTRAST.search(low, last.end()) is None


# --------------------------------------------------------------------------- true/false
_ADVS = (
    r"(?:(?:entirely|completely|quite|really|fully|totally|exactly|very|necessarily|"
    r"strictly|at\s+all|100%)\s+)?"
)
_NEG = rf"(?:(?:not|never|hardly)\s+|n't\s+){_ADVS}"
_NEG_END = re.compile(_alt(_kw(["not", "never", "hardly"], rf"\s+{_ADVS}$"), [rf"n't\s+{_ADVS}$"]))
_TF_WORDS = {
    "true": True,
    "correct": True,
    "accurate": True,
    "yes": True,
    "right": True,
    "t": True,
    "正确": True,
    "对": True,
    "对的": True,
    "是": True,
    "是的": True,
    "真": True,
    "false": False,
    "incorrect": False,
    "inaccurate": False,
    "wrong": False,
    "no": False,
    "untrue": False,
    "f": False,
    "错误": False,
    "错": False,
    "错的": False,
    "否": False,
    "假": False,
    "不正确": False,
    "不对": False,
    "不是": False,
    "不": False,
}
_EN_VALUE = (
    r"(?:true(?![\s-]+to\b)|false|untrue|correct|incorrect|accurate|inaccurate|wrong|"
    r"right(?=\s*[.,!;]|$))"
    r"(?!\s*(?:or|and|/)\s*(?:not\s+)?(?:true|false|correct|incorrect)\b)"
)  # hedges
_ZH_VALUE = r"不正确|不对|不是|正确|错误|错的|错|对的|对|是的|是|否|真|假|不"
_ZH_END = r"(?=的|[^\u4e00-\u9fff]|$)"  # "结果是图像..." is no verdict; "是正确的" is
# TF cues (lower text): a keyword, then the verdict read by the tail pattern of its kind.
_TF_CUE = re.compile(
    _alt(
        _kw([r"answer\s+to\s+(?:this|the)\s+question\s*\"[^\"]{0,300}\""], ""),
        _kw(
            [
                r"answer",
                r"judge?ment",
                "verdict",
                "conclusion",
                "response",
                "label",
                "prediction",
                r"the\s+(?:statement|claim|description|assertion|sentence)",
                r"this\s+(?:statement|claim|description|assertion|sentence)",
                r"that\s+(?:statement|claim|description|assertion|sentence)",
                "it",
                "this",
                "that",
                "therefore",
                "thus",
                "hence",
                "so",
                "well",
                "overall",
                r"in\s+conclusion",
                r"in\s+short",
                r"in\s+summary",
                r"to\s+conclude",
                r"i(?:'d|\s+would|\s+will)?\s+say",
                r"we(?:'d|\s+would)?\s+say",
            ],
            r"\b",
        ),
        [
            "答案",
            "判断",
            "结论",
            "结果",
            "陈述",
            "说法",
            "描述",
            "表述",
            "所以",
            "因此",
            "因而",
            "总之",
            "综上",
        ],
    )
)
_TF_CUE_KIND = {
    "therefore": "k3",
    "thus": "k3",
    "hence": "k3",
    "so": "k3",
    "答案": "k4",
    "判断": "k4",
    "结论": "k4",
    "结果": "k4",
    "陈述": "k5",
    "说法": "k5",
    "描述": "k5",
    "表述": "k5",
    "所以": "k7",
    "因此": "k7",
    "因而": "k7",
    "总之": "k7",
    "综上": "k7",
}
_TF_CUE_K6 = ("well", "overall", "in", "to", "i", "we")  # "Well, no, ..." / "I would say no."
_YES_NO_END = r"(?=\s*[,.!;:\"']|\s*$)"  # "So, no, ..." but not "So no blur is visible"
_TF_TAILS = {
    "k1": re.compile(
        r"[\"']?\s*(?:is|would\s+be|should\s+be|:|=|-)?\s*[\"'(\[]?\s*"
        rf"(?P<neg>{_NEG})?(?P<w>{_EN_VALUE}|yes|no|t|f)\b"
    ),
    "k2": re.compile(
        r"\s*(?:is|'s|seems(?:\s+to\s+be)?|appears(?:\s+to\s+be)?|would\s+be)"
        rf"(?:\s+|(?=n't))(?P<neg>{_NEG})?(?P<w>{_EN_VALUE})\b"
    ),
    "k3": re.compile(
        rf"\s*,?\s*(?:(?P<neg>{_NEG})?(?P<w>{_EN_VALUE})\b|(?P<yn>yes|no){_YES_NO_END})"
    ),
    "k6": re.compile(
        rf"\s*,?\s*[\"']?(?:(?P<neg>{_NEG})?(?P<w>{_EN_VALUE})|(?P<yn>yes|no))"
        rf"{_YES_NO_END}"
    ),
    "k7": re.compile(r"\s*,?\s*(?P<w>是的|不是|不对|不正确|正确|错误|对|不|是)(?=[,。.!;]|$)"),
    "k4": re.compile(rf"(?:是|为)?\s*:?\s*(?P<w>{_ZH_VALUE}){_ZH_END}"),
    "k5": re.compile(rf"(?:是|为)?\s*(?P<w>不正确|正确|错误|不对|对的|错的){_ZH_END}"),
}
_TF_LABEL = (
    rf"(?:(?:answer|judge?ment|verdict)\s*:?\s*)?[\"'(\[]?(?P<neg>{_NEG})?"
    rf"(?P<w>true|false|untrue|yes|no|correct|incorrect|right|wrong|accurate|"
    rf"inaccurate|{_ZH_VALUE})[\"')\]]?"
)
_TF_WHOLE = re.compile(rf"{_TF_LABEL}\s*[.!。]?|(?P<tf>t|f)\.?")
_TF_LEADING = re.compile(rf"{_TF_LABEL}\s*(?:[.,!:;。，—–]|\s-)")
_TF_PARTIAL = re.compile(
    _alt(
        _kw(
            ["partially", "partly", "half", "somewhat", "mostly"],
            r"\s+(?:true|false|correct|incorrect|accurate)",
        ),
        _kw([r"yes\s+and\s+no", r"no\s+and\s+yes"], r"\b"),
        ["部分正确"],
    )
)
_TF_STRONG = re.compile(_alt(_kw([r"true(?![\s-]+to\b)", "false", "untrue"], r"\b")))
_TF_WEAK = re.compile(
    _alt(
        _kw(
            ["correct", "incorrect", "accurate", "inaccurate", "wrong", "right", "yes", "no"], r"\b"
        ),
        ["不正确", "不对", "错误", "错的", "正确", "对的"],
    )
)
# "accurate colors", "the correct exposure", "false contours": an adjective before a noun
# judges the noun, not the statement. After a verdict comes punctuation or a function word.
_FUNCTION_WORDS = (
    "because|as|since|and|or|but|so|for|in|to|with|that|which|who|given|based|according|"
    "overall|here|there|now|then|though|although|while|whereas|if|when|unless|yet|nor|also|"
    "too|either|indeed|enough|again|anyway|the|a|an|this|these|those|it|its|i|we|you|they|"
    "he|she|my|our|your|his|her|their|not|is|are|was|were|be|on|at|by|from|of|about|"
    "regarding|considering|except|than|rather|after|before|statement|answer|claim|"
    "description|assertion|judge?ment|choice|option|response|conclusion|one"
)
_ATTRIBUTIVE = re.compile(rf"[ \t]+(?!(?:{_FUNCTION_WORDS})\b)[a-z]")
_RIGHT_BEFORE = re.compile(r"(?:is|'s|are)\s+(?P<neg>not\s+)?$")
_RIGHT_AFTER = re.compile(r"\s*(?:[.,!;]|$)")
_YESNO_AFTER = re.compile(r"\s*(?:[,.!;:]|$)")


def _polarity(word: str, negated: bool) -> bool:
    value = _TF_WORDS[word]
    return not value if negated else value


def _weak_polarity(m: re.Match[str], low: str) -> bool | None:
    """Polarity of one correct/wrong/right/yes/no word, or None when it is no verdict."""
    word, s, e = m.group(), m.start(), m.end()
    if word.isascii() and word not in ("yes", "no", "right") and _ATTRIBUTIVE.match(low, e):
        return None  # "the most accurate data", "correct white balance"
    if word == "wrong":
        if low[max(0, s - 10) : s].rstrip().endswith(("nothing", "anything", "something")):
            return None
        return False
    if word == "right":  # "is right." is a verdict, "the right eye" is not
        before = _RIGHT_BEFORE.search(low, max(0, s - 12), s)
        if before is None or not _RIGHT_AFTER.match(low, e):
            return None
        return _polarity(word, bool(before.group("neg")))
    if word in ("yes", "no"):  # "No, the face is sharp"; "..., no, they are not"; not "no blur"
        prev = low[:s].rstrip()[-1:]
        if prev in ("", ".", "!", "?") and _YESNO_AFTER.match(low, e):
            return _polarity(word, False)
        if prev == "," and low[e : e + 1] == ",":
            return _polarity(word, False)
        return None
    negated = word.isascii() and _NEG_END.search(low, max(0, s - 40), s) is not None
    return _polarity(word, negated)


def _tf_verdict(text: str, low: str) -> str | frozenset[str] | None:
    """ "True"/"False"; None if nothing read; _AMBIGUOUS if both polarities and no cue."""
    verdict = None
    for m in _TF_CUE.finditer(low):  # the last cue wins
        word = m.group()
        kind = _TF_CUE_KIND.get(word) or (
            "k6" if word.startswith(_TF_CUE_K6) else "k2" if word.startswith(("th", "it")) else "k1"
        )
        t = _TF_TAILS[kind].match(low, m.end())
        if t:
            found = t.groupdict()
            verdict = _polarity(found.get("w") or found["yn"], bool(found.get("neg")))
    if verdict is not None:
        return _TRUE if verdict else _FALSE
    labels = []
    for line in text.translate(_ASCII_LOWER).split("\n"):  # also the whole one-line text
        whole = _TF_WHOLE.fullmatch(line)
        if whole:
            labels.append(
                _polarity(whole.group("w") or whole.group("tf"), bool(whole.group("neg")))
            )
    if not labels:
        last = _last_sentence(low)
        for lead in (_TF_LEADING.match(low), _TF_WHOLE.fullmatch(last) if last else None):
            if lead and lead.group("w"):
                labels.append(_polarity(lead.group("w"), bool(lead.group("neg"))))
    if labels:
        return _TRUE if labels[-1] else _FALSE
    if _refusal_blocks(low):
        return None
    if _TF_PARTIAL.search(low):
        return _AMBIGUOUS  # "partially true" is neither verdict
    for rx in (_TF_STRONG, _TF_WEAK):
        seen: set[bool] = set()
        value: bool | None
        for m in rx.finditer(low):
            if rx is _TF_STRONG:
                if _ATTRIBUTIVE.match(low, m.end()):
                    continue  # "false contours", "true colors"
                value = _polarity(
                    m.group(), _NEG_END.search(low, max(0, m.start() - 40), m.start()) is not None
                )
            else:
                value = _weak_polarity(m, low)
            if value is not None:
                seen.add(value)
        if len(seen) == 1:
            return _TRUE if seen.pop() else _FALSE
        if seen:
            return _AMBIGUOUS
    return None


# --------------------------------------------------------------------------- choices
# MC only: the whole answer (or what an answer cue names) is "all of the above" -> ABCD.
_ALL_OPTIONS = re.compile(
    r"(?:(?:the\s+)?(?:correct\s+|final\s+)?answers?\s*(?:is|are|:)?\s*)?all\s+(?:of\s+)?"
    r"(?:the\s+)?(?:above|four(?:\s+options)?|options|choices|of\s+them|them)"
    r"(?:\s+(?:are\s+)?(?:correct|apply|present))?\s*[.!]?"
)


# MC without a cue: "A and C, or maybe only A" hedges between answers.
_OR_BETWEEN = re.compile(rf"{_L_UP}[^.!?\n]{{0,40}}?(?:\bor\b|或)[^.!?\n]{{0,40}}?{_L_UP}")


def _choice_letters(
    text: str, flat: str, low: str, opts: Sequence[_Option], multi: bool
) -> frozenset[str] | None:
    has_capital = any(ch in flat for ch in _UP)
    post, ruled_after = _scan_letters(flat) if has_capital else ([], set())
    found = _cue_letters(flat, low, post, multi, opts)
    if found is None and multi and _ALL_OPTIONS.fullmatch(low):
        return frozenset(OPTION_LETTERS[: len(opts) or len(OPTION_LETTERS)])
    if found is None:
        found = _label_letters(text, flat, multi, opts)
    if found is not None:
        return found
    if _refusal_blocks(low):
        return None
    letters = set(_SINGLE_UP.findall(flat)) if has_capital else set()
    ruled = ruled_after | _ruled_out_before(flat, low) if letters else set()
    if letters:
        letters -= ruled
        if letters:
            if multi and len(letters) > 1 and _OR_BETWEEN.search(flat):
                return _AMBIGUOUS
            return frozenset(letters)
    hits = _option_hits(low, opts) if opts else None
    if hits and ruled:  # "Slight blur on the face (A) is not present": nor is its text
        hits = frozenset(hits - ruled) or None
    return hits


# Fast paths for the commonest whole answers; the full reading gives the same result.
_BARE_TOKEN = rf"[(\[]?[{_UP}]{{1,{len(_UP)}}}[)\]]?"
_BARE_CHOICE = re.compile(
    rf"\s*{_BARE_TOKEN}(?:\s*(?:,|and|&|/|、)?\s*{_BARE_TOKEN})*\.?\s*"
)  # "B", "(A)(C)", "A and C"
_BARE_TF = {"true": _TRUE, "false": _FALSE, "yes": _TRUE, "no": _FALSE}


# A made-up next turn after the model's own answer: "Question: ... Answer: (A)", "###Human:",
# "USER:", a leaked chat template. On a line of its own, or inline when unmistakable.
_FOLLOW_UP = re.compile(
    r"(?im:^[ \t]*(?:#+[ \t]*)?(?:question|q|human|user|instruction|问题|问)[ \t]*:)"
    r"|#{2,}[ \t]*(?i:human|user|instruction)\b"
    r"|<\|(?:im_start|user|start_header_id)\|>|\[INST\]"
)


def _follow_up_cuts(text: str) -> list[int]:
    """Where made-up turns start, after some text (a restated question at the start is kept)."""
    if ":" not in text and "#" not in text and "<|" not in text and "[INST]" not in text:
        return []
    return [m.start() for m in _FOLLOW_UP.finditer(text) if text[: m.start()].strip()]


def _read(
    qtype: str, text: str, opts: Sequence[_Option], options: Sequence[str] = ()
) -> tuple[Extraction, bool]:
    """The answer in cleaned text, and whether the text held any answer at all (even a hedge
    or a refusal): a follow-up is only read when the model's own part held nothing."""
    flat = text.replace("\n", " ") if "\n" in text else text
    if not flat.strip():
        return _UNREADABLE, False
    low = flat.translate(_ASCII_LOWER)
    if qtype == "OE":
        if len(flat) <= _OE_REFUSAL_MAX_CHARS and _refusal_blocks(low):
            return _REFUSED, True
        return Extraction(flat, "ok"), True
    if qtype == "TF":
        found = _tf_verdict(text, low)
        if options:  # asked as lettered options ("A. Yes  B. No"): a letter is an answer too
            via = _tf_by_letter(text, flat, low, options)
            if via is not None:
                return (
                    _UNREADABLE
                    if isinstance(found, str) and found != via
                    else Extraction(via, "ok")
                ), True
        if isinstance(found, str):
            return Extraction(found, "ok"), True
    else:
        found = _choice_letters(text, flat, low, opts, multi=qtype == "MC")
        if found and (qtype == "MC" or len(found) == 1):
            return _chosen(found, options), True
    if _REFUSAL.search(low):
        return _REFUSED, True
    return _UNREADABLE, found is not None


def extract(qtype: str, raw: str | None, options: Sequence[str] = ()) -> Extraction:
    """Read the answer of one item from the model's raw text (which is left untouched)."""
    if qtype not in QTYPES:
        raise ValueError(f"unknown question type {qtype!r}; expected one of {QTYPES}")
    if raw is None or (isinstance(raw, float) and raw != raw):  # absent id / NaN cell
        return _MISSING
    if not isinstance(raw, str):
        raw = str(raw)
    if len(raw) < 20:
        if qtype == "TF":
            verdict = _BARE_TF.get(raw.strip().rstrip(".!").lower())
            if verdict:
                return Extraction(verdict, "ok")
        elif qtype != "OE":
            if _BARE_CHOICE.fullmatch(raw):
                letters = {ch for ch in raw if ch in _UP}
                if qtype == "MC" or len(letters) == 1:
                    return _chosen(letters, options)
    text = _clean(raw)
    opts = _prepare(tuple(options)) if options and qtype in ("SC", "MC") else ()
    cuts = _follow_up_cuts(text)
    if cuts:
        own, found = _read(qtype, text[: cuts[0]].rstrip(), opts, options)
        if found:
            return own  # the model's own answer; the made-up continuation is ignored
        if len(cuts) > 1:
            text = text[: cuts[1]]  # nothing before the first block: it restated the question
    return _read(qtype, text, opts, options)[0]


def _chosen(letters: Iterable[str], options: Sequence[str]) -> Extraction:
    """The letters chosen; a letter past the item's options (D on a three-option item) names
    no option, so the answer is unreadable."""
    letters = "".join(sorted(letters))
    if options and any(OPTION_LETTERS.index(ch) >= len(options) for ch in letters):
        return _UNREADABLE
    return Extraction(letters, "ok")


_TF_OPTION_WORDS = {"yes": _TRUE, "true": _TRUE, "no": _FALSE, "false": _FALSE}


def _tf_by_letter(text: str, flat: str, low: str, options: Sequence[str]) -> str | None:
    """The judgement a TF answer names by the letter of one of its options (cues, labels or
    a lone capital; option texts are read as verdict words by _tf_verdict already)."""
    letters = _choice_letters(text, flat, low, (), multi=False)
    if not letters or len(letters) != 1:
        return None
    idx = OPTION_LETTERS.index(next(iter(letters)))
    if idx >= len(options):
        return None
    return _TF_OPTION_WORDS.get(normalise(options[idx]).strip().rstrip(".").lower())
