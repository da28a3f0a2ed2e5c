"""Per-username slowdown across all addresses, instead of a hard lock anyone could trigger.

django-axes hard-locks one (username, address) pair after AXES_FAILURE_LIMIT failures: it stops a
guesser at one address without touching anyone else. Across addresses, a username only slows down:
after FREE_FAILURES failures from anywhere, each further attempt must wait a delay that doubles with
every counted failure, up to MAX_DELAY_SECONDS; attempts refused for waiting are not counted, and a
right password ends the slowdown. A browser that has logged in as that username before carries a
signed device cookie and is never slowed (OWASP "device cookies"): a stranger's guesses cannot keep
the owner out of their own phone.
"""
import time

from django.conf import settings
from django.core.cache import cache

FREE_FAILURES = 10
BASE_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 60
WINDOW_SECONDS = 24 * 3600
DEVICE_COOKIE = "ocop_device"
DEVICE_SALT = "accounts.device"
DEVICE_MAX_AGE = 365 * 24 * 3600
DEVICE_USERNAMES = 5

now = time.time


def _key(username):
    return f"login-slowdown:{(username or '').strip().lower()[:150]}"


def _delay(failures):
    if failures < FREE_FAILURES:
        return 0
    return min(BASE_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def wait_seconds(username, request=None):
    """Seconds this attempt for `username` must still wait (0: it may go ahead)."""
    if not username or (request is not None and username.strip().lower() in known_usernames(request)):
        return 0
    state = cache.get(_key(username))
    if not state:
        return 0
    remaining = state["last"] + _delay(state["failures"]) - now()
    return max(0, int(remaining + 0.999))


def record_failure(username):
    if not username:
        return
    key = _key(username)
    state = cache.get(key) or {"failures": 0, "last": 0}
    state = {"failures": state["failures"] + 1, "last": now()}
    cache.set(key, state, WINDOW_SECONDS)


def reset(username):
    cache.delete(_key(username))


def known_usernames(request):
    value = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    return [name for name in value.split("|") if name]


def remember_device(request, response, username):
    names = [username.strip().lower()] + [n for n in known_usernames(request) if n != username.strip().lower()]
    response.set_signed_cookie(
        DEVICE_COOKIE, "|".join(names[:DEVICE_USERNAMES]), salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE,
        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )


def _address_key(request, action):
    from common.client_ip import client_ip

    slot = int(now() // 3600)
    return f"attempts:{action}:{client_ip(request) or 'unknown'}:{slot}", (slot + 1) * 3600 - now()


def address_wait(request, action, per_hour):
    """Seconds this client address must wait before another `action`: its `per_hour` are used up."""
    key, rest_of_hour = _address_key(request, action)
    return max(1, int(rest_of_hour)) if (cache.get(key) or 0) >= per_hour else 0


def address_count(request, action):
    key, _rest = _address_key(request, action)
    cache.add(key, 0, 3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)


def signup_wait(request):
    """Refused sign-ups (a refused name, a mistake in the form) count; a successful one does not, so
    a commune hall signing up its cooperatives behind one address is not stopped."""
    return address_wait(request, "signup", settings.SIGNUP_ATTEMPTS_PER_HOUR)


def signup_refused(request):
    address_count(request, "signup")


def password_reset_attempt(request):
    """Every reset request counts (each may send an e-mail); the wait, or 0 after counting this one."""
    wait = address_wait(request, "password-reset", settings.PASSWORD_RESET_ATTEMPTS_PER_HOUR)
    if not wait:
        address_count(request, "password-reset")
    return wait
