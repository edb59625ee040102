# ruff: noqa: E501
"""English for outage answers (issue 10 §7) and the flash gate's sync counter."""

EN_FAULTS: dict[str, str] = {
    "服务暂时繁忙，请稍后再试。": "The service is busy right now. Please try again shortly.",
    "闸门同步序号": "Gate sync number",
    "每次释放、补回或追加库存时加一，用于 Redis 闸门重建": "Raised by every release, retake or quota top-up; lets a rebuilt Redis gate skip changes it already counts",
}
