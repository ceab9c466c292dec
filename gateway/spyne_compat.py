"""Lets the released Spyne 2.14.0 import on Python 3.12 and 3.13; does nothing on 3.11.

Spyne bundles an old copy of ``six`` whose meta-path importer, which serves
``spyne.util.six.moves``, has only ``find_module`` and ``load_module``. Python 3.12 stopped
calling those, so ``import spyne`` fails with "No module named 'spyne.util.six.moves'". Spyne's
repository fixed it in 2023 (six's own ``find_spec``), but no release has followed. On 3.12 and
later this module adds a one-shot finder in front of ``sys.meta_path``: once
``spyne.util.six`` has run, its importer's class gets the current import protocol
(``find_spec``, ``create_module``, ``exec_module``), delegating to the methods it already has,
as six 1.16 does. The other gap, the ``cgi`` module that 3.13 removed, is filled by the
``legacy-cgi`` package (setup.cfg).

``gateway/__init__.py`` and ``bench/__init__.py`` import this module, so it is in place before
anything imports Spyne. Remove it, with ``legacy-cgi``, the day a Spyne release imports on
3.12 and 3.13 on its own (tests/unit/test_spyne_compat.py fails then).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from importlib.util import spec_from_loader
from types import ModuleType
from typing import Any

SIX = "spyne.util.six"


def _find_spec(self: Any, fullname: str, path: object = None, target: object = None) -> Any:
    return spec_from_loader(fullname, self) if fullname in self.known_modules else None


def _create_module(self: Any, spec: ModuleSpec) -> ModuleType:
    return self.load_module(spec.name)


def _exec_module(self: Any, module: ModuleType) -> None:
    """``load_module`` has already returned the finished module."""


def modernise(six: ModuleType) -> None:
    """Give the six copy's meta-path importer the methods Python 3.12 looks for."""
    importer = six._SixMetaPathImporter
    importer.find_spec = _find_spec
    importer.create_module = _create_module
    importer.exec_module = _exec_module


class _ModerniseAfterExecution(Loader):
    """Runs spyne's six module with its own loader, then modernises its importer."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        modernise(module)


class _SpyneSixFinder(MetaPathFinder):
    """Finds ``spyne.util.six`` as the path finder would, with a loader that modernises it;
    leaves ``sys.meta_path`` once it has done so."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != SIX:
            return None
        sys.meta_path.remove(self)
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _ModerniseAfterExecution(spec.loader)
        return spec


def install() -> None:
    if sys.version_info >= (3, 12):
        sys.meta_path.insert(0, _SpyneSixFinder())


install()
