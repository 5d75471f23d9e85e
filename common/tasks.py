"""What every background task of an upload shares: a task that crashes marks its upload failed
with a message for the operator, never leaving it "running"."""

import functools
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


def failure_marked(notice: str, *, fail: Callable[..., bool]):
    """Run the task; if it crashes, log why and mark its upload failed with `notice` through
    `fail(pk=..., notice=...)` (the upload's own service)."""

    def decorator(function):
        @functools.wraps(function)
        def run(pk: int, *args, **kwargs):
            try:
                return function(pk, *args, **kwargs)
            except Exception:
                logger.exception("Task %s of upload %s crashed", function.__name__, pk)
                try:
                    fail(pk=pk, notice=notice)
                except Exception:
                    # The database itself is away: the page shows the upload as stopped once
                    # it has not moved for IMPORT_STALE_MINUTES.
                    logger.exception("Upload %s could not be marked failed", pk)
                return None

        return run

    return decorator
