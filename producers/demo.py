"""Demo data: a believable Lào Cai province (with the former Yên Bái communes) for `make demo`.

`seed(stdout)` is idempotent: everything is looked up before it is created, so a second run
writes nothing and only costs a few hundred queries. It returns what other apps' demo modules
(`listings.demo`, `payments.demo`, `dashboard.demo`) build on: the accounts, producers, products.
The names are invented but shaped like the province's real OCOP list; communes are those in force
since 1 July 2025, with the old district kept as text.
"""
import io
import random
import textwrap
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageDraw, ImageFont
from stdnum.vn import mst

from .models import Commune, Membership, OcopProduct, Producer, ProductGroup
from .reference import ensure_reference_data
from .services import photo_add
from .text import name_key
from .units import commune_key, load_administrative_units

DEMO_PASSWORD = "ocop2025"
PROVINCE = 15  # Lào Cai since 1 July 2025 (with the former Yên Bái province)
PHOTO_SIDE = 800

TP, DU, DL = "thuc-pham", "do-uong", "duoc-lieu"
TC, SV, DLICH = "thu-cong-my-nghe", "sinh-vat-canh", "du-lich"

# (producer name, kind, commune, old district, representative, pending?, products)
# product: (name, group, subgroup, unit, price in VND, weight in grams)
PRODUCERS = [
    ("HTX Chè Suối Giàng", "HTX", "Xã Văn Chấn", "huyện Văn Chấn", "Sùng A Páo", False, [
        ("Chè Shan tuyết Suối Giàng", DU, "Chè", "hộp 200 g", 250_000, 250),
        ("Bạch trà Suối Giàng", DU, "Chè", "hộp 100 g", 450_000, 150),
        ("Hồng trà Suối Giàng", DU, "Chè", "hộp 200 g", 220_000, 250),
        ("Chè Shan tuyết cổ thụ túi lọc", DU, "Chè", "hộp 25 túi", 90_000, 80),
    ]),
    ("HTX Chè Gia Hội", "HTX", "Xã Gia Hội", "huyện Văn Chấn", "Hà Văn Tùng", False, [
        ("Chè Shan tuyết Nậm Lành", DU, "Chè", "túi 500 g", 320_000, 520),
        ("Chè xanh Gia Hội", DU, "Chè", "túi 500 g", 180_000, 520),
        ("Hồng trà Gia Hội", DU, "Chè", "hộp 200 g", 200_000, 250),
    ]),
    ("Tổ hợp tác Gạo nếp Tú Lệ", "THT", "Xã Tú Lệ", "huyện Văn Chấn", "Lò Văn Sinh", False, [
        ("Gạo nếp Tú Lệ", TP, "Gạo, ngũ cốc", "túi 5 kg", 175_000, 5000),
        ("Cốm Tú Lệ", TP, "Thực phẩm chế biến", "gói 500 g", 120_000, 500),
        ("Rượu nếp Tú Lệ", DU, "Đồ uống có cồn", "chai 500 ml", 110_000, 900),
    ]),
    ("HTX Nông sản Mường Lò", "HTX", "Phường Nghĩa Lộ", "thị xã Nghĩa Lộ", "Lò Thị Hoa", False, [
        ("Gạo Séng Cù Mường Lò", TP, "Gạo, ngũ cốc", "túi 5 kg", 140_000, 5000),
        ("Xôi ngũ sắc Mường Lò đóng gói", TP, "Thực phẩm chế biến", "hộp 500 g", 65_000, 500),
        ("Thịt trâu gác bếp Mường Lò", TP, "Thực phẩm chế biến", "túi 500 g", 450_000, 500),
    ]),
    ("Hộ kinh doanh Hoàng Thị Nhung", "HKD", "Phường Trung Tâm",
     "thị xã Nghĩa Lộ", "Hoàng Thị Nhung", False, [
        ("Lạp sườn gác bếp Nghĩa Lộ", TP, "Thực phẩm chế biến", "túi 500 g", 220_000, 500),
        ("Chẩm chéo Mường Lò", TP, "Gia vị", "lọ 200 g", 55_000, 300),
    ]),
    ("HTX Cam Văn Chấn", "HTX", "Xã Cát Thịnh", "huyện Văn Chấn", "Nguyễn Văn Hải", False, [
        ("Cam sành Văn Chấn", TP, "Rau, củ, quả, hạt", "thùng 10 kg", 250_000, 10000),
        ("Nước cam ép Văn Chấn", DU, "Đồ uống không cồn", "chai 330 ml", 35_000, 380),
        ("Cam sấy dẻo Văn Chấn", TP, "Thực phẩm chế biến", "hộp 250 g", 80_000, 300),
    ]),
    ("HTX Nông lâm sản Mù Cang Chải", "HTX", "Xã Mù Cang Chải", "huyện Mù Cang Chải", "Giàng A Dình", False, [
        ("Táo mèo Mù Cang Chải sấy khô", TP, "Thực phẩm chế biến", "túi 500 g", 90_000, 500),
        ("Rượu táo mèo Mù Cang Chải", DU, "Đồ uống có cồn", "chai 500 ml", 150_000, 900),
        ("Siro táo mèo Mù Cang Chải", DU, "Đồ uống không cồn", "chai 500 ml", 85_000, 700),
        ("Mật ong hoa bạc hà Mù Cang Chải", TP, "Mật ong, sản phẩm từ mật ong", "chai 500 ml", 350_000, 750),
    ]),
    ("HTX Du lịch cộng đồng La Pán Tẩn", "HTX", "Xã Púng Luông", "huyện Mù Cang Chải", "Sùng A Chu", False, [
        ("Du lịch ruộng bậc thang La Pán Tẩn", DLICH, "", "vé/ngày", 150_000, None),
        ("Homestay bản Mông Púng Luông", DLICH, "", "phòng/đêm", 400_000, None),
    ]),
    ("Hộ kinh doanh Giàng Thị Xí", "HKD", "Xã Khao Mang", "huyện Mù Cang Chải", "Giàng Thị Xí", True, [
        ("Thổ cẩm Mông Khao Mang", TC, "Dệt may, thổ cẩm", "tấm 1 m", 650_000, 400),
        ("Túi thổ cẩm Mông", TC, "Dệt may, thổ cẩm", "chiếc", 250_000, 200),
    ]),
    ("HTX Thảo quả Lao Chải", "HTX", "Xã Lao Chải", "huyện Mù Cang Chải", "Vàng A Lử", False, [
        ("Thảo quả khô Lao Chải", TP, "Gia vị", "túi 500 g", 160_000, 500),
        ("Tinh dầu thảo quả", DL, "Tinh dầu", "lọ 10 ml", 120_000, 60),
    ]),
    ("HTX Nông nghiệp Trạm Tấu", "HTX", "Xã Trạm Tấu", "huyện Trạm Tấu", "Đặng A Sơn", False, [
        ("Sơn tra Trạm Tấu sấy lát", TP, "Thực phẩm chế biến", "túi 500 g", 95_000, 500),
        ("Măng rừng Trạm Tấu", TP, "Rau, củ, quả, hạt", "túi 1 kg", 120_000, 1000),
        ("Gạo nếp Trạm Tấu", TP, "Gạo, ngũ cốc", "túi 5 kg", 160_000, 5000),
    ]),
    ("HTX Chè Shan tuyết Phình Hồ", "HTX", "Xã Phình Hồ", "huyện Trạm Tấu", "Mùa A Lồng", False, [
        ("Chè Shan tuyết Phình Hồ", DU, "Chè", "hộp 200 g", 230_000, 250),
        ("Bạch trà Phình Hồ", DU, "Chè", "hộp 100 g", 420_000, 150),
    ]),
    ("HTX Quế Văn Yên", "HTX", "Xã Đông Cuông", "huyện Văn Yên", "Hoàng Văn Thái", False, [
        ("Quế Văn Yên", TP, "Gia vị", "bó 1 kg", 120_000, 1000),
        ("Bột quế Văn Yên", TP, "Gia vị", "lọ 100 g", 45_000, 150),
        ("Tinh dầu quế Văn Yên", DL, "Tinh dầu", "lọ 30 ml", 150_000, 120),
        ("Trà quế Văn Yên", DU, "Chè", "hộp 20 túi", 70_000, 60),
    ]),
    ("Công ty TNHH Tinh dầu Quế Mậu A", "DN", "Xã Mậu A", "huyện Văn Yên", "Triệu Thị Mai", False, [
        ("Tinh dầu quế Mậu A", DL, "Tinh dầu", "lọ 10 ml", 65_000, 60),
        ("Nước rửa tay tinh dầu quế", DL, "Mỹ phẩm từ dược liệu", "chai 500 ml", 85_000, 550),
        ("Túi thơm quế Mậu A", TC, "Lưu niệm", "túi", 45_000, 80),
    ]),
    ("HTX Măng tre Bát Độ", "HTX", "Xã Xuân Ái", "huyện Văn Yên", "Lương Văn Đức", False, [
        ("Măng tre Bát Độ sấy khô", TP, "Rau, củ, quả, hạt", "túi 500 g", 130_000, 500),
        ("Măng tre Bát Độ ngâm ớt", TP, "Thực phẩm chế biến", "hũ 500 g", 55_000, 700),
        ("Măng tre Bát Độ luộc đóng túi", TP, "Thực phẩm chế biến", "túi 1 kg", 45_000, 1000),
    ]),
    ("Hộ kinh doanh Hoàng Thị Lụa", "HKD", "Xã Đông Cuông", "huyện Văn Yên", "Hoàng Thị Lụa", False, [
        ("Miến dong Đông Cuông", TP, "Thực phẩm chế biến", "túi 500 g", 60_000, 500),
        ("Bánh đa Đông Cuông", TP, "Thực phẩm chế biến", "túi 500 g", 40_000, 500),
        ("Bún khô Đông Cuông", TP, "Thực phẩm chế biến", "túi 500 g", 35_000, 500),
    ]),
    ("HTX Quế hồi Châu Quế", "HTX", "Xã Châu Quế", "huyện Văn Yên", "Bàn Văn Lâm", False, [
        ("Quế Châu Quế", TP, "Gia vị", "bó 1 kg", 115_000, 1000),
        ("Khay đựng trầu bằng vỏ quế", TC, "Lưu niệm", "chiếc", 120_000, 300),
        ("Đũa quế Châu Quế", TC, "Lưu niệm", "hộp 10 đôi", 90_000, 200),
    ]),
    ("HTX Dược liệu Lâm Giang", "HTX", "Xã Lâm Giang", "huyện Văn Yên", "Nông Văn Quý", True, [
        ("Trà giảo cổ lam Lâm Giang", DL, "Thực phẩm chức năng", "hộp 100 g", 95_000, 150),
        ("Cao giảo cổ lam", DL, "Thực phẩm chức năng", "lọ 100 g", 250_000, 200),
    ]),
    ("HTX Nông sản sạch Trấn Yên", "HTX", "Xã Trấn Yên", "huyện Trấn Yên", "Nguyễn Thị Hằng", False, [
        ("Tinh bột nghệ Trấn Yên", DL, "Thực phẩm chức năng", "lọ 500 g", 280_000, 600),
        ("Bột sắn dây Trấn Yên", TP, "Thực phẩm chế biến", "túi 1 kg", 110_000, 1000),
    ]),
    ("HTX Tơ tằm Việt Hồng", "HTX", "Xã Việt Hồng", "huyện Trấn Yên", "Hà Thị Liên", False, [
        ("Khăn lụa tơ tằm Việt Hồng", TC, "Dệt may, thổ cẩm", "chiếc", 350_000, 100),
        ("Du lịch cộng đồng Việt Hồng", DLICH, "", "vé/ngày", 100_000, None),
    ]),
    ("HTX Bưởi Đại Minh", "HTX", "Xã Yên Bình", "huyện Yên Bình", "Phạm Văn Minh", False, [
        ("Bưởi Đại Minh", TP, "Rau, củ, quả, hạt", "quả 1,2 kg", 60_000, 1200),
        ("Tinh dầu vỏ bưởi Đại Minh", DL, "Tinh dầu", "lọ 50 ml", 95_000, 120),
        ("Mứt vỏ bưởi Đại Minh", TP, "Thực phẩm chế biến", "hộp 250 g", 60_000, 300),
    ]),
    ("Công ty cổ phần Cá Thác Bà", "DN", "Xã Thác Bà", "huyện Yên Bình", "Trần Văn Thắng", False, [
        ("Cá lăng hồ Thác Bà", TP, "Thực phẩm tươi sống", "kg", 280_000, 1000),
        ("Cá mè một nắng Thác Bà", TP, "Thực phẩm chế biến", "túi 1 kg", 150_000, 1000),
        ("Chả cá Thác Bà", TP, "Thực phẩm chế biến", "túi 500 g", 120_000, 500),
    ]),
    ("Hộ kinh doanh Tranh đá quý Lục Yên", "HKD", "Xã Lục Yên", "huyện Lục Yên", "Hoàng Văn Tiến", False, [
        ("Tranh đá quý Lục Yên", TC, "Trang trí", "bức 40 × 60 cm", 3_500_000, 3000),
        ("Vòng tay đá Lục Yên", TC, "Lưu niệm", "chiếc", 450_000, 50),
    ]),
    ("HTX Rượu ngô Bản Phố", "HTX", "Xã Bắc Hà", "huyện Bắc Hà", "Vàng Văn Sử", False, [
        ("Rượu ngô Bản Phố", DU, "Đồ uống có cồn", "chai 500 ml", 120_000, 900),
        ("Rượu ngô Bắc Hà men lá", DU, "Đồ uống có cồn", "bình 2 lít", 320_000, 2600),
        ("Mận Tam hoa sấy dẻo Bắc Hà", TP, "Thực phẩm chế biến", "hộp 300 g", 95_000, 350),
    ]),
    ("HTX Chè Bản Liền", "HTX", "Xã Bản Liền", "huyện Bắc Hà", "Lù Văn Pháo", False, [
        ("Chè Shan tuyết Bản Liền hữu cơ", DU, "Chè", "hộp 200 g", 260_000, 250),
        ("Chè đen Bản Liền", DU, "Chè", "túi 500 g", 160_000, 520),
        ("Bạch trà Bản Liền", DU, "Chè", "hộp 100 g", 400_000, 150),
    ]),
    ("Hộ kinh doanh Lý Thị Mẩy", "HKD", "Phường Sa Pa", "thị xã Sa Pa", "Lý Thị Mẩy", False, [
        ("Thổ cẩm Sa Pa", TC, "Dệt may, thổ cẩm", "tấm 1 m", 550_000, 400),
        ("Túi thổ cẩm Dao đỏ", TC, "Dệt may, thổ cẩm", "chiếc", 280_000, 200),
        ("Khăn chàm Sa Pa", TC, "Dệt may, thổ cẩm", "chiếc", 180_000, 120),
    ]),
    ("Công ty TNHH Sapa Napro", "DN", "Phường Sa Pa", "thị xã Sa Pa", "Nguyễn Thị Lan", False, [
        ("Lá tắm Dao đỏ Sa Pa", DL, "Sản phẩm từ dược liệu", "túi 200 g", 60_000, 200),
        ("Xà phòng thảo dược Sa Pa", DL, "Mỹ phẩm từ dược liệu", "bánh 100 g", 55_000, 110),
        ("Rượu táo mèo Sa Pa", DU, "Đồ uống có cồn", "chai 500 ml", 140_000, 900),
    ]),
    ("HTX Du lịch cộng đồng Tả Van", "HTX", "Xã Tả Van", "thị xã Sa Pa", "Giàng A Chư", False, [
        ("Du lịch cộng đồng Tả Van", DLICH, "", "vé/ngày", 120_000, None),
        ("Homestay Giàng Tả Chải", DLICH, "", "phòng/đêm", 450_000, None),
    ]),
    ("HTX Dược liệu Tả Phìn", "HTX", "Xã Tả Phìn", "thị xã Sa Pa", "Tẩn Thị Xuân", False, [
        ("Trà atiso Sa Pa", DL, "Thực phẩm chức năng", "hộp 20 túi", 85_000, 60),
        ("Cao atiso Sa Pa", DL, "Thực phẩm chức năng", "lọ 200 g", 210_000, 300),
        ("Atiso sấy khô Sa Pa", DL, "Dược liệu", "túi 500 g", 190_000, 500),
    ]),
    ("HTX Hoa lan Bản Hồ", "HTX", "Xã Bản Hồ", "thị xã Sa Pa", "Lò Văn Thắng", False, [
        ("Lan hài Bản Hồ", SV, "Hoa, cây cảnh", "chậu", 350_000, 1500),
        ("Đào bích Sa Pa", SV, "Hoa, cây cảnh", "cây", 1_200_000, 8000),
    ]),
    ("HTX Nông nghiệp Y Tý", "HTX", "Xã Y Tý", "huyện Bát Xát", "Chảo Lở Giáo", False, [
        ("Mật ong rừng Y Tý", TP, "Mật ong, sản phẩm từ mật ong", "chai 500 ml", 380_000, 750),
        ("Chè Shan tuyết Y Tý", DU, "Chè", "hộp 200 g", 240_000, 250),
        ("Gạo đỏ Y Tý", TP, "Gạo, ngũ cốc", "túi 2 kg", 90_000, 2000),
    ]),
    ("HTX Gạo Séng Cù Bát Xát", "HTX", "Xã Bát Xát", "huyện Bát Xát", "Phàn Văn Lộc", False, [
        ("Gạo Séng Cù Bát Xát", TP, "Gạo, ngũ cốc", "túi 5 kg", 150_000, 5000),
        ("Bánh giầy Bát Xát", TP, "Thực phẩm chế biến", "túi 10 chiếc", 50_000, 600),
        ("Gạo nếp cẩm Bát Xát", TP, "Gạo, ngũ cốc", "túi 2 kg", 85_000, 2000),
    ]),
    ("HTX Thảo quả A Mú Sung", "HTX", "Xã A Mú Sung", "huyện Bát Xát", "Phàn Sài Vàng", True, [
        ("Thảo quả sấy A Mú Sung", TP, "Gia vị", "túi 500 g", 150_000, 500),
        ("Rượu thảo quả A Mú Sung", DU, "Đồ uống có cồn", "chai 500 ml", 130_000, 900),
    ]),
    ("HTX Nông nghiệp Mường Khương", "HTX", "Xã Mường Khương", "huyện Mường Khương", "Lùng Văn Chỉn", False, [
        ("Tương ớt Mường Khương", TP, "Gia vị", "chai 500 ml", 45_000, 600),
        ("Chè Shan Mường Khương", DU, "Chè", "hộp 200 g", 190_000, 250),
        ("Gừng sấy Mường Khương", TP, "Thực phẩm chế biến", "túi 300 g", 70_000, 300),
    ]),
    ("HTX Dứa Bản Lầu", "HTX", "Xã Bản Lầu", "huyện Mường Khương", "Hoàng Văn Pủ", False, [
        ("Dứa Bản Lầu", TP, "Rau, củ, quả, hạt", "thùng 10 quả", 150_000, 12000),
        ("Chuối tây Bản Lầu", TP, "Rau, củ, quả, hạt", "nải 3 kg", 45_000, 3000),
        ("Dứa sấy dẻo Bản Lầu", TP, "Thực phẩm chế biến", "hộp 250 g", 75_000, 300),
    ]),
    ("HTX Chè Si Ma Cai", "HTX", "Xã Si Ma Cai", "huyện Si Ma Cai", "Thào Seo Lìn", False, [
        ("Chè Shan tuyết Si Ma Cai", DU, "Chè", "hộp 200 g", 210_000, 250),
        ("Thịt gà đen Si Ma Cai gác bếp", TP, "Thực phẩm chế biến", "túi 500 g", 320_000, 500),
    ]),
    ("Tổ hợp tác Rượu ngô Lùng Phình", "THT", "Xã Lùng Phình", "huyện Bắc Hà", "Giàng Seo Vư", True, [
        ("Rượu ngô Lùng Phình", DU, "Đồ uống có cồn", "chai 500 ml", 100_000, 900),
        ("Bột tam giác mạch Lùng Phình", TP, "Gạo, ngũ cốc", "túi 500 g", 65_000, 500),
    ]),
    ("Công ty TNHH Thực phẩm Cam Đường", "DN", "Phường Cam Đường",
     "thành phố Lào Cai", "Vũ Minh Tuấn", False, [
        ("Thịt lợn gác bếp Cam Đường", TP, "Thực phẩm chế biến", "túi 500 g", 380_000, 500),
        ("Lạp xưởng Cam Đường", TP, "Thực phẩm chế biến", "túi 500 g", 190_000, 500),
        ("Xúc xích thịt lợn đen", TP, "Thực phẩm chế biến", "túi 500 g", 160_000, 500),
    ]),
    ("HTX Quế Văn Bàn", "HTX", "Xã Văn Bàn", "huyện Văn Bàn", "Hoàng Văn Sơn", False, [
        ("Quế Văn Bàn", TP, "Gia vị", "bó 1 kg", 110_000, 1000),
        ("Tinh dầu quế Văn Bàn", DL, "Tinh dầu", "lọ 10 ml", 60_000, 60),
        ("Trà quế hồi Văn Bàn", DU, "Chè", "hộp 20 túi", 65_000, 60),
    ]),
    ("HTX Chè Phong Hải", "HTX", "Xã Phong Hải", "huyện Bảo Thắng", "Nguyễn Văn Kiên", False, [
        ("Chè xanh Phong Hải", DU, "Chè", "túi 500 g", 170_000, 520),
        ("Chè móc câu Phong Hải", DU, "Chè", "hộp 200 g", 150_000, 250),
    ]),
    ("HTX Nông lâm sản Bảo Yên", "HTX", "Xã Bảo Yên", "huyện Bảo Yên", "Lý Văn Hùng", False, [
        ("Mộc nhĩ Bảo Yên", TP, "Rau, củ, quả, hạt", "túi 300 g", 70_000, 300),
        ("Nấm hương rừng Bảo Yên", TP, "Rau, củ, quả, hạt", "túi 300 g", 150_000, 300),
        ("Mật ong rừng Bảo Yên", TP, "Mật ong, sản phẩm từ mật ong", "chai 500 ml", 300_000, 750),
    ]),
    ("Hộ kinh doanh Hoàng Văn Sinh", "HKD", "Xã Nghĩa Đô", "huyện Bảo Yên", "Hoàng Văn Sinh", False, [
        ("Thổ cẩm Tày Nghĩa Đô", TC, "Dệt may, thổ cẩm", "tấm 1 m", 600_000, 400),
        ("Du lịch cộng đồng Nghĩa Đô", DLICH, "", "vé/ngày", 100_000, None),
    ]),
    ("Hộ kinh doanh Triệu Thị Mai", "HKD", "Xã Bản Xèo", "huyện Bát Xát", "Triệu Thị Mai", True, [
        ("Thuốc tắm người Dao Bản Xèo", DL, "Sản phẩm từ dược liệu", "túi 200 g", 50_000, 200),
        ("Cao xương khớp người Dao", DL, "Sản phẩm từ dược liệu", "lọ 100 g", 280_000, 150),
    ]),
    ("Tổ hợp tác Lợn đen Mường Hum", "THT", "Xã Mường Hum", "huyện Bát Xát", "Lò Văn Pằng", False, [
        ("Thịt lợn đen Mường Hum", TP, "Thực phẩm tươi sống", "kg", 180_000, 1000),
        ("Thịt lợn đen gác bếp Mường Hum", TP, "Thực phẩm chế biến", "túi 500 g", 350_000, 500),
    ]),
    ("HTX Sâm Hoàng Liên", "HTX", "Xã Tả Van", "thị xã Sa Pa", "Sần Thị Mây", False, [
        ("Rượu sâm Hoàng Liên", DU, "Đồ uống có cồn", "chai 500 ml", 450_000, 900),
        ("Trà đẳng sâm Sa Pa", DL, "Thực phẩm chức năng", "hộp 100 g", 180_000, 150),
    ]),
    ("HTX Du lịch Mường Lò", "HTX", "Xã Nghĩa Tâm", "huyện Văn Chấn", "Đinh Công Chiến", False, [
        ("Du lịch cộng đồng bản Mường", DLICH, "", "vé/ngày", 100_000, None),
        ("Nước khoáng nóng Văn Chấn", DLICH, "", "vé", 80_000, None),
    ]),
    ("Công ty TNHH Cây cảnh Yên Bái", "DN", "Phường Yên Bái", "thành phố Yên Bái", "Đỗ Văn Thành", True, [
        ("Bonsai chè cổ thụ", SV, "Hoa, cây cảnh", "chậu", 2_500_000, 15000),
        ("Lan rừng Yên Bái", SV, "Hoa, cây cảnh", "chậu", 300_000, 1500),
    ]),
]

