"""One figure style for the whole book (seaborn based, white background, readable in dark mode)."""
from __future__ import annotations

__all__ = ["use", "PALETTE", "WIDTH", "HEIGHT"]

WIDTH, HEIGHT = 6.4, 4.0
PALETTE = "colorblind"


def use() -> None:
    """Apply the book's figure style to matplotlib."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)
    mpl.rcParams.update({
        "figure.figsize": (WIDTH, HEIGHT),
        "figure.dpi": 110,
        "savefig.dpi": 150,
        # an opaque white background keeps figures legible in the site's dark mode
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        "axes.titlesize": "medium",
        "legend.frameon": True,
        "legend.framealpha": 0.9,
        "figure.constrained_layout.use": True,
    })
