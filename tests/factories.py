import io

import factory
from django.contrib.auth import get_user_model
from PIL import Image
from stdnum.vn import mst

from producers.models import Commune, Membership, OcopProduct, Producer, ProductGroup
from producers.reference import ensure_reference_data

LAO_CAI = 15


def jpeg_bytes(width=1200, height=900, color=(30, 120, 60), fmt="JPEG", **save_kwargs):
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, (width, height), color).save(out, fmt, **save_kwargs)
    return out.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    full_name = "Nguyễn Văn An"
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-an-toan-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def lao_cai_commune(name="Xã Tú Lệ"):
    return Commune.objects.get(province_id=LAO_CAI, name=name)


def valid_tax_code(number):
    """A made-up mã số thuế, one per number, whose 10th digit is its check digit (stdnum.vn.mst)."""
    for province in range(52, 100):
        body = f"{province}{number:07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:  # a body whose check would be "10" has no valid code
            return body + check
    raise ValueError(number)


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    kind = Producer.Kind.COOPERATIVE
    name = factory.Sequence(lambda n: f"HTX Chè Suối Giàng {n}")
    tax_code = factory.Sequence(lambda n: valid_tax_code(n + 1))
    representative = "Sùng A Páo"
    phone = "+84912345678"
    email = factory.Sequence(lambda n: f"htx{n}@example.vn")
    address = "Thôn Pang Cáng"
    commune = factory.LazyFunction(lao_cai_commune)
    status = Producer.Status.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    producer = factory.SubFactory(ProducerFactory)
    role = Membership.Role.OWNER


class OcopProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OcopProduct

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Chè Shan tuyết Suối Giàng {n}")
    group = factory.LazyFunction(lambda: ProductGroup.objects.get(code="do-uong"))
    stars = 4
    certificate_number = "1234/QĐ-UBND"
    certificate_date = factory.Faker("date_between", start_date="-2y", end_date="-30d")
    unit = "hộp 200 g"
    price = 150000
    weight_grams = 250


def make_officer(**kwargs):
    from django.contrib.auth.models import Group

    group = ensure_reference_data()
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(pk=group.pk))
    return user


def make_member(producer=None, role=Membership.Role.OWNER, **user_kwargs):
    producer = producer or ProducerFactory()
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, producer=producer, role=role)
    return user, producer


def solid_png_bytes(width, height, color=(30, 120, 60)):
    """A one-colour RGB PNG of any size, written row by row without the pixels ever in memory: a
    6,300 × 6,300 one is ~120 KB on disk and 160 MB once decoded."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + bytes(color) * width
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf_bytes():
    """A plain one-page PDF, as a receipt printed to PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
