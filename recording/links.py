"""Addresses of dashboards and devices for rows built by the hundred (children tables, alerts).

`reverse()` per row cost more than the row's figures on a national page, so each family's
address is reversed once per script prefix and the code or serial appended. The test
`tests/recording/test_links.py` holds these equal to `reverse()` for every kind of code.
"""

import functools

from django.urls import get_script_prefix, reverse


@functools.lru_cache(maxsize=8)
def _reversed(name: str, script_prefix: str) -> str:
    # A placeholder the URL patterns accept, cut off again: the address's fixed part.
    placeholder = {"national": None, "device": "X"}[name]
    if placeholder is None:
        return reverse(name)
    return reverse(name, kwargs={"serial": placeholder}).removesuffix(f"{placeholder}/")


def region_url(code: str) -> str:
    """The dashboard of a region code ("" = the whole country): reverse("region", code)."""
    national = _reversed("national", get_script_prefix())
    return f"{national}{code}/" if code else national


def device_url(serial: str) -> str:
    """The page of a device: reverse("device", serial=serial)."""
    return f"{_reversed('device', get_script_prefix())}{serial}/"
