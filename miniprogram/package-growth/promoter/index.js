/**
 * 推广中心 (F06). Not a promoter yet: the programme (commission rate, attribution and settling
 * windows) and the application (name, phone, why) → POST promoter/apply; 审核中 while applied; the
 * merchant's note when rejected (apply again) or disabled. Approved: the promoter code (every
 * share from this phone now carries pc=CODE, core/share.js), earnings by state — 可提现 / 冻结中 /
 * 待付款 / 提现中 / 已提现 / 已退回 —, a withdrawal of available money (at least the programme's
 * minimum; one Idempotency-Key per amount, so a double tap asks once), and three lists: 推广订单
 * (each line's commission and state), 我的客户, 提现记录. GET me/promoter is the first screen.
 */
'use strict'

const api = require('../../core/api')
const { dateTimeText } = require('../../core/countdown')
const { CheckoutAttempt } = require('../../core/idempotency')
const money = require('../../core/money')
const store = require('../../core/store')
const ui = require('../../core/ui')

const STATUS_TEXT = { none: '', applied: '申请审核中', approved: '推广员', rejected: '申请未通过', disabled: '推广资格已停用' }
const LINE_STATES = { pending: '待付款', frozen: '冻结中', available: '可提现', reversed: '已退回' }
const WITHDRAWAL_STATES = { requested: '处理中', paid: '已到账', rejected: '已驳回' }

const LISTS = [
  { value: 'orders', label: '推广订单' },
  { value: 'customers', label: '我的客户' },
  { value: 'withdrawals', label: '提现记录' },
]

function percentText(rate) {
  const r = Number(rate) || 0
  return `${Math.round(r * 1000) / 10}%`
}

function earningsView(e) {
  if (!e) return null
  return {
    available: e.available,
    availableText: money.price(Math.max(0, e.available)),
    rows: [
      { key: 'frozen', label: '冻结中', text: money.price(e.frozen) },
      { key: 'pending', label: '待付款', text: money.price(e.pending) },
      { key: 'withdrawing', label: '提现中', text: money.price(e.withdrawing) },
      { key: 'withdrawn', label: '已提现', text: money.price(e.withdrawn) },
      { key: 'reversed', label: '已退回', text: money.price(e.reversed) },
      { key: 'total', label: '累计收益', text: money.price(e.total) },
    ],
  }
}

const ROW_VIEWS = {
  orders: (o, i) => ({
    key: `o-${i}-${o.order_no}`,
    title: `${o.buyer_nickname || '顾客'} · ${o.order_no}`,
    time: dateTimeText(o.placed_at),
    amountText: money.price(o.held_amount),
    lines: (o.lines || []).map((l) => ({ id: l.id, text: `${l.title} ×${l.qty} · 佣金 ${money.price(l.held_amount)}（${percentText(l.rate)}）`, state: LINE_STATES[l.status] || l.status })),
  }),
  customers: (c, i) => ({
    key: `c-${i}`,
    title: c.nickname || '顾客',
    time: `最近访问 ${dateTimeText(c.last_clicked_at)}`,
    amountText: `${Number(c.orders) || 0} 单`,
    lines: [],
  }),
  withdrawals: (w) => ({
    key: `w-${w.id}`,
    title: `提现 ${money.price(w.amount)}`,
    time: dateTimeText(w.requested_at),
    amountText: WITHDRAWAL_STATES[w.status] || w.status,
    lines: w.note ? [{ id: 0, text: w.note, state: '' }] : [],
  }),
}

const FETCH = {
  orders: (page) => api.promoterOrders(page),
  customers: (page) => api.promoterCustomers(page),
  withdrawals: (page) => api.promoterWithdrawals(page),
}

