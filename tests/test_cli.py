import json
import subprocess
import sys

from landscape.book import runner


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "landscape", *args], capture_output=True, text=True, env=env)


def test_chapters_are_listed_in_toc_order():
    out = cli("chapters")
    assert out.returncode == 0
    listed = out.stdout.split()
    assert listed == runner.chapters()
    assert listed[0] == "relu_to_spin_glass" and listed[-2:] == ["intro", "report"]


def test_unknown_chapter_is_refused():
    out = cli("run", "--only", "no_such_chapter", "--no-site", "--device", "cpu")
    assert out.returncode == 2
    assert "no_such_chapter" in out.stderr


def test_bad_profile_is_refused():
    out = cli("run", "--profile", "medium")
    assert out.returncode == 2 and "profile" in out.stderr


def test_ledger_json(tmp_path):
    import os

    env = dict(os.environ, LANDSCAPE_LEDGER_DIR=str(tmp_path))
    (tmp_path / "x.json").write_text(json.dumps({"chapter": "x", "profile": "quick", "seed": 0, "claims": []}))
    out = cli("ledger", "--json", env=env)
    assert out.returncode == 0
    assert json.loads(out.stdout)[0]["chapter"] == "x"


def test_bad_cluster_is_refused():
    out = cli("run", "--only", "intro", "--no-site", "--cluster", "my laptop")
    assert out.returncode == 2 and "cluster" in out.stderr
