/**
 * Product (F40, P01): the first screen from ONE request (GET products/{id}): gallery, price
 * range, tags, sales, description, the SKU picker over spec_names/spec_matrix with price and stock
 * per combination, 加入购物车 and 立即购买. The marketing tools attach through the detail's own
 * offer fields (below), not a generic activity list.
 *
 * F11: a running 限时折扣 (`limited_discount` on the detail) shows as a band under the gallery —
 * the discounted price, the rate, the struck list price and a countdown to its end on server
 * time (the detail carries `server_time`); when it ends the page asks for the product again, so
 * the price it shows is never one that has expired. 拼团 and 砍价 campaigns of the product
 * (`group_buy`, `bargain` on the detail) show as entries that open their pages.
 */
'use strict'

const api = require('../../core/api')
const offers = require('../../core/offers')
const routes = require('../../core/routes')
const share = require('../../core/share')
const store = require('../../core/store')
const ui = require('../../core/ui')
const track = require('../../core/track')
const topics = require('../../services/topics')

const ROUTE = 'pages/product/index'

function summary(detail) {
  const skus = detail.skus || []
  const inStock = skus.filter((s) => Number(s.stock) > 0)
  // the range a shopper can actually buy at; all SKUs when everything is sold out
  const prices = (inStock.length ? inStock : skus).map((s) => Number(s.price) || 0)
  const stock = (detail.skus || []).reduce((sum, s) => sum + Math.max(0, Number(s.stock) || 0), 0)
  return {
    id: detail.id,
    title: detail.title || '',
    subtitle: detail.subtitle || '',
    description: detail.description || '',
    images: detail.images || [],
    tags: detail.tags || [],
    sales: detail.sales_count || 0,
    category: detail.category || null,
    minPrice: prices.length ? Math.min.apply(null, prices) : null,
    maxPrice: prices.length ? Math.max.apply(null, prices) : null,
    soldOut: stock <= 0,
    onShelf: detail.is_on_shelf !== false,
    freeShipping: detail.free_shipping === true,
  }
}

Component({
  data: {
    loading: true,
    error: '',
    product: null,
    detail: null,
    limited: null,
    dealEntries: [],
    pickerVisible: false,
    pickerMode: 'both',
    chosenText: '',
    swiperIndex: 0,
    cartCount: 0,
    adding: false,
    skeleton: {
      gallery: [{ width: '750rpx', height: '750rpx' }],
    },
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      this._id = query && query.id
      // opened from a live room's goods (custom_params) or a link with src: the order is the room's
      share.rememberSrc(query)
      this.setData({ cartCount: store.get('cartCount') || 0 })
      return this.load()
    },
    async load() {
      if (!this._id) {
        this.setData({ loading: false, error: '商品不存在' })
        return
      }
      try {
        const detail = await api.product(this._id)
        const product = summary(detail)
        this.trackProps = { product_id: detail.id } // the page view counts for this product (F38)
        this.setData({
          loading: false,
          error: '',
          product,
          detail,
          limited: offers.limitedDiscountView(detail.limited_discount, this.listPriceOf(detail)),
          dealEntries: offers.dealEntries(detail),
        })
        wx.setNavigationBarTitle({ title: product.title.slice(0, 16) || '商品详情' })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    /** The shelf price the discount is struck from: the discounted SKU's, else the lowest. */
    listPriceOf(detail) {
      const offer = detail.limited_discount
      const skus = detail.skus || []
      const sku = offer && skus.find((s) => s.id === offer.sku_id)
      if (sku) return sku.price
      const prices = skus.map((s) => Number(s.price) || 0)
      return prices.length ? Math.min.apply(null, prices) : 0
    },
    /** The discount ended (or started): the price changed, ask again. */
    onOfferEnd() {
      return this.load()
    },
    /**
     * 去开团 / 发起砍价 / 马上抢: the tool's page for this product's campaign. A live flash item is
     * asked first (the badge on a cached page does not know whether units are left): units left →
     * the checkout with the deal; sold out → its slot on the flash page, where it can be reserved.
     */
    async onDealEntry(e) {
      const entry = this.data.dealEntries[Number(e.currentTarget.dataset.index)]
      if (!entry) return null
      let url = entry.url
      if (entry.kind === 'flash' && entry.flashRef && entry.action === '马上抢') {
        try {
          const res = await api.flashItem(entry.flashRef)
          const item = (res && res.item) || {}
          if (item.state !== 'live' || !(Number(item.remaining) > 0)) {
            ui.toast(item.state === 'sold_out' ? '手慢了，已抢光' : item.state_label || '秒杀已结束')
            url = routes.withQuery(routes.PAGES.flash, { slot: res && res.slot && res.slot.id })
          }
        } catch (err) {
          // the checkout will say why if the unit cannot be had
        }
      }
      return routes.go(url).then(() => url, () => null)
    },
    onSwiper(e) {
      this.setData({ swiperIndex: e.detail.current })
    },
    onPreview(e) {
      const images = this.data.product.images
      wx.previewImage({ urls: images, current: images[Number(e.currentTarget.dataset.index)] })
    },
    openPicker(e) {
      const mode = (e && e.currentTarget && e.currentTarget.dataset.mode) || 'both'
      this.setData({ pickerVisible: true, pickerMode: mode })
    },
    closePicker() {
      this.setData({ pickerVisible: false })
    },
    onSkuChange(e) {
      if (e.detail.text !== this.data.chosenText) this.setData({ chosenText: e.detail.text })
    },
    async onConfirm(e) {
      const { action, sku, qty } = e.detail
      if (action === 'buy') {
        this.setData({ pickerVisible: false })
        return routes.go(routes.withQuery(routes.PAGES.checkout, { sku_id: sku.id, qty })).catch(() => {})
      }
      return this.addToCart(sku, qty)
    },
    async addToCart(sku, qty) {
      if (this.data.adding) return null
      this.setData({ adding: true })
      try {
        await api.addToCart(sku.id, qty)
        const cartCount = (store.get('cartCount') || 0) + qty
        store.set('cartCount', cartCount)
        this.setData({ adding: false, pickerVisible: false, cartCount })
        track.track('add_to_cart', Object.assign({ page: ROUTE, product_id: this.data.product && this.data.product.id, sku_id: sku.id, quantity: qty }, topics.funnelProps()))
        ui.toast('已加入购物车', 'success')
        return true
      } catch (err) {
        this.setData({ adding: false })
        ui.toastError(err)
        return false
      }
    },
    goCart() {
      routes.go(routes.PAGES.cart).catch(() => {})
    },
    goHome() {
      routes.go(routes.PAGES.home).catch(() => {})
    },
    onShareAppMessage() {
      // the sharer's invite code and, for a promoter, pc=CODE: the friend's orders pay them (F06)
      const p = this.data.product || {}
      track.track('share', { page: ROUTE, product_id: p.id })
      return share.shareMessage({ title: p.title || '多营商城', page: routes.PAGES.product, query: { id: p.id }, imageUrl: (p.images && p.images[0]) || '' })
    },
    onShareTimeline() {
      const p = this.data.product || {}
      return share.shareTimeline({ title: p.title, query: { id: p.id }, imageUrl: (p.images && p.images[0]) || '' })
    },
  }),
})
