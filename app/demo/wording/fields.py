"""What petitions in each field talk about, and which ministries usually answer them."""

from __future__ import annotations

from dataclasses import dataclass

from app.demo.wording.template import Phrase, phrases


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
