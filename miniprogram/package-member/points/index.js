/** Points (F15): balance and the ledger, paged on scroll (GET me/points); checkout shows what they take off. */
'use strict'

const api = require('../../core/api')
const { dateTimeText } = require('../../core/countdown')

const REASONS = {
  order_earn: '订单获得',
  order_redeem: '下单抵扣',
  order_redeem_return: '抵扣退回',
  refund_reverse: '退款扣回',
  adjust: '后台调整',
  grant: '活动奖励',
  migrate: '迁移',
}

function entryView(e, i) {
  const amount = Number(e.delta !== undefined ? e.delta : e.amount) || 0
  return {
    key: `${e.id || i}`,
    title: e.reason_display || REASONS[e.reason] || e.note || e.reason || '积分变动',
    note: e.note && e.reason_display ? e.note : '',
    time: dateTimeText(e.created_at),
    amountText: amount > 0 ? `+${amount}` : String(amount),
    positive: amount > 0,
  }
}

Component({
  data: { loading: true, error: '', balance: 0, entries: [], page: 0, hasMore: true },
  methods: {
    onLoad() {
      return this.fetch(1)
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },
    async fetch(page) {
      this.setData({ loading: true })
      try {
        const res = (await api.points(page)) || {}
        // {balance, count, next, previous, entries: […]} (a nested {results, next} is read too)
        const block = res.entries || []
        const list = Array.isArray(block) ? block : block.results || []
        const next = Array.isArray(block) ? res.next : block.next
        const offset = page === 1 ? 0 : this.data.entries.length
        const payload = {
          loading: false,
          error: '',
          balance: res.balance !== undefined ? res.balance : this.data.balance,
          page,
          hasMore: !!next,
        }
        if (page === 1) payload.entries = list.map(entryView)
        else list.forEach((e, i) => (payload[`entries[${offset + i}]`] = entryView(e, offset + i)))
        this.setData(payload)
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
  },
})
