/**
 * Page paths in one place, and navigation that picks switchTab for tab pages.
 *
 * MARKETING_PAGES maps a marketing entry's `type` (F46 marketing centre, product activity strip)
 * to its page (a path taking ?id=, or a function of the entry); entries without a page fall
 * back to their own `path`, their product, or are shown without a link.
 */
'use strict'

const PAGES = {
  home: '/pages/home/index',
  category: '/pages/category/index',
  cart: '/pages/cart/index',
  member: '/pages/member/index',
  product: '/pages/product/index',
  login: '/pages/login/index',
  captcha: '/pages/captcha/index',
  checkout: '/package-order/checkout/index',
  orders: '/package-order/orders/index',
  orderDetail: '/package-order/order-detail/index',
  payResult: '/package-order/pay-result/index',
  afterSales: '/package-order/after-sales/index',
  afterSaleApply: '/package-order/after-sale-apply/index',
  afterSaleDetail: '/package-order/after-sale-detail/index',
  profile: '/package-member/profile/index',
  addresses: '/package-member/addresses/index',
  addressEdit: '/package-member/address-edit/index',
  points: '/package-member/points/index',
  tier: '/package-member/tier/index',
  pointsMall: '/package-member/points-mall/index',
  checkin: '/package-member/checkin/index',
  wheel: '/package-member/wheel/index',
  coupons: '/package-member/coupons/index',
  messages: '/package-member/messages/index',
  earlyAccess: '/package-member/early-access/index',
  invite: '/package-growth/invite/index',
  group: '/package-social/group/index',
  bargain: '/package-social/bargain/index',
  team: '/package-social/team/index',
  socialMine: '/package-social/mine/index',
  promoter: '/package-growth/promoter/index',
  flash: '/package-flash/index/index',
  promotion: '/package-flash/promotion/index',
  campaign: '/package-campaign/page/index',
  topics: '/package-topic/index/index',
  topic: '/package-topic/page/index',
  communityFeed: '/package-community/feed/index',
  communityPost: '/package-community/post/index',
  communityCompose: '/package-community/compose/index',
  communityMine: '/package-community/mine/index',
  liveRooms: '/package-live/rooms/index',
  liveRoom: '/package-live/room/index',
}

const TAB_PAGES = [PAGES.home, PAGES.category, PAGES.cart, PAGES.member]

// entry type → its page (an entry {type, id, kind?} of the F46 centre or a product strip)
const MARKETING_PAGES = {
  // a flash slot (kind slot) or a limited release (kind release): the flash page on that slot
  flash: (item) => withQuery(PAGES.flash, { slot: item.id, mode: item.kind === 'release' ? 'release' : undefined }),
  // a group-buy or bargain campaign: its page (开团 / 发起砍价)
  group_buy: (item) => withQuery(PAGES.group, { campaign: item.id }),
  bargain: (item) => withQuery(PAGES.bargain, { campaign: item.id }),
  // a shop promotion (满减, 满赠, 第N件, 买A送B, 限时折扣, 阶梯价): its page with the products it reaches
  promotion: PAGES.promotion,
}

function withQuery(path, query) {
  const parts = Object.keys(query || {})
    .filter((k) => query[k] !== undefined && query[k] !== null && query[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k])}`)
  return parts.length ? `${path}?${parts.join('&')}` : path
}

/** Where a marketing entry leads, or null when nothing to open yet. */
function marketingTarget(item) {
  if (!item) return null
  if (typeof item.path === 'string' && item.path.charAt(0) === '/') return item.path
  const page = MARKETING_PAGES[item.type]
  if (typeof page === 'function') return page(item)
  if (page) return withQuery(page, { id: item.id })
  if (item.product_id) return withQuery(PAGES.product, { id: item.product_id })
  return null
}

/** Open a page; tab pages with switchTab (their query is dropped by WeChat, so none is passed). */
function go(url, opts = {}) {
  const path = String(url).split('?')[0]
  return new Promise((resolve, reject) => {
    const done = { success: resolve, fail: reject }
    if (TAB_PAGES.indexOf(path) >= 0) wx.switchTab(Object.assign({ url: path }, done))
    else if (opts.redirect) wx.redirectTo(Object.assign({ url }, done))
    else wx.navigateTo(Object.assign({ url, events: opts.events }, done))
  })
}

module.exports = { PAGES, TAB_PAGES, MARKETING_PAGES, withQuery, marketingTarget, go }
