/**
 * A promotion's page (满减, 满赠, 第N件, 买A送B, 限时折扣, 阶梯价), opened from the marketing
 * centre (F46): the rule in words, 距结束 / 距开始 counting down on the server's clock, and the
 * products the rule reaches (the same scope the checkout prices with), paged on scroll.
 */
'use strict'

const api = require('../../core/api')
const routes = require('../../core/routes')
const share = require('../../core/share')

const PAGE_SIZE = 20

Component({
  data: {
    loading: true,
    error: '',
    promotion: null,
    target: null,
    edgeLabel: '',
    products: [],
    count: 0,
    page: 0,
    hasMore: false,
    loadingList: false,
    skeletonRows: [1, 2],
  },
  methods: {
    onLoad(query) {
      this._id = Number((query || {}).id)
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loadingList) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },

    async load() {
      if (!this._id) {
        this.setData({ loading: false, error: '活动不存在' })
        return false
      }
      this.setData({ loading: !this.data.promotion })
      const ok = await this.fetch(1)
      this.setData({ loading: false })
      return ok
    },

    /** One page of products; page 1 also brings the promotion's header and the server time. */
    async fetch(page) {
      this.setData({ loadingList: true })
      try {
        const res = await api.promotion(this._id, { page, page_size: PAGE_SIZE })
        const results = (res.products && res.products.results) || []
        const payload = {
          page,
          count: res.products ? res.products.count : 0,
          hasMore: page * PAGE_SIZE < (res.products ? res.products.count : 0),
          loadingList: false,
          error: '',
        }
        if (page === 1) {
          const upcoming = res.state === 'upcoming'
          Object.assign(payload, {
            promotion: {
              name: res.name,
              kindLabel: res.kind_label,
              ruleText: res.rule_text,
              stateLabel: res.state_label,
              scopeText: res.whole_shop ? '全场商品可用' : `共 ${res.products.count} 件商品参加`,
              limitText: res.per_user_limit ? `每人限享 ${res.per_user_limit} 次` : '',
            },
            target: upcoming ? res.starts_at : res.ends_at,
            edgeLabel: upcoming ? '距开始' : '距结束',
            products: results,
          })
          wx.setNavigationBarTitle({ title: res.name })
        } else {
          // append by index paths: only the new cards cross the bridge
          const offset = this.data.products.length
          results.forEach((p, i) => (payload[`products[${offset + i}]`] = p))
        }
        this.setData(payload)
        return true
      } catch (err) {
        this.setData({ loadingList: false, error: err.message })
        return false
      }
    },

    /** The countdown reached its edge: an upcoming promotion starts, a running one ends. */
    onEdge() {
      return this.load()
    },

    onShareAppMessage() {
      const p = this.data.promotion
      return share.shareMessage({
        title: p ? `${p.name}｜${p.ruleText}` : '多营商城',
        page: routes.withQuery(routes.PAGES.promotion, { id: this._id }),
      })
    },
    onShareTimeline() {
      const p = this.data.promotion
      return share.shareTimeline({ title: p ? `${p.name}｜${p.ruleText}` : '', query: { id: this._id } })
    },
  },
})
