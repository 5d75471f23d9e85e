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


def test_a_regency_dashboard_in_english_shows_english_labels_and_numbers(
    client, viewer_sumsel, loaded
):
    client.force_login(viewer_sumsel)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/wilayah/16.08/?as_of=2012-04-16").content.decode()
    assert "As of 16 Apr 2012" in html
    for label in ("Recorded", "Coverage", "Remaining", '<span class="badge progress-late">Late'):
        assert label in html, label
    # English digits: a comma between thousands, a point before decimals.
    for figure in ("442,800", "360,381", "81.4%", "82,419", "5,888"):
        assert figure in html, figure
    for indonesian in ("Keadaan per", "Terekam", "360.381", "81,4%"):
        assert indonesian not in html, indonesian
