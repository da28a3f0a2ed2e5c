"""A listing as a marketplace sees it: the ListingPayload built from the OCOP product, its photos
and the category an administrator mapped for the marketplace."""
from django.conf import settings
from django.utils.translation import gettext as _

from marketplace.connectors.base import ImageRef, ListingPayload

from ..models import CategoryMapping

MAX_IMAGES = 8  # Lazada takes at most 8, Shopee fewer than 9


def category_for(listing):
    return CategoryMapping.objects.filter(
        group_id=listing.product.group_id, marketplace=listing.account.marketplace
    ).first()


def _description(product):
    lines = [product.description.strip()] if product.description.strip() else [product.name]
    facts = [_("Sản phẩm OCOP %(stars)s sao") % {"stars": product.stars}]
    if product.certificate_number:
        facts.append(_("quyết định công nhận số %(n)s") % {"n": product.certificate_number})
    lines.append(", ".join(facts) + ".")
    if product.unit:
        lines.append(_("Quy cách: %(unit)s.") % {"unit": product.unit})
    lines.append(_("Chủ thể sản xuất: %(name)s.") % {"name": product.producer.name})
    return "\n\n".join(lines)


def _public_url(path):
    """Absolute URL of a media file (Tiki and the feeds take image URLs, not bytes)."""
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{path}" if base and path.startswith("/") else path


def _images(product, *, with_content=True):
    images = []
    for photo in product.photos.all()[:MAX_IMAGES]:
        source = photo.square or photo.image
        if not source:
            continue
        content = b""
        if with_content:
            with source.open("rb") as handle:
                content = handle.read()
        name = source.name.rsplit("/", 1)[-1]
        content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
        images.append(ImageRef(name=name, content=content, content_type=content_type, url=_public_url(source.url)))
    return images


def build_payload(listing, *, with_content=True):
    product = listing.product
    mapping = category_for(listing)
    return ListingPayload(
        sku=product.sku,
        name=product.name,
        description=_description(product),
        price=int(listing.price),
        stock=int(listing.stock),
        weight_grams=int(product.weight_grams or 0),
        category_id=mapping.category_id if mapping else "",
        images=_images(product, with_content=with_content),
        gtin=product.gtin,
        brand="",
        attributes=dict(listing.attributes or {}),
    )
