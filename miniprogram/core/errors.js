/**
 * One error vocabulary on the client. The API answers refusals as {code, message, details} with
 * stable snake_case codes (mall/errors.py and each app's errors.py); this table turns a code into
 * what a shopper reads. Entries are a string or a function of details. Codes missing here fall
 * back to the server's own (Chinese) message, then to a wording by HTTP status.
 */
'use strict'

const MESSAGES = {
  // transport (client side)
  network_error: '网络不太给力，请检查网络后重试',
  timeout: '网络超时，请稍后重试',
  server_error: '服务器开小差了，请稍后再试',
  bad_response: '服务返回异常，请稍后再试',

  // authentication
  not_authenticated: '请先登录',
  authentication_failed: '登录已过期，请重新登录',
  token_invalid: '登录已过期，请重新登录',
  wechat_unavailable: '微信服务暂时不可用，请稍后再试',
  wechat_rate_limited: '登录人数较多，请稍后再试',
  wechat_login_failed: '微信登录失败，请稍后重试',
  wechat_code_invalid: '微信登录失败，请重新进入小程序',
  wechat_not_configured: '服务器尚未配置微信登录',
  dev_login_disabled: '开发登录未开启',
  member_blocked: '账号已被限制使用，请联系客服',

  // generic
  permission_denied: '没有权限执行该操作',
  not_found: '内容不存在或已下架',
  invalid_input: (d) => firstFieldError(d) || '填写的信息有误，请检查后重试',
  malformed_request: '请求格式有误，请刷新后重试',
  method_not_allowed: '暂不支持该操作',
  unsupported_media_type: '请求格式有误，请刷新后重试',
  conflict: '当前状态不支持该操作，请刷新后重试',
  rate_limited: (d) =>
    d && Number(d.retry_after) > 0
      ? `操作太频繁，请 ${Math.ceil(Number(d.retry_after))} 秒后再试`
      : '操作太频繁，请稍后再试',

  // anti-abuse (F45): captcha_required opens the slider (core/captcha.js) before it is shown
  access_blocked: '当前访问已被限制，请联系客服',
  captcha_required: '请先完成滑块验证',
  captcha_cancelled: '已取消验证，请重试',
  captcha_pass_invalid: '验证已失效，请重新验证',
  captcha_pass_expired: '验证已过期，请重新验证',
  captcha_pass_used: '验证已使用，请重新验证',
  captcha_expired: '验证已失效，请刷新后重试',
  captcha_failed: '验证未通过，请重试',

  // deals: orders through a marketing tool (flash sale, group buy, bargain)
  deal_invalid: '活动信息有误，请返回活动页重试',
  deal_not_found: '活动不存在或已结束',
  deal_unavailable: '活动已结束或名额已抢光',
  campaign_budget_spent: '活动太火爆，优惠已抢完，请刷新后重新下单',

  // catalogue, cart, stock
  product_off_shelf: '商品已下架',
  product_not_found: '商品不存在或已下架',
  sku_unavailable: '该规格已下架或暂不可购买',
  sku_not_found: '该规格不存在',
  stock_insufficient: (d) =>
    d && Number.isFinite(Number(d.available)) && d.available !== null
      ? Number(d.available) > 0
        ? `库存不足，仅剩 ${Number(d.available)} 件`
        : '库存不足，已售罄'
      : '库存不足，请减少数量或选择其他规格',
  cart_item_not_found: '购物车商品已不存在，请刷新',
  cart_empty: '请先选择要结算的商品',
  qty_invalid: '购买数量有误',
  invalid_qty: '购买数量有误，每种商品可买 1–99 件',
  purchase_limit_exceeded: (d) =>
    d && Number(d.limit) > 0 ? `超出限购数量（每人限购 ${Number(d.limit)} 件）` : '超出限购数量',

  // checkout and orders
  idempotency_key_required: '提交异常，请重新提交订单',
  idempotency_key_invalid: '提交异常，请重新提交订单',
  idempotency_key_conflict: '订单正在提交，请勿重复操作',
  idempotency_conflict: '订单正在提交，请勿重复操作',
  idempotency_key_reused: '订单信息已变化，请重新提交订单',
  address_required: '请选择收货地址',
  address_not_found: '收货地址不存在，请重新选择',
  order_not_found: '订单不存在',
  order_not_pending: '订单已支付或已取消，请刷新',
  order_not_payable: '订单当前不可支付，请刷新',
  order_expired: '订单已超时取消，请重新下单',
  order_not_cancellable: '订单当前不可取消',
  order_state_invalid: '订单状态已变化，请刷新',
  order_status_invalid: '订单状态已变化，请刷新后重试',
  order_not_shipped: '订单尚未发货，暂不能确认收货',
  points_insufficient: '积分不足',
  points_invalid: '积分使用数量有误',
  coupon_not_found: '优惠券不存在',
  coupon_not_usable: '所选优惠券不满足本单使用条件',
  coupon_conflict: '所选优惠券不能同时使用',
  coupon_expired: '优惠券已过期',
  coupon_unavailable: '优惠券已使用或已过期，请重新选择',
  coupon_template_not_found: '优惠券不存在或已下架',
  coupon_not_claimable: '该优惠券当前不可领取',
  coupon_sold_out: '手慢了，优惠券已被领完',
  coupon_limit_reached: '您已领过该优惠券，不能再领了',
  coupon_new_user_only: '该优惠券仅限新用户领取',
  invalid_request: '下单信息有误，请刷新后重试',

  // payment
  payment_amount_mismatch: '支付金额与订单不一致，请刷新订单后重试',
  payment_not_found: '支付单不存在，请重新发起支付',
  payment_provider_error: '支付服务暂时不可用，请稍后重试',
  payment_provider_unavailable: '支付服务暂时不可用，请稍后重试',
  payment_already_paid: '订单已支付',
  payment_cancelled: '已取消支付',
  payment_failed: '支付未完成，请重试',

  // profile and addresses
  birthday_already_set: '生日设置后不能修改',
  birthday_invalid: '生日日期无效',
  phone_invalid: '请输入 11 位手机号',
  nickname_invalid: '昵称需为 1 到 64 个字符',
  avatar_url_invalid: '头像地址无效',
  avatar_invalid: '头像仅支持 JPG、PNG、WEBP 格式，且不超过 2 MB',
  phone_code_invalid: '手机号授权已失效，请重新授权',
  phone_watermark_mismatch: '手机号授权不属于本小程序，请重新授权',
  address_invalid: '收货地址信息不完整',
  address_limit_reached: '收货地址数量已达上限',
  address_limit_exceeded: '收货地址数量已达上限',
  address_default_required: '请先将其他地址设为默认地址',
  points_amount_invalid: '积分数量无效',

  // tiers and the points mall (F14, F15)
  tier_not_for_sale: '下一等级暂不支持用积分购买',
  already_checked_in: '今天已经签到过了，明天再来吧',
  checkin_closed: '签到活动暂未开放',
  makeup_not_allowed: '该日期不能补签',
  // the lucky wheel (F21)
  wheel_closed: '大转盘活动暂未开放',
  wheel_no_chance: '还没有抽奖机会，下单满额即可获得',
  wheel_daily_limit: '今天的抽奖次数已用完，明天再来吧',
  points_mall_item_not_found: '积分商品不存在或已下架',
  points_mall_sold_out: '手慢了，该商品已兑完',
  points_mall_limit_reached: '已达到该商品的每人兑换上限',
  free_shipping_uses_exhausted: '本月会员包邮次数已用完',

  // team split (F22)
  team_activity_not_found: '组队瓜分活动不存在',
  team_activity_not_open: '组队瓜分活动未开始或已结束',
  team_not_found: '团队不存在',
  team_full: '该团队已满员，去开一个新团队吧',
  team_closed: '该团队已截止，不能再加入',
  team_already_joined: '你已在本活动的一个团队里了',
}

