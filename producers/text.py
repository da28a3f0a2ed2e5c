"""Vietnamese text helpers: comparing names the way people read them, not byte by byte."""
import re
import unicodedata


def strip_diacritics(text):
    """'Chè Shan tuyết Đại' -> 'Che Shan tuyet Dai' (Đ/đ are letters of their own in Unicode)."""
    text = str(text).replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def name_key(text):
    """A key that matches names whatever their case, diacritics, punctuation or spacing."""
    plain = strip_diacritics(unicodedata.normalize("NFC", str(text or ""))).lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()
