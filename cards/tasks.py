"""Background tasks (huey) of a card report upload: its check and its save, as the count
uploads' (`recording/tasks.py`). Thin: each calls its service in `services/imports.py`."""

from huey.contrib.djhuey import db_task

from cards.services.imports import card_upload_check, card_upload_commit_run, card_upload_fail
from common.tasks import failure_marked
from recording.choices import ImportNotice


@db_task()
@failure_marked(ImportNotice.CHECK_CRASHED, fail=card_upload_fail)
def card_upload_check_task(pk: int):
    return card_upload_check(pk=pk)


@db_task()
@failure_marked(ImportNotice.SAVE_CRASHED, fail=card_upload_fail)
def card_upload_commit_task(pk: int, user_id: int, confirm: bool, digest: str):
    return card_upload_commit_run(pk=pk, user_id=user_id, confirm=confirm, digest=digest)
