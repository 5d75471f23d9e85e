"""Thin views per page family: dashboards, devices and repairs, entry, uploads."""
