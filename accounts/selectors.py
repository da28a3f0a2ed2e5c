from django.contrib.auth import get_user_model

# Names that would pass for the service or the department; refused like a taken name.
RESERVED_USERNAMES = frozenset({
    "admin", "administrator", "quantri", "quantrivien", "root", "system", "hethong", "support", "hotro",
    "ocop", "ocopmarket", "canbo", "socongthuong", "sct", "congthuong", "staff", "nhanvien", "test", "demo",
})
MIN_USERNAME_LENGTH = 3


def username_available(username):
    """False for a taken name (any case), a reserved one or one too short: the sign-up page gives all
    of them the same answer, so it cannot be used to learn who has an account."""
    name = (username or "").strip()
    if len(name) < MIN_USERNAME_LENGTH or name.lower() in RESERVED_USERNAMES:
        return False
    return not get_user_model().objects.filter(username__iexact=name).exists()
