from marketplace.connectors.base import ImageRef, ListingPayload
from tests.factories import jpeg_bytes


def payload(sku="OCOP-HG-0001", **overrides) -> ListingPayload:
    values = dict(
        sku=sku, name="Mật ong hoa bạc hà Hà Giang", description="Mật ong nguyên chất, OCOP 4 sao.",
        price=150000, stock=20, weight_grams=500, category_id="100629",
        images=[ImageRef(name="mat-ong.jpg", content=jpeg_bytes(), url="https://ocop.example.vn/media/mat-ong.jpg")],
        gtin="8936000000017", brand="HTX Mật ong Hà Giang",
    )
    values.update(overrides)
    return ListingPayload(**values)
