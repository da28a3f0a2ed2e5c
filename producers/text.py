"""Vietnamese text helpers: comparing names the way people read them, not byte by byte."""
import re
import unicodedata

from common.text import strip_diacritics  # noqa: F401 - producers.text.strip_diacritics stays importable


def name_key(text):
    """A key that matches names whatever their case, diacritics, punctuation or spacing."""
    plain = strip_diacritics(unicodedata.normalize("NFC", str(text or ""))).lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()
