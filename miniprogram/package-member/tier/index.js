/**
 * 会员中心 (F14–F16): the tier card with "再消费 ¥X 升级黄金", the tier's perks and free-shipping uses
 * left this month, buying the next tier with points where the shop allows it, and the 专属客服
 * button for high tiers (open-type="contact" carrying the tier and recent orders).
 */
'use strict'

const api = require('../../core/api')
const money = require('../../core/money')
const routes = require('../../core/routes')
const store = require('../../core/store')
const ui = require('../../core/ui')
const { newKey } = require('../../core/idempotency')

function progressText(card) {
  if (!card.next_tier) return '您已是最高等级'
  const parts = []
  if (card.spend_to_next > 0) parts.push(`再消费 ${money.price(card.spend_to_next)}`)
  if (card.orders_to_next > 0) parts.push(`再完成 ${card.orders_to_next} 单`)
  if (!parts.length) return `即将升级${card.next_tier_label}`
  return `${parts.join(' 或 ')} 升级${card.next_tier_label}`
}

function cardView(card) {
  return {
    tier: card.tier,
    tierLabel: card.tier_label,
    spendText: money.price(card.spend_12m),
    orders: card.orders_12m,
    progressText: progressText(card),
    percent: card.progress_percent,
    perks: card.perks,
    freeShippingText: card.free_shipping_per_month ? `本月还可包邮 ${card.free_shipping_left}/${card.free_shipping_per_month} 次` : '',
    graceText: card.in_grace ? `本月为保级月，未达标下月将降一级` : '',
    buyText: card.next_points_price > 0 ? `用 ${card.next_points_price} 积分升级${card.next_tier_label}` : '',
    canBuy: card.next_points_price > 0 && card.points_balance >= card.next_points_price,
    points: card.points_balance,
    service: card.exclusive_service,
  }
}

Component({
  data: { loading: true, error: '', card: null, busy: false, birthdayUnset: false },
  methods: {
    onLoad() {
      return this.load()
    },
    onShow() {
      if (this.data.card) return this.load()
      return Promise.resolve()
    },
    async load() {
      try {
        const card = await api.tier()
        const member = store.get('member')
        // the birthday (set once, on the profile page) is what the birthday gift is sent on
        this.setData({ loading: false, error: '', card: cardView(card), birthdayUnset: !!member && !member.birthday })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    async onBuy() {
      const card = this.data.card
      if (!card || !card.buyText || this.data.busy) return false
      const ok = await ui.confirm(`确定${card.buyText}吗？`)
      if (!ok) return false
      this.setData({ busy: true })
      if (!this._buyRef) this._buyRef = newKey()
      try {
        const next = await api.buyTier(this._buyRef)
        this._buyRef = null
        this.setData({ busy: false, card: cardView(next) })
        ui.toast(`已升级为${next.tier_label}`, 'success')
        return true
      } catch (err) {
        this.setData({ busy: false })
        if (err && err.status && err.status < 500) this._buyRef = null
        ui.toastError(err)
        return false
      }
    },
    go(e) {
      const page = routes.PAGES[e.currentTarget.dataset.page]
      if (page) routes.go(page).catch(() => {})
    },
  },
})
