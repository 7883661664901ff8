"""The documentation as its readers use it: a short README of the two commands and links,
guides per reader and a reference in ``docs/``, built by MkDocs strictly (a warning fails
the build), with the command-line and API references generated from the code; every
``sohoa`` command and option the docs show exists."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click

from sohoa.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_is_the_two_commands_and_links() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 150
    assert "scripts/demo" in readme and "scripts/test" in readme
    for link in re.findall(r"\]\(((?:docs/)[^)#]+)", readme):
        if not link.endswith(("api.md", "exit-codes.md")):  # generated when the docs are built
            assert (ROOT / link).is_file(), link


def test_the_docs_build_strictly_with_no_warning(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DISABLE_MKDOCS_2_WARNING": "true"})
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "WARNING" not in said, said
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "/api/v1/records/{record_id}" in api and "RecordOut" in api  # from the OpenAPI schema
    cli = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert all(name in cli for name in main.commands)  # from the click commands


def _command_lines() -> list[tuple[str, str]]:
    """Every line of a code block in the README and the docs that runs ``sohoa``."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        fence = False
        pending = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("```"):
                fence = not fence
                continue
            if not fence:
                continue
            line = pending + line
            if line.rstrip().endswith("\\"):
                pending = line.rstrip()[:-1] + " "
                continue
            pending = ""
            text = re.sub(r"^\s*(?:\$\s+)?", "", line)
            if re.match(r"(?:\S+=\S+\s+)*(?:\S*/)?sohoa\s", text) and "sohoa-" not in text.split()[0]:
                found.append((path.name, text))
    return found


def test_every_command_and_option_the_docs_show_exists() -> None:
    lines = _command_lines()
    assert len(lines) > 30
    for where, line in lines:
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split("#")[0].split()
        words = words[next(i for i, w in enumerate(words) if re.fullmatch(r"(?:\S*/)?sohoa", w)) + 1:]
        command: click.Command = main
        options = {o for p in main.params for o in (*p.opts, *p.secondary_opts)}
        for word in words:
            if word in ("|", "&&", ";", ">", "2>&1") or word.startswith((">", "|")):
                break
            if isinstance(command, click.Group) and not word.startswith("-"):
                sub = command.commands.get(word)
                assert sub is not None or command is not main, (where, line, word)
                if sub is None:
                    break
                command = sub
                options |= {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
                continue
            if word.startswith("-") and not re.fullmatch(r"-\d+", word):
                name = word.split("=", 1)[0]
                assert name in options | {"-h", "--help"}, (where, line, name)
