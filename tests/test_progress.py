"""Progress bars go where $LANDSCAPE_PROGRESS says, never into a notebook's outputs."""
import pytest

from landscape import progress


def test_bar_goes_to_the_file_the_runner_names(tmp_path, monkeypatch, capsys):
    log = tmp_path / "progress" / "chapter.log"
    monkeypatch.setenv(progress.ENV_PROGRESS, str(log))
    assert list(progress.progress_bar(range(3), desc="solving")) == [0, 1, 2]
    progress.destination().flush()
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    assert "solving" in log.read_text()


def test_off_and_disabled_bars_write_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(progress.ENV_PROGRESS, "off")
    assert sum(progress.progress_bar(range(4), desc="x")) == 6
    monkeypatch.delenv(progress.ENV_PROGRESS)
    bar = progress.progress_bar(total=5, desc="y", enabled=False)
    bar.update(5)
    bar.close()
    assert capsys.readouterr().err == ""


def test_bar_is_the_plain_text_bar_not_the_widget():
    # tqdm.auto would pick the Jupyter widget bar in a kernel and warn "IProgress not found"
    from tqdm.std import tqdm

    bar = progress.progress_bar(range(1), enabled=False)
    assert type(bar) is tqdm


def test_enabled_must_be_a_flag():
    with pytest.raises(ValueError, match="enabled"):
        progress.progress_bar(range(1), enabled="yes")