ACCOUNTS = [
    # role, username, full name, kind
    (gettext_noop("Quản trị viên"), "admin", "Quản trị hệ thống", "admin"),
    (gettext_noop("Cán bộ Sở Công Thương"), "canbo", "Trần Thị Bình", "officer"),
    (gettext_noop("Chủ HTX (HTX Chè Suối Giàng)"), "htx", "Sùng A Páo", "owner"),
    (gettext_noop("Nhân viên HTX (HTX Chè Suối Giàng)"), "nhanvien", "Sùng Thị Mai", "staff"),
]

VILLAGES = ['Trung Tâm', 'Bản Mới', 'Khe Cỏ', 'Pang Cáng', 'Cốc Pài']

GROUP_COLOURS = {
    TP: (196, 92, 38), DU: (46, 125, 50), DL: (106, 27, 154), TC: (173, 20, 87),
    SV: (0, 121, 107), DLICH: (21, 101, 192),
}


def _certificate(rng, index, stars):
    """Decisions spread over the last four years: some expired, a few expiring within 60 days."""
    today = timezone.localdate()
    if index % 12 == 5:
        days_ago = 36 * 30 + rng.randint(-50, -5)  # expires soon
    else:
        days_ago = rng.randint(30, 4 * 365)
    day = today - timedelta(days=days_ago)
    issuer = "QĐ-BNN-VPĐP" if stars == 5 else "QĐ-UBND"
    return f"{rng.randint(120, 3400)}/{issuer}", day


