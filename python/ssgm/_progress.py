"""Progress of long calls: reading a large Graph export, a big ``import_directory``.

``with ssgm.progress(): t.import_directory(data)`` shows a bar per phase (``read``,
``import``) with tqdm when it is installed, else a line on stderr that counts up;
``ssgm.progress(callback)`` hands ``callback(phase, done, total)`` the reports instead.
``Tenant.from_graph(..., progress=True)`` is the same for one call. Reports come from the
calling thread only, at most ten a second plus the last of each phase.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Callable, Iterator, Optional

from . import _core

Callback = Callable[[str, int, int], None]

_stack: list[Optional[Callback]] = []


def default_callback() -> Callback:
    """A callback that draws tqdm bars (one per phase) or, without tqdm, counts on stderr."""
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]
    except ImportError:
        tqdm = None
    bars: dict[str, Any] = {}

    def show(phase: str, done: int, total: int) -> None:
        if tqdm is not None:
            bar = bars.get(phase)
            if bar is None:
                bar = bars[phase] = tqdm(total=total, desc=phase, unit="obj", leave=True)
            bar.total = total
            bar.n = done
            bar.refresh()
            if done >= total:
                bar.close()
                bars.pop(phase, None)
            return
        end = "\n" if done >= total else ""
        pct = 100 * done // total if total else 100
        print(f"\r{phase}: {done}/{total} ({pct}%)", end=end, file=sys.stderr, flush=True)

    return show


@contextlib.contextmanager
def progress(callback: Optional[Callback] = None) -> Iterator[None]:
    """Within the block, long calls of this thread report their progress to `callback`
    (default: :func:`default_callback`)."""
    cb = callback if callback is not None else default_callback()
    _stack.append(cb)
    _core._set_progress(cb)
    try:
        yield
    finally:
        _stack.pop()
        _core._set_progress(_stack[-1] if _stack else None)
