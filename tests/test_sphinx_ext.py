from landscape.book.sphinx_ext import escape_docstring_bars


def test_bars_of_plain_text_are_escaped_and_markup_is_left_alone():
    lines = ["the norm |∇L|² and :math:`|x|` and ``|a|``", ".. math::", "", "   |x| + |y|", "after |y|",
             ">>> abs(-1) | 2"]
    assert escape_docstring_bars(lines) == [r"the norm \|∇L\|² and :math:`|x|` and ``|a|``", ".. math::", "",
                                            "   |x| + |y|", r"after \|y\|", ">>> abs(-1) | 2"]
