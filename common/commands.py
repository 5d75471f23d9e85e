"""What every file-import command shares: its arguments, reading the file, the acting user."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


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
        raise CommandError(f"Berkas {file} tidak dapat dibaca: {exc.strerror}.") from exc


def import_user(username: str, permission: str, what: str):
    """The user a command acts as; `CommandError` when unknown or not allowed to write `what`."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Pengguna {username} tidak ada.")
    if not user.has_perm(permission):
        raise CommandError(f"Pengguna {username} tidak berhak mengisi {what}.")
    return user
