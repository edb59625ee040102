/**
 * Checkout (P03, B04): the quote from checkout/preview shown in full (lines, every discount by
 * rule, shipping, points, payable, offers not applied and why, 凑单 hints), an address picker,
 * the points toggle, a remark; then 提交订单 with an Idempotency-Key held by a CheckoutAttempt
 * (double taps and retries make one order) and payment right after (core/pay.js: WeChat Pay, or
 * the sandbox in development). Whatever happens to the payment, the shopper lands on the order,
 * which keeps its 15-minute countdown.
 *
 * Opened from the cart (no query: the selected cart lines), from 立即购买 (?sku_id=&qty=), or
 * from a marketing tool's page with a deal (?sku_id=&qty=&deal=flash|group|bargain&ref=&dp=,
 * core/deals.js): the deal goes to the preview and to the order as {kind, ref, params}, and its
 * price line (秒杀价 / 拼团价 / 砍价 against the shelf price) is shown above the breakdown. A deal
 * has no best-coupon preselection (coupons/usable does not know the deal price); the shopper
 * may still pick one and the quote says whether it applies. A flash unit is placed through
 * flash/items/{id}/purchase (the sale's gate, throttle and captcha), other deals through orders.
 */
'use strict'

const { addressText } = require('../../core/address')
const api = require('../../core/api')
const { patch } = require('../../core/diff')
const pay = require('../../core/pay')
const routes = require('../../core/routes')
const share = require('../../core/share')
const store = require('../../core/store')
const ui = require('../../core/ui')
const { CheckoutAttempt } = require('../../core/idempotency')
const { verdictView, toggleSelection } = require('../../core/coupons')
const deals = require('../../core/deals')
const track = require('../../core/track')
const topics = require('../../services/topics')

const ROUTE = 'package-order/checkout/index'
// a deal's kind → the tool its funnel is counted for (F37)
const DEAL_TOOLS = { flash: 'flash', group: 'group_buy', bargain: 'bargain' }

/** What an error tells the shopper, as a reason for leaving the checkout (server catalogue). */
function leaveReason(code) {
  if (/sold_out|stock|sku_unavailable/.test(code || '')) return 'sold_out'
  if (/^coupon_/.test(code || '')) return 'coupon_unusable'
  return 'other'
}

