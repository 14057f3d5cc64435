"""The API's one error shape, seen from gradio_client: a refused call raises AppError whose
message names the argument at fault (ui/api.py's module docstring)."""

from __future__ import annotations

from typing import Any

import pytest


def refusal(client: Any, **kwargs: Any) -> str:
    """The message of the AppError `client.predict(**kwargs)` raises; the test fails if the
    call succeeds, or fails with Gradio's generic "upstream" error instead of a message."""
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as info:
        client.predict(**kwargs)
    message = str(info.value.message)
    assert "upstream Gradio app has raised an exception" not in message, message
    return message
