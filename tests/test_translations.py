"""The zh-hans catalogue is complete: every string in the code and templates is in it, and
every entry is translated (no empty or fuzzy entries)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "keel"
PO = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(PO)) if not e.obsolete]


def test_every_entry_is_translated() -> None:
    assert PO.exists(), "run `make messages` to create the zh-hans catalogue"
    entries = _entries()
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_placeholders_survive_translation() -> None:
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    bad = [
        e.msgid
        for e in _entries()
        if e.msgstr and sorted(pattern.findall(e.msgid)) != sorted(pattern.findall(e.msgstr))
    ]
    assert not bad, f"placeholders differ: {bad[:10]}"


def test_catalogue_covers_the_source(tmp_path: Path) -> None:
    """Extract the strings afresh (as `make messages` does) and compare with the catalogue."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed in CI: apt-get install gettext")
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "keel"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "engine"))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="keel.config.settings.test")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in _entries()}
    missing = sorted(fresh - known)
    assert not missing, (
        f"{len(missing)} strings are not in the catalogue (run `make messages`): {missing[:20]}"
    )
