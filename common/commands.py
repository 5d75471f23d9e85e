"""What every file-import command shares: its arguments, reading the file, the acting user."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext


def import_arguments(parser, *, example: str, confirm_help: str) -> None:
    """FILE, --user, --confirm and --dry-run, the same on every import command."""
    parser.add_argument("file", type=Path, help=f"CSV or XLSX file, e.g. {example}")
    parser.add_argument(
        "--user",
        help="Username: only the areas of this user are accepted, and the rows are recorded "
        "as entered by them. Without it: every area, no user recorded.",
    )
    parser.add_argument("--confirm", action="store_true", help=confirm_help)
    parser.add_argument(
        "--dry-run", action="store_true", help="Check and count only; write nothing."
    )


def import_file_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise CommandError(
            gettext("Berkas %(file)s tidak dapat dibaca: %(reason)s.")
            % {"file": file, "reason": exc.strerror}
        ) from exc


def import_user(username: str, permission: str, not_allowed: str):
    """The user a command acts as; `CommandError` when unknown, or `not_allowed` (a message
    with `%(user)s`) when they lack `permission`."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(gettext("Pengguna %(user)s tidak ada.") % {"user": username})
    if not user.has_perm(permission):
        raise CommandError(str(not_allowed) % {"user": username})
    return user
