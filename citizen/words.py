"""Everything the public page says, in plain words, in Vietnamese and English. Elderly
citizens read it on small phones: short sentences, no jargon, no codes."""

from __future__ import annotations

from collections.abc import Sequence

WORDS: dict[str, dict[str, str]] = {
    "your_number": {"vi": "Số của quý khách", "en": "Your number"},
    "ahead_none": {"vi": "Quý khách là người tiếp theo", "en": "You are next"},
    "ahead_one": {"vi": "Còn 1 người trước quý khách", "en": "1 person ahead of you"},
    "ahead_many": {"vi": "Còn {n} người trước quý khách", "en": "{n} people ahead of you"},
    "estimate": {"vi": "Dự kiến được gọi sau khoảng {m} phút",
                 "en": "You should be called in about {m} min"},
    "estimate_soon": {"vi": "Sắp đến lượt quý khách", "en": "Your turn is coming soon"},
    "none_serving": {"vi": "Các quầy phục vụ lĩnh vực này đang đóng hoặc tạm nghỉ. Lượt của "
                           "quý khách vẫn được giữ.",
                     "en": "The counters for this service are closed or on a break just now. "
                           "You keep your place."},
    "counters_one": {"vi": "Quầy phục vụ: {list}", "en": "Served at counter {list}"},
    "counters_many": {"vi": "Quầy phục vụ: {list}", "en": "Served at counters {list}"},
    "called": {"vi": "Mời đến Quầy {n}", "en": "Please go to counter {n}"},
    "called_now": {"vi": "Đến lượt quý khách!", "en": "It's your turn!"},
    "recalled_one": {"vi": "Đã gọi lại 1 lần", "en": "Called again once"},
    "recalled_many": {"vi": "Đã gọi lại {n} lần", "en": "Called again {n} times"},
    "coming": {"vi": "Tôi đang đến", "en": "I'm coming"},
    "coming_sent": {"vi": "Quầy đã biết quý khách đang đến",
                    "en": "The counter knows you are coming"},
    "done": {"vi": "Cảm ơn quý khách đã đến làm thủ tục", "en": "Thank you for your visit"},
    "rate_question": {"vi": "Quý khách có hài lòng với việc phục vụ không?",
                      "en": "How satisfied are you with the service?"},
    "rated": {"vi": "Cảm ơn quý khách đã đánh giá", "en": "Thank you for your rating"},
    "rating_closed": {"vi": "Đã hết thời gian đánh giá", "en": "The time to rate has passed"},
    "no_show": {"vi": "Quý khách đã được gọi {n} lần nhưng không có mặt. Vui lòng lấy số mới tại "
                      "máy lấy số.",
                "en": "You were called {n} times but did not come. Please take a new number "
                      "at the kiosk."},
    "cancelled": {"vi": "Phiếu này đã được huỷ. Quý khách không còn trong hàng chờ.",
                  "en": "This ticket was cancelled. You are no longer in the queue."},
    "not_handed_out": {"vi": "Phiếu này không được phát ra (máy lấy số gặp sự cố). Vui lòng "
                             "lấy số mới.",
                       "en": "This ticket was never handed out (the kiosk had a problem). "
                             "Please take a new number."},
    "expired": {"vi": "Phiếu này đã hết hạn: phiếu chỉ có giá trị trong ngày.",
                "en": "This ticket has expired: a ticket is valid on its day only."},
    "leave": {"vi": "Rời hàng chờ", "en": "Leave the queue"},
    "leave_confirm": {"vi": "Quý khách chắc chắn muốn rời hàng chờ? Phiếu sẽ bị huỷ và không quầy "
                            "nào gọi số này nữa.",
                      "en": "Are you sure? Your ticket will be cancelled and no counter will "
                            "call this number."},
    "leave_yes": {"vi": "Có, tôi rời hàng chờ", "en": "Yes, leave the queue"},
    "alert_label": {"vi": "Báo cho tôi khi còn", "en": "Alert me when"},
    "alert_people": {"vi": "{n} người trước tôi", "en": "{n} or fewer are ahead"},
    "alert_off": {"vi": "Không báo", "en": "No alert"},
    "alert_now": {"vi": "Sắp đến lượt quý khách! Xin quay lại khu vực chờ.",
                  "en": "Your turn is near! Please come back to the waiting area."},
    "stale": {"vi": "Tạm mất kết nối với hệ thống xếp hàng: thông tin có thể chưa mới nhất. "
                    "Lượt của quý khách vẫn được giữ.",
              "en": "Lost contact with the queue system: this may be out of date. Your place "
                    "is kept."},
    "updated": {"vi": "Cập nhật lúc", "en": "Updated at"},
    "silent": {"vi": "Trang không nhận được cập nhật: thông tin có thể đã cũ. Xin tải lại trang "
                     "hoặc hỏi nhân viên tại trung tâm.",
               "en": "This page is not getting updates: what it shows may be old. Please reload "
                     "it or ask the centre's staff."},
    "not_found_title": {"vi": "Không tìm thấy", "en": "Not found"},
    "not_found": {"vi": "Không có phiếu nào ở địa chỉ này, hoặc phiếu đã hết hạn.",
                  "en": "There is no ticket at this address, or it has expired."},
    "too_many": {"vi": "Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
                 "en": "Too many requests. Please try again in a minute."},
    "busy": {"vi": "Chưa gửi được vì hệ thống đang mất kết nối. Xin thử lại sau ít phút.",
             "en": "Not sent: the queue system cannot be reached. Please try again in a few "
                   "minutes."},
    "already_called": {"vi": "Số của quý khách đã được gọi: xin đến quầy, hoặc báo nhân viên "
                             "nếu quý khách không làm thủ tục nữa.",
                       "en": "Your number has been called: please go to the counter, or tell "
                             "the staff if you no longer need it."},
    "refused": {"vi": "Không thực hiện được. Xin hỏi nhân viên tại trung tâm.",
                "en": "That could not be done. Please ask the centre's staff."},
    "not_found_advice": {"vi": "Xin kiểm tra lại mã trên phiếu, hoặc hỏi nhân viên tại trung "
                               "tâm.",
                         "en": "Please check the code on your ticket, or ask the centre's "
                               "staff."},
    "unavailable": {"vi": "Trang tạm thời không hoạt động. Xin thử lại sau ít phút.",
                    "en": "This page is not available just now. Please try again in a few "
                          "minutes."},
    "stay": {"vi": "Không, tôi ở lại", "en": "No, I'll stay"},
    "priority_note": {"vi": "Số này có thể tăng: người được ưu tiên (người cao tuổi, người "
                            "khuyết tật, phụ nữ có thai…) và người của lĩnh vực mà quầy phục vụ "
                            "trước được gọi trước.",
                      "en": "This number can rise: people with priority (the elderly, people "
                            "with disabilities, pregnant women…) and people of services their "
                            "counter serves first are called first."},
    "priority": {"vi": "Ưu tiên: {name}", "en": "Priority: {name}"},
    "rate_until": {"vi": "Quý khách có thể đánh giá đến {time}.",
                   "en": "You can rate until {time}."},
    "estimate_whole_hours": {"vi": "Dự kiến được gọi sau khoảng {h} giờ",
                             "en": "You should be called in about {h} h"},
    "estimate_hours": {"vi": "Dự kiến được gọi sau khoảng {h} giờ {m} phút",
                       "en": "You should be called in about {h} h {m} min"},
    "back": {"vi": "Quay lại", "en": "Back"},
}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def say(key: str, lang: str, **values: object) -> str:
    """The words for `key` in `lang`, else English, else Vietnamese."""
    texts = WORDS[key]
    text = texts.get(lang) or texts.get("en") or texts["vi"]
    return text.format(**values) if values else text


def choose_language(wanted: str | None, accept: str, offered: Sequence[str]) -> str:
    """The page's language: an explicit choice, else the browser's first offered language
    (Accept-Language, by its order and q-weights), else the centre's first."""
    usable = [lang for lang in offered if lang in LANGUAGE_NAMES]
    if wanted is not None and wanted in usable:
        return wanted
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if weight > 0:  # q=0: "not this one"
            weighted.append((-weight, position, tag.split("-")[0].strip().lower()))
    for _, _, lang in sorted(weighted):
        if lang in usable:
            return lang
    return usable[0] if usable else "vi"
