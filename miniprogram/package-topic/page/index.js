/**
 * A topic page (F25): the campaign page of the topic, drawn by components/page-blocks from one
 * request (GET pages/{slug}). Its page views carry tool=topic and the page id (the console's topic
 * report counts them), opening it makes the topic the source of the next order, and the share
 * card reopens this topic with the sharer's codes.
 */
'use strict'

const routes = require('../../core/routes')
const share = require('../../core/share')
const track = require('../../core/track')
const topics = require('../../services/topics')

const ROUTE = 'package-topic/page/index'

Component({
  data: { loading: true, error: '', page: null, slug: '' },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      // the sharer's codes in the query were remembered by app.js at launch
      const q = share.launchParams(query)
      this.setData({ slug: String(q.slug || q.id || '') })
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!this.data.slug) {
        this.setData({ loading: false, error: '专题不存在' })
        return
      }
      try {
        const page = await topics.open(this.data.slug)
        this.trackProps = { tool: 'topic', campaign_id: page.id }
        this.setData({ loading: false, error: '', page })
        wx.setNavigationBarTitle({ title: page.title })
      } catch (err) {
        this.setData({ loading: false, error: err.status === 404 ? '专题已结束，去看看别的吧' : err.message || '加载失败' })
      }
    },
    onTopics(e) {
      track.tap(e, ROUTE)
      routes.go(routes.PAGES.topics).catch(() => {})
    },
    shareCard() {
      const page = this.data.page || {}
      return { title: page.share_title || page.title, query: { slug: page.slug || this.data.slug } }
    },
    onShareAppMessage() {
      const card = this.shareCard()
      return share.shareMessage({ title: card.title, page: routes.PAGES.topic, query: card.query })
    },
    onShareTimeline() {
      return share.shareTimeline(this.shareCard())
    },
  }),
})
