/**
 * Home (F26, F40, F46): ONE request (GET home). When the merchant published a home page it comes
 * in `page` and components/page-blocks draws it; else the standard first screen (banners, top
 * categories, hot, new, server_time, and the marketing centre when the server sends one). A skeleton shows
 * while it loads. Marketing entries open through core/routes.js, so flash sale, group buy and
 * the other tools plug in by registering their pages there.
 */
'use strict'

const api = require('../../core/api')
const marketing = require('../../core/marketing')
const routes = require('../../core/routes')
const share = require('../../core/share')
const store = require('../../core/store')
const track = require('../../core/track')

const ROUTE = 'pages/home/index'

Component({
  data: {
    loading: true,
    error: '',
    banners: [],
    categories: [],
    hot: [],
    fresh: [],
    centre: null,
    page: null,
    skeleton: {
      banner: [{ width: '702rpx', height: '300rpx', borderRadius: '16rpx' }],
      grid: [
        [{ type: 'circle', size: '88rpx' }, { type: 'circle', size: '88rpx' }, { type: 'circle', size: '88rpx' }, { type: 'circle', size: '88rpx' }, { type: 'circle', size: '88rpx' }],
        [1, 1, 1, 1, 1],
      ],
    },
  },
  methods: track.withPage(ROUTE, {
    onLoad() {
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const home = (await api.home()) || {}
        if (home.page) {
          this.setData({ loading: false, error: '', page: home.page })
          return
        }
        this.setData({
          loading: false,
          error: '',
          banners: home.banners || [],
          categories: home.categories || [],
          hot: home.hot || [],
          fresh: home.new || [],
          centre: marketing.centreFrom(home),
          page: null,
        })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    onRetry() {
      this.setData({ loading: true, error: '' })
      return this.load()
    },
    onBanner(e) {
      const banner = this.data.banners[Number(e.currentTarget.dataset.index)]
      if (!banner) return
      track.tap(e, ROUTE, { product_id: banner.product_id })
      // a banner is a product's (HomeBanner: product_id, title, image)
      if (banner.product_id) routes.go(routes.withQuery(routes.PAGES.product, { id: banner.product_id })).catch(() => {})
    },
    openCategory(id, q) {
      // the category page is a tab: switchTab drops queries, so the intent goes through the store
      store.set('categoryIntent', { category: id || '', q: q || '' })
      routes.go(routes.PAGES.category).catch(() => {})
      return true
    },
    onCategory(e) {
      track.tap(e, ROUTE)
      this.openCategory(e.currentTarget.dataset.id)
    },
    onSearch(e) {
      const query = ((e.detail && e.detail.value) || '').trim()
      if (query) track.track('search', { page: ROUTE, query: query.slice(0, 64) })
      this.openCategory('', query)
    },
    onTopics(e) {
      track.tap(e, ROUTE)
      routes.go(routes.PAGES.topics).catch(() => {})
    },
    onMarketingOpen(e) {
      const target = routes.marketingTarget(e.detail.item)
      if (target) routes.go(target).catch(() => {})
    },
    onShareAppMessage() {
      // the sharer's invite code, and promoter code when they are one (core/share.js)
      const page = this.data.page
      return share.shareMessage({ title: (page && page.share_title) || '多营商城', page: routes.PAGES.home })
    },
  }),
})
