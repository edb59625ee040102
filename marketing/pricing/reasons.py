"""Stable reason codes for rules that were considered and did not apply (B04 explainable price).

The mini-program and the console translate these; never rename one.
"""

from __future__ import annotations

THRESHOLD_NOT_MET = "threshold_not_met"
OUT_OF_WINDOW = "out_of_window"
OUT_OF_SCOPE = "out_of_scope"
SPECIAL_PRICE_EXCLUDED = "special_price_excluded"  # only flash/group/bargain lines in scope
CONFLICT = "conflict"  # lost to a better rule of the same type, group or item price
LIMIT = "limit"  # the shopper's per-user limit is used up
NOT_NEW_SHOPPER = "not_new_shopper"
NO_BENEFIT = "no_benefit"  # applies, but saves nothing on this cart
STEPS_EXHAUSTED = "steps_exhausted"  # stepped price: sold beyond the last step
NOT_SELECTED = "not_selected"  # the shopper picked other coupons

ALL = (
    THRESHOLD_NOT_MET,
    OUT_OF_WINDOW,
    OUT_OF_SCOPE,
    SPECIAL_PRICE_EXCLUDED,
    CONFLICT,
    LIMIT,
    NOT_NEW_SHOPPER,
    NO_BENEFIT,
    STEPS_EXHAUSTED,
    NOT_SELECTED,
)

# error codes: the whole cart is refused (PricingError.code)
PURCHASE_LIMIT_EXCEEDED = "purchase_limit_exceeded"
COUPON_NOT_FOUND = "coupon_not_found"
COUPON_NOT_USABLE = "coupon_not_usable"
COUPON_CONFLICT = "coupon_conflict"
INVALID_REQUEST = "invalid_request"
