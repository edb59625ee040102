/**
 * Addresses (P02): list, set default, delete, edit, add. Opened with ?select=1 from checkout, a
 * tap on an address sends it back through the opener's event channel (`select`) and returns.
 */
'use strict'

const api = require('../../core/api')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

Component({
  data: {
    loading: true,
    error: '',
    addresses: [],
    selecting: false,
  },
  methods: {
    onLoad(query) {
      this.setData({ selecting: !!(query && query.select) })
    },
    onShow() {
      return this.load()
    },
    async load() {
      try {
        const res = await api.addresses()
        const list = (res && (res.results || res)) || []
        this.setData({ loading: false, error: '', addresses: list })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    find(id) {
      return this.data.addresses.find((a) => String(a.id) === String(id))
    },
    onPick(e) {
      const address = this.find(e.currentTarget.dataset.id)
      if (!address) return
      if (!this.data.selecting) {
        this.onEdit(e)
        return
      }
      const channel = this.getOpenerEventChannel && this.getOpenerEventChannel()
      if (channel && channel.emit) channel.emit('select', address)
      wx.navigateBack({ delta: 1 })
    },
    onEdit(e) {
      routes.go(routes.withQuery(routes.PAGES.addressEdit, { id: e.currentTarget.dataset.id })).catch(() => {})
    },
    onAdd() {
      routes.go(routes.PAGES.addressEdit).catch(() => {})
    },
    async onDefault(e) {
      const id = e.currentTarget.dataset.id
      try {
        await api.setDefaultAddress(id)
        await this.load()
        return true
      } catch (err) {
        ui.toastError(err)
        return false
      }
    },
    async onDelete(e) {
      const id = e.currentTarget.dataset.id
      if (!(await ui.confirm('确定删除该地址吗？'))) return false
      try {
        await api.deleteAddress(id)
        this.setData({ addresses: this.data.addresses.filter((a) => String(a.id) !== String(id)) })
        return true
      } catch (err) {
        ui.toastError(err)
        return false
      }
    },
  },
})
