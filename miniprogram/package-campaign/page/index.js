/**
 * A campaign page (F26): any published page by its address (?slug=618, or ?id=), drawn from the
 * block components in one request. Shared cards carry the page and the sharer's codes.
 */
'use strict'

const pages = require('../../services/pages')
const routes = require('../../core/routes')
const share = require('../../core/share')
const track = require('../../core/track')

const ROUTE = 'package-campaign/page/index'

Component({
  data: { loading: true, error: '', page: null, key: '' },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      // the sharer's codes in the query were remembered by app.js at launch
      const q = share.launchParams(query)
      this.setData({ key: String(q.slug || q.id || '') })
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!this.data.key) {
        this.setData({ loading: false, error: '页面不存在' })
        return
      }
      try {
        const page = await pages.page(this.data.key)
        this.setData({ loading: false, error: '', page })
        wx.setNavigationBarTitle({ title: page.title })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    shareCard() {
      const page = this.data.page || {}
      return { title: page.share_title || page.title, page: routes.PAGES.campaign, query: { slug: page.slug || this.data.key } }
    },
    onShareAppMessage() {
      return share.shareMessage(this.shareCard())
    },
    onShareTimeline() {
      const card = this.shareCard()
      return share.shareTimeline({ title: card.title, query: card.query })
    },
  }),
})
