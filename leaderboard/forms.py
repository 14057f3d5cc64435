"""What a visitor types into a form, cleaned: the submission form and the moderation reason.

One owner for these rules, so the app, the API, the CLI and the tests refuse the same things
with the same words. Text is kept as given (it is shown as text, never as HTML or Markdown),
except that control and invisible characters are refused: they can reorder or hide what is
shown. The model name is also checked by `names.check_name` (no bidi controls, no look-alike
letters inside an ASCII word) and cleaned to its display form (NFKC, whitespace folded);
whether the name is free for this account is `leaderboard.ownership`'s question.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import InputError
from .names import check_name

MAX_NAME = 80
MAX_LINK = 300
MAX_PARAMS = 20
MAX_REASON = 300
#: The fields of a cleaned submission form, in the order the store records them.
FORM_FIELDS: tuple[str, ...] = ("model", "params", "open", "link", "submitter")
_LINK_RE = re.compile(r"^https?://[^\s<>\"'`]+$")
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


class SubmissionError(InputError):
    """The submission form is filled in wrongly."""


def clean_text(value: Any, limit: int, what: str, required: bool = False) -> str | None:
    """Single-line text from a form field, kept as given: control and invisible characters
    refused (they can reorder or hide what is shown), length capped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SubmissionError(f"{what} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SubmissionError(f"{what} must be text, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", str(value)).strip()
    for pos, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in _INVISIBLE:
            raise SubmissionError(
                f"{what} contains a control or invisible character "
                f"(U+{ord(ch):04X} at position {pos})"
            )
    if len(text) > limit:
        raise SubmissionError(f"{what} is {len(text)} characters long; at most {limit}")
    return text


def clean_form(meta: Any) -> dict[str, Any]:
    """The submission form as the store records it (`FORM_FIELDS`), or SubmissionError
    naming the field that is wrong. Unknown fields are ignored."""
    if not isinstance(meta, dict):
        raise SubmissionError("submission details must be a mapping of form fields")
    link = clean_text(meta.get("link"), MAX_LINK, "Link")
    if link and not _LINK_RE.match(link):
        raise SubmissionError("Link must be an http(s) URL")
    open_weights = meta.get("open")
    if open_weights is not None and not isinstance(open_weights, bool):
        raise SubmissionError("open must be true, false or empty")
    model = clean_text(meta.get("model"), MAX_NAME, "Model name", required=True)
    return {
        "model": check_name(model),
        "params": clean_text(meta.get("params"), MAX_PARAMS, "Parameter count"),
        "open": open_weights,
        "link": link,
        "submitter": clean_text(meta.get("submitter"), MAX_NAME, "Submitter"),
    }


def clean_reason(reason: Any) -> str | None:
    """A moderator's reason for hiding or showing a submission (optional)."""
    return clean_text(reason, MAX_REASON, "Reason")
