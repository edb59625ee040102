/**
 * The topic list (F25): the merchant's scene and festival pages ("开学季必备", "出差便携套装")
 * as cover cards, in the merchant's order; a tap opens the topic. Shareable.
 */
'use strict'

const routes = require('../../core/routes')
const share = require('../../core/share')
const track = require('../../core/track')
const topics = require('../../services/topics')

const ROUTE = 'package-topic/index/index'

Component({
  data: { loading: true, error: '', topics: [] },
  methods: track.withPage(ROUTE, {
    onLoad() {
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      try {
        const rows = await topics.list()
        this.setData({ loading: false, error: '', topics: rows })
      } catch (err) {
        this.setData({ loading: false, error: err.message || '加载失败' })
      }
    },
    onRetry() {
      this.setData({ loading: true, error: '' })
      return this.load()
    },
    onOpen(e) {
      const topic = this.data.topics[Number(e.currentTarget.dataset.index)]
      if (!topic) return
      track.tap(e, ROUTE, { tool: 'topic', campaign_id: topic.id })
      routes.go(topics.pagePath(topic.slug)).catch(() => {})
    },
    onShareAppMessage() {
      return share.shareMessage({ title: '专题精选', page: routes.PAGES.topics })
    },
    onShareTimeline() {
      return share.shareTimeline({ title: '专题精选', query: {} })
    },
  }),
})
