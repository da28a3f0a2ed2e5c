"""Shopee's signatures: HMAC-SHA256 with the partner key over `partner_id + api_path + timestamp`
(public APIs), followed by `access_token + shop_id` (shop APIs), lower-case hex; pushes are signed
over `url + "|" + raw body`."""
import hashlib
import hmac


def base_string(partner_id, path: str, timestamp: int, access_token: str = "", shop_id="") -> str:
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def sign(partner_key: str, partner_id, path: str, timestamp: int, access_token: str = "", shop_id="") -> str:
    base = base_string(partner_id, path, timestamp, access_token, shop_id)
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