const BY_STATUS = {
  400: '请求有误，请检查后重试',
  401: '请先登录',
  403: '没有权限执行该操作',
  404: '内容不存在或已下架',
  409: '当前状态不支持该操作，请刷新后重试',
  429: '操作太频繁，请稍后再试',
}

/** DRF validation details look like {field: ["msg"]} or {non_field_errors: ["msg"]}. */
function firstFieldError(details) {
  if (!details || typeof details !== 'object') return ''
  for (const key of Object.keys(details)) {
    const value = details[key]
    const msg = Array.isArray(value) ? value[0] : value
    if (typeof msg === 'string' && msg) return msg
  }
  return ''
}

/** The sentence a shopper reads for this error. */
function friendlyMessage(code, serverMessage, details, status) {
  const entry = MESSAGES[code]
  if (typeof entry === 'function') return entry(details || {})
  if (typeof entry === 'string') return entry
  if (serverMessage && typeof serverMessage === 'string') return serverMessage
  if (status >= 500) return MESSAGES.server_error
  return BY_STATUS[status] || '操作失败，请稍后重试'
}

class ApiError extends Error {
  constructor({ code, message, details, status, serverMessage } = {}) {
    super(message || friendlyMessage(code, serverMessage, details, status))
    this.name = 'ApiError'
    this.code = code || 'error'
    this.status = status || 0
    this.details = details || {}
    this.serverMessage = serverMessage || ''
  }

  get isNetwork() {
    return this.status === 0 && (this.code === 'network_error' || this.code === 'timeout')
  }
}

/** Build the error for a non-2xx response. */
function fromResponse(res) {
  const status = res.statusCode
  const body = res.data && typeof res.data === 'object' ? res.data : {}
  let code = typeof body.code === 'string' && body.code ? body.code : null
  if (!code) code = status >= 500 ? 'server_error' : status === 401 ? 'not_authenticated' : `http_${status}`
  return new ApiError({
    code,
    status,
    details: body.details,
    serverMessage: typeof body.message === 'string' ? body.message : '',
  })
}

/** Build the error for a wx.request fail callback (no HTTP answer at all). */
function fromNetworkFailure(res) {
  const errMsg = (res && res.errMsg) || ''
  const code = /timeout/i.test(errMsg) ? 'timeout' : 'network_error'
  return new ApiError({ code, status: 0, details: { errMsg } })
}

module.exports = { MESSAGES, ApiError, friendlyMessage, fromResponse, fromNetworkFailure, firstFieldError }
