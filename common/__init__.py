"""What every app shares: checks on what users type or upload, and the download writers.

Below the apps (`districts`, `recording`) and the project package: it imports none of them.
"""
