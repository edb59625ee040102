/**
 * 秒杀 (F02 整点秒杀, F12 限量发售, F11 countdowns): today's and tomorrow's slots as tabs with
 * their state (即将开始 / 抢购中 / 已抢光 / 已结束), one countdown on the server's clock to the
 * open slot's next edge, the slot's items with "已抢 X%", and the button each item allows:
 * 马上抢 → the checkout with the deal {kind: 'flash', ref: item id}; 到货提醒 / 预约补货 when sold
 * out (a reservation: notified first come first served on restock). 限量发售 is the second
 * switch. States move on with the clock between requests (core/flash.js); at each edge the
 * list is asked again for the server's counts. One request per screen (the answer carries
 * server_time); a slider appears over the page when the server asks for one.
 */
'use strict'

const api = require('../../core/api')
const deals = require('../../core/deals')
const flash = require('../../core/flash')
const routes = require('../../core/routes')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')
const track = require('../../core/track')

const ROUTE = 'package-flash/index/index'

Component({
  data: {
    mode: 'slot', // 'slot' (整点秒杀) | 'release' (限量发售)
    loading: true,
    error: '',
    tabs: [],
    current: -1,
    items: [],
    target: null,
    edgeLabel: '',
    reservingId: 0,
    skeletonRows: [1, 2, 3],
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this._wantedSlot = q.slot ? Number(q.slot) : null
      if (q.mode === 'release') this.setData({ mode: 'release' })
      this.trackProps = { tool: q.mode === 'release' ? 'release' : 'flash', campaign_id: this._wantedSlot || undefined } // F37
      subscribe.load().catch(() => {}) // ready before the 到货提醒 tap (F48)
      return this.load()
    },
    onShow() {
      // back from the checkout: counts moved
      if (this._loaded) return this.load()
      return Promise.resolve()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    async load() {
      if (!this.data.tabs.length) this.setData({ loading: true })
      try {
        const res = this.data.mode === 'release' ? await api.flashReleases() : await api.flashSlots()
        this._loaded = true
        this._slots = this.data.mode === 'release' ? [{ label: '', slots: (res && res.releases) || [] }] : (res && res.days) || []
        this.show(this._wantedSlot)
        this._wantedSlot = null
        this.setData({ loading: false, error: '' })
        return true
      } catch (err) {
        this.setData({ loading: false, error: err.message })
        return false
      }
    },

    slotAt(index) {
      let n = 0
      for (const day of this._slots || []) {
        for (const slot of day.slots || []) {
          if (n === index) return slot
          n += 1
        }
      }
      return null
    },

    /** Tabs and the open slot's items; keeps the shopper's tab unless told which one. */
    show(slotId) {
      const { tabs, current: suggested } = flash.slotTabs(this._slots)
      let current = suggested
      const wanted = slotId || (this.data.current >= 0 && this.data.tabs[this.data.current] ? this.data.tabs[this.data.current].id : null)
      const found = wanted ? tabs.findIndex((t) => t.id === wanted) : -1
      if (found >= 0) current = found
      this.setData(Object.assign({ tabs, current }, this.slotPayload(tabs, current)))
      this.markReserved()
    },

    /**
     * The lists do not say who is waiting for a restock: ask the open slot's sold-out items
     * (a slot has at most 3) and show 已预约 on those this shopper reserved.
     */
    markReserved() {
      const items = this.data.items
      const asks = items.map((item, index) => {
        if (item.state !== 'sold_out' || item.reserved) return null
        return api.flashItem(item.id).then(
          (res) => (res && res.item && res.item.reserved ? index : -1),
          () => -1,
        )
      })
      const pending = asks.filter(Boolean)
      if (!pending.length) return Promise.resolve(0)
      const ids = items.map((i) => i.id).join(',')
      return Promise.all(asks.map((a) => a || Promise.resolve(-1))).then((found) => {
        if (this.data.items.map((i) => i.id).join(',') !== ids) return 0 // the shopper moved on
        const payload = {}
        found.forEach((index) => {
          if (index < 0) return
          payload[`items[${index}].reserved`] = true
          payload[`items[${index}].button`] = { action: 'unreserve', text: '已预约' }
        })
        if (Object.keys(payload).length) this.setData(payload)
        return Object.keys(payload).length / 2
      })
    },

    slotPayload(tabs, current) {
      const tab = tabs[current]
      const slot = this.slotAt(current)
      if (!tab || !slot) return { items: [], target: null, edgeLabel: '' }
      return {
        items: (slot.items || []).map((item) => flash.itemView(item, tab.state, slot.kind)),
        target: tab.target,
        edgeLabel: tab.state === 'upcoming' ? '距开抢' : tab.target ? '距结束' : '',
      }
    },

    onMode(e) {
      const mode = e.currentTarget.dataset.mode
      if (mode === this.data.mode) return Promise.resolve()
      this.setData({ mode, tabs: [], current: -1, items: [], target: null })
      return this.load()
    },
    onTab(e) {
      const current = Number(e.currentTarget.dataset.index)
      if (current === this.data.current) return
      this.setData(Object.assign({ current }, this.slotPayload(this.data.tabs, current)))
    },
    /** The open slot started or ended: move the states on now, then ask for the counts. */
    onEdge() {
      this.show()
      return this.load()
    },

    onBuy(e) {
      const item = this.data.items[Number(e.currentTarget.dataset.index)]
      if (!item || item.button.action !== 'buy') return Promise.resolve(false)
      return routes.go(deals.checkoutUrl({ skuId: item.skuId, qty: 1, kind: 'flash', ref: item.id })).then(
        () => true,
        () => false,
      )
    },

    async onReserve(e) {
      const index = Number(e.currentTarget.dataset.index)
      const item = this.data.items[index]
      if (!item || item.button.action !== 'reserve' || this.data.reservingId) return false
      this.setData({ reservingId: item.id })
      // the restock message needs the shopper's grant: asked inside the tap (F48)
      await subscribe.ask('restock_reserve')
      try {
        await api.flashReserve(item.id)
        this.setData({ reservingId: 0, [`items[${index}].reserved`]: true, [`items[${index}].button`]: { action: 'unreserve', text: '已预约' } })
        ui.toast('已预约，补货后第一时间通知您')
        return true
      } catch (err) {
        this.setData({ reservingId: 0 })
        ui.toastError(err)
        return false
      }
    },

    /** 已预约 tapped: stop waiting (asked first; harmless when not waiting). */
    async onUnreserve(e) {
      const index = Number(e.currentTarget.dataset.index)
      const item = this.data.items[index]
      if (!item || !item.reserved || this.data.reservingId) return false
      if (!(await ui.confirm('取消到货提醒？'))) return false
      this.setData({ reservingId: item.id })
      try {
        await api.flashCancelReservation(item.id)
        this.setData({ reservingId: 0, [`items[${index}].reserved`]: false, [`items[${index}].button`]: flash.itemView({ state: 'sold_out' }, 'live', this.slotAt(this.data.current).kind).button })
        return true
      } catch (err) {
        this.setData({ reservingId: 0 })
        ui.toastError(err)
        return false
      }
    },

    onItem(e) {
      const item = this.data.items[Number(e.currentTarget.dataset.index)]
      if (item) routes.go(routes.withQuery(routes.PAGES.product, { id: item.productId })).catch(() => {})
    },

    onShareAppMessage() {
      const tab = this.data.tabs[this.data.current]
      return share.shareMessage({
        title: this.data.mode === 'release' ? '限量发售，手慢无' : `整点秒杀 ${tab ? tab.time : ''} 场`,
        page: routes.PAGES.flash,
        query: { slot: tab && tab.id, mode: this.data.mode === 'release' ? 'release' : undefined },
      })
    },
  }),
})
