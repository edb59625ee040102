/**
 * 售后列表 (P04): the shopper's requests, newest first, by state tab, paged on scroll; a tap opens
 * the request. Reloaded on show (a request changes while the shopper is away). A superseded tab's
 * late answer is dropped.
 */
'use strict'

const afterSales = require('../../core/after_sales')
const api = require('../../core/api')
const routes = require('../../core/routes')

function card(item) {
  return {
    no: item.no,
    status: item.status,
    statusLabel: afterSales.statusLabel(item),
    kindLabel: afterSales.KIND_LABELS[item.kind] || item.kind_display || '',
    title: item.line.title,
    image: item.line.image,
    qty: item.qty,
    amount: item.amount,
  }
}

Component({
  data: {
    tabs: afterSales.TABS,
    status: 'all',
    items: [],
    page: 0,
    hasMore: true,
    loading: false,
    error: '',
  },
  methods: {
    onShow() {
      return this.reload()
    },
    onPullDownRefresh() {
      return this.reload().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },
    onTab(e) {
      const status = e.currentTarget.dataset.value
      if (status === this.data.status) return Promise.resolve()
      this.setData({ status })
      return this.reload()
    },
    reload() {
      this.setData({ items: [], page: 0, hasMore: true, error: '' })
      return this.fetch(1)
    },
    async fetch(page) {
      const seq = (this._seq = (this._seq || 0) + 1)
      this.setData({ loading: true })
      try {
        const status = this.data.status === 'all' ? '' : this.data.status
        const res = await api.afterSales({ status, page })
        if (seq !== this._seq) return
        const cards = ((res && res.results) || []).map(card)
        const payload = { page, loading: false, hasMore: !!(res && res.next) }
        if (page === 1) payload.items = cards
        else cards.forEach((c, i) => (payload[`items[${this.data.items.length + i}]`] = c))
        this.setData(payload)
      } catch (err) {
        if (seq !== this._seq) return
        this.setData({ loading: false, error: err.message })
      }
    },
    onOpen(e) {
      routes.go(routes.withQuery(routes.PAGES.afterSaleDetail, { no: e.currentTarget.dataset.no })).catch(() => {})
    },
  },
})