def _tax_code(number):
    """A made-up Lào Cai (53) mã số thuế that passes the check digit, or none for the one number in
    eleven whose check digit would be "10"."""
    body = f"53{number:07d}"
    check = mst.calc_check_digit(body)
    return body + check if len(check) == 1 else ""


def _stars(rng):
    roll = rng.random()
    return 3 if roll < 0.58 else 4 if roll < 0.92 else 5


def _font(size):
    candidates = [
        Path(settings.BASE_DIR) / "payments" / "fonts" / "DejaVuSans-Bold.ttf",
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ]
    for path in candidates:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def demo_photo(name, group_code, subtitle=""):
    """A coloured square with the product's name written on it: a real JPEG to normalise."""
    colour = GROUP_COLOURS.get(group_code, (90, 90, 90))
    image = Image.new("RGB", (PHOTO_SIDE, PHOTO_SIDE), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, PHOTO_SIDE - 40, PHOTO_SIDE - 40), outline=(255, 255, 255), width=6)
    title_font, small_font = _font(64), _font(34)
    lines = textwrap.wrap(name, width=16)[:5]
    y = PHOTO_SIDE // 2 - len(lines) * 40
    for line in lines:
        width = draw.textlength(line, font=title_font)
        draw.text(((PHOTO_SIDE - width) / 2, y), line, font=title_font, fill="white")
        y += 80
    footer = f"OCOP · {subtitle}" if subtitle else "OCOP"
    width = draw.textlength(footer, font=small_font)
    draw.text(((PHOTO_SIDE - width) / 2, PHOTO_SIDE - 120), footer, font=small_font, fill=(255, 240, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _user(User, username, full_name, **flags):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, email=f"{username}@demo.ocop.local", **flags)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _communes():
    communes = {c.name_key: c for c in Commune.objects.filter(province_id=PROVINCE)}
    if not communes:
        load_administrative_units()
        communes = {c.name_key: c for c in Commune.objects.filter(province_id=PROVINCE)}
    return communes


@transaction.atomic
def seed(stdout):
    officer_group = ensure_reference_data()
    groups = {g.code: g for g in ProductGroup.objects.all()}
    communes = _communes()
    User = get_user_model()

    users = {}
    for _role, username, full_name, kind in ACCOUNTS:
        flags = {"is_staff": True, "is_superuser": True} if kind == "admin" else {}
        users[kind] = _user(User, username, full_name, **flags)
    users["officer"].groups.add(Group.objects.get(pk=officer_group.pk))

    rng = random.Random(2025)
    existing_producers = {
        (p.name_key, p.commune_id): p for p in Producer.objects.filter(commune__province_id=PROVINCE)
    }
    producers, products = [], []
    created_producers = created_products = photos = 0
    product_index = 0
    now = timezone.now()
    for number, entry in enumerate(PRODUCERS, 1):
        name, kind, commune_name, district, representative, pending, items = entry
        commune = communes[commune_key(commune_name)]
        producer = existing_producers.get((name_key(name), commune.pk))
        if producer is None:
            producer = Producer.objects.create(
                kind=kind, name=name, commune=commune, old_district=district, representative=representative,
                tax_code=_tax_code(number), phone=f"+8491{2000000 + number:07d}",
                email=f"lienhe{number}@demo.ocop.local", address=f"Thôn {rng.choice(VILLAGES)}",
                status=Producer.Status.PENDING if pending else Producer.Status.VERIFIED,
                status_changed_at=None if pending else now,
                status_changed_by=None if pending else users["officer"],
                status_note="" if pending else "Có trong danh sách OCOP của tỉnh.",
            )
            created_producers += 1
        producers.append(producer)
        existing = {p.name_key: p for p in producer.products.all()}
        for product_name, group_code, subgroup, unit, price, grams in items:
            product_index += 1
            stars = _stars(rng)
            certificate_number, certificate_date = _certificate(rng, product_index, stars)
            product = existing.get(name_key(product_name))
            if product is None:
                product = OcopProduct.objects.create(
                    producer=producer, name=product_name, group=groups[group_code], subgroup=subgroup,
                    stars=stars, certificate_number=certificate_number, certificate_date=certificate_date,
                    unit=unit, price=price, weight_grams=grams,
                    description=f"{product_name}: sản phẩm OCOP {stars} sao của {name}, {commune.name}.",
                )
                created_products += 1
            products.append(product)

    with_photos = set(
        OcopProduct.objects.filter(pk__in=[p.pk for p in products], photos__isnull=False)
        .values_list("pk", flat=True)
    )
    for product in products:
        if product.pk in with_photos:
            continue
        data = demo_photo(product.name, product.group_id, product.producer.commune.name)
        upload = SimpleUploadedFile(f"{product.sku}.jpg", data, content_type="image/jpeg")
        photo_add(product=product, user=users["officer"], upload=upload)
        photos += 1

    if not Membership.objects.filter(user=users["owner"], producer=producers[0]).exists():
        Membership.objects.create(user=users["owner"], producer=producers[0], role=Membership.Role.OWNER)
    if not Membership.objects.filter(user=users["staff"], producer=producers[0]).exists():
        Membership.objects.create(user=users["staff"], producer=producers[0], role=Membership.Role.STAFF)

    stdout.write(
        _(
            "Dữ liệu mẫu: %(producers)s chủ thể (%(new_producers)s mới), %(products)s sản phẩm "
            "(%(new_products)s mới), %(photos)s ảnh mới."
        )
        % {
            "producers": len(producers), "new_producers": created_producers, "products": len(products),
            "new_products": created_products, "photos": photos,
        }
    )
    return {
        "users": users,
        "officer": users["officer"],
        "owner": users["owner"],
        "staff": users["staff"],
        "admin": users["admin"],
        "producers": producers,
        "products": products,
        "password": DEMO_PASSWORD,
        "accounts": [(_(role), username, DEMO_PASSWORD) for role, username, _full_name, _kind in ACCOUNTS],
    }
