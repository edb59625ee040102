/**
 * Cart (P03): quantity stepper, select / select all, remove, live totals. Taps update the screen
 * at once (core/cart.js totals) and the server after; a refused change is rolled back with the
 * reason. Changes to one line are sent one after another, so the server ends at the last tap.
 * Only the changed paths are sent to the view ("items[2].qty").
 *
 * The price shown is the engine's (`cart/quote` over the selected rows: discounts, shipping and
 * 凑单 hints), asked again once the server has every change; until it answers — or when it
 * cannot — the bar shows the list-price sum marked 不含运费和优惠.
 */
'use strict'

const api = require('../../core/api')
const auth = require('../../core/auth')
const cartLogic = require('../../core/cart')
const routes = require('../../core/routes')
const skuLogic = require('../../core/sku')
const store = require('../../core/store')
const ui = require('../../core/ui')
const track = require('../../core/track')

const ROUTE = 'pages/cart/index'

function itemView(item) {
  return {
    id: item.id,
    sku_id: item.sku_id,
    product_id: item.product_id,
    title: item.title || '',
    image: item.image || '',
    specs: typeof item.specs === 'string' ? item.specs : skuLogic.specText(item.specs),
    price: Number(item.price) || 0,
    qty: Number(item.qty) || 1,
    stock: Math.max(0, Number(item.stock) || 0),
    selected: !!item.selected,
    available: item.available !== false && Number(item.stock) > 0,
  }
}

Component({
  data: {
    loading: true,
    loggedIn: true,
    error: '',
    items: [],
    totals: cartLogic.totals([]),
    quote: null,
    editing: false,
  },
  methods: track.withPage(ROUTE, {
    onShow() {
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!auth.isLoggedIn()) {
        try {
          await auth.ensureLogin()
        } catch (err) {
          this.setData({ loading: false, loggedIn: false, items: [], totals: cartLogic.totals([]) })
          return
        }
      }
      try {
        const cart = (await api.cart()) || {}
        await this.applyCart(cart)
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    applyCart(cart) {
      const items = (cart.items || []).map(itemView)
      this.setData({ loading: false, loggedIn: true, error: '', items, totals: cartLogic.totals(items), quote: null })
      store.set('cartCount', cartLogic.count(items))
      return this.requote()
    },
    recount() {
      const totals = cartLogic.totals(this.data.items)
      // the engine's figures belong to the selection they were asked for
      this.setData({ totals, quote: null })
      store.set('cartCount', cartLogic.count(this.data.items))
      return totals
    },
    /** Run fn after every earlier change of the same line has finished, then price the cart again. */
    queue(id, fn) {
      this._queues = this._queues || {}
      const run = (this._queues[id] || Promise.resolve()).then(fn, fn)
      this._queues[id] = run.catch(() => {})
      this._pending = (this._pending || 0) + 1
      const done = () => {
        this._pending -= 1
        if (!this._pending) this.requote()
      }
      run.then(done, done)
      return run
    },
    /**
     * Ask the engine for the selected rows' price once no change is on its way; an answer to an
     * older question (a tap came since) is dropped.
     */
    async requote() {
      const seq = (this._quoteSeq = (this._quoteSeq || 0) + 1)
      if (!this.data.totals.selectedCount) {
        this.setData({ quote: null })
        return null
      }
      try {
        const q = await api.cartQuote()
        if (seq !== this._quoteSeq || this._pending) return null
        const quote = cartLogic.quoteView(q)
        this.setData({ quote })
        return quote
      } catch (err) {
        if (seq === this._quoteSeq) this.setData({ quote: null })
        return null
      }
    },
    indexOf(id) {
      return this.data.items.findIndex((it) => String(it.id) === String(id))
    },

    setQty(id, qty) {
      const i = this.indexOf(id)
      if (i < 0) return Promise.resolve()
      const item = this.data.items[i]
      const next = skuLogic.clampQty(qty, item.stock)
      if (next === item.qty) return Promise.resolve()
      const before = item.qty
      this.setData({ [`items[${i}].qty`]: next })
      this.recount()
      return this.queue(id, () =>
        api.updateCartItem(id, { qty: next }).catch((err) => {
          const j = this.indexOf(id)
          if (j >= 0 && this.data.items[j].qty === next) {
            this.setData({ [`items[${j}].qty`]: before })
            this.recount()
          }
          ui.toastError(err)
        }),
      )
    },
    onQty(e) {
      return this.setQty(e.currentTarget.dataset.id, e.detail.value)
    },

    setSelected(id, selected) {
      const i = this.indexOf(id)
      if (i < 0) return Promise.resolve()
      this.setData({ [`items[${i}].selected`]: selected })
      this.recount()
      return this.queue(id, () =>
        api.updateCartItem(id, { selected }).catch((err) => {
          const j = this.indexOf(id)
          if (j >= 0) this.setData({ [`items[${j}].selected`]: !selected })
          this.recount()
          ui.toastError(err)
        }),
      )
    },
    onSelect(e) {
      const id = e.currentTarget.dataset.id
      const i = this.indexOf(id)
      if (i < 0 || !this.data.items[i].available) return Promise.resolve()
      return this.setSelected(id, !this.data.items[i].selected)
    },
    onSelectAll() {
      const target = !this.data.totals.allSelected
      const changes = cartLogic.selectAllChanges(this.data.items, target)
      return Promise.all(changes.map((item) => this.setSelected(item.id, target)))
    },

    toggleEdit() {
      this.setData({ editing: !this.data.editing })
    },
    async remove(id) {
      const ok = await ui.confirm('确定从购物车删除该商品吗？')
      if (!ok) return false
      try {
        await this.queue(id, () => api.removeCartItem(id))
      } catch (err) {
        ui.toastError(err)
        return false
      }
      const items = this.data.items.filter((it) => String(it.id) !== String(id))
      this.setData({ items })
      this.recount()
      await this.requote()
      return true
    },
    onRemove(e) {
      return this.remove(e.currentTarget.dataset.id)
    },
    async removeUnavailable() {
      const gone = this.data.items.filter((it) => !it.available)
      if (!gone.length) return
      const ok = await ui.confirm(`清除 ${gone.length} 件失效商品？`)
      if (!ok) return
      await Promise.all(gone.map((it) => api.removeCartItem(it.id).catch(() => null)))
      await this.load()
    },

    onOpenProduct(e) {
      routes.go(routes.withQuery(routes.PAGES.product, { id: e.currentTarget.dataset.id })).catch(() => {})
    },
    onCheckout(e) {
      track.tap(e, ROUTE)
      if (!this.data.totals.selectedCount) {
        ui.toast('请先选择要结算的商品')
        return null
      }
      return routes.go(routes.PAGES.checkout).catch(() => {})
    },
    onLogin() {
      routes.go(routes.PAGES.login).catch(() => {})
    },
    goShopping() {
      routes.go(routes.PAGES.home).catch(() => {})
    },
  }),
})
