"""Counts, their checks and saving; uploads; repairs; rollups; alerts: everything that writes."""
