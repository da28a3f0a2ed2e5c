"""Text helpers every layer may use."""
import unicodedata


def strip_diacritics(text):
    """'Chè Shan tuyết Đại' -> 'Che Shan tuyet Dai' (Đ/đ are letters of their own in Unicode)."""
    text = str(text).replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
