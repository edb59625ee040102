/**
 * 支付结果 (P04): where the checkout lands after a payment attempt. The outcome is the server's,
 * never the client's word: the page asks orders/{no} a few times (WeChat's notice may still be on
 * its way) and shows
 *   success — the order is paid: 支付成功, the amount in yuan, 查看订单 / 继续逛逛, and for a group
 *             order 邀请好友参团 (shares the group's token, like the group page does);
 *   pending — still unpaid after the polls while nothing says it failed: 支付结果确认中, 刷新结果;
 *   failed  — the order was closed, or WeChat Pay reported a failure (?attempt=failed) and the
 *             server has no payment either: 支付未完成, 重新支付.
 */
'use strict'

const api = require('../../core/api')
const money = require('../../core/money')
const pay = require('../../core/pay')
const routes = require('../../core/routes')
const share = require('../../core/share')
const { groupView } = require('../../core/social')
const ui = require('../../core/ui')

const TEXTS = {
  success: { title: '支付成功', note: '我们会尽快为你发货' },
  pending: { title: '支付结果确认中', note: '微信支付的结果还在路上，稍后刷新即可看到' },
  failed: { title: '支付未完成', note: '订单还未支付，可以重新支付' },
  closed: { title: '支付失败', note: '订单已关闭' },
}

/** The outcome of an order as the server tells it: success / pending / failed / closed. */
function outcome(order, attempt) {
  if (!order) return 'pending'
  if (order.paid_at || (order.status !== 'pending_payment' && order.status !== 'cancelled')) return 'success'
  if (order.status === 'cancelled') return 'closed'
  return attempt === 'failed' ? 'failed' : 'pending'
}

Component({
  data: {
    loading: true,
    error: '',
    state: '',
    title: '',
    note: '',
    amountText: '',
    orderNo: '',
    group: null,
    busy: false,
  },
  methods: {
    onLoad(query) {
      this._no = (query && query.no) || ''
      this._attempt = (query && query.attempt) || ''
      return this.check()
    },
    /** Poll the order (pay.waitForPaid: up to 5 asks, 1.5 s apart) and show what the server says. */
    async check() {
      if (!this._no) {
        this.setData({ loading: false, error: '订单不存在' })
        return
      }
      this.setData({ loading: true, error: '' })
      let order
      try {
        order = await pay.waitForPaid(this._no, this._poll || {})
      } catch (err) {
        this.setData({ loading: false, error: err.message || '网络异常，请稍后重试' })
        return
      }
      await this.show(order)
    },
    async show(order) {
      const state = outcome(order, this._attempt)
      const texts = TEXTS[state]
      const note = state === 'closed' && order.cancel_reason ? order.cancel_reason : texts.note
      let group = null
      if (state === 'success' && order.deal_kind === 'group' && Number(order.deal_ref)) group = await this.loadGroup(order.deal_ref)
      this._order = order
      this.setData({
        loading: false,
        state,
        title: texts.title,
        note,
        amountText: money.price(order.payable_amount),
        orderNo: order.no,
        group,
      })
    },
    /** The group this order joined or opened: its share token and the seats still missing. */
    async loadGroup(id) {
      try {
        const g = groupView(await api.group(id))
        return g.shareToken ? { id: g.id, token: g.shareToken, missing: g.missing, title: g.title, image: g.image, canInvite: g.canInvite } : null
      } catch (err) {
        return null // the payment succeeded; a group page that fails to load only hides the invite
      }
    },
    onRefresh() {
      return this.check()
    },
    /** 重新支付: the same order again; then the server's answer decides the state. */
    async onRepay() {
      if (this.data.busy || !this._order) return
      this.setData({ busy: true })
      try {
        await pay.payOrder(this._no, { order: this._order })
        this._attempt = ''
      } catch (err) {
        if (err.code !== 'payment_cancelled') this._attempt = 'failed'
        ui.toastError(err)
      }
      this.setData({ busy: false })
      await this.check()
    },
    onViewOrder() {
      return routes.go(routes.withQuery(routes.PAGES.orderDetail, { no: this._no }), { redirect: true }).catch(() => {})
    },
    onContinue() {
      return routes.go(routes.PAGES.home).catch(() => {})
    },
    onViewGroup() {
      const g = this.data.group
      if (g) routes.go(routes.withQuery(routes.PAGES.group, { id: g.id })).catch(() => {})
    },
    onShareAppMessage() {
      const g = this.data.group
      if (g) {
        const title = g.missing > 0 ? `还差 ${g.missing} 人成团，快来和我一起拼「${g.title}」` : `我在拼「${g.title}」，一起来`
        return share.shareMessage({ title, page: routes.PAGES.group, query: { token: g.token }, imageUrl: g.image })
      }
      return share.shareMessage({ title: '多营商城', page: routes.PAGES.home, query: {} })
    },
  },
})
