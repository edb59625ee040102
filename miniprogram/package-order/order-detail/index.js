/**
 * Order detail (P03, P04, F43): status, the countdown to the 15-minute stock lock's expiry
 * (server time), address, lines and the price breakdown, and the actions the state allows:
 * 取消订单, 去支付 (WeChat Pay or the sandbox), 确认收货, and 申请售后 (P04) once paid. When the countdown ends the order is
 * reloaded: the server cancels it and releases the stock. Arriving with ?paid=pending (just
 * back from WeChat Pay) polls a few times until the payment notice has been processed.
 */
'use strict'

const { addressText } = require('../../core/address')
const afterSales = require('../../core/after_sales')
const api = require('../../core/api')
const { runBusy } = require('../../core/busy')
const deals = require('../../core/deals')
const countdown = require('../../core/countdown')
const { patch } = require('../../core/diff')
const orderLogic = require('../../core/orders')
const pay = require('../../core/pay')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

Component({
  data: {
    loading: true,
    error: '',
    order: null,
    statusLabel: '',
    actions: {},
    quote: null,
    addressText: '',
    times: { created: '', paid: '' },
    expiresAt: null,
    expired: false,
    busy: false,
  },
  methods: {
    async onLoad(query) {
      this._no = query && query.no
      if (query && query.paid === 'pending') {
        this.setData({ loading: true })
        try {
          const order = await pay.waitForPaid(this._no)
          if (order) return this.show(order)
        } catch (err) {
          // fall through to a normal load, which reports the error
        }
      }
      return this.load()
    },
    /** 查看拼团 / 查看砍价: the tool's page of this order. */
    onDeal() {
      const deal = this.data.deal
      if (deal && deal.url) routes.go(deal.url).catch(() => {})
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!this._no) {
        this.setData({ loading: false, error: '订单不存在' })
        return
      }
      try {
        this.show(await api.order(this._no))
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    show(order) {
      const pending = order.status === 'pending_payment'
      const expires = pending ? countdown.toMs(order.expires_at) : null
      // past the deadline but not yet swept by the server: no countdown (it would end at once and
      // reload in a loop) and no payment, which the server would refuse
      const expired = expires !== null && expires <= countdown.now()
      const actions = orderLogic.actions(order)
      if (expired) actions.pay = false
      // reloads after pay / cancel / confirm change the status and a few fields: send only those
      patch(this, {
        loading: false,
        error: '',
        order,
        statusLabel: orderLogic.statusLabel(order),
        actions,
        quote: orderLogic.toQuote(order),
        addressText: addressText(order.address),
        deal: deals.orderDeal(order),
        canAfterSale: afterSales.canApply(order),
        times: { created: countdown.dateTimeText(order.created_at), paid: countdown.dateTimeText(order.paid_at) },
        shippedText: order.shipped_at ? `${countdown.dateTimeText(order.shipped_at)} 发货` : '',
        expiresAt: expired ? null : expires,
        expired,
      })
    },
    onExpired() {
      // the lock ran out: the server cancels and releases the stock; show what it says now
      return this.load()
    },
    run(fn, done) {
      return runBusy(this, fn, done)
    },
    onPay() {
      const order = this.data.order
      return this.run(async () => {
        const result = await pay.payOrder(order.no, { order })
        if (!result.paid) {
          const after = await pay.waitForPaid(order.no)
          if (after && after.status === 'pending_payment') throw new Error('支付结果确认中，请稍后刷新')
        }
      }, '支付成功')
    },
    async onCancel() {
      if (!(await ui.confirm('确定取消该订单吗？库存将被释放。'))) return false
      return this.run(() => api.cancelOrder(this.data.order.no), '订单已取消')
    },
    async onConfirmReceipt() {
      if (!(await ui.confirm('确认已收到商品？'))) return false
      return this.run(() => api.confirmReceipt(this.data.order.no), '已确认收货')
    },
    /** 申请售后: the form for this order (the line is chosen there). */
    onAfterSale() {
      routes.go(routes.withQuery(routes.PAGES.afterSaleApply, { no: this.data.order.no })).catch(() => {})
    },
    onAfterSales() {
      routes.go(routes.PAGES.afterSales).catch(() => {})
    },
    onCopyNo() {
      wx.setClipboardData({ data: this.data.order.no })
    },
    /** The tracking number, to look the parcel up in the carrier's own app. */
    onCopyTracking() {
      wx.setClipboardData({ data: this.data.order.tracking_no })
    },
  },
})
