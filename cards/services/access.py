"""Who may write the cards app's figures: a permission of the user's role, in an area the
user works in (the same scope the pages use)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from districts.selectors import UserScope, user_scope


class CardsForbidden(PermissionDenied):
    """The user may not write this area's figures; nothing was written."""


def area_writable(user, permission: str, code: str, scope: UserScope | None = None) -> bool:
    """Whether `user` holds `permission` and works in an area that covers `code`. No user is
    the system itself (a command run by the server's administrator), which may write anywhere."""
    if user is None:
        return True
    return user.has_perm(permission) and (scope or user_scope(user)).covers(code)


def area_require(user, permission: str, *codes: str) -> None:
    scope = user_scope(user) if user is not None else None
    for code in codes:
        if not area_writable(user, permission, code, scope):
            raise CardsForbidden(
                gettext("Wilayah %(area)s di luar wilayah kerja atau peran Anda.") % {"area": code}
            )


def user_or_none(user):
    """The user to stamp on a row (None for the system or an anonymous caller)."""
    return user if user is not None and user.is_authenticated else None
