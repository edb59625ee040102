/**
 * 售后详情 (P04): the state and what happens next (the merchant's 48-hour review, the shopper's
 * 7-day return window), the progress line, the line and amounts, reason and photos, the reject
 * reason, the return's carrier and tracking number — entered here while 待退货 — and 撤销.
 */
'use strict'

const afterSales = require('../../core/after_sales')
const api = require('../../core/api')
const { runBusy } = require('../../core/busy')
const countdown = require('../../core/countdown')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

Component({
  data: {
    loading: true,
    error: '',
    item: null,
    statusLabel: '',
    steps: [],
    deadlineText: '',
    createdText: '',
    carrier: '',
    trackingNo: '',
    busy: false,
  },
  methods: {
    onLoad(query) {
      this._no = (query && query.no) || ''
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!this._no) {
        this.setData({ loading: false, error: '售后单不存在' })
        return
      }
      try {
        this.show(await api.afterSale(this._no))
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    show(item) {
      const steps = afterSales.progress(item).map((s) => Object.assign({}, s, { atText: s.at ? countdown.dateTimeText(s.at) : '' }))
      this.setData({
        loading: false,
        error: '',
        item,
        statusLabel: afterSales.statusLabel(item),
        steps,
        deadlineText: item.deadline ? countdown.dateTimeText(item.deadline) : '',
        createdText: countdown.dateTimeText(item.created_at),
      })
    },
    onCarrier(e) {
      this.setData({ carrier: e.detail.value })
    },
    onTrackingNo(e) {
      this.setData({ trackingNo: e.detail.value })
    },
    run(fn, done) {
      return runBusy(this, fn, done)
    },
    /** 提交退货物流: the carrier and tracking number of the parcel sent back. */
    onShipReturn() {
      const carrier = this.data.carrier.trim()
      const trackingNo = this.data.trackingNo.trim()
      if (!carrier || !trackingNo) {
        ui.toast('请填写快递公司和运单号')
        return Promise.resolve(false)
      }
      return this.run(() => api.shipAfterSaleReturn(this.data.item.no, { carrier, tracking_no: trackingNo }), '已提交退货物流')
    },
    async onCancel() {
      if (!(await ui.confirm('确定撤销该售后申请吗？'))) return false
      return this.run(() => api.cancelAfterSale(this.data.item.no), '已撤销')
    },
    onPreview(e) {
      const urls = this.data.item.photos.map((p) => p.image)
      wx.previewImage({ current: e.currentTarget.dataset.src, urls })
    },
    onOrder() {
      routes.go(routes.withQuery(routes.PAGES.orderDetail, { no: this.data.item.order_no })).catch(() => {})
    },
    onCopyTracking() {
      wx.setClipboardData({ data: this.data.item.return_tracking_no })
    },
  },
})
