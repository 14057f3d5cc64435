"""One neutral look for the statistics figures, readable on Gradio's light and dark themes.

Plotly's default template paints a light-blue plot area and dark-blue text, which turns into
a bright box with unreadable labels on a dark page. Here the backgrounds are transparent (the
page shows through), text is a mid grey and grid lines are translucent grey, so the same
figure reads on white and on near-black without knowing the theme.
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Mid grey: about 4.5:1 contrast on white and about 4.3:1 on Gradio's dark background.
TEXT = "#777777"
GRID = "rgba(128, 128, 128, 0.25)"
ZERO = "rgba(128, 128, 128, 0.75)"
#: Colour-blind-safe pair (Tableau 10), saturated enough for both themes.
BLUE = "#4C78A8"
ORANGE = "#F58518"
NEUTRAL = "#9D9D9D"
WHISKER = "#8C8C8C"


def style_figure(fig: go.Figure, title: str, height: int, subtitle: str | None = None) -> go.Figure:
    """Apply the neutral look in place and return the figure (for chaining).

    `subtitle` (e.g. which models or cells have no value) goes under the title, where it
    cannot collide with axis titles however tall the plot is.
    """
    head: dict = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}}
    if subtitle:
        head["subtitle"] = {"text": subtitle, "font": {"size": 11}}
    fig.update_layout(
        template="none",
        title=head,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": 12},
        height=height,
        margin={"l": 10, "r": 20, "t": 76 if subtitle else 56, "b": 40},
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    axis = {"gridcolor": GRID, "zerolinecolor": ZERO, "linecolor": GRID, "automargin": True}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    return fig
