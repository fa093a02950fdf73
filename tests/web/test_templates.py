"""Templates.fragment: markup of data that never changes, rendered once per key and kept within a budget."""

from __future__ import annotations

import pytest

from proto.tools import templates
from proto.tools.templates import Templates


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "greeting.mako").write_text("<p>${name}</p>")
    return tmp_path


def test_a_fragment_is_rendered_once_per_key(folder):
    kept = Templates(folder)
    assert kept.fragment("greeting.mako", 1, name="Ada & Bob") == "<p>Ada &amp; Bob</p>"
    # The same key is the same markup: whatever else is passed, the template does not run again.
    assert kept.fragment("greeting.mako", 1, name="someone else") == "<p>Ada &amp; Bob</p>"
    assert kept.fragment("greeting.mako", 2, name="Eve") == "<p>Eve</p>"


def test_in_development_every_fragment_is_rendered_anew(folder):
    reloading = Templates(folder, reload=True)
    assert reloading.fragment("greeting.mako", 1, name="Ada") == "<p>Ada</p>"
    assert reloading.fragment("greeting.mako", 1, name="Eve") == "<p>Eve</p>"


def test_the_oldest_fragments_go_once_the_budget_is_spent(folder, monkeypatch):
    monkeypatch.setattr(templates, "FRAGMENTS_BUDGET", 20)  # two fragments of 10 characters
    kept = Templates(folder)
    for key, name in enumerate(("Ada", "Bob", "Eve")):
        kept.fragment("greeting.mako", key, name=name)
    assert kept.fragment("greeting.mako", 0, name="new") == "<p>new</p>"  # the first was dropped
    assert kept.fragment("greeting.mako", 2, name="new") == "<p>Eve</p>"  # the last is kept
