"""Reference data: the agencies that answer petitions and the fields they are filed under.

Ministries and ministerial-level agencies as of the 2025 restructuring; the People's
Committees of the 34 provincial-level units from the `vietnam-provinces` package.
Codes are stable: they appear in URLs, filters, exports and other systems' records.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province

GOVERNMENT_OFFICE_CODE = "VPCP"


@dataclass(frozen=True)
class AgencyRef:
    code: str
    kind: str
    name: str
    name_en: str
    province_code: str | None = None


@dataclass(frozen=True)
class FieldRef:
    code: str
    name: str
    name_en: str


MINISTRIES: tuple[AgencyRef, ...] = tuple(
    AgencyRef(code, "MINISTRY", name, name_en)
    for code, name, name_en in (
        ("BQP", "Bộ Quốc phòng", "Ministry of National Defence"),
        ("BCA", "Bộ Công an", "Ministry of Public Security"),
        ("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs"),
        ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs"),
        ("BTP", "Bộ Tư pháp", "Ministry of Justice"),
        ("BTC", "Bộ Tài chính", "Ministry of Finance"),
        ("BCT", "Bộ Công Thương", "Ministry of Industry and Trade"),
        ("BNNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"),
        ("BXD", "Bộ Xây dựng", "Ministry of Construction"),
        ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism"),
        ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"),
        ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
        ("BYT", "Bộ Y tế", "Ministry of Health"),
        ("BDTTG", "Bộ Dân tộc và Tôn giáo", "Ministry of Ethnic Minorities and Religions"),
    )
)

MINISTERIAL_AGENCIES: tuple[AgencyRef, ...] = (
    AgencyRef("NHNN", "MINISTERIAL_AGENCY", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam"),
    AgencyRef("TTCP", "MINISTERIAL_AGENCY", "Thanh tra Chính phủ", "Government Inspectorate"),
    AgencyRef(
        GOVERNMENT_OFFICE_CODE, "GOVERNMENT_OFFICE", "Văn phòng Chính phủ", "Government Office"
    ),
)

FIELDS: tuple[FieldRef, ...] = tuple(
    FieldRef(code, name, name_en)
    for code, name, name_en in (
        ("DAT_DAI", "Đất đai", "Land"),
        ("XAY_DUNG", "Xây dựng", "Construction"),
        ("THUE", "Thuế", "Tax"),
        ("HAI_QUAN", "Hải quan", "Customs"),
        ("Y_TE", "Y tế", "Health"),
        ("GIAO_DUC", "Giáo dục", "Education"),
        ("LAO_DONG", "Lao động, tiền lương", "Labour and wages"),
        ("BHXH", "Bảo hiểm xã hội, bảo hiểm y tế", "Social and health insurance"),
        ("TU_PHAP_HO_TICH", "Tư pháp, hộ tịch", "Justice and civil status"),
        ("GIAO_THONG", "Giao thông vận tải", "Transport"),
        ("MOI_TRUONG", "Tài nguyên và môi trường", "Natural resources and environment"),
        ("DANG_KY_KINH_DOANH", "Đăng ký kinh doanh", "Business registration"),
        ("CU_TRU_CCCD", "Cư trú, căn cước", "Residence and ID cards"),
        ("NONG_NGHIEP", "Nông nghiệp", "Agriculture"),
        ("TAI_CHINH_NGAN_HANG", "Tài chính, ngân hàng", "Finance and banking"),
        ("CONG_THUONG", "Công thương", "Industry and trade"),
        ("THONG_TIN_TRUYEN_THONG", "Thông tin, truyền thông", "Information and communications"),
        ("VAN_HOA_DU_LICH", "Văn hóa, thể thao, du lịch", "Culture, sports and tourism"),
        ("KHOA_HOC_CONG_NGHE", "Khoa học, công nghệ", "Science and technology"),
        ("AN_SINH_XA_HOI", "Chính sách xã hội, người có công", "Social welfare and veterans"),
        ("DAU_TU", "Đầu tư", "Investment"),
        ("CONG_VU", "Công vụ, cán bộ", "Civil service and officials"),
    )
)


@dataclass(frozen=True)
class ProvinceRef:
    code: str
    name: str
    codename: str


def province_code(number: int) -> str:
    return f"{number:02d}"


@cache
def provinces() -> tuple[ProvinceRef, ...]:
    return tuple(
        ProvinceRef(province_code(p.code.value), p.name, p.codename)
        for p in sorted(Province.iter_all(), key=lambda p: p.code.value)
    )


def _people_committee(province: ProvinceRef) -> AgencyRef:
    return AgencyRef(
        code=f"UBND-{province.code}",
        kind="PROVINCE",
        name=f"Ủy ban nhân dân {province.name}",
        name_en=f"People's Committee of {_english_province_name(province)}",
        province_code=province.code,
    )


def _english_province_name(province: ProvinceRef) -> str:
    words = province.codename.split("_")
    return " ".join(word.capitalize() for word in words)


@cache
def agencies() -> tuple[AgencyRef, ...]:
    return MINISTRIES + MINISTERIAL_AGENCIES + tuple(_people_committee(p) for p in provinces())


@cache
def province_codes() -> frozenset[str]:
    return frozenset(p.code for p in provinces())
