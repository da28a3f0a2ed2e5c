"""Lazada's signatures (as the official lazop SDK): every parameter except `sign` and file parts,
sorted by name (ASCII), concatenated as key+value, prefixed with the API path, HMAC-SHA256 with the
app secret, upper-case hex. Pushes are signed over `app_key + raw body`, lower-case hex."""
import hashlib
import hmac


def sign(app_secret: str, api_path: str, parameters: dict) -> str:
    text = api_path + "".join(f"{key}{parameters[key]}" for key in sorted(parameters))
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
