/**
 * 我的优惠券 (F07, F08): the wallet by status (GET me/coupons?status=unused|used|expired, paged
 * on scroll) and the 领券中心 (GET coupons/center) with 领取 (POST coupons/claim). After a claim
 * the center and the 可用 tab are read again; a refusal (sold out, limit reached …) is shown in
 * the words of core/errors.js.
 */
'use strict'

const api = require('../../core/api')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')
const { STATUS_TABS, couponView, centerView } = require('../../core/coupons')

Component({
  data: {
    tabs: STATUS_TABS,
    status: 'unused',
    coupons: [],
    page: 0,
    hasMore: true,
    loading: true,
    error: '',
    center: [],
    centerError: '',
    claimingId: 0,
  },
  methods: {
    onLoad(query) {
      const q = query || {}
      const status = STATUS_TABS.some((t) => t.value === q.status) ? q.status : 'unused'
      if (status !== this.data.status) this.setData({ status })
      subscribe.load().catch(() => {}) // ready before the 领取 tap (F48)
      return Promise.all([this.loadCenter(), this.fetch(1)])
    },
    onPullDownRefresh() {
      return Promise.all([this.loadCenter(), this.fetch(1)]).then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },
    onTab(e) {
      const status = e.detail.value
      if (status === this.data.status) return Promise.resolve()
      this.setData({ status, coupons: [], page: 0, hasMore: true })
      return this.fetch(1)
    },

    async loadCenter() {
      try {
        const list = (await api.couponCenter()) || []
        this.setData({ center: (Array.isArray(list) ? list : list.results || []).map(centerView), centerError: '' })
      } catch (err) {
        this.setData({ centerError: err.message })
      }
    },

    async fetch(page) {
      const status = this.data.status
      const seq = (this._seq = (this._seq || 0) + 1)
      this.setData({ loading: true })
      try {
        const res = (await api.myCoupons(status, page)) || {}
        if (seq !== this._seq) return
        const list = (res.results || []).map(couponView)
        const payload = { loading: false, error: '', page, hasMore: !!res.next }
        if (page === 1) payload.coupons = list
        else {
          // append only the new rows
          const offset = this.data.coupons.length
          list.forEach((c, i) => (payload[`coupons[${offset + i}]`] = c))
        }
        this.setData(payload)
      } catch (err) {
        if (seq !== this._seq) return
        this.setData({ loading: false, error: err.message })
      }
    },

    async onClaim(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (!id || this.data.claimingId) return false
      this.setData({ claimingId: id })
      // "your coupon expires soon" needs the shopper's grant: asked inside the tap (F48)
      await subscribe.ask('coupon_claim')
      try {
        await api.claimCoupon(id)
      } catch (err) {
        this.setData({ claimingId: 0 })
        ui.toastError(err)
        // the quota or what the shopper holds has moved: show the center as it is now
        if (err.status && err.status < 500) this.loadCenter()
        return false
      }
      this.setData({ claimingId: 0 })
      ui.toast('领取成功')
      const reloads = [this.loadCenter()]
      if (this.data.status === 'unused') reloads.push(this.fetch(1))
      await Promise.all(reloads)
      return true
    },
    reload() {
      return this.fetch(1)
    },
  },
})
