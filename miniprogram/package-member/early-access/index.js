/**
 * 新品优先购 (F35): products open early to the shopper's segment, before their public launch
 * (GET me/early-access). Shoppers outside every early-access segment see the empty state.
 */
'use strict'

const api = require('../../core/api')
const { price } = require('../../core/money')
const { dateTimeText } = require('../../core/countdown')
const routes = require('../../core/routes')

function cardView(p) {
  return {
    id: p.id,
    title: p.title,
    image: p.image,
    priceText: price(p.min_price),
    launchText: `${dateTimeText(p.launch_at)} 公开发售`,
  }
}

Component({
  data: { loading: true, error: '', items: [] },
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
        const res = (await api.earlyAccess()) || {}
        this.setData({ loading: false, error: '', items: (res.results || []).map(cardView) })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    onOpen(e) {
      const id = e.currentTarget.dataset.id
      routes.go(routes.withQuery(routes.PAGES.product, { id })).catch(() => {})
    },
  },
})
