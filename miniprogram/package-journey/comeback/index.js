/**
 * 专属回归礼 (F17): the page a 沉睡召回 message opens. GET me/comeback answers the shopper's
 * comeback coupon (already in the wallet; null when there is none) and recommendations from
 * their own history: what buyers of the same items bought next (买过同款的人还买了) and best
 * sellers of the categories they bought from (同类热卖). A tap opens the product; 去使用 opens
 * the shop's home.
 */
'use strict'

const api = require('../../core/api')
const routes = require('../../core/routes')
const { price } = require('../../core/money')
const { couponView } = require('../../core/coupons')

const REASONS = { bought_next: '买过同款的人还买了', same_category: '同类热卖' }
const STATUS_TEXT = { used: '已使用', expired: '已过期' }

function productView(item) {
  return {
    id: item.id,
    title: item.title,
    subtitle: item.subtitle || '',
    image: item.image || '',
    priceText: price(item.min_price),
    reasonText: REASONS[item.reason] || '',
  }
}

Component({
  data: { loading: true, error: '', coupon: null, couponStatusText: '', products: [] },
  methods: {
    onLoad() {
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      this.setData({ loading: true })
      try {
        const res = (await api.comeback()) || {}
        const coupon = res.coupon ? couponView(res.coupon) : null
        this.setData({
          loading: false,
          error: '',
          coupon,
          couponStatusText: (res.coupon && STATUS_TEXT[res.coupon.status]) || '',
          products: (res.recommendations || []).map(productView),
        })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    reload() {
      return this.load()
    },
    onProduct(e) {
      const id = e.currentTarget.dataset.id
      return routes.go(routes.withQuery(routes.PAGES.product, { id })).catch(() => {})
    },
    onUse() {
      return routes.go(routes.PAGES.home).catch(() => {})
    },
  },
})
