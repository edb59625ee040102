/**
 * 发布种草 (F23 compose): text (≤ 1000 characters), up to 9 pictures or one video
 * (core/compose-media.js: chosen with wx.chooseMedia, pictures compressed with wx.compressImage,
 * each uploaded at once with its own progress bar; a failed one is retried by a tap), the
 * products the shopper bought and has not posted about yet (`invitable`, `?product_id=` comes
 * preselected from an order), topics, then 发布 → the post waits for review (审核中) and the
 * shopper lands on 我的种草.
 */
'use strict'

const community = require('../../services/community')
const media = require('../../core/compose-media')
const { TEXT_MAX } = require('../../core/community')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

// the API's limits (community_post_create), said here before a wasted round trip
const MAX_TOPICS = 3
const MAX_PRODUCTS = 5

let tileSeq = 0

Component({
  data: {
    text: '',
    textMax: TEXT_MAX,
    items: [],
    canAdd: true,
    topics: [],
    products: [],
    submitting: false,
    submitted: false,
  },
  methods: {
    onLoad(query) {
      this._preselect = String((query && query.product_id) || '')
      return Promise.all([this.loadTopics(), this.loadProducts()])
    },
    async loadTopics() {
      try {
        const res = (await community.topics()) || []
        this.setData({ topics: (Array.isArray(res) ? res : res.results || []).map((t) => ({ id: t.id, name: t.name, selected: false })) })
      } catch (err) {
        // a post without a topic is still a post
      }
    },
    async loadProducts() {
      try {
        const res = (await community.invitable()) || []
        const rows = Array.isArray(res) ? res : res.results || []
        this.setData({
          products: rows.map((p) => ({ id: p.product_id, title: p.title || '', image: p.image || '', selected: String(p.product_id) === this._preselect })),
        })
      } catch (err) {
        ui.toastError(err)
      }
    },

    onText(e) {
      this.setData({ text: e.detail.value })
    },

    // --- media ----------------------------------------------------------------------------
    async onAdd() {
      const files = await media.choose(this.data.items)
      const refused = files.find((f) => f.problem)
      if (refused) ui.toast(refused.problem)
      const tiles = files
        .filter((f) => !f.problem)
        .map((f) => ({ key: `m${++tileSeq}`, path: f.path, kind: f.kind, size: f.size, preview: f.kind === 'video' ? f.thumb : f.path, progress: 0, state: 'waiting', id: null }))
      if (!tiles.length) return []
      const items = this.data.items.concat(tiles)
      this.setData({ items, canAdd: media.room(items).count > 0 })
      // one at a time: each bar moves on its own and a weak network isn't split nine ways
      for (const tile of tiles) await this.upload(tile.key)
      return tiles.map((t) => t.key)
    },
    indexOf(key) {
      return this.data.items.findIndex((i) => i.key === key)
    },
    async upload(key) {
      let index = this.indexOf(key)
      if (index < 0) return false
      const tile = this.data.items[index]
      this.setData({ [`items[${index}].state`]: 'uploading', [`items[${index}].progress`]: 0 })
      try {
        const row = await media.send(tile, community.uploadMedia, (percent) => {
          const i = this.indexOf(key)
          if (i >= 0 && percent !== this.data.items[i].progress) this.setData({ [`items[${i}].progress`]: percent })
        })
        index = this.indexOf(key) // removed while it uploaded: nothing to mark
        if (index >= 0) this.setData({ [`items[${index}].state`]: 'done', [`items[${index}].progress`]: 100, [`items[${index}].id`]: row.id })
        return true
      } catch (err) {
        index = this.indexOf(key)
        if (index >= 0) this.setData({ [`items[${index}].state`]: 'failed' })
        ui.toastError(err)
        return false
      }
    },
    onTile(e) {
      const index = Number(e.currentTarget.dataset.index)
      const tile = this.data.items[index]
      if (!tile) return Promise.resolve(false)
      if (tile.state === 'failed') return this.upload(tile.key)
      if (tile.kind === 'image') wx.previewImage({ urls: this.data.items.filter((i) => i.kind === 'image').map((i) => i.path), current: tile.path })
      return Promise.resolve(false)
    },
    onRemove(e) {
      const items = this.data.items.filter((i) => i.key !== e.currentTarget.dataset.key)
      this.setData({ items, canAdd: media.room(items).count > 0 })
    },

    // --- products and topics ------------------------------------------------------------------
    onProduct(e) {
      const index = Number(e.currentTarget.dataset.index)
      const product = this.data.products[index]
      if (!product) return
      if (!product.selected && this.data.products.filter((p) => p.selected).length >= MAX_PRODUCTS) {
        ui.toast(`最多关联 ${MAX_PRODUCTS} 件商品`)
        return
      }
      this.setData({ [`products[${index}].selected`]: !product.selected })
    },
    onTopic(e) {
      const index = Number(e.currentTarget.dataset.index)
      const topic = this.data.topics[index]
      if (!topic) return
      if (!topic.selected && this.data.topics.filter((t) => t.selected).length >= MAX_TOPICS) {
        ui.toast(`最多选择 ${MAX_TOPICS} 个话题`)
        return
      }
      this.setData({ [`topics[${index}].selected`]: !topic.selected })
    },

    // --- submit -------------------------------------------------------------------------------
    problem() {
      const text = (this.data.text || '').trim()
      if (!text) return '写点种草心得吧'
      if (text.length > TEXT_MAX) return `正文不能超过 ${TEXT_MAX} 字`
      if (this.data.items.some((i) => i.state === 'uploading' || i.state === 'waiting')) return '图片还在上传，请稍候'
      if (this.data.items.some((i) => i.state === 'failed')) return '有文件上传失败，请点击重试或删除'
      return ''
    },
    async onSubmit() {
      if (this.data.submitting || this.data.submitted) return false
      const problem = this.problem()
      if (problem) {
        ui.toast(problem)
        return false
      }
      this.setData({ submitting: true })
      try {
        await community.createPost({
          text: this.data.text.trim(),
          media_ids: this.data.items.map((i) => i.id),
          product_ids: this.data.products.filter((p) => p.selected).map((p) => p.id),
          topic_ids: this.data.topics.filter((t) => t.selected).map((t) => t.id),
        })
        this.setData({ submitting: false, submitted: true })
        ui.toast('已发布，审核中', 'success')
        routes.go(routes.PAGES.communityMine, { redirect: true }).catch(() => {})
        return true
      } catch (err) {
        this.setData({ submitting: false })
        ui.toastError(err)
        return false
      }
    },
  },
})
