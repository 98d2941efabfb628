"""The documentation runs: every code block of README.md and docs/*.md, as pasted.

- every ```python block is executed in a fresh namespace, with the working directory set to a
  temporary directory (whatever it saves lands there) and warnings as errors;
- every command of a ```bash block is run the same way (``python`` is this interpreter, the
  script is found in the repository), except the README's two set-up commands, which .ci/run
  runs (tests/test_readme.py checks them);
- every fenced block has a tag from ALLOWED_TAGS, so no block goes untested by accident;
- every relative link and image resolves, and the README stays a front door (MAX_README_LINES).
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
ALLOWED_TAGS = {"python", "bash", "text"}
MAX_README_LINES = 250
COMMAND_TIMEOUT = 120  # seconds; every command shown runs in a few seconds
# Where a block or command could write into the repository by mistake (cwd is tmp_path).
WATCHED = ["", "docs", "docs/gallery", "benchmarks", "benchmarks/results", "examples", "tests",
           "neuralkit"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _name(page):
    return page.relative_to(ROOT).as_posix()


def _parse(page):
    """The fenced blocks of a Markdown file, [(tag, code, first line of the code)], and the rest."""
    blocks, prose, current = [], [], None
    for number, line in enumerate(page.read_text().splitlines(), 1):
        match = _FENCE.match(line)
        if current is None:
            if match:
                fence, info = match.groups()
                current = {"fence": fence, "tag": (info.split() or [""])[0], "line": number + 1,
                           "lines": []}
            else:
                prose.append(line)
        elif (match and match.group(1)[0] == current["fence"][0]
              and len(match.group(1)) >= len(current["fence"]) and not match.group(2).strip()):
            blocks.append((current["tag"], "\n".join(current["lines"]) + "\n", current["line"]))
            current = None
        else:
            current["lines"].append(line)
    assert current is None, f"{_name(page)}: the block opened at line {current['line'] - 1} is never closed"
    return blocks, "\n".join(prose)


def fenced_blocks(page):
    return _parse(page)[0]


def _blocks(tag):
    return [(page, index, code, line)
            for page in PAGES
            for index, (block_tag, code, line) in enumerate(
                [b for b in fenced_blocks(page) if b[0] == tag])]


def _commands(code):
    """The commands of a bash block: one per line (backslash continuations joined), comments dropped."""
    return [words for words in (shlex.split(line, comments=True)
                                for line in code.replace("\\\n", " ").splitlines()) if words]


SETUP_COMMANDS = _commands(next(code for tag, code, _ in fenced_blocks(README) if tag == "bash"))
PYTHON_BLOCKS = _blocks("python")
BASH_COMMANDS = [(page, index, words, line)
                 for page, index, code, line in _blocks("bash")
                 for words in _commands(code) if words not in SETUP_COMMANDS]


def _repository_state():
    state = {}
    for folder in WATCHED:
        directory = ROOT / folder
        if directory.is_dir():
            for entry in os.scandir(directory):
                if entry.is_file():
                    state[entry.path] = entry.stat().st_mtime_ns
    return state


@pytest.fixture
def repository_unchanged():
    before = _repository_state()
    yield
    after = _repository_state()
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert not changed, f"wrote into the repository: {changed}"


# --- the blocks run ------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "index", "code", "line"), PYTHON_BLOCKS,
                         ids=[f"{_name(p)}-{i}" for p, i, _, _ in PYTHON_BLOCKS])
def test_python_block_runs(page, index, code, line, tmp_path, monkeypatch, repository_unchanged):
    if "matplotlib" in code or "plotting" in code:
        import matplotlib

        matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    # Padded so that a traceback names the line of the Markdown file.
    exec(compile("\n" * (line - 1) + code, str(page), "exec"), namespace)
    if "matplotlib" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


@pytest.mark.parametrize(("page", "index", "words", "line"), BASH_COMMANDS,
                         ids=[f"{_name(p)}-{i}: {shlex.join(w)}" for p, i, w, _ in BASH_COMMANDS])
def test_bash_command_runs(page, index, words, line, tmp_path, repository_unchanged):
    where = f"{_name(page)}, block at line {line}: {shlex.join(words)!r}"
    assert words[0] == "python", (
        f"{where}: a docs command must be `python SCRIPT ...` run by this test (or one of the "
        f"README's set-up commands); write other commands in the text")
    assert not {"&&", "||", "|", ";", ">", ">>", "<"} & set(words), f"{where}: one command per line"
    script = ROOT / words[1]
    assert script.is_file(), f"{where}: no such script {words[1]}"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "error",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = subprocess.run([sys.executable, str(script), *words[2:]], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    assert result.returncode == 0, f"{where} failed:\n{result.stdout}\n{result.stderr}"


def test_every_block_is_found():
    assert len(PYTHON_BLOCKS) >= 15 and len(BASH_COMMANDS) >= 5
    assert len(SETUP_COMMANDS) == 2


# --- the blocks are tagged ------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_fenced_block_has_an_allowed_tag(page):
    untagged = [(line - 1, tag) for tag, _, line in fenced_blocks(page) if tag not in ALLOWED_TAGS]
    assert not untagged, (f"{_name(page)}: blocks opened at lines {untagged} need one of the tags "
                          f"{sorted(ALLOWED_TAGS)} (```text for output that is not run)")


# --- links ----------------------------------------------------------------------------------

_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _prose(page):
    """The page without its fenced blocks and inline code, where links are not links."""
    return re.sub(r"(`+).*?\1", "", _parse(page)[1], flags=re.S)


def _anchors(page):
    """GitHub's ids for the headings of a page: lower case, punctuation dropped, '-' for spaces."""
    anchors, seen = set(), {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _parse(page)[1], flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchors.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return anchors


def _links(page):
    return [target for target in _LINK.findall(_prose(page))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]  # http:, https:, mailto: ...


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_relative_links_resolve(page):
    broken = []
    for target in _links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target} (no such section)")
    assert not broken, f"{_name(page)}: broken links {broken}"


def test_readme_links_every_docs_page():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in _links(README)}
    missing = [_name(page) for page in PAGES[1:] if page.resolve() not in linked]
    assert not missing, f"README.md does not link to {missing}"


def test_readme_is_a_front_door():
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; move the detail to docs/"
    for heading in ("## Quickstart", "## Conventions", "## What is in the box", "## Write your own layer"):
        assert heading in lines
