"""Finding our VietQR reference codes in bank transfer memos.

Banks copy the purpose we put in the QR ("OCOP K7P2QX") into the memo, but rarely intact: upper-
or lower-cased, the space dropped or doubled, spaces or dots inserted inside, and wrapped in their
own prefixes and suffixes, e.g. "MBVCB.3278614287.OCOP K7P2QX.CT tu 0123 NGUYEN VAN A",
"IBFT OCOPK7P2QX", "ocop-k7p-2qx chuyen tien", "TKThe :0123, tai VCB. OCOP K7P2QX -300724-14:02".

A candidate is accepted only
  - right after "OCOP", once every separator is removed (so "O C O P K7P 2QX" still counts), or
  - as a whole token of exactly six alphabet characters with at least one digit and one letter
    (a purpose typed by hand without the prefix), which avoids words such as "CHUYEN".
Every candidate is then looked up among our codes and checked against the receiving account, so a
random hit in a memo still makes no sale.
"""
import re

from .models import PURPOSE_PREFIX, REFERENCE_ALPHABET, REFERENCE_LENGTH
from .vietqr import to_ascii

_CODE = f"[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}"
_PREFIXED = re.compile(f"{PURPOSE_PREFIX}({_CODE})")
_TOKEN = re.compile(f"^{_CODE}$")


def find_reference_codes(text):
    """The distinct reference codes found in `text`, in order of appearance (prefixed ones first)."""
    folded = to_ascii(text or "").upper()
    found = []
    compact = re.sub(r"[^A-Z0-9]", "", folded)
    start = 0
    while True:
        hit = _PREFIXED.search(compact, start)
        if not hit:
            break
        found.append(hit.group(1))
        start = hit.start() + 1
    for token in re.split(r"[^A-Z0-9]+", folded):
        if _TOKEN.match(token) and re.search(r"\d", token) and re.search(r"[A-Z]", token):
            found.append(token)
    return list(dict.fromkeys(found))
