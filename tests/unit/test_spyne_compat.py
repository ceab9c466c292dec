"""The released Spyne on the interpreter the tests run on: ``gateway/spyne_compat.py`` makes it
import on Python 3.12 and later and changes nothing on 3.11. `make test` runs these on the
default interpreter, `make test-python` on 3.12 and 3.13."""

from __future__ import annotations

import subprocess
import sys

import pytest
import spyne.util.six

import gateway.spyne_compat

NEWER = pytest.mark.skipif(sys.version_info < (3, 12), reason="Spyne imports on 3.11 as it is")


def our_finders() -> list[object]:
    return [f for f in sys.meta_path if type(f).__module__ == gateway.spyne_compat.__name__]


@NEWER
def test_the_released_spyne_still_needs_the_compatibility_module():
    """When this fails, the installed Spyne imports on its own: remove
    gateway/spyne_compat.py and the legacy-cgi requirement."""
    alone = subprocess.run(
        [sys.executable, "-c", "import spyne"], capture_output=True, text=True, timeout=60
    )
    assert alone.returncode != 0
    assert "No module named 'spyne.util.six.moves'" in alone.stderr


@NEWER
def test_spyne_s_six_serves_its_moves_and_the_finder_has_left():
    from spyne.util.six.moves import collections_abc

    assert collections_abc.MutableSet is not None
    assert hasattr(spyne.util.six._SixMetaPathImporter, "find_spec")
    assert our_finders() == []


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.11 only")
def test_on_python_3_11_nothing_is_changed():
    assert not hasattr(spyne.util.six._SixMetaPathImporter, "find_spec")
    assert our_finders() == []
