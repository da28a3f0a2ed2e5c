"""The English catalogue: after `make messages`, every Vietnamese msgid has a checked English
translation, and the compiled .mo is the .po as it stands (a .po translated after `make messages`
but not compiled again still shows Vietnamese to English users)."""
import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(path):
    """(flags, msgctxt, msgid, msgid_plural, {index: msgstr}) for each live entry, header left out."""
    entries, entry, field = [], None, None

    def finish():
        if entry and entry["msgid"]:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):  # obsolete
            continue
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] = (entry[field] or "") + text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if "[" in keyword else 0
                entry["msgstr"][field] = text
            else:
                field = keyword
                entry[field] = text
    finish()
    return entries


def _label(entry):
    return entry["msgid"][:80]


def test_every_msgid_in_the_english_catalogue_is_translated_and_not_fuzzy():
    # given the catalogue as `make messages` leaves it
    entries = _entries(CATALOGUE)
    # then none waits for a translator
    assert len(entries) > 500
    fuzzy = [_label(e) for e in entries if "fuzzy" in e["flags"]]
    untranslated = [_label(e) for e in entries
                    if not e["msgstr"] or not all(text.strip() for text in e["msgstr"].values())]
    plural_forms_missing = [_label(e) for e in entries if e["msgid_plural"] and len(e["msgstr"]) < 2]
    assert fuzzy == [], "fuzzy entries in locale/en (check the English, then drop `#, fuzzy`)"
    assert untranslated == [], "untranslated entries in locale/en (run `make messages`, translate)"
    assert plural_forms_missing == []


def test_the_compiled_english_catalogue_is_the_po_as_it_stands():
    # given the .po and the .mo Django reads
    with open(CATALOGUE.with_suffix(".mo"), "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)._catalog
    # then each translation in the .po is in the .mo, word for word
    stale = []
    for e in _entries(CATALOGUE):
        if "fuzzy" in e["flags"] or not all(e["msgstr"].values()):
            continue  # the test above speaks for these
        key = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] is not None else e["msgid"]
        if e["msgid_plural"]:
            found = {index: mo.get((key, index)) for index in e["msgstr"]}
        else:
            found = {0: mo.get(key)}
        if found != e["msgstr"]:
            stale.append(_label(e))
    assert stale == [], "locale/en/LC_MESSAGES/django.mo is older than the .po: run compilemessages"
