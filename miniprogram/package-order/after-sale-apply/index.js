/**
 * 申请售后 (P04) from an order: choose the line and how many units, read which kind the order
 * allows (仅退款 before the goods are received, 退货退款 after — the server says), pick a reason,
 * describe, add up to 6 photos (uploaded one by one as they are chosen), submit. A line with an
 * open request opens that request instead. Submitting twice sends once.
 */
'use strict'

const afterSales = require('../../core/after_sales')
const api = require('../../core/api')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

Component({
  data: {
    loading: true,
    error: '',
    orderNo: '',
    lines: [],
    reasons: [],
    maxPhotos: afterSales.MAX_PHOTOS,
    lineId: 0,
    kind: '',
    kindLabel: '',
    maxQty: 0,
    qty: 1,
    reason: '',
    description: '',
    photos: [],
    uploading: false,
    busy: false,
  },
  methods: {
    onLoad(query) {
      this._no = (query && query.no) || ''
      this._line = Number(query && query.line) || 0
      return this.load()
    },
    async load() {
      if (!this._no) {
        this.setData({ loading: false, error: '订单不存在' })
        return
      }
      try {
        const options = await api.afterSaleOptions(this._no)
        const lines = (options.lines || []).map((o) => ({
          id: o.line.id,
          title: o.line.title,
          specs: Object.keys(o.line.specs || {}).map((k) => o.line.specs[k]).join(' '),
          image: o.line.image,
          qty: o.line.qty,
          paid: o.line.paid_amount,
          kind: o.kind,
          maxQty: o.max_qty,
          openNo: o.open_after_sale_no,
          available: !!o.kind && o.max_qty > 0 && !o.open_after_sale_no,
        }))
        this.setData({
          loading: false,
          error: '',
          orderNo: options.order_no,
          lines,
          reasons: options.reasons || [],
          maxPhotos: options.max_photos || afterSales.MAX_PHOTOS,
        })
        const first = lines.find((l) => l.id === this._line && l.available) || lines.find((l) => l.available)
        if (first) this.choose(first)
        else this.setData({ error: '该订单暂无可申请售后的商品' })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    choose(line) {
      this.setData({
        lineId: line.id,
        kind: line.kind,
        kindLabel: afterSales.KIND_LABELS[line.kind] || '',
        maxQty: line.maxQty,
        qty: line.maxQty,
      })
    },
    onLine(e) {
      const line = this.data.lines.find((l) => l.id === Number(e.currentTarget.dataset.id))
      if (!line) return
      if (line.openNo) {
        routes.go(routes.withQuery(routes.PAGES.afterSaleDetail, { no: line.openNo })).catch(() => {})
        return
      }
      if (line.available) this.choose(line)
    },
    onMinus() {
      if (this.data.qty > 1) this.setData({ qty: this.data.qty - 1 })
    },
    onPlus() {
      if (this.data.qty < this.data.maxQty) this.setData({ qty: this.data.qty + 1 })
    },
    onReason(e) {
      this.setData({ reason: e.currentTarget.dataset.value })
    },
    onDescription(e) {
      this.setData({ description: e.detail.value })
    },
    /** Choose photos from the album or camera; each is uploaded at once (type and size checked there). */
    onAddPhoto() {
      const room = this.data.maxPhotos - this.data.photos.length
      if (room <= 0 || this.data.uploading) return Promise.resolve()
      return new Promise((resolve) => {
        wx.chooseMedia({
          count: room,
          mediaType: ['image'],
          sizeType: ['compressed'],
          success: (res) => resolve(this.upload((res.tempFiles || []).map((f) => f.tempFilePath))),
          fail: () => resolve(),
        })
      })
    },
    async upload(paths) {
      this.setData({ uploading: true })
      for (const path of paths.slice(0, this.data.maxPhotos - this.data.photos.length)) {
        try {
          const photo = await afterSales.uploadPhoto(path)
          this.setData({ photos: this.data.photos.concat([{ id: photo.id, image: photo.image }]) })
        } catch (err) {
          ui.toastError(err)
          break
        }
      }
      this.setData({ uploading: false })
    },
    onRemovePhoto(e) {
      const id = Number(e.currentTarget.dataset.id)
      this.setData({ photos: this.data.photos.filter((p) => p.id !== id) })
    },
    onPreview(e) {
      wx.previewImage({ current: e.currentTarget.dataset.src, urls: this.data.photos.map((p) => p.image) })
    },
    async onSubmit() {
      if (this.data.busy || this.data.uploading) return false
      const form = this.data
      const problem = afterSales.formError(form)
      if (problem) {
        ui.toast(problem)
        return false
      }
      this.setData({ busy: true })
      try {
        const created = await api.requestAfterSale(afterSales.requestBody(form.orderNo, form))
        ui.toast('申请已提交', 'success')
        await routes.go(routes.withQuery(routes.PAGES.afterSaleDetail, { no: created.no }), { redirect: true })
        return true
      } catch (err) {
        ui.toastError(err)
        this.setData({ busy: false })
        return false
      }
    },
  },
})
