"""A valid public submission, as the GraphQL input `SubmitPetitionInput` takes it: the one
sample the tests (`workflow.submission`) and the benchmarks (`bench/subscriptions`) submit.
It imports nothing, so a measured load generator can use it without loading pakn."""

from __future__ import annotations

from typing import Any

SUBMISSION: dict[str, Any] = {
    "channel": "CITIZEN",
    "kind": "REFLECTION",
    "subject": "ADMINISTRATIVE_PROCEDURE",
    "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất quá chậm",
    "body": "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ ba tháng trước "
    "nhưng đến nay vẫn chưa có kết quả, cán bộ không giải thích lý do.",
    "fieldCode": "DAT_DAI",
    "provinceCode": "01",
    "petitioner": {
        "fullName": "Nguyễn Thị Hoa",
        "email": "hoa.nguyen@example.vn",
        "phone": "0912345678",
        "address": "12 Phố Huế, Hà Nội",
    },
}
