/**
 * 积分商城 (F15): coupons priced in points, and goods for points (+ cash), with stock left and a
 * per-shopper limit. A coupon is redeemed here, one ref per tap (the ref stays the same across a
 * retry of that tap, so a lost answer never redeems twice); goods open the normal checkout with
 * the points_mall deal, which spends the points when the order is placed.
 */
'use strict'

const api = require('../../core/api')
const deals = require('../../core/deals')
const money = require('../../core/money')
const routes = require('../../core/routes')
const ui = require('../../core/ui')
const { newKey } = require('../../core/idempotency')

function itemView(item) {
  const goods = item.kind === 'goods'
  return {
    id: item.id,
    name: item.name,
    goods,
    skuId: item.sku_id,
    cash: item.cash || 0,
    pointsText: item.cash ? `${item.points} 积分 + ${money.price(item.cash)}` : `${item.points} 积分`,
    stockText: item.stock_left > 0 ? `剩余 ${item.stock_left}` : '已兑完',
    limitText: `每人限兑 ${item.per_member_limit} 次`,
    soldOut: item.stock_left <= 0,
    points: item.points,
    stockLeft: item.stock_left,
    perMemberLimit: item.per_member_limit,
  }
}

Component({
  data: { loading: true, error: '', items: [], balance: null, busy: false },
  methods: {
    onLoad() {
      return this.load()
    },
    async load() {
      try {
        const [page, points] = await Promise.all([api.pointsMall(1), api.points(1)])
        this.setData({ loading: false, error: '', items: (page.results || []).map(itemView), balance: points.balance })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    async onRedeem(e) {
      const id = Number(e.currentTarget.dataset.id)
      const index = this.data.items.findIndex((i) => i.id === id)
      const item = this.data.items[index]
      if (!item || item.soldOut || this.data.busy) return false
      if (item.goods) {
        // goods go through the normal checkout: the points_mall deal prices the line and spends the points
        routes.go(deals.checkoutUrl({ skuId: item.skuId, qty: 1, kind: 'points_mall', ref: item.id })).catch(() => {})
        return true
      }
      const ok = await ui.confirm(`确定用 ${item.points} 积分兑换「${item.name}」吗？`)
      if (!ok) return false
      this.setData({ busy: true })
      if (!this._refs) this._refs = {}
      if (!this._refs[id]) this._refs[id] = newKey()
      try {
        const done = await api.redeemPointsItem(id, this._refs[id])
        delete this._refs[id]
        const left = Math.max(0, item.stockLeft - 1)
        this.setData({
          busy: false,
          balance: done.points_balance,
          [`items[${index}]`]: itemView({ id, kind: 'coupon', name: item.name, points: item.points, cash: 0, sku_id: null, stock_left: left, per_member_limit: item.perMemberLimit }),
        })
        ui.toast('兑换成功，优惠券已放入卡包', 'success')
        return true
      } catch (err) {
        this.setData({ busy: false })
        if (err && err.status && err.status < 500) delete this._refs[id]
        ui.toastError(err)
        return false
      }
    },
  },
})