Component({
  data: {
    loading: true,
    error: '',
    address: null,
    addressText: '',
    quote: null,
    usePoints: false,
    pointsBalance: 0,
    remark: '',
    previewing: false,
    submitting: false,
    // coupon picker: usable ones selectable, unusable ones greyed with their reason
    couponIds: [],
    usableCoupons: [],
    unusableCoupons: [],
    couponText: '',
    couponPickerVisible: false,
    // bought through a marketing tool: {label, unitText, originalText, savedText, qty}
    deal: null,
    dealLine: null,
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this._items = q.sku_id ? [{ sku_id: Number(q.sku_id), qty: Math.max(1, Number(q.qty) || 1) }] : null
      // a deal buys exactly one explicit line; without one it is an ordinary order
      this._deal = this._items ? deals.dealFromQuery(q) : null
      if (this._deal) this.setData({ deal: { kind: this._deal.kind, label: deals.DEAL_LABELS[this._deal.kind] } })
      this._attempt = new CheckoutAttempt()
      this._seen = 'other' // what the shopper last saw: price, sold_out, coupon_unusable, other
      // a deal names its tool; an ordinary checkout after a topic counts for the topic (F25 funnel)
      this.trackProps = this._deal ? { tool: DEAL_TOOLS[this._deal.kind] } : topics.funnelProps()
      // a group deal's ref is its campaign: the funnel counts the checkout for that campaign
      if (this._deal && this._deal.kind === 'group') this.trackProps.campaign_id = Number(this._deal.ref) || undefined
      track.track('checkout_start', Object.assign({ page: ROUTE, items: this._items ? this._items[0].qty : undefined }, this.trackProps))
      const member = store.get('member')
      this.setData({ pointsBalance: (member && member.points_balance) || 0 })
      return this.load()
    },

    /** Back out of the checkout without an order: why, as far as the page can tell (F37). */
    onUnload() {
      if (this._placed) return
      const quote = this.data.quote
      const amount = quote && Number.isInteger(quote.payable_amount) ? quote.payable_amount : undefined
      track.track('checkout_leave', Object.assign({ page: ROUTE, reason: this._seen || 'other', amount }, this.trackProps))
    },

    previewBody() {
      const body = { points: this.data.usePoints ? 'max' : 0 }
      if (this._items) body.items = this._items
      if (this._deal) body.deal = { kind: this._deal.kind, ref: this._deal.ref, params: this._deal.params }
      if (this.data.couponIds.length) body.coupon_ids = this.data.couponIds.slice()
      if (this.data.address) body.address_id = this.data.address.id
      return body
    },
    orderBody() {
      const body = this.previewBody()
      if (this.data.remark.trim()) body.remark = this.data.remark.trim()
      return body
    },

    async load() {
      // addresses, the quote and the coupons at once; the quote does not wait for the others
      const [addresses, quoteOk] = await Promise.all([
        api.addresses().catch(() => null),
        this.preview(),
        this.loadCoupons(),
        this.loadMember(),
      ])
      const list = (addresses && (addresses.results || addresses)) || []
      const chosen = list.find((a) => a.is_default) || list[0] || null
      if (chosen) this.setAddress(chosen)
      this.setData({ loading: false })
      return quoteOk
    },

    /** The points balance as the server has it now (the stored profile may be from another day). */
    async loadMember() {
      const member = await api.me().catch(() => null)
      if (!member) return
      store.set('member', member)
      this.setData({ pointsBalance: member.points_balance || 0 })
    },

    setAddress(address) {
      this.setData({ address, addressText: addressText(address) })
    },

    async preview() {
      const seq = (this._seq = (this._seq || 0) + 1)
      this.setData({ previewing: true })
      try {
        const quote = await api.checkoutPreview(this.previewBody())
        if (seq !== this._seq) return false
        // a re-quote (points, address) changes a few numbers: send only those paths
        const next = { quote, previewing: false, error: '' }
        // a refusal seen (sold out, coupon) stays the reason: the re-quote after it is no news
        if (this._seen === 'other') this._seen = 'price'
        if (this._deal) next.dealLine = deals.dealPriceLine(quote, this._deal)
        patch(this, next)
        return true
      } catch (err) {
        if (seq !== this._seq) return false
        this._seen = leaveReason(err.code)
        this.setData({ previewing: false, error: err.message })
        return false
      }
    },

    /** coupons/usable for these items; the best combination is chosen until the shopper picks. */
    async loadCoupons() {
      let res
      try {
        res = (await api.usableCoupons(this._items)) || {}
      } catch (err) {
        this.setData({ couponText: '' }) // no coupons offered; the order can still be placed
        return false
      }
      const best = this._deal ? [] : (res.best_coupon_ids || []).slice()
      const usable = (res.usable || []).map((v) => verdictView(v, best))
      const unusable = (res.unusable || []).map((v) => verdictView(v, []))
      this.setData({ usableCoupons: usable, unusableCoupons: unusable })
      this.setCoupons(best)
      // the first quote was made without coupons: quote again with the best ones
      if (best.length) return this.preview()
      return true
    },

    /** Set the chosen coupon ids; only the rows whose mark changed go to the view. */
    setCoupons(ids) {
      const before = this.data.couponIds
      const payload = { couponIds: ids }
      this.data.usableCoupons.forEach((c, i) => {
        const on = ids.indexOf(c.id) >= 0
        if (on !== (before.indexOf(c.id) >= 0) || on !== c.selected) payload[`usableCoupons[${i}].selected`] = on
      })
      const n = this.data.usableCoupons.length
      payload.couponText = ids.length ? `已选 ${ids.length} 张` : n ? `${n} 张可用` : '暂无可用'
      this.setData(payload)
    },

    onOpenCoupons() {
      // looked for a coupon and found none that applies: a reason to leave (F37)
      if (!this.data.usableCoupons.length && this.data.unusableCoupons.length) this._seen = 'coupon_unusable'
      this.setData({ couponPickerVisible: true })
    },
    onCloseCoupons() {
      this.setData({ couponPickerVisible: false })
    },
    onPickCoupon(e) {
      const id = Number(e.currentTarget.dataset.id)
      const ids = toggleSelection(this.data.couponIds, this.data.usableCoupons, id)
      if (ids.join(',') === this.data.couponIds.join(',')) return Promise.resolve(false)
      this.setCoupons(ids)
      return this.preview()
    },
    onNoCoupon() {
      if (!this.data.couponIds.length) return Promise.resolve(false)
      this.setCoupons([])
      return this.preview()
    },

    onTogglePoints(e) {
      this.setData({ usePoints: !!e.detail.value })
      return this.preview()
    },
    onRemark(e) {
      this.setData({ remark: e.detail.value })
    },
    onChooseAddress() {
      return routes
        .go(routes.withQuery(routes.PAGES.addresses, { select: 1 }), {
          events: {
            select: (address) => {
              this.setAddress(address)
              this.preview()
            },
          },
        })
        .catch(() => {})
    },
    onHint() {
      // 凑单: back to shopping; the cart keeps what is already chosen
      routes.go(routes.PAGES.category).catch(() => {})
    },

    async submit() {
      if (this.data.submitting) return null
      if (!this.data.address) {
        ui.toast('请选择收货地址')
        return null
      }
      if (!this.data.quote) {
        ui.toast(this.data.error || '订单信息加载中')
        return null
      }
      this.setData({ submitting: true })
      const body = this.orderBody()
      let order
      try {
        order = await this._attempt.submit(body, (key) => this.place(body, key))
      } catch (err) {
        this.setData({ submitting: false })
        ui.toastError(err)
        this._seen = leaveReason(err.code)
        // prices or stock moved: show the shopper the new quote before another try
        // a coupon used elsewhere or expired meanwhile: offer the coupons as they are now
        if (err.status && err.status < 500) {
          if (/^coupon_/.test(err.code || '')) this.loadCoupons()
          else this.preview()
        }
        return null
      }
      this._placed = true // leaving now is not abandoning the checkout
      if (!this._items) store.set('cartCount', 0) // the server took the selected lines; cart refreshes on show
      return this.payAndShow(order)
    },

    /**
     * Place the order: a flash unit through the flash sale's own endpoint (its Redis gate, the
     * purchase throttle and the slider when asked), everything else through orders.
     */
    place(body, key) {
      const src = share.currentSrc()
      if (this._deal && this._deal.kind === 'flash') {
        const flashBody = { qty: body.items[0].qty, address_id: body.address_id, points: body.points }
        if (body.coupon_ids) flashBody.coupon_ids = body.coupon_ids
        if (body.remark) flashBody.remark = body.remark
        // a live room's 整点秒杀 is the room's order (src=live:<id>) like any other
        if (src) flashBody.src = src
        return api.flashPurchase(this._deal.ref, flashBody, key)
      }
      return api.placeOrder(src ? Object.assign({}, body, { src }) : body, key)
    },

    /**
     * Pay, then show the outcome on 支付结果 (which asks the server, never trusting this side):
     * paid, still on its way, or failed (?attempt=failed). A shopper who backed out of WeChat Pay
     * lands on the order instead, with its countdown and 去支付.
     */
    async payAndShow(order) {
      let target = routes.withQuery(routes.PAGES.payResult, { no: order.no })
      try {
        const result = await pay.payOrder(order.no, { order, deal: this._deal })
        if (result.paid) track.track('pay', Object.assign({ page: ROUTE, amount: order.payable_amount }, this.trackProps))
      } catch (err) {
        ui.toastError(err)
        target =
          err.code === 'payment_cancelled'
            ? routes.withQuery(routes.PAGES.orderDetail, { no: order.no })
            : routes.withQuery(routes.PAGES.payResult, { no: order.no, attempt: 'failed' })
      }
      this.setData({ submitting: false })
      return routes.go(target, { redirect: true }).catch(() => {})
    },
  }),
})
