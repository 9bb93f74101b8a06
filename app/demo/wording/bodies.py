"""The paragraphs of a petition's body, in the order a petitioner writes them.

Placeholders: topic, procedure, idea, office, place (where the petitioner is), who (how the
petitioner introduces themself), we / We (tôi or chúng tôi), day, month, year (a date a few
weeks before submission), number (5 to 45), few (2 to 6).
"""

from __future__ import annotations

from app.demo.wording.template import Template, phrases, templates

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
            "qua lại nhiều lần, kéo dài thời gian tới {number} ngày làm việc.",
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
            "Ngày {day}/{month}/{year}, {we} nộp hồ sơ {procedure} tại {office}. Theo quy định, "
            "thời hạn giải quyết là {number} ngày làm việc, nhưng đến nay hồ sơ vẫn chưa có kết "
            "quả và {we} không được thông báo lý do.",
            "Khi làm thủ tục {procedure}, {we} được yêu cầu nộp thêm nhiều loại giấy tờ "
            "không có trong bộ thủ tục đã công bố, phải đi lại {few} lần mới nộp được hồ sơ.",
            "Hệ thống dịch vụ công trực tuyến thường xuyên báo lỗi khi nộp hồ sơ "
            "{procedure}, buộc {we} phải đến nộp trực tiếp tại {office}.",
            "Thủ tục {procedure} yêu cầu nộp bản sao có chứng thực của những giấy tờ mà cơ "
            "quan nhà nước đã có trong cơ sở dữ liệu.",
        )
    ),
    "OFFICIAL_CONDUCT": templates(
        (
            "Ngày {day}/{month}/{year}, {we} đến {office} để làm thủ tục {procedure}. Cán bộ tiếp "
            "nhận không hướng dẫn đầy đủ mà chỉ yêu cầu về bổ sung, {we} đã phải đi lại "
            "{few} lần.",
            "Hồ sơ {procedure} của {we} đã quá hạn {number} ngày làm việc, khi hỏi thì cán bộ "
            "{office} trả lời là đang chờ ý kiến lãnh đạo mà không hẹn thời gian cụ thể.",
            "Cán bộ {office} có thái độ thiếu tôn trọng người dân, gợi ý {we} sử dụng "
            "dịch vụ bên ngoài để hồ sơ được giải quyết nhanh hơn.",
            "Từ ngày {day}/{month}/{year}, {we} đã nhiều lần liên hệ {office} nhưng không nhận "
            "được phản hồi, điện thoại đường dây nóng không có người nghe máy.",
        )
    ),
    "INITIATIVE": templates(
        (
            "Qua thực tế, {we} nhận thấy việc {idea} sẽ giúp giảm thời gian và chi phí cho "
            "người dân, doanh nghiệp.",
            "Nhiều địa phương đã thí điểm {idea} và đạt kết quả tốt, có thể nhân rộng trên "
            "phạm vi cả nước.",
            "{We} đề xuất {idea}, bắt đầu thí điểm tại {few} địa phương trong vòng {number} tháng "
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
        "Do vướng mắc này, {we} đã bị chậm kế hoạch khoảng {number} ngày và phát sinh nhiều chi "
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
        "Việc chậm trễ kéo dài {number} ngày làm việc đã ảnh hưởng đến kế hoạch sản xuất, kinh "
        "doanh và thu nhập của gia đình {we}.",
        "Theo {we}, nguyên nhân chủ yếu là do thiếu sự phối hợp giữa các cơ quan liên quan "
        "và việc ứng dụng công nghệ thông tin còn hạn chế.",
        "{We} cũng đã tham khảo kinh nghiệm của {few} địa phương khác và thấy cách làm ở đó "
        "nhanh gọn, minh bạch hơn nhiều.",
    )
)