Component({
  data: {
    loading: true,
    error: '',
    status: 'none',
    statusText: '',
    promoter: null,
    program: null,
    earnings: null,
    form: { real_name: '', phone: '', reason: '' },
    applying: false,
    amountText: '',
    withdrawing: false,
    lists: LISTS,
    list: 'orders',
    rows: [],
    page: 0,
    hasMore: true,
    listLoading: false,
  },
  methods: {
    onLoad() {
      this._withdrawal = new CheckoutAttempt()
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (this.data.status !== 'approved' && this.data.status !== 'disabled') return Promise.resolve()
      if (!this.data.hasMore || this.data.listLoading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },

    async load() {
      let res
      try {
        res = (await api.promoter()) || {}
      } catch (err) {
        this.setData({ loading: false, error: err.message })
        return false
      }
      const p = res.promoter || { status: 'none' }
      const program = res.program || {}
      // every share from this phone carries the code while the promoter is approved
      store.set('myPromoterCode', p.status === 'approved' && p.code ? p.code : null)
      const payload = {
        loading: false,
        error: '',
        status: p.status,
        statusText: STATUS_TEXT[p.status] || '',
        promoter: { code: p.code, note: p.review_note || '', appliedAt: dateTimeText(p.applied_at) },
        program: {
          active: !!program.active,
          rateText: percentText(program.default_rate),
          attributionDays: program.attribution_days,
          settleDays: program.settle_days,
          minWithdrawal: Number(program.min_withdrawal) || 0,
          minText: money.price(program.min_withdrawal || 0),
        },
        earnings: earningsView(res.earnings),
      }
      if (p.status === 'none' || p.status === 'rejected') {
        payload.form = { real_name: p.real_name || '', phone: p.phone || '', reason: p.reason || '' }
      }
      this.setData(payload)
      if (p.status === 'approved' || p.status === 'disabled') await this.fetch(1)
      return true
    },

    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
    },
    async onApply() {
      if (this.data.applying) return false
      const form = this.data.form
      const body = { real_name: String(form.real_name || '').trim(), phone: String(form.phone || '').trim(), reason: String(form.reason || '').trim() }
      if (!body.real_name) return ui.toast('请填写姓名'), false
      if (!/^1\d{10}$/.test(body.phone)) return ui.toast('请填写正确的手机号'), false
      this.setData({ applying: true })
      try {
        await api.promoterApply(body)
        this.setData({ applying: false })
        ui.toast('申请已提交，请等待审核')
        await this.load()
        return true
      } catch (err) {
        this.setData({ applying: false })
        ui.toastError(err)
        return false
      }
    },

    onAmount(e) {
      this.setData({ amountText: e.detail.value })
    },
    onAll() {
      const available = this.data.earnings ? Math.max(0, this.data.earnings.available) : 0
      this.setData({ amountText: money.yuan(available) })
    },
    async onWithdraw() {
      if (this.data.withdrawing || !this.data.earnings) return null
      const amount = money.parseYuan(this.data.amountText)
      const available = this.data.earnings.available
      const min = this.data.program.minWithdrawal
      if (!amount) return ui.toast('请输入提现金额'), null
      if (amount < min) return ui.toast(`最低提现 ${this.data.program.minText}`), null
      if (amount > available) return ui.toast(`最多可提现 ${money.price(Math.max(0, available))}`), null
      this.setData({ withdrawing: true })
      const body = { amount }
      try {
        const w = await this._withdrawal.submit(body, (key) => api.withdraw(amount, key))
        this._withdrawal.reset() // the next amount is a new request
        this.setData({ withdrawing: false, amountText: '' })
        ui.toast(`已申请提现 ${money.price(w.amount)}`)
        await this.load()
        if (this.data.list !== 'withdrawals') await this.onList({ currentTarget: { dataset: { value: 'withdrawals' } } })
        return w
      } catch (err) {
        this.setData({ withdrawing: false })
        ui.toastError(err)
        return null
      }
    },

    onList(e) {
      const list = e.currentTarget.dataset.value || (e.detail && e.detail.value)
      if (!list || list === this.data.list) return Promise.resolve()
      this.setData({ list, rows: [], page: 0, hasMore: true })
      return this.fetch(1)
    },
    async fetch(page) {
      const list = this.data.list
      this.setData({ listLoading: true })
      try {
        const res = (await FETCH[list](page)) || {}
        if (list !== this.data.list) return
        const results = res.results || []
        const offset = page === 1 ? 0 : this.data.rows.length
        const view = ROW_VIEWS[list]
        const payload = { listLoading: false, page, hasMore: !!res.next }
        if (page === 1) payload.rows = results.map((r, i) => view(r, i))
        else results.forEach((r, i) => (payload[`rows[${offset + i}]`] = view(r, offset + i)))
        this.setData(payload)
      } catch (err) {
        this.setData({ listLoading: false })
        ui.toastError(err)
      }
    },
    onCopy() {
      const code = this.data.promoter && this.data.promoter.code
      if (code) wx.setClipboardData({ data: code, success: () => ui.toast('推广码已复制') })
    },
  },
})
