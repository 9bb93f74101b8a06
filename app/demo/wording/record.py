"""The record: the notes on history events, the answers and the rating comments.

Formatted with `str.format` and normalised where they are used; not searchable, so not
folded. Answer placeholders: agency, kind, addressee, topic, number (a decree's or
circular's number), year, days.
"""

from __future__ import annotations

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
URGE_NOTES = (
    "Văn phòng Chính phủ đề nghị {agency} khẩn trương xử lý, trả lời người phản ánh, kiến "
    "nghị; đã quá thời hạn giải quyết.",
    "Đôn đốc {agency} báo cáo tiến độ và trả lời dứt điểm phản ánh, kiến nghị đã quá hạn.",
    "Đề nghị {agency} tập trung giải quyết, trả lời trước khi báo cáo Thủ tướng Chính phủ.",
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
    "Theo quy định tại Nghị định số {number}/{year}/NĐ-CP, trường hợp {addressee} nêu đã được "
    "hướng dẫn cụ thể. {agency} đã có văn bản đề nghị cơ quan liên quan thực hiện đúng "
    "quy định và giải quyết dứt điểm hồ sơ trong thời hạn {days} ngày làm việc.",
    "{agency} ghi nhận kiến nghị và sẽ nghiên cứu, đề xuất sửa đổi, bổ sung trong quá "
    "trình xây dựng văn bản thay thế Thông tư số {number}/{year}. Trong thời gian chờ sửa đổi, đề "
    "nghị {addressee} thực hiện theo hướng dẫn hiện hành.",
    "Qua kiểm tra, việc chậm giải quyết hồ sơ là do thiếu sự phối hợp giữa các đơn vị. "
    "{agency} đã chỉ đạo kiểm điểm trách nhiệm cá nhân có liên quan và chấn chỉnh việc "
    "tiếp nhận, giải quyết thủ tục hành chính.",
    "Nội dung {addressee} phản ánh là có cơ sở. {agency} đã yêu cầu đơn vị trực thuộc "
    "khắc phục, công khai quy trình và thời hạn giải quyết để người dân, doanh nghiệp "
    "theo dõi.",
    "Đề xuất của {addressee} là sáng kiến thiết thực. {agency} sẽ tổ chức thí điểm tại "
    "một số địa phương trong năm {year} và tổng kết, đánh giá trước khi nhân rộng.",
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
