/**
 * 种草社区 feed (F23): tabs 推荐 (engaging posts first, the server's ranking) / 最新, topic chips,
 * two columns of cards paged on scroll (core/paging.js), 点赞 / 收藏 on each card without opening
 * it, 发布 to compose. `?topic=<slug>` opens on a topic; `?product_id=` shows one product's posts
 * (the product page's 买家秀 → 查看全部).
 */
'use strict'

const community = require('../../services/community')
const { postCard } = require('../../core/community')
const paging = require('../../core/paging')
const routes = require('../../core/routes')
const share = require('../../core/share')
const track = require('../../core/track')
const reactions = require('../../core/reactions')

const ROUTE = 'package-community/feed/index'
const TABS = [
  { value: 'recommended', label: '推荐' },
  { value: 'recent', label: '最新' },
]
const PAGE_SIZE = 10

Component({
  data: {
    tabs: TABS,
    sort: 'recommended',
    topics: [],
    topic: '',
    productId: '',
    posts: [],
    postsLoading: false,
    postsMore: true,
    postsError: '',
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this.setData({ topic: q.topic || '', productId: q.product_id || '', sort: q.sort === 'recent' ? 'recent' : 'recommended' })
      this.pager = paging.create(this, {
        key: 'posts',
        view: postCard,
        fetch: ({ cursor }) =>
          community.feed({ sort: this.data.sort, topic: this.data.topic, product_id: this.data.productId, limit: PAGE_SIZE, cursor }),
      })
      return Promise.all([this.loadTopics(), this.pager.reload()])
    },
    async loadTopics() {
      try {
        const topics = (await community.topics()) || []
        this.setData({ topics: (Array.isArray(topics) ? topics : topics.results || []).map((t) => ({ slug: t.slug, name: t.name })) })
      } catch (err) {
        // the chips are a shortcut: the feed works without them
      }
    },
    onPullDownRefresh() {
      return this.pager.reload().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      return this.pager.more()
    },
    onTab(e) {
      const sort = e.currentTarget.dataset.value
      if (sort === this.data.sort) return Promise.resolve(false)
      this.setData({ sort })
      return this.pager.reload()
    },
    onTopic(e) {
      const topic = e.currentTarget.dataset.slug || ''
      if (topic === this.data.topic) return Promise.resolve(false)
      this.setData({ topic })
      return this.pager.reload()
    },
    onOpen(e) {
      const post = this.data.posts[Number(e.detail.index)]
      if (post) routes.go(routes.withQuery(routes.PAGES.communityPost, { id: post.id })).catch(() => {})
    },
    onLike(e) {
      const index = Number(e.detail.index)
      const post = this.data.posts[index]
      return post ? reactions.toggle(this, `posts[${index}]`, post, 'like', '赞') : Promise.resolve(false)
    },
    onFavourite(e) {
      const index = Number(e.detail.index)
      const post = this.data.posts[index]
      return post ? reactions.toggle(this, `posts[${index}]`, post, 'favourite', '') : Promise.resolve(false)
    },
    onCompose() {
      routes.go(routes.PAGES.communityCompose).catch(() => {})
    },
    onMine() {
      routes.go(routes.PAGES.communityMine).catch(() => {})
    },
    onShareAppMessage() {
      return share.shareMessage({ title: '种草社区 · 看看大家都在买什么', page: routes.PAGES.communityFeed, query: { topic: this.data.topic } })
    },
  }),
})
