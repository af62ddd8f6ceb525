"""The figure style's panel grid and the size of its labels on the page."""
import pytest

from landscape.book import style


def test_panels_stack_beyond_two_columns_and_keep_the_page_width():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style.use()
    fig, axes = style.panels(3)
    assert len(axes) == 3 and len(fig.axes) == 3  # the unused fourth cell is removed
    assert tuple(fig.get_size_inches()) == pytest.approx((style.PANEL_WIDTH, 2 * 2.9))
    fig.canvas.draw()
    top, bottom = axes[0].get_position(), axes[2].get_position()
    assert bottom.width > 1.8 * top.width  # the last panel spans the bottom row
    plt.close(fig)
    fig, axes = style.panels(3, span_last=False)
    fig.canvas.draw()
    assert axes[2].get_position().width == pytest.approx(axes[0].get_position().width, rel=0.05)
    plt.close(fig)
    with pytest.raises(ValueError, match="`n`"):
        style.panels(0)


def test_tick_labels_of_a_full_width_figure_are_readable_on_a_phone():
    natural = style.WIDTH * style.DPI
    assert style.tick_label_pixels(natural, natural) > 15  # shown at natural size in the column
    assert style.tick_label_pixels(360, natural) >= 9  # scaled to a 400 px phone's column
    with pytest.raises(ValueError):
        style.tick_label_pixels(100, 0)
