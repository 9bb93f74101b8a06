"""Petition titles, keyed by (subject, kind). Placeholders: topic, procedure, idea, office."""

from __future__ import annotations

from app.demo.wording.template import Template, templates

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
