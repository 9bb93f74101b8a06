"""Vietnamese wording for the demo petitions: templates, word lists and names.

Petition titles and bodies are rendered from `Template`s whose literal pieces are folded
(`app.domain.text.fold`) once, at import. Rendering returns the text and its folded form together,
so the loader never folds a whole body per row: folding is the costliest step of building a
searchable petition, and a template joins pre-folded pieces with spaces instead. That is
exact because every placeholder is bounded by characters that fold to nothing (spaces,
punctuation), so words never run across a boundary.

Everything here is normalised to NFC when the module loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from app.domain.text import fold, normalize

Phrase = tuple[str, str]
"""A piece of text and its folded form."""


def phrase(text: str) -> Phrase:
    text = normalize(text)
    return text, fold(text)


def phrases(texts: tuple[str, ...] | list[str]) -> tuple[Phrase, ...]:
    return tuple(phrase(t) for t in texts)


class Template:
    """A `str.format`-style template that renders text and folded text in one pass."""

    __slots__ = ("parts", "source")

    def __init__(self, source: str) -> None:
        self.source = normalize(source)
        self.parts: tuple[tuple[str, str, str | None], ...] = tuple(
            (literal, fold(literal), name)
            for literal, name, _spec, _conv in Formatter().parse(self.source)
        )
        self._check_boundaries()

    def _check_boundaries(self) -> None:
        for index, (_literal, _folded, name) in enumerate(self.parts):
            if name is None:
                continue
            before = self.parts[index][0][-1:]
            after = self.parts[index + 1][0][:1] if index + 1 < len(self.parts) else ""
            for neighbour in (before, after):
                if neighbour and fold(neighbour):
                    raise ValueError(f"placeholder {name!r} touches a word in {self.source!r}")
            if index + 1 < len(self.parts) and not after and self.parts[index + 1][2]:
                raise ValueError(f"adjacent placeholders in {self.source!r}")

    def render(self, values: dict[str, Phrase]) -> Phrase:
        texts: list[str] = []
        folds: list[str] = []
        for literal, folded, name in self.parts:
            texts.append(literal)
            if folded:
                folds.append(folded)
            if name is not None:
                text, value_fold = values[name]
                texts.append(text)
                if value_fold:
                    folds.append(value_fold)
        return "".join(texts), " ".join(folds)


def templates(sources: tuple[str, ...]) -> tuple[Template, ...]:
    return tuple(Template(s) for s in sources)


# --- fields ----------------------------------------------------------------


@dataclass(frozen=True)
class FieldText:
    """What petitions in one field talk about, and who usually answers them."""

    topics: tuple[Phrase, ...]
    procedures: tuple[Phrase, ...]
    ideas: tuple[Phrase, ...]
    offices: tuple[Phrase, ...]
    ministries: tuple[str, ...]
    citizen_weight: int
    business_weight: int


def _field(
    topics: tuple[str, ...],
    procedures: tuple[str, ...],
    ideas: tuple[str, ...],
    offices: tuple[str, ...],
    ministries: tuple[str, ...],
    weights: tuple[int, int],
) -> FieldText:
    return FieldText(
        phrases(topics),
        phrases(procedures),
        phrases(ideas),
        phrases(offices),
        ministries,
        *weights,
    )


FIELD_TEXTS: dict[str, FieldText] = {
    "DAT_DAI": _field(
        (
            "cấp giấy chứng nhận quyền sử dụng đất",
            "bồi thường, hỗ trợ, tái định cư khi Nhà nước thu hồi đất",
            "xác định giá đất cụ thể",
            "chuyển mục đích sử dụng đất nông nghiệp",
        ),
        (
            "đăng ký biến động đất đai",
            "cấp đổi giấy chứng nhận quyền sử dụng đất",
            "tách thửa, hợp thửa đất",
            "đính chính giấy chứng nhận quyền sử dụng đất",
        ),
        (
            "công khai bảng giá đất trên cổng thông tin điện tử",
            "liên thông dữ liệu đất đai với cơ quan thuế",
            "số hóa toàn bộ hồ sơ địa chính",
        ),
        ("Văn phòng đăng ký đất đai", "bộ phận một cửa Ủy ban nhân dân cấp xã"),
        ("BNNMT",),
        (16, 6),
    ),
    "XAY_DUNG": _field(
        (
            "cấp giấy phép xây dựng nhà ở riêng lẻ",
            "quản lý nhà chung cư và quỹ bảo trì",
            "phát triển nhà ở xã hội",
            "quy hoạch xây dựng đô thị",
        ),
        (
            "cấp giấy phép xây dựng",
            "thẩm định thiết kế xây dựng",
            "cấp chứng chỉ hành nghề hoạt động xây dựng",
        ),
        (
            "cấp phép xây dựng trực tuyến toàn trình",
            "công khai quy hoạch chi tiết trên bản đồ số",
        ),
        ("Sở Xây dựng", "bộ phận quản lý trật tự xây dựng cấp xã"),
        ("BXD",),
        (7, 6),
    ),
    "THUE": _field(
        (
            "hoàn thuế giá trị gia tăng",
            "thuế thu nhập cá nhân đối với hộ kinh doanh",
            "hóa đơn điện tử",
            "quyết toán thuế thu nhập doanh nghiệp",
        ),
        (
            "hoàn thuế giá trị gia tăng",
            "đăng ký mã số thuế cá nhân",
            "quyết toán thuế thu nhập cá nhân",
            "miễn tiền chậm nộp thuế",
        ),
        (
            "tự động điền sẵn tờ khai quyết toán thuế",
            "kết nối dữ liệu hóa đơn điện tử với ngân hàng",
        ),
        ("Thuế cơ sở", "Thuế tỉnh"),
        ("BTC",),
        (5, 16),
    ),
    "HAI_QUAN": _field(
        (
            "kiểm tra chuyên ngành hàng hóa xuất nhập khẩu",
            "phân loại mã số hàng hóa",
            "thông quan hàng hóa tại cửa khẩu",
            "miễn thuế nhập khẩu nguyên liệu sản xuất hàng xuất khẩu",
        ),
        (
            "khai báo hải quan điện tử",
            "kiểm tra thực tế hàng hóa",
            "xác định trước mã số hàng hóa",
        ),
        (
            "mở rộng Cơ chế một cửa quốc gia",
            "lắp máy soi container tại tất cả cảng biển",
        ),
        ("Chi cục Hải quan cửa khẩu", "Chi cục Hải quan khu vực"),
        ("BTC",),
        (1, 12),
    ),
    "Y_TE": _field(
        (
            "cấp phép hành nghề khám bệnh, chữa bệnh",
            "đấu thầu thuốc và vật tư y tế",
            "giá dịch vụ khám bệnh, chữa bệnh",
            "quản lý thực phẩm bảo vệ sức khỏe",
        ),
        (
            "cấp giấy phép hành nghề khám bệnh, chữa bệnh",
            "đăng ký lưu hành thuốc",
            "tự công bố sản phẩm thực phẩm",
        ),
        (
            "liên thông kết quả xét nghiệm giữa các bệnh viện",
            "sổ sức khỏe điện tử cho mọi người dân",
        ),
        ("Sở Y tế", "bệnh viện đa khoa tỉnh"),
        ("BYT",),
        (8, 4),
    ),
    "GIAO_DUC": _field(
        (
            "tuyển sinh vào lớp 10 công lập",
            "dạy thêm, học thêm",
            "chế độ phụ cấp cho giáo viên mầm non",
            "chương trình và sách giáo khoa phổ thông",
        ),
        (
            "công nhận văn bằng do cơ sở giáo dục nước ngoài cấp",
            "cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
            "chuyển trường cho học sinh trung học",
        ),
        (
            "học bạ số cho học sinh phổ thông",
            "kho học liệu mở dùng chung cho giáo viên",
        ),
        ("Sở Giáo dục và Đào tạo", "phòng văn hóa - xã hội cấp xã"),
        ("BGDDT",),
        (8, 2),
    ),
    "LAO_DONG": _field(
        (
            "tiền lương tối thiểu vùng",
            "giấy phép lao động cho người nước ngoài",
            "trợ cấp thôi việc",
            "an toàn, vệ sinh lao động",
        ),
        (
            "cấp giấy phép lao động cho người lao động nước ngoài",
            "đăng ký nội quy lao động",
            "hưởng trợ cấp thất nghiệp",
        ),
        (
            "sàn giao dịch việc làm trực tuyến quốc gia",
            "chứng chỉ kỹ năng nghề điện tử",
        ),
        ("Sở Nội vụ", "Trung tâm dịch vụ việc làm"),
        ("BNV",),
        (6, 7),
    ),
    "BHXH": _field(
        (
            "hưởng bảo hiểm xã hội một lần",
            "thanh toán chi phí khám, chữa bệnh bảo hiểm y tế",
            "chế độ thai sản",
            "truy thu bảo hiểm xã hội khi doanh nghiệp nợ đóng",
        ),
        (
            "cấp lại sổ bảo hiểm xã hội",
            "giải quyết chế độ ốm đau, thai sản",
            "chốt sổ bảo hiểm xã hội",
            "cấp đổi thẻ bảo hiểm y tế",
        ),
        (
            "dùng thẻ căn cước thay thẻ bảo hiểm y tế giấy",
            "tra cứu quá trình đóng bảo hiểm trên ứng dụng VssID",
        ),
        ("Bảo hiểm xã hội cơ sở", "Bảo hiểm xã hội tỉnh"),
        ("BTC", "BYT"),
        (10, 5),
    ),
    "TU_PHAP_HO_TICH": _field(
        (
            "đăng ký khai sinh, khai tử",
            "chứng thực bản sao từ bản chính",
            "phiếu lý lịch tư pháp",
            "công chứng hợp đồng chuyển nhượng tài sản",
        ),
        (
            "đăng ký khai sinh",
            "cấp phiếu lý lịch tư pháp",
            "đăng ký kết hôn có yếu tố nước ngoài",
            "cấp bản sao trích lục hộ tịch",
        ),
        (
            "liên thông khai sinh, thường trú và thẻ bảo hiểm y tế cho trẻ em",
            "cấp phiếu lý lịch tư pháp trên ứng dụng VNeID",
        ),
        ("Ủy ban nhân dân cấp xã", "Sở Tư pháp"),
        ("BTP",),
        (8, 1),
    ),
    "GIAO_THONG": _field(
        (
            "đăng kiểm phương tiện cơ giới",
            "cấp đổi giấy phép lái xe",
            "thu phí đường bộ điện tử không dừng",
            "đầu tư xây dựng đường cao tốc",
        ),
        (
            "cấp đổi giấy phép lái xe",
            "kiểm định xe ô tô",
            "cấp phù hiệu xe kinh doanh vận tải",
        ),
        (
            "đổi giấy phép lái xe trực tuyến",
            "bãi đỗ xe thông minh tại các đô thị lớn",
        ),
        ("Sở Xây dựng", "trung tâm đăng kiểm xe cơ giới"),
        ("BXD", "BCA"),
        (7, 5),
    ),
    "MOI_TRUONG": _field(
        (
            "ô nhiễm môi trường tại khu công nghiệp",
            "thu gom, xử lý chất thải rắn sinh hoạt",
            "khai thác khoáng sản trái phép",
            "đánh giá tác động môi trường",
        ),
        (
            "cấp giấy phép môi trường",
            "đăng ký môi trường",
            "cấp phép khai thác nước dưới đất",
        ),
        (
            "phân loại rác tại nguồn có hỗ trợ cho hộ gia đình",
            "công khai chỉ số chất lượng không khí theo thời gian thực",
        ),
        ("Sở Nông nghiệp và Môi trường", "Ủy ban nhân dân cấp xã"),
        ("BNNMT",),
        (5, 3),
    ),
    "DANG_KY_KINH_DOANH": _field(
        (
            "thành lập doanh nghiệp",
            "đăng ký hộ kinh doanh",
            "giải thể doanh nghiệp",
            "điều kiện kinh doanh",
        ),
        (
            "đăng ký thành lập doanh nghiệp",
            "thay đổi nội dung đăng ký doanh nghiệp",
            "giải thể doanh nghiệp",
            "đăng ký hộ kinh doanh",
        ),
        (
            "cắt giảm các điều kiện kinh doanh không cần thiết",
            "liên thông đăng ký doanh nghiệp với bảo hiểm xã hội",
        ),
        ("Phòng Đăng ký kinh doanh", "Sở Tài chính"),
        ("BTC",),
        (2, 12),
    ),
    "CU_TRU_CCCD": _field(
        (
            "đăng ký thường trú, tạm trú",
            "cấp thẻ căn cước",
            "định danh điện tử VNeID",
            "xác nhận thông tin về cư trú",
        ),
        (
            "cấp đổi thẻ căn cước",
            "đăng ký thường trú",
            "kích hoạt tài khoản định danh điện tử mức độ 2",
            "xác nhận thông tin về cư trú",
        ),
        (
            "tích hợp giấy phép lái xe vào ứng dụng VNeID",
            "bỏ yêu cầu nộp giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư",
        ),
        ("Công an cấp xã", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"),
        ("BCA",),
        (12, 1),
    ),
    "NONG_NGHIEP": _field(
        (
            "hỗ trợ nông dân khi thiên tai, dịch bệnh",
            "tiêu thụ nông sản",
            "kiểm dịch động vật, thực vật",
            "chứng nhận sản xuất nông nghiệp tốt VietGAP",
        ),
        (
            "cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
            "kiểm dịch thực vật xuất khẩu",
            "cấp mã số vùng trồng",
        ),
        (
            "sàn thương mại điện tử cho nông sản địa phương",
            "bảo hiểm nông nghiệp theo chỉ số thời tiết",
        ),
        ("Sở Nông nghiệp và Môi trường", "Chi cục Trồng trọt và Bảo vệ thực vật"),
        ("BNNMT",),
        (5, 4),
    ),
    "TAI_CHINH_NGAN_HANG": _field(
        (
            "lãi suất cho vay mua nhà ở xã hội",
            "thanh toán không dùng tiền mặt",
            "xác thực sinh trắc học khi chuyển tiền",
            "tín dụng cho doanh nghiệp nhỏ và vừa",
        ),
        (
            "mở tài khoản thanh toán",
            "vay vốn ưu đãi tại Ngân hàng Chính sách xã hội",
            "cập nhật sinh trắc học cho tài khoản ngân hàng",
        ),
        (
            "gói tín dụng xanh cho hộ sản xuất nhỏ",
            "cảnh báo lừa đảo chuyển tiền theo thời gian thực",
        ),
        ("chi nhánh ngân hàng thương mại", "Ngân hàng Nhà nước chi nhánh khu vực"),
        ("NHNN", "BTC"),
        (4, 6),
    ),
    "CONG_THUONG": _field(
        (
            "giá điện sinh hoạt bậc thang",
            "quản lý thị trường xăng dầu",
            "bảo vệ quyền lợi người tiêu dùng",
            "thương mại điện tử",
        ),
        (
            "cấp giấy chứng nhận xuất xứ hàng hóa",
            "cấp giấy phép kinh doanh bán lẻ",
            "thông báo website thương mại điện tử bán hàng",
        ),
        (
            "công khai cơ cấu giá điện",
            "cấp giấy chứng nhận xuất xứ điện tử toàn trình",
        ),
        ("Sở Công Thương", "Chi cục Quản lý thị trường"),
        ("BCT",),
        (4, 7),
    ),
    "THONG_TIN_TRUYEN_THONG": _field(
        (
            "tin nhắn rác và cuộc gọi lừa đảo",
            "chuẩn hóa thông tin thuê bao di động",
            "quản lý nội dung trên mạng xã hội",
            "phủ sóng viễn thông ở vùng sâu, vùng xa",
        ),
        (
            "cấp giấy phép thiết lập trang thông tin điện tử tổng hợp",
            "cấp phép xuất bản bản tin",
            "đăng ký tên miền quốc gia",
        ),
        (
            "cơ chế báo cáo cuộc gọi lừa đảo chỉ với một chạm",
            "mạng Wi-Fi công cộng miễn phí ở nơi công cộng",
        ),
        ("Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch"),
        ("BKHCN", "BVHTTDL"),
        (4, 3),
    ),
    "VAN_HOA_DU_LICH": _field(
        (
            "quản lý di tích lịch sử - văn hóa",
            "hoạt động của hướng dẫn viên du lịch",
            "tổ chức lễ hội truyền thống",
            "kinh doanh dịch vụ karaoke, vũ trường",
        ),
        (
            "cấp thẻ hướng dẫn viên du lịch",
            "cấp giấy phép kinh doanh dịch vụ lữ hành",
            "cấp phép tổ chức biểu diễn nghệ thuật",
        ),
        (
            "vé điện tử liên thông cho các điểm di tích",
            "bản đồ du lịch số của địa phương",
        ),
        ("Sở Văn hóa, Thể thao và Du lịch",),
        ("BVHTTDL",),
        (3, 3),
    ),
    "KHOA_HOC_CONG_NGHE": _field(
        (
            "quỹ phát triển khoa học và công nghệ của doanh nghiệp",
            "bảo hộ quyền sở hữu trí tuệ",
            "chuyển đổi số",
            "khởi nghiệp đổi mới sáng tạo",
        ),
        (
            "đăng ký nhãn hiệu",
            "cấp giấy chứng nhận doanh nghiệp khoa học và công nghệ",
            "đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
        ),
        (
            "cơ chế thử nghiệm có kiểm soát cho công nghệ mới",
            "cổng dữ liệu mở của các cơ quan nhà nước",
        ),
        ("Cục Sở hữu trí tuệ", "Sở Khoa học và Công nghệ"),
        ("BKHCN",),
        (2, 5),
    ),
    "AN_SINH_XA_HOI": _field(
        (
            "trợ cấp cho người có công với cách mạng",
            "trợ cấp xã hội cho người cao tuổi",
            "hỗ trợ người khuyết tật",
            "hỗ trợ hộ nghèo, hộ cận nghèo",
        ),
        (
            "xác nhận người có công với cách mạng",
            "hưởng trợ cấp xã hội hằng tháng",
            "xác định mức độ khuyết tật",
        ),
        (
            "chi trả trợ cấp xã hội qua tài khoản ngân hàng",
            "cơ sở dữ liệu an sinh xã hội dùng chung",
        ),
        ("Ủy ban nhân dân cấp xã", "Sở Y tế"),
        ("BNV", "BYT"),
        (8, 1),
    ),
    "DAU_TU": _field(
        (
            "ưu đãi đầu tư",
            "chấp thuận chủ trương đầu tư",
            "đầu tư theo phương thức đối tác công tư",
            "giải ngân vốn đầu tư công",
        ),
        (
            "cấp giấy chứng nhận đăng ký đầu tư",
            "điều chỉnh dự án đầu tư",
            "thẩm định dự án đầu tư công",
        ),
        (
            "thủ tục đầu tư đặc biệt cho dự án công nghệ cao",
            "cổng xúc tiến đầu tư một cửa",
        ),
        ("Sở Tài chính", "Ban quản lý các khu công nghiệp"),
        ("BTC",),
        (1, 9),
    ),
    "CONG_VU": _field(
        (
            "tuyển dụng công chức, viên chức",
            "sắp xếp tổ chức bộ máy",
            "chế độ cho cán bộ dôi dư sau sắp xếp",
            "văn hóa công vụ",
        ),
        (
            "thi tuyển công chức",
            "xếp lương khi chuyển công tác",
            "giải quyết chế độ nghỉ hưu trước tuổi",
        ),
        (
            "đánh giá cán bộ theo mức độ hài lòng của người dân",
            "công khai tiến độ giải quyết hồ sơ theo thời gian thực",
        ),
        ("Ủy ban nhân dân cấp xã", "Sở Nội vụ"),
        ("BNV", "TTCP"),
        (6, 2),
    ),
}

# --- titles -----------------------------------------------------------------

# Keyed by (subject, kind). Placeholders: topic, procedure, idea, office.

TITLES: dict[tuple[str, str], tuple[Template, ...]] = {
    ("MECHANISM", "REFLECTION"): templates(
        (
            "Phản ánh cơ chế {topic} còn nhiều bất cập",
            "Phản ánh sự chồng chéo trong cơ chế về {topic}",
            "Cơ chế về {topic} chưa thống nhất giữa các địa phương",
        )
    ),
    ("MECHANISM", "RECOMMENDATION"): templates(
        (
            "Kiến nghị sửa đổi cơ chế {topic}",
            "Kiến nghị hoàn thiện cơ chế phối hợp về {topic}",
            "Đề nghị ban hành cơ chế đặc thù về {topic}",
        )
    ),
    ("POLICY", "REFLECTION"): templates(
        (
            "Phản ánh chính sách về {topic} chưa phù hợp với thực tế",
            "Chính sách về {topic} khó áp dụng",
            "Phản ánh mâu thuẫn giữa các văn bản quy định về {topic}",
        )
    ),
    ("POLICY", "RECOMMENDATION"): templates(
        (
            "Kiến nghị điều chỉnh chính sách về {topic}",
            "Kiến nghị bổ sung hướng dẫn thực hiện chính sách về {topic}",
            "Đề nghị xem xét lại quy định về {topic}",
        )
    ),
    ("ADMINISTRATIVE_PROCEDURE", "REFLECTION"): templates(
        (
            "Phản ánh thủ tục {procedure} còn rườm rà",
            "Thủ tục {procedure} yêu cầu giấy tờ không có trong quy định",
            "Phản ánh việc giải quyết thủ tục {procedure} bị quá hạn",
        )
    ),
    ("ADMINISTRATIVE_PROCEDURE", "RECOMMENDATION"): templates(
        (
            "Kiến nghị đơn giản hóa thủ tục {procedure}",
            "Kiến nghị thực hiện thủ tục {procedure} trực tuyến toàn trình",
            "Đề nghị cắt giảm thành phần hồ sơ thủ tục {procedure}",
        )
    ),
    ("OFFICIAL_CONDUCT", "REFLECTION"): templates(
        (
            "Phản ánh cán bộ {office} chậm trễ giải quyết hồ sơ",
            "Phản ánh việc gây phiền hà khi làm thủ tục {procedure}",
            "Phản ánh cán bộ không hướng dẫn đầy đủ thủ tục {procedure}",
            "Phản ánh thái độ thiếu tôn trọng người dân của cán bộ {office}",
        )
    ),
    ("OFFICIAL_CONDUCT", "RECOMMENDATION"): templates(
        (
            "Kiến nghị xem xét trách nhiệm cán bộ trong giải quyết thủ tục {procedure}",
            "Kiến nghị chấn chỉnh tác phong, lề lối làm việc của cán bộ {office}",
        )
    ),
    ("INITIATIVE", "REFLECTION"): templates(
        (
            "Chia sẻ sáng kiến về {idea}",
            "Kinh nghiệm thực tế về {idea}",
        )
    ),
    ("INITIATIVE", "RECOMMENDATION"): templates(
        (
            "Sáng kiến: {idea}",
            "Đề xuất {idea}",
            "Kiến nghị triển khai {idea}",
        )
    ),
}

# --- bodies -----------------------------------------------------------------

# Placeholders: topic, procedure, idea, office, place (where the petitioner is),
# we / We (tôi, chúng tôi), d, m, y (a date), n, k (numbers), who (self-introduction).

SALUTATIONS = templates(
    (
        "Kính gửi Văn phòng Chính phủ.",
        "Kính gửi các cơ quan có thẩm quyền.",
        "Kính gửi Văn phòng Chính phủ và các bộ, ngành liên quan.",
        "Kính gửi Thủ tướng Chính phủ và Văn phòng Chính phủ.",
    )
)

CITIZEN_INTROS = templates(
    (
        "Tôi là {who} đang sinh sống tại {place}.",
        "Tôi là {who}, thường trú tại {place}.",
        "Tôi xin trình bày sự việc như sau: tôi là {who} ở {place}.",
    )
)

CITIZEN_ROLES = phrases(
    (
        "người dân",
        "giáo viên",
        "nông dân",
        "công nhân",
        "cán bộ hưu trí",
        "chủ hộ kinh doanh",
        "người lao động tự do",
        "sinh viên",
        "kỹ sư xây dựng",
        "cựu chiến binh",
    )
)

BUSINESS_INTROS = templates(
    (
        "Chúng tôi là {who} có trụ sở tại {place}.",
        "Công ty chúng tôi là {who}, hoạt động tại {place}.",
        "Doanh nghiệp chúng tôi là {who} đang sản xuất, kinh doanh tại {place}.",
    )
)

BUSINESS_ROLES = phrases(
    (
        "doanh nghiệp nhỏ và vừa trong lĩnh vực chế biến nông sản",
        "công ty xuất nhập khẩu",
        "doanh nghiệp xây dựng",
        "doanh nghiệp vận tải, logistics",
        "doanh nghiệp thương mại điện tử",
        "doanh nghiệp dệt may",
        "công ty phần mềm",
        "doanh nghiệp có vốn đầu tư nước ngoài",
        "hợp tác xã nông nghiệp",
    )
)

PROBLEMS: dict[str, tuple[Template, ...]] = {
    "MECHANISM": templates(
        (
            "Hiện nay, cơ chế về {topic} giao cho nhiều cơ quan cùng quản lý nhưng thiếu "
            "đầu mối chịu trách nhiệm chính, nên khi phát sinh vướng mắc {we} không biết "
            "phải liên hệ với cơ quan nào.",
            "Quy định về {topic} ở mỗi địa phương áp dụng một kiểu, cùng một loại hồ sơ "
            "nhưng nơi chấp nhận, nơi từ chối.",
            "Cơ chế phối hợp giữa các cơ quan về {topic} chưa rõ ràng, hồ sơ phải chuyển "
            "qua lại nhiều lần, kéo dài thời gian tới {n} ngày làm việc.",
            "Nhiều văn bản hướng dẫn về {topic} được ban hành ở các thời điểm khác nhau, có "
            "nội dung chồng chéo, thậm chí mâu thuẫn với nhau.",
        )
    ),
    "POLICY": templates(
        (
            "Chính sách về {topic} được ban hành với mục tiêu đúng đắn nhưng điều kiện áp "
            "dụng quá chặt chẽ, rất ít trường hợp thực tế đáp ứng được.",
            "Mức hỗ trợ theo chính sách về {topic} đã được áp dụng nhiều năm, không còn phù "
            "hợp với giá cả và thu nhập hiện nay.",
            "Quy định về {topic} chưa có hướng dẫn cụ thể, mỗi cán bộ giải thích một cách "
            "khác nhau khiến {we} lúng túng khi thực hiện.",
            "Một số nội dung của chính sách về {topic} chưa phù hợp với các điều ước quốc tế "
            "mà Việt Nam là thành viên.",
        )
    ),
    "ADMINISTRATIVE_PROCEDURE": templates(
        (
            "Ngày {d}/{m}/{y}, {we} nộp hồ sơ {procedure} tại {office}. Theo quy định, thời "
            "hạn giải quyết là {n} ngày làm việc, nhưng đến nay hồ sơ vẫn chưa có kết quả "
            "và {we} không được thông báo lý do.",
            "Khi làm thủ tục {procedure}, {we} được yêu cầu nộp thêm nhiều loại giấy tờ "
            "không có trong bộ thủ tục đã công bố, phải đi lại {k} lần mới nộp được hồ sơ.",
            "Hệ thống dịch vụ công trực tuyến thường xuyên báo lỗi khi nộp hồ sơ "
            "{procedure}, buộc {we} phải đến nộp trực tiếp tại {office}.",
            "Thủ tục {procedure} yêu cầu nộp bản sao có chứng thực của những giấy tờ mà cơ "
            "quan nhà nước đã có trong cơ sở dữ liệu.",
        )
    ),
    "OFFICIAL_CONDUCT": templates(
        (
            "Ngày {d}/{m}/{y}, {we} đến {office} để làm thủ tục {procedure}. Cán bộ tiếp "
            "nhận không hướng dẫn đầy đủ mà chỉ yêu cầu về bổ sung, {we} đã phải đi lại "
            "{k} lần.",
            "Hồ sơ {procedure} của {we} đã quá hạn {n} ngày làm việc, khi hỏi thì cán bộ "
            "{office} trả lời là đang chờ ý kiến lãnh đạo mà không hẹn thời gian cụ thể.",
            "Cán bộ {office} có thái độ thiếu tôn trọng người dân, gợi ý {we} sử dụng "
            "dịch vụ bên ngoài để hồ sơ được giải quyết nhanh hơn.",
            "Từ ngày {d}/{m}/{y}, {we} đã nhiều lần liên hệ {office} nhưng không nhận được "
            "phản hồi, điện thoại đường dây nóng không có người nghe máy.",
        )
    ),
    "INITIATIVE": templates(
        (
            "Qua thực tế, {we} nhận thấy việc {idea} sẽ giúp giảm thời gian và chi phí cho "
            "người dân, doanh nghiệp.",
            "Nhiều địa phương đã thí điểm {idea} và đạt kết quả tốt, có thể nhân rộng trên "
            "phạm vi cả nước.",
            "{We} đề xuất {idea}, bắt đầu thí điểm tại {k} địa phương trong vòng {n} tháng "
            "trước khi áp dụng rộng rãi.",
        )
    ),
}

IMPACTS = templates(
    (
        "Việc này gây tốn kém thời gian, chi phí và ảnh hưởng trực tiếp đến công việc, "
        "đời sống của {we}.",
        "Tình trạng trên làm giảm niềm tin của người dân và doanh nghiệp vào cơ quan nhà nước.",
        "Theo tìm hiểu của {we}, nhiều người khác tại {place} cũng gặp tình trạng tương tự.",
        "Do vướng mắc này, {we} đã bị chậm kế hoạch khoảng {n} ngày và phát sinh nhiều chi "
        "phí không cần thiết.",
    )
)

REQUESTS: dict[str, tuple[Template, ...]] = {
    "REFLECTION": templates(
        (
            "Kính đề nghị cơ quan có thẩm quyền kiểm tra, làm rõ và trả lời cho {we} được biết.",
            "{We} đề nghị xem xét, chấn chỉnh và có văn bản trả lời cụ thể.",
            "Kính mong cơ quan chức năng sớm giải quyết dứt điểm sự việc trên.",
        )
    ),
    "RECOMMENDATION": templates(
        (
            "{We} kiến nghị sửa đổi, bổ sung quy định liên quan đến {topic} theo hướng đơn "
            "giản, rõ ràng và thống nhất.",
            "Kính đề nghị các bộ, ngành nghiên cứu, tiếp thu và ban hành hướng dẫn thống "
            "nhất về {topic}.",
            "{We} mong muốn được tham gia góp ý khi cơ quan soạn thảo lấy ý kiến về {topic}.",
        )
    ),
}

CLOSINGS = templates(
    (
        "Trân trọng cảm ơn.",
        "Xin chân thành cảm ơn.",
        "Trân trọng.",
        "Rất mong nhận được phản hồi sớm. Xin cảm ơn.",
    )
)

ELABORATIONS = templates(
    (
        "Cụ thể, trong quá trình thực hiện, {we} đã liên hệ với {office} và được hướng dẫn "
        "làm lại hồ sơ từ đầu, mặc dù hồ sơ trước đó đã được tiếp nhận hợp lệ.",
        "{We} đã tìm hiểu kỹ các văn bản quy phạm pháp luật hiện hành về {topic} và nhận "
        "thấy chưa có quy định nào yêu cầu như vậy.",
        "Ngoài ra, thông tin về {topic} trên cổng thông tin điện tử của địa phương chưa được "
        "cập nhật, gây khó khăn cho việc tra cứu.",
        "Thời gian qua, {we} đã gửi văn bản đến {office} nhưng chỉ nhận được phản hồi chung "
        "chung, chưa giải quyết được vướng mắc.",
        "Trường hợp cần thiết, {we} sẵn sàng cung cấp thêm giấy tờ, hình ảnh và tài liệu "
        "liên quan để cơ quan có thẩm quyền xác minh.",
        "Việc chậm trễ kéo dài {n} ngày làm việc đã ảnh hưởng đến kế hoạch sản xuất, kinh "
        "doanh và thu nhập của gia đình {we}.",
        "Theo {we}, nguyên nhân chủ yếu là do thiếu sự phối hợp giữa các cơ quan liên quan "
        "và việc ứng dụng công nghệ thông tin còn hạn chế.",
        "{We} cũng đã tham khảo kinh nghiệm của {k} địa phương khác và thấy cách làm ở đó "
        "nhanh gọn, minh bạch hơn nhiều.",
    )
)

# --- petitioners ------------------------------------------------------------

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

# --- the record: notes, answers, ratings ------------------------------------

# Formatted with str.format; not searchable, so not folded.

ASSIGN_NOTES = (
    "Chuyển {agency} xem xét, xử lý theo thẩm quyền.",
    "Đề nghị {agency} nghiên cứu, trả lời theo quy định.",
    "Chuyển {agency} giải quyết theo thẩm quyền và trả lời người phản ánh, kiến nghị.",
)
TRANSFER_NOTES = (
    "Chuyển {agency} xử lý theo đề nghị của cơ quan được giao trước đó.",
    "Nội dung thuộc thẩm quyền của {agency}; chuyển {agency} xử lý.",
)
ACKNOWLEDGE_NOTES = (
    "Đã tiếp nhận, đang xem xét nội dung phản ánh, kiến nghị.",
    "Đơn vị đã tiếp nhận và giao bộ phận chuyên môn xử lý.",
)
REQUEST_TRANSFER_NOTES = (
    "Nội dung không thuộc phạm vi quản lý của đơn vị; đề nghị Văn phòng Chính phủ chuyển "
    "cơ quan có thẩm quyền.",
    "Đơn vị đã rà soát, nội dung kiến nghị thuộc chức năng của bộ, ngành khác; đề nghị "
    "chuyển xử lý.",
)
PROGRESS_NOTES = (
    "Đơn vị đang phối hợp với các cơ quan liên quan xác minh nội dung phản ánh.",
    "Đã làm việc với người phản ánh, kiến nghị; đang tổng hợp ý kiến các đơn vị.",
    "Đang lấy ý kiến các bộ, ngành liên quan trước khi trả lời chính thức.",
    "Đã tổ chức kiểm tra thực tế; kết quả sẽ được công bố khi có văn bản trả lời.",
)
FOLLOW_UP_NOTES = (
    "Tôi chưa đồng ý với nội dung trả lời vì chưa giải quyết dứt điểm vấn đề đã nêu.",
    "Câu trả lời chưa đúng trọng tâm kiến nghị; đề nghị xem xét lại.",
    "Đến nay sự việc vẫn chưa được khắc phục như nội dung trả lời; kính đề nghị kiểm tra.",
)
REJECT_NOTES = {
    "OUT_OF_SCOPE": (
        "Nội dung là khiếu nại, tố cáo; đề nghị gửi cơ quan có thẩm quyền theo quy định "
        "của pháp luật về khiếu nại, tố cáo.",
        "Nội dung không thuộc phạm vi tiếp nhận phản ánh, kiến nghị về quy định hành chính.",
    ),
    "DUPLICATE": ("Trùng nội dung với phản ánh, kiến nghị {code} đang được xử lý.",),
    "ABUSIVE": ("Nội dung có ngôn từ không phù hợp, không được tiếp nhận.",),
    "INSUFFICIENT_INFO": (
        "Nội dung chưa đủ thông tin để xem xét; đề nghị bổ sung thông tin cụ thể.",
        "Không xác định được cơ quan, địa điểm và thời gian xảy ra sự việc.",
    ),
}
ESCALATE_NOTES = {
    "MULTI_AGENCY_DISAGREEMENT": (
        "Các cơ quan liên quan chưa thống nhất thẩm quyền giải quyết; báo cáo Thủ tướng "
        "Chính phủ xem xét, quyết định.",
    ),
    "GOVERNMENT_AUTHORITY": (
        "Nội dung thuộc thẩm quyền của Chính phủ, Thủ tướng Chính phủ; Văn phòng Chính phủ "
        "tổng hợp, báo cáo.",
    ),
    "REPEATED_COMPLAINT": ("Người phản ánh, kiến nghị tiếp tục đề nghị lần thứ hai.",),
}
ANSWER_NOTES = ("Đã có văn bản trả lời.", "Đã trả lời người phản ánh, kiến nghị.", None)

ANSWER_OPENINGS = (
    "{agency} nhận được {kind} của {addressee} về {topic}. Về vấn đề này, {agency} có ý kiến "
    "như sau:",
    "Trả lời {kind} của {addressee} liên quan đến {topic}, {agency} trả lời như sau:",
    "Sau khi nghiên cứu {kind} của {addressee} về {topic}, {agency} có ý kiến như sau:",
)
ANSWER_SUBSTANCES = (
    "Theo quy định tại Nghị định số {n}/{y}/NĐ-CP, trường hợp {addressee} nêu đã được "
    "hướng dẫn cụ thể. {agency} đã có văn bản đề nghị cơ quan liên quan thực hiện đúng "
    "quy định và giải quyết dứt điểm hồ sơ trong thời hạn {k} ngày làm việc.",
    "{agency} ghi nhận kiến nghị và sẽ nghiên cứu, đề xuất sửa đổi, bổ sung trong quá "
    "trình xây dựng văn bản thay thế Thông tư số {n}/{y}. Trong thời gian chờ sửa đổi, đề "
    "nghị {addressee} thực hiện theo hướng dẫn hiện hành.",
    "Qua kiểm tra, việc chậm giải quyết hồ sơ là do thiếu sự phối hợp giữa các đơn vị. "
    "{agency} đã chỉ đạo kiểm điểm trách nhiệm cá nhân có liên quan và chấn chỉnh việc "
    "tiếp nhận, giải quyết thủ tục hành chính.",
    "Nội dung {addressee} phản ánh là có cơ sở. {agency} đã yêu cầu đơn vị trực thuộc "
    "khắc phục, công khai quy trình và thời hạn giải quyết để người dân, doanh nghiệp "
    "theo dõi.",
    "Đề xuất của {addressee} là sáng kiến thiết thực. {agency} sẽ tổ chức thí điểm tại "
    "một số địa phương trong năm {y} và tổng kết, đánh giá trước khi nhân rộng.",
)
ANSWER_CLOSINGS = (
    "{agency} trả lời để {addressee} được biết.",
    "Trân trọng cảm ơn {addressee} đã quan tâm, đóng góp ý kiến.",
    "Mọi vướng mắc phát sinh, đề nghị {addressee} liên hệ bộ phận một cửa để được hướng dẫn.",
)
RATING_COMMENTS = {
    1: ("Trả lời không đúng trọng tâm.", "Chưa giải quyết được gì, rất thất vọng."),
    2: ("Trả lời chung chung, chưa thỏa đáng.", "Thời gian trả lời quá lâu."),
    3: ("Đã có trả lời nhưng cần thêm hướng dẫn cụ thể.", "Tạm chấp nhận."),
    4: ("Trả lời rõ ràng, cảm ơn cơ quan.", "Vấn đề đã được giải quyết cơ bản."),
    5: ("Rất hài lòng, cảm ơn cán bộ đã hỗ trợ tận tình.", "Giải quyết nhanh chóng, minh bạch."),
}
