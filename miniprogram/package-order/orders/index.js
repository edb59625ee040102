/**
 * Order list (P03): tabs by status (全部 / 待付款 / 待发货 / 待收货 / 已完成), paged on scroll,
 * with 去支付 / 取消 / 确认收货 on each card. A superseded tab's late answer is dropped.
 */
'use strict'

const api = require('../../core/api')
const orderLogic = require('../../core/orders')
const pay = require('../../core/pay')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

Component({
  data: {
    tabs: orderLogic.TABS,
    status: 'all',
    orders: [],
    page: 0,
    hasMore: true,
    loading: false,
    error: '',
    busyNo: '',
  },
  methods: {
    onLoad(query) {
      const status = (query && query.status) || 'all'
      this.setData({ status: orderLogic.TABS.some((t) => t.value === status) ? status : 'all' })
    },
    onShow() {
      // back from an order's detail its state may have changed
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
      this.setData({ status: e.detail.value })
      return this.reload()
    },
    reload() {
      this.setData({ orders: [], page: 0, hasMore: true, error: '' })
      return this.fetch(1)
    },
    async fetch(page) {
      const seq = (this._seq = (this._seq || 0) + 1)
      this.setData({ loading: true })
      try {
        const res = await api.orders({ status: orderLogic.statusQuery(this.data.status), page })
        if (seq !== this._seq) return
        const list = Array.isArray(res) ? res : (res && res.results) || []
        const cards = list.map(orderLogic.cardView)
        const payload = { page, loading: false, hasMore: !Array.isArray(res) && !!(res && res.next) }
        if (page === 1) payload.orders = cards
        else cards.forEach((c, i) => (payload[`orders[${this.data.orders.length + i}]`] = c))
        this.setData(payload)
      } catch (err) {
        if (seq !== this._seq) return
        this.setData({ loading: false, error: err.message })
      }
    },
    onOpen(e) {
      routes.go(routes.withQuery(routes.PAGES.orderDetail, { no: e.currentTarget.dataset.no })).catch(() => {})
    },
    async run(no, fn) {
      if (this.data.busyNo) return
      this.setData({ busyNo: no })
      try {
        await fn()
      } catch (err) {
        ui.toastError(err)
      }
      this.setData({ busyNo: '' })
      await this.reload()
    },
    onPay(e) {
      const no = e.currentTarget.dataset.no
      const order = this.data.orders.find((o) => o.no === no)
      return this.run(no, async () => {
        const result = await pay.payOrder(no, { order: order && { payable_amount: order.payable, deal_kind: order.dealKind } })
        if (!result.paid) await pay.waitForPaid(no)
        ui.toast('支付成功', 'success')
      })
    },
    async onCancel(e) {
      const no = e.currentTarget.dataset.no
      if (!(await ui.confirm('确定取消该订单吗？'))) return
      await this.run(no, () => api.cancelOrder(no))
    },
    async onConfirmReceipt(e) {
      const no = e.currentTarget.dataset.no
      if (!(await ui.confirm('确认已收到商品？'))) return
      await this.run(no, () => api.confirmReceipt(no))
    },
  },
})
