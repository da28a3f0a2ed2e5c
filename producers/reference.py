"""Reference data every installation has: OCOP product groups and the department officers' group.

Loaded by migration 0002; `ensure_reference_data` restores it where a test flushed the tables.
"""
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

PRODUCT_GROUPS = [
    # code, name, in force: the six groups of Decision 919/QĐ-TTg, then Decision 490's old ones.
    ("thuc-pham", "Thực phẩm", True),
    ("do-uong", "Đồ uống", True),
    ("duoc-lieu", "Dược liệu và sản phẩm từ dược liệu", True),
    ("thu-cong-my-nghe", "Thủ công mỹ nghệ", True),
    ("sinh-vat-canh", "Sinh vật cảnh", True),
    ("du-lich", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", True),
    ("vai-may-mac", "Vải và may mặc (Quyết định 490)", False),
    ("luu-niem-noi-that", "Lưu niệm, nội thất, trang trí (Quyết định 490)", False),
]
OFFICER_GROUP = "Cán bộ Sở Công Thương"
OFFICER_PERMISSION_NAME = "Cán bộ Sở Công Thương: xem và xác minh toàn tỉnh"


def load_reference_data(*, ProductGroup, Group, Permission, ContentType):
    """Written against models passed in, so the migration can give it historical models."""
    for position, (code, name, active) in enumerate(PRODUCT_GROUPS):
        ProductGroup.objects.update_or_create(
            code=code, defaults={"name": name, "position": position, "is_active": active}
        )
    content_type, _ = ContentType.objects.get_or_create(app_label="producers", model="producer")
    permission, _ = Permission.objects.get_or_create(
        codename="act_as_officer", content_type=content_type, defaults={"name": OFFICER_PERMISSION_NAME}
    )
    group, _ = Group.objects.get_or_create(name=OFFICER_GROUP)
    group.permissions.add(permission)
    return group


def ensure_reference_data():
    from .models import ProductGroup

    return load_reference_data(
        ProductGroup=ProductGroup, Group=Group, Permission=Permission, ContentType=ContentType
    )
