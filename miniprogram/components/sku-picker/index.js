/**
 * SKU picker sheet: choose one value per spec (combinations that do not exist or are sold out
 * are disabled), see that combination's price and stock, pick a quantity, then 加入购物车 /
 * 立即购买 (`confirm` with {action, sku, qty}). Logic lives in core/sku.js.
 */
'use strict'

const sku = require('../../core/sku')

Component({
  options: { addGlobalClass: true },
  properties: {
    product: { type: Object, value: null },
    visible: { type: Boolean, value: false },
    // both: two buttons; cart / buy: the one action the shopper already chose
    mode: { type: String, value: 'both' },
  },
  data: { state: null, selected: [], qty: 1, image: '' },
  observers: {
    product(p) {
      if (!p) return
      this._model = sku.buildModel(p)
      const selected = sku.initialSelection(this._model)
      this.setData({ image: (p.images && p.images[0]) || '', qty: 1 })
      this.apply(selected)
    },
  },
  methods: {
    apply(selected) {
      const state = sku.pickerState(this._model, selected)
      const qty = sku.clampQty(this.data.qty, state.stock)
      this.setData({ selected, state, qty })
      this.triggerEvent('change', {
        sku: state.sku,
        text: state.complete ? sku.specText(state.sku ? state.sku.key : selected) : '',
        missing: state.missing,
      })
      return state
    },
    onSelect(e) {
      const { index, value, disabled } = e.currentTarget.dataset
      if (disabled) return
      this.apply(sku.toggle(this.data.selected, Number(index), value))
    },
    onQty(e) {
      const stock = this.data.state ? this.data.state.stock : 1
      this.setData({ qty: sku.clampQty(e.detail.value, stock) })
    },
    onConfirm(e) {
      const action = e.currentTarget.dataset.action || this.data.mode
      const state = this.data.state
      if (!state) return
      if (!state.complete) {
        wx.showToast({ title: `请选择 ${state.missing.join('、')}`, icon: 'none' })
        return
      }
      if (!state.sku || state.sku.stock <= 0) {
        wx.showToast({ title: '该规格已售罄', icon: 'none' })
        return
      }
      this.triggerEvent('confirm', { action, sku: state.sku, qty: this.data.qty })
    },
    onVisibleChange(e) {
      if (!e.detail.visible) this.triggerEvent('close')
    },
    onClose() {
      this.triggerEvent('close')
    },
  },
})
