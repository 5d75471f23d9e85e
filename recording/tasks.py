"""Background tasks (huey): an upload's check and its save, so that no web worker waits on
them. Thin: each calls its service in `imports.py`; a task that crashes marks its upload failed
with a message for the operator, never leaving it "running".

With `HUEY_REDIS_URL` unset, huey runs a task at once in the process that enqueued it (the demo
and the tests need nothing more); set, `manage.py run_huey` runs them.
"""

from huey.contrib.djhuey import db_task

from common.tasks import failure_marked
from recording.choices import ImportNotice
from recording.services.imports import (
    count_import_check,
    count_import_commit_run,
    count_import_fail,
)


@db_task()
@failure_marked(ImportNotice.CHECK_CRASHED, fail=count_import_fail)
def count_import_check_task(pk: int):
    return count_import_check(pk=pk)


@db_task()
@failure_marked(ImportNotice.SAVE_CRASHED, fail=count_import_fail)
def count_import_commit_task(pk: int, user_id: int, confirm: bool, digest: str):
    return count_import_commit_run(pk=pk, user_id=user_id, confirm=confirm, digest=digest)
