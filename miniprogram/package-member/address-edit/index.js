/**
 * Add or edit an address (?id= to edit). Checked here before sending (receiver, an 11-digit
 * mobile number, region, detail) so the shopper sees the problem next to the form; the server
 * validates again and its field messages are shown as they come.
 */
'use strict'

const { validate } = require('../../core/address')
const api = require('../../core/api')
const ui = require('../../core/ui')

const EMPTY = { receiver: '', phone: '', province: '', city: '', district: '', detail: '', is_default: false }

Component({
  data: {
    id: null,
    form: Object.assign({}, EMPTY),
    region: [],
    saving: false,
    error: '',
  },
  methods: {
    async onLoad(query) {
      const id = query && query.id
      if (!id) return
      wx.setNavigationBarTitle({ title: '编辑地址' })
      this.setData({ id })
      try {
        const res = await api.addresses()
        const list = (res && (res.results || res)) || []
        const found = list.find((a) => String(a.id) === String(id))
        if (!found) throw new Error('地址不存在')
        const form = {}
        Object.keys(EMPTY).forEach((k) => (form[k] = found[k] === undefined || found[k] === null ? EMPTY[k] : found[k]))
        this.setData({ form, region: [form.province, form.city, form.district] })
      } catch (err) {
        this.setData({ error: err.message })
      }
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
    },
    onRegion(e) {
      const [province, city, district] = e.detail.value
      this.setData({ region: e.detail.value, 'form.province': province, 'form.city': city, 'form.district': district || '' })
    },
    /** 从微信导入: the shopper's WeChat address fills the form (their phone's own picker; nothing is sent yet). */
    importFromWechat() {
      return new Promise((resolve) => {
        wx.chooseAddress({
          success: (res) => {
            const form = Object.assign({}, this.data.form, {
              receiver: res.userName || '',
              phone: res.telNumber || '',
              province: res.provinceName || '',
              city: res.cityName || '',
              district: res.countyName || '',
              detail: [res.streetName, res.detailInfoNew || res.detailInfo].filter(Boolean).join(''),
            })
            this.setData({ form, region: [form.province, form.city, form.district] })
            resolve(true)
          },
          // the shopper closed the picker or refused: the form stays as it was
          fail: () => resolve(false),
        })
      })
    },
    onDefault(e) {
      this.setData({ 'form.is_default': !!e.detail.value })
    },
    async save() {
      if (this.data.saving) return false
      const problem = validate(this.data.form)
      if (problem) {
        ui.toast(problem)
        return false
      }
      const f = this.data.form
      const body = {
        receiver: f.receiver.trim(),
        phone: f.phone.trim(),
        province: f.province,
        city: f.city,
        district: f.district,
        detail: f.detail.trim(),
        is_default: !!f.is_default,
      }
      this.setData({ saving: true })
      try {
        if (this.data.id) await api.updateAddress(this.data.id, body)
        else await api.createAddress(body)
        this.setData({ saving: false })
        ui.toast('已保存', 'success')
        wx.navigateBack({ delta: 1 })
        return true
      } catch (err) {
        this.setData({ saving: false })
        ui.toastError(err)
        return false
      }
    },
  },
})
