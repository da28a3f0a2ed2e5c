"""Who may act on a producer's shops and listings."""
from django.utils.translation import gettext as _

from common.exceptions import PermissionDenied
from producers.selectors import membership_of


def can_manage(user, producer):
    """Members (owner or staff) manage their producer's shops and listings; officers only look."""
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or membership_of(user, producer) is not None


def require_manage(user, producer):
    if not can_manage(user, producer):
        raise PermissionDenied(_("Bạn không có quyền quản lý gian hàng và niêm yết của chủ thể này."))
