"""English for the guard on every route that takes something scarce (F45)."""

EN_GUARD: dict[str, str] = {
    "普通下单": "Ordinary orders",
    "开团/参团": "Opening / joining a group",
    "发起砍价": "Starting a bargain",
}
