"""The English translation: the switch shows English pages and every string is translated."""

import ast
from pathlib import Path

from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _po_entries(path: Path) -> list[dict[str, str]]:
    """A minimal .po reader: each entry maps msgid / msgid_plural / msgstr[...] to its text."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if entry:
                entries.append(entry)
                entry, key = {}, None
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        entry[key] = ast.literal_eval(value)
    if entry:
        entries.append(entry)
    return entries


def test_login_page_is_in_english_after_choosing_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302

    page = client.get("/masuk/").content.decode()

    assert "Log in" in page
    assert "Password" in page
    assert "Kata sandi" not in page


def test_every_message_has_an_english_translation():
    entries = [e for e in _po_entries(PO_FILE) if e.get("msgid")]
    assert len(entries) > 400
    untranslated = [
        e["msgid"]
        for e in entries
        if not all(text for key, text in e.items() if key.startswith("msgstr"))
    ]
    assert untranslated == []
    assert "fuzzy" not in PO_FILE.read_text(encoding="utf-8")
