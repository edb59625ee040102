/**
 * Campaign pages (F26): load a published page (or the shop's home page) and turn a block's
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
  coupons: () => routes.PAGES.coupons,
  checkin: () => routes.PAGES.checkin,
  flash: () => routes.PAGES.flash,
  'points-mall': () => routes.PAGES.pointsMall,
  member: () => routes.PAGES.member,
}

function targetPath(target) {
  if (!target || !TARGETS[target.type]) return null
  return TARGETS[target.type](target)
}

/** The home page when the merchant published one, else null (404 page_not_found). */
async function homePage() {
  try {
    return await api.homePage()
  } catch (err) {
    if (err && err.status === 404) return null
    throw err
  }
}

module.exports = { targetPath, homePage, page: (key) => api.page(key), claimCoupon: (id) => api.claimCoupon(id) }
