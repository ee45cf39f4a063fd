"""Rendered fragments shared by every viewer and every worker, through Django's cache.

A fragment's key is a digest of everything its template reads (the audit, its versions, the row's
data, the language, the viewer's role and what they may see), so two requests that would render the
same HTML share one render, and a changed row or another viewer's view has another key: a stale or
someone else's fragment can never be served. Nothing is ever invalidated; old keys expire.

The CSRF token differs per session, so shared fragments hold a placeholder in its place; every
response that carries fragments passes through `fill_csrf`, which writes in the request's own token
(a poll's whole stored answer drops the forms' token fields instead: audits/live/answers.packed_answer).
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import format_html

# What `{% csrf_token %}` and the cell forms write in a shared fragment. It starts with "<", which
# text from users never does once escaped, so no cell can forge it.
CSRF_PLACEHOLDER = format_html("<!--{}-->", "csrf-token")
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
TIMEOUT = 6 * 60 * 60
# A fragment another request is drawing is waited for, a little at a time, up to WAIT_SECONDS; a drawer
# that died frees it after DRAWING_SECONDS. The waiters look every 5 ms at first, then less and less often
# (up to every 40 ms): when a room opens a page at once, a dozen threads wait for one drawing, and looking
# every 5 ms each they took the drawer's own CPU and GIL from it.
DRAWING_SECONDS, WAIT_SECONDS, WAIT_STEP_SECONDS, LONGEST_WAIT_STEP_SECONDS = 10, 2.0, 0.005, 0.04
# The last large fragments used (a page's main area, its panels) also stay in this process as they are:
# a large audit's main area is a megabyte, and unpickling it from the cache on every request would cost
# more than the rest of the page. Safe because a key names its content: it never changes.
RECENT_CHARACTERS = 24_000_000
_recent: OrderedDict[str, str] = OrderedDict()
_recent_size = 0
_recent_lock = threading.Lock()
logger = logging.getLogger(__name__)


def key(*parts) -> str:
    """The cache key of a fragment: a digest of everything it depends on (reprs of plain data)."""
    return "fragment:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def fragment(fragment_key: str, render: Callable[[], str], timeout: int = TIMEOUT, wait: bool = False) -> str:
    """The fragment under `fragment_key`, drawn by `render()` if it is missing. `wait`: if another request is
    drawing it right now, wait for theirs (for a large fragment: see _drawn_once)."""
    html = _recent.get(fragment_key)
    if html is None:
        html = _cached(cache.get, fragment_key)
    if html is None and wait:
        html = _drawn_once(fragment_key, render, timeout)
    elif html is None:
        html = render()
        put(fragment_key, html, timeout)
    _remember(fragment_key, html)
    return html


def _drawn_once(fragment_key: str, render: Callable[[], str], timeout: int) -> str:
    """Draw the fragment, unless another request (another worker) is drawing it right now: then wait for
    theirs. When a room opens a page at once every worker misses its main area at the same moment; one
    draws it while the others wait, instead of all drawing it at once. Only for what costs more to draw
    than a worker's wait costs the requests queued behind it (a sync worker waits with them)."""
    if not claim(fragment_key):
        html = waited_for(fragment_key, WAIT_SECONDS)
        if html is not None:
            return html
        # Theirs is late (or failed): draw it here after all.
    try:
        html = render()
        put(fragment_key, html, timeout)
    finally:
        release(fragment_key)
    return html


def claim(fragment_key: str) -> bool:
    """Whether this request is the one to draw `fragment_key`: no other is drawing it now (or the cache is
    down). The claim lasts until release(), or DRAWING_SECONDS if the drawer dies."""
    return _cached(cache.add, f"{fragment_key}:drawing", 1, DRAWING_SECONDS) is not False


def release(fragment_key: str) -> None:
    _cached(cache.delete, f"{fragment_key}:drawing")


def waited_for(fragment_key: str, seconds: float):
    """What another request stores under `fragment_key` within `seconds` (looked for every few ms), or None."""
    deadline = time.monotonic() + seconds
    step = WAIT_STEP_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(step, left))
        step = min(step * 2, LONGEST_WAIT_STEP_SECONDS)
        found = _cached(cache.get, fragment_key)
        if found is not None:
            return found
    return None


def _remember(fragment_key: str, html: str) -> None:
    global _recent_size
    with _recent_lock:
        if fragment_key not in _recent:
            _recent_size += len(html)
        _recent[fragment_key] = html
        _recent.move_to_end(fragment_key)
        while _recent_size > RECENT_CHARACTERS and len(_recent) > 1:
            _recent_size -= len(_recent.popitem(last=False)[1])


def get(fragment_key: str) -> str | None:
    """A fragment stored with `put`, or None (also when the cache is down)."""
    return _cached(cache.get, fragment_key)


def put(fragment_key: str, html: str, timeout: int = TIMEOUT) -> None:
    _cached(cache.set, fragment_key, html, timeout)


def forget_recent() -> None:
    """Empty this process's copies (benchmarks measure a first render with `cache.clear()` and this)."""
    global _recent_size
    with _recent_lock:
        _recent.clear()
        _recent_size = 0


def get_many(keys: dict[Hashable, str]) -> dict:
    """The fragments found, by the names `keys` maps to their cache keys; one cache round trip."""
    found = (_cached(cache.get_many, list(keys.values())) or {}) if keys else {}
    return {name: found[fragment_key] for name, fragment_key in keys.items() if fragment_key in found}


def set_many(fragments_by_key: dict[str, str]) -> None:
    if fragments_by_key:
        _cached(cache.set_many, fragments_by_key, TIMEOUT)


def fragments(keys: dict[Hashable, str], render: Callable[[Iterable[Hashable]], dict[Hashable, str]]) -> dict:
    """Many fragments in one cache round trip: `keys` maps an id to its key; `render(ids)` renders the missing."""
    html = get_many(keys)
    missing = [name for name in keys if name not in html]
    if missing:
        rendered = render(missing)
        set_many({keys[name]: text for name, text in rendered.items()})
        html |= rendered
    return html


def _cached(operation, *args):
    """A cache operation; a cache that is down (Redis restarting) only costs a render, never the page."""
    try:
        return operation(*args)
    except Exception:  # any backend's connection error
        logger.warning("The render cache is unavailable; rendering without it.", exc_info=True)
        return None


def first_value(value_key: str, value, timeout: int):
    """The value stored under `value_key` by whoever came first (`value` if that is us): one round trip
    when it is there. `value` itself when the cache is down."""
    found = _cached(cache.get, value_key)
    if found is None and _cached(cache.add, value_key, value, timeout):
        return value
    found = found if found is not None else _cached(cache.get, value_key)
    return value if found is None else found


def fill_csrf(response: HttpResponse, request) -> HttpResponse:
    """The response with this request's CSRF token where shared fragments left the placeholder."""
    if not response.streaming and _PLACEHOLDER_BYTES in response.content:
        response.content = response.content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return response
