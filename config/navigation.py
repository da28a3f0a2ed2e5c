"""The portal's menu (a template context processor): its sections belong to several apps, so it
lives in config, above them all."""
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from producers.selectors import portal_context

# (url name, label, who sees it). A section whose URL does not exist yet is simply left out.
NAVIGATION = [
    ("portal:home", _("Tổng quan"), "member"),
    ("portal:products", _("Sản phẩm"), "member"),
    ("listings:list", _("Niêm yết"), "member"),
    ("listings:accounts", _("Gian hàng"), "member"),
    ("payments:codes", _("Mã QR"), "member"),
    ("payments:transactions", _("Giao dịch"), "member"),
    ("portal:verification_queue", _("Chờ xác minh"), "officer"),
    ("payments:bank_account_reviews", _("Tài khoản chờ xác nhận"), "officer"),
    ("portal:all_producers", _("Chủ thể"), "officer"),
    ("portal:all_products", _("Sản phẩm toàn tỉnh"), "officer"),
    ("portal:import", _("Nhập danh sách"), "officer"),
    ("portal:audit_log", _("Nhật ký"), "officer"),
    ("portal:deletion_requests", _("Yêu cầu xoá dữ liệu"), "officer"),
    ("dashboard:index", _("Báo cáo"), "any"),
    ("system_status", _("Hệ thống"), "staff"),
]


def _navigation(request, context):
    items = []
    officer = context.get("user_is_officer", False)
    member = bool(context.get("user_memberships"))
    for name, label, audience in NAVIGATION:
        if audience == "officer" and not officer or audience == "member" and not member:
            continue
        if audience == "staff" and not request.user.is_staff:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"
                      or request.path == url})
    return items


def portal(request):
    """Who is looking at the portal, and the sections they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = portal_context(user)
    context["navigation"] = _navigation(request, context)
    return context
