"""English for a promotion's page (the rule in words: 满199减30, 第2件5折 …)."""

EN_PROMOTIONS: dict[str, str] = {
    "免费": "free",
    "减%(off)s%%": "%(off)s%% off",
    "每满%(t)s减%(o)s": "%(o)s off every %(t)s",
    "满%(t)s减%(o)s": "%(o)s off orders of %(t)s",
    "，": ", ",
    "（最多减%(m)s元）": " (at most %(m)s yuan off)",
    "满%(t)s赠%(g)s": "Free %(g)s with orders of %(t)s",
    "第%(n)s件%(d)s": "Item no. %(n)s: %(d)s",
    "买%(a)s %(x)s件，送%(b)s %(y)s件": "Buy %(x)s × %(a)s, get %(y)s × %(b)s free",
    "限时%(d)s": "Limited time: %(d)s",
    "第%(a)s–%(b)s件%(d)s": "units %(a)s–%(b)s: %(d)s",
    "前%(b)s件%(d)s": "first %(b)s units: %(d)s",
}
