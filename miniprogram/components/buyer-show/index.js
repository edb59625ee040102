/**
 * 买家秀 on the product page (F23): the three most engaging published posts about this product
 * (GET community/feed?product_id=…&limit=3), asked only once the product itself is on screen, so
 * the product's first screen stays one request. Nothing is drawn when there are none or the
 * feed can't be had: the product page never waits on, or fails with, the community.
 */
'use strict'

const community = require('../../services/community')
const { postCard } = require('../../core/community')
const reactions = require('../../core/reactions')
const routes = require('../../core/routes')

const LIMIT = 3

Component({
  options: { addGlobalClass: true },
  properties: {
    productId: { type: null, value: null },
  },
  data: { posts: [], loaded: false },
  observers: {
    productId(id) {
      if (id) this.load(id)
    },
  },
  methods: {
    async load(id) {
      const seq = (this._seq = (this._seq || 0) + 1)
      try {
        const res = (await community.feed({ product_id: id, sort: 'recommended', limit: LIMIT })) || {}
        if (seq !== this._seq) return
        this.setData({ posts: (res.results || []).slice(0, LIMIT).map(postCard), loaded: true })
      } catch (err) {
        if (seq === this._seq) this.setData({ posts: [], loaded: true })
      }
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
    onMore() {
      routes.go(routes.withQuery(routes.PAGES.communityFeed, { product_id: this.data.productId })).catch(() => {})
    },
  },
})
