"""Petitioners: Vietnamese names, contact details, addresses and company names.

Plain strings, normalised where they are used.
"""

from __future__ import annotations

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MALE_MIDDLES = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân")
MALE_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Tuấn",
    "Việt",
    "Vinh",
)
FEMALE_MIDDLES = ("Thị", "Ngọc", "Thu", "Minh", "Thanh", "Kim", "Phương", "Hồng")
FEMALE_GIVEN = (
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Oanh",
    "Phượng",
    "Thảo",
    "Trang",
    "Yến",
)
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com")
PHONE_PREFIXES = ("09", "09", "09", "03", "08", "07")
STREETS = (
    "đường Lê Lợi",
    "đường Trần Hưng Đạo",
    "đường Nguyễn Trãi",
    "đường Hai Bà Trưng",
    "đường Quang Trung",
    "đường Lý Thường Kiệt",
    "đường Phan Chu Trinh",
    "đường Hùng Vương",
    "đường Nguyễn Huệ",
    "đường Điện Biên Phủ",
    "ngõ 12 phố Chùa Bộc",
    "tổ dân phố số 5",
    "thôn Đông",
    "ấp Tân Hòa",
)
WARDS = (
    "phường Hòa Bình",
    "phường Tân Phú",
    "phường Bến Thành",
    "phường Ba Đình",
    "phường Hải Châu",
    "phường Ninh Kiều",
    "xã Tân Lập",
    "xã Phú Mỹ",
    "xã Hòa Khánh",
    "xã Quảng Phú",
    "xã Yên Hưng",
    "xã Long Hòa",
)
COMPANY_FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH Một thành viên", "Hợp tác xã")
COMPANY_TRADES = (
    "Thương mại",
    "Xây dựng",
    "Xuất nhập khẩu",
    "Công nghệ",
    "Vận tải",
    "Dịch vụ",
    "Sản xuất",
    "Nông sản",
)
COMPANY_BRANDS = (
    "Minh Phát",
    "Hoàng Long",
    "Thành Công",
    "An Phú",
    "Việt Tiến",
    "Đại Dương",
    "Sao Mai",
    "Hưng Thịnh",
    "Phú Quý",
    "Tân Thành",
    "Trường An",
    "Bình Minh",
)
