"""A screen's own widgets, found once: `check_action` asks for them on every footer update."""

from __future__ import annotations

import weakref
from typing import TypeVar

from textual.dom import DOMNode
from textual.widget import Widget

W = TypeVar("W", bound=Widget)

_FOUND: weakref.WeakKeyDictionary[DOMNode, dict[type[Widget], tuple[weakref.ref[Widget], ...]]] = (
    weakref.WeakKeyDictionary()
)
"""Weak both ways: phguide's widgets hold the app's services, whose clipboard holds the app and
so the screen, so a widget kept here strongly kept its own key alive, and with it the whole
app, for as long as the process ran."""


def mounted(node: DOMNode, kind: type[W]) -> tuple[W, ...]:
    """The widgets of `kind` under `node`, for widgets a screen composes once and keeps.

    Textual asks `check_action` about every key each time the bindings may have changed (each
    focus move, each phase change), and a DOM query there walked the whole screen each time
    (about a tenth of step 4's CPU in its tests). The answer is kept while every widget found
    is still mounted; until one is found, each call looks again (the screen may not be
    composed yet). For one widget, `query_one` is enough: Textual caches it; `query` it does
    not.
    """
    known = _FOUND.setdefault(node, {})
    found = tuple(ref() for ref in known.get(kind, ()))
    if found and all(widget is not None and widget.is_attached for widget in found):
        return found  # type: ignore[return-value]  # stored under its own kind
    fresh = tuple(node.query(kind).results(kind))
    if fresh:
        known[kind] = tuple(weakref.ref(widget) for widget in fresh)
    return fresh
