/**
 * Every endpoint of the API contract the mini-program uses, in one place, so pages never build
 * paths by hand. All go through request.js.
 */
'use strict'

const client = require('./request')
const countdown = require('./countdown')
const { absolutize } = require('./media')

function enc(value) {
  return encodeURIComponent(String(value))
}

// every answer's picture paths are made absolute against the API host (core/media.js)
const get = (path, query, opts) => client.get(path, query, opts).then(absolutize)
const post = (path, data, opts) => client.post(path, data, opts).then(absolutize)
const patch = (path, data, opts) => client.patch(path, data, opts).then(absolutize)

/** GET with the server clock taken from the answer (field `server_time`). */
async function timed(path, query) {
  const sentAt = Date.now()
  const data = await get(path, query)
  if (data && data.server_time) countdown.syncServerTime(data.server_time, sentAt, Date.now())
  return data
}

module.exports = {
  // catalogue
  home: () => timed('home'),
  serverTime: async () => {
    const sentAt = Date.now()
    const data = await client.get('server-time', null, { auth: false })
    countdown.syncServerTime(data, sentAt, Date.now())
    return data
  },
  categoryTree: () => get('categories/tree'),
  products: (query) => get('products', query),
  // the detail carries server_time (F11 countdowns)
  product: (id) => timed(`products/${enc(id)}`),

  // members
  me: () => get('me'),
  updateMe: (changes) => patch('me', changes),
  // getPhoneNumber's code → WeChat's verified number on the member (the server exchanges it)
  bindPhoneWechat: (code) => post('me/phone/wechat', { code }),
  points: (page) => get('me/points', { page }),
  // 新品优先购 (F35): {results: [product card + launch_at]}; empty outside the early-access segments
  earlyAccess: () => get('me/early-access'),
  // 会员中心 (F14–F16): tier card, progress, perks, free-shipping uses left, 专属客服 payload
  tier: () => get('me/tier'),
  // one ref per tap: a retry with the same ref buys once
  buyTier: (ref) => post('me/tier/buy', { ref }, { retry: true }),
  // 积分商城 (F15): a redemption is retried only with its own ref (the server answers the first)
  // 签到 (F20): the month's calendar, check in for today, make up a missed day for points
  checkin: (month) => get('me/checkin', month ? { month } : undefined),
  checkIn: () => post('me/checkin', {}),
  checkInMakeup: (day) => post('me/checkin/makeup', { day }),
  pointsMall: (page) => get('points-mall/items', { page }),
  redeemPointsItem: (itemId, ref) => post(`points-mall/items/${enc(itemId)}/redeem`, { ref }, { retry: true }),
  // the inbox: {unread, count, next, previous, results}; pageSize 1 = just the unread count
  messages: (page, pageSize) => get('me/messages', { page, page_size: pageSize }),
  // marking read twice is harmless: safe to retry; no ids = every message
  readMessages: (ids) => post('me/messages/read', ids ? { ids } : {}, { retry: true }),
  // subscribe messages (F48): the template map (public, loaded once) and the shopper's answer.
  // Not retried: every "accept" is one push granted, so a repeated post would count twice
  subscribeTemplates: () => client.get('subscribe/templates', null, { auth: false }),
  subscribeRecord: (results, moment) => post('me/subscriptions', moment ? { results, moment } : { results }),
  addresses: () => get('addresses'),
  createAddress: (body) => post('addresses', body),
  updateAddress: (id, body) => patch(`addresses/${enc(id)}`, body),
  deleteAddress: (id) => client.del(`addresses/${enc(id)}`),
  setDefaultAddress: (id) => post(`addresses/${enc(id)}/set-default`, {}, { retry: true }),

  // anti-abuse (F45): the slider captcha. Not captcha-guarded themselves; a new puzzle is
  // harmless to ask twice, an answer is one attempt per puzzle and never repeated
  captchaCreate: (action) => client.post('captcha', { action }, { captcha: false, retry: true }),
  captchaVerify: (body) => client.post('captcha/verify', body, { captcha: false }),

  // coupons
  couponCenter: () => get('coupons/center'),
  // not retried: a repeat after a lost answer could claim a second one
  claimCoupon: (templateId) => post('coupons/claim', { template_id: templateId }),
  myCoupons: (status, page) => get('me/coupons', { status, page }),
  // 沉睡召回 (F17): the comeback coupon and recommendations
  comeback: () => get('me/comeback'),
  // a quote only: safe to retry; no items = the selected cart rows
  usableCoupons: (items) => post('coupons/usable', items ? { items } : {}, { retry: true }),

  // invite rewards (F04) and the promoter centre (F06)
  invite: () => get('me/invite'),
  invitees: (page) => get('me/invite/invitees', { page }),
  promoter: () => get('me/promoter'),
  // applying again updates the pending application: safe to repeat
  promoterApply: (body) => post('promoter/apply', body, { retry: true }),
  // the last click wins; reporting it twice changes nothing. Sent in the background at launch:
  // never a slider for it (a refusal of the guard settles it like any other)
  promoterClick: (code, productId) => post('promoter/clicks', productId ? { code, product_id: productId } : { code }, { retry: true, captcha: false }),
  promoterOrders: (page) => get('me/promoter/orders', { page }),
  promoterCustomers: (page) => get('me/promoter/customers', { page }),
  promoterWithdrawals: (page) => get('me/promoter/withdrawals', { page }),
  withdraw: (amount, idempotencyKey) => post('me/promoter/withdrawals', { amount }, { idempotencyKey }),

  // a campaign (活动, issue 17): name, window, state and its tools, for a page header or share card
  campaign: (id) => get(`campaigns/${enc(id)}`),
  // a shared campaign opened by id: its state and window plus its published page, in one request
  campaignPage: (id) => get(`campaigns/${enc(id)}/page`),

  // group buy (F03): bought through checkout with the deal each page hands out
  groupCampaigns: (productId) => get('group-buys', { product_id: productId }),
  groupCampaign: (id) => get(`group-buys/${enc(id)}`),
  group: (id) => get(`groups/${enc(id)}`),
  groupByToken: (token) => get(`groups/share/${enc(token)}`),
  myGroups: (page) => get('me/groups', { page }),

  // bargain (F05): starting twice returns the open one; a help is one cut, never repeated blindly
  bargainCampaigns: (productId) => get('bargains/campaigns', { product_id: productId }),
  bargainCampaign: (id) => get(`bargains/campaigns/${enc(id)}`),
  bargainStart: (campaignId) => post(`bargains/campaigns/${enc(campaignId)}/start`, {}, { retry: true }),
  bargain: (id) => get(`bargains/${enc(id)}`),
  bargainByToken: (token) => get(`bargains/share/${enc(token)}`),
  bargainHelp: (token) => post(`bargains/share/${enc(token)}/help`, {}),
  myBargains: (page) => get('me/bargains', { page }),

  // team split (F22): open once per activity (a repeat is team_already_joined), join by share token
  teamActivities: () => get('teams/activities'),
  teamActivity: (id) => get(`teams/activities/${enc(id)}`),
  teamOpen: (activityId) => post(`teams/activities/${enc(activityId)}/open`, {}),
  team: (token) => get(`teams/${enc(token)}`),
  teamJoin: (token) => post(`teams/${enc(token)}/join`, {}),

  // a promotion's page (满减, 满赠, 第N件 …): rule, window and products; carries server_time
  promotion: (id, query) => timed(`promotions/${enc(id)}`, query),

  // campaign pages (F26): a published page with every block's live data, in one request
  page: (key) => timed(`pages/${enc(key)}`),
  // topic pages (F25): the listed topics' cards; a topic itself is page(slug)
  topics: () => get('topics'),
  // flash sales (F02, F12): lists carry server_time; a reservation is harmless to repeat
  flashSlots: () => timed('flash/slots'),
  flashReleases: () => timed('flash/releases'),
  flashItem: (itemId) => timed(`flash/items/${enc(itemId)}`),
  flashReserve: (itemId) => post(`flash/items/${enc(itemId)}/reservation`, {}, { retry: true }),
  flashCancelReservation: (itemId) => client.del(`flash/items/${enc(itemId)}/reservation`),
  // the flash sale's own placement (its gate, purchase throttle and captcha): one unit line of
  // the item, the rest of the order body as at checkout; Idempotency-Key as for orders
  flashPurchase: (itemId, body, idempotencyKey) => post(`flash/items/${enc(itemId)}/purchase`, body, { idempotencyKey }),

  // cart and orders
  cart: () => get('cart'),
  // not retried: the endpoint increments, a repeat after a lost answer would add twice
  addToCart: (skuId, qty) => post('cart/items', { sku_id: skuId, qty }),
  updateCartItem: (id, changes) => patch(`cart/items/${enc(id)}`, changes),
  removeCartItem: (id) => client.del(`cart/items/${enc(id)}`),
  // the engine's price of the selected cart rows (discounts, shipping, 凑单 hints); nothing written
  cartQuote: () => post('cart/quote', {}, { retry: true }),
  checkoutPreview: (body) => post('checkout/preview', body, { retry: true }),
  placeOrder: (body, idempotencyKey) => post('orders', body, { idempotencyKey }),
  orders: (query) => get('orders', query),
  order: (no) => get(`orders/${enc(no)}`),
  cancelOrder: (no) => post(`orders/${enc(no)}/cancel`, {}),
  confirmReceipt: (no) => post(`orders/${enc(no)}/confirm-receipt`, {}),
  payOrder: (no) => post(`orders/${enc(no)}/pay`, {}),
  sandboxComplete: (outTradeNo) => post(`payments/sandbox/${enc(outTradeNo)}/complete`, {}),
  // after-sales (P04): a request is not retried (a repeat after a lost answer meets the open
  // request and is refused); cancelling twice is harmless
  afterSaleOptions: (orderNo) => get(`orders/${enc(orderNo)}/after-sale-options`),
  afterSales: (query) => get('after-sales', query),
  afterSale: (no) => get(`after-sales/${enc(no)}`),
  requestAfterSale: (body) => post('after-sales', body),
  cancelAfterSale: (no) => post(`after-sales/${enc(no)}/cancel`, {}, { retry: true }),
  shipAfterSaleReturn: (no, body) => post(`after-sales/${enc(no)}/return-shipment`, body),
}
