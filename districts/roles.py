"""The three roles as Django groups with their model permissions.

Groups are (re)built after every migrate, so a fresh database always has them and a permission
added here reaches existing databases on the next deploy.
"""

from django.contrib.auth.models import Group, Permission

from .choices import Role

VIEW_ALL = [
    "districts.view_province",
    "districts.view_regency",
    "districts.view_subdistrict",
    "districts.view_eligiblepopulation",
    "districts.view_campaign",
    "recording.view_recordingdevice",
    "recording.view_dailycount",
    "recording.view_repair",
    "recording.view_vendor",
    "cards.view_cardreport",
    "cards.view_blankostock",
    "cards.view_blankomovement",
    "cards.view_blankotransfer",
    "cards.view_handoutevent",
]

CARD_WRITES = [
    "cards.add_cardreport",
    "cards.change_cardreport",
    "cards.add_handoutevent",
    "cards.change_handoutevent",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.VIEWER: VIEW_ALL,
    # Operators report a fault, record a fix on site and a return from the vendor
    # (`add_repair`), for the devices of their areas only (the views check the area).
    # They also write the card reports and hand-out events of their areas (a regency's
    # operator: the print office's figures and its kecamatan's; a kecamatan's: only its own).
    Role.OPERATOR: VIEW_ALL
    + ["recording.add_dailycount", "recording.change_dailycount", "recording.add_repair"]
    + CARD_WRITES,
    Role.ADMIN: VIEW_ALL
    + [
        f"{app}.{action}_{model}"
        for app, models in {
            "districts": ["eligiblepopulation", "campaign", "areaassignment"],
            "recording": ["recordingdevice", "dailycount"],
            "auth": ["user"],
        }.items()
        for model in models
        for action in ("add", "change", "view", "delete")
    ]
    # Admins also ship to the vendor and replace (`change_repair`) and keep the vendor list;
    # repairs and status changes are never deleted (they are the downtime record).
    + [
        "recording.add_repair",
        "recording.change_repair",
        "recording.add_vendor",
        "recording.change_vendor",
        "recording.view_devicestatuschange",
    ]
    # Admins manage the blanko ledger of their areas (receipts, transfers, corrections and the
    # reorder point, through the services: the admin site only lists them) and read the audit.
    + CARD_WRITES
    + [
        "cards.add_blankomovement",
        "cards.change_blankostock",
        "cards.add_blankotransfer",
        "cards.view_cardreportrevision",
        "cards.view_handouteventchange",
        "cards.view_reorderpointchange",
    ]
    # Admins approve their areas' months, accept them at the province and unlock them, through
    # the services (which check the level); the admin site only lists approvals and their steps.
    + [
        "approvals.add_periodapproval",
        "approvals.view_periodapproval",
        "approvals.view_periodapprovalstep",
    ],
}


def role_groups_ensure() -> dict[str, Group]:
    """Create or refresh one group per role with exactly its permissions."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        )
    }
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
        groups[role.value] = group
    return groups
