/**
 * Campaign pages (F26): load a published page (the shop's home page comes inside GET home) and turn a block's
 * target ({type, id|slug}) into a page path. The server resolves every block's live data; the
 * page only lays it out (components/page-blocks).
 */
'use strict'

const api = require('../core/api')
const routes = require('../core/routes')

// where a block's target leads; unknown targets lead nowhere
const TARGETS = {
  product: (t) => routes.withQuery(routes.PAGES.product, { id: t.id }),
  category: () => routes.PAGES.category,
  page: (t) => routes.withQuery(routes.PAGES.campaign, { slug: t.slug }),
  // a campaign (活动) by its id: the page shows its state and window with its published page
  campaign: (t) => routes.withQuery(routes.PAGES.campaign, { campaign: t.id }),
  coupons: () => routes.PAGES.coupons,
  checkin: () => routes.PAGES.checkin,
  flash: () => routes.PAGES.flash,
  'points-mall': () => routes.PAGES.pointsMall,
  member: () => routes.PAGES.member,
  topics: () => routes.PAGES.topics,
  community: () => routes.PAGES.communityFeed,
  live: () => routes.PAGES.liveRooms,
}

function targetPath(target) {
  if (!target || !TARGETS[target.type]) return null
  return TARGETS[target.type](target)
}

module.exports = {
  targetPath,
  page: (key) => api.page(key),
  campaignPage: (id) => api.campaignPage(id),
  claimCoupon: (id) => api.claimCoupon(id),
}
