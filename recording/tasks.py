"""Background tasks (huey): an upload's check and its save, so that no web worker waits on
them. Thin: each calls its service in `imports.py`; a task that crashes marks its upload failed
with a message for the operator, never leaving it "running".

With `HUEY_REDIS_URL` unset, huey runs a task at once in the process that enqueued it (the demo
and the tests need nothing more); set, `manage.py run_huey` runs them.
"""

import functools
import logging

from huey.contrib.djhuey import db_task

from recording.choices import ImportNotice
from recording.services.imports import (
    count_import_check,
    count_import_commit_run,
    count_import_fail,
)

logger = logging.getLogger(__name__)


def _failure_marked(notice: str):
    """Run the task; if it crashes, log why and mark its upload failed with `notice`."""

    def decorator(function):
        @functools.wraps(function)
        def run(pk: int, *args, **kwargs):
            try:
                return function(pk, *args, **kwargs)
            except Exception:
                logger.exception("Task %s of upload %s crashed", function.__name__, pk)
                try:
                    count_import_fail(pk=pk, notice=notice)
                except Exception:
                    # The database itself is away: the page shows the upload as stopped once
                    # it has not moved for IMPORT_STALE_MINUTES.
                    logger.exception("Upload %s could not be marked failed", pk)
                return None

        return run

    return decorator


@db_task()
@_failure_marked(ImportNotice.CHECK_CRASHED)
def count_import_check_task(pk: int):
    return count_import_check(pk=pk)


@db_task()
@_failure_marked(ImportNotice.SAVE_CRASHED)
def count_import_commit_task(pk: int, user_id: int, confirm: bool, digest: str):
    return count_import_commit_run(pk=pk, user_id=user_id, confirm=confirm, digest=digest)
