/**
 * A 种草 post (F23): its pictures (swiper, tap to enlarge) or video, the author, text and topics,
 * the products it is about — 已购 when the author bought them, each opening the product page —,
 * 点赞 / 收藏, the comments (paged) with a box to add one, and 举报 with a reason. New comments
 * are checked like posts: one that waits for review is said so, not shown as if published.
 */
'use strict'

const community = require('../../services/community')
const { postDetail, commentRow, REPORT_REASONS, COMMENT_MAX } = require('../../core/community')
const paging = require('../../core/paging')
const routes = require('../../core/routes')
const share = require('../../core/share')
const track = require('../../core/track')
const ui = require('../../core/ui')
const reactions = require('../../core/reactions')

const ROUTE = 'package-community/post/index'
const ZERO = { like: '点赞', favourite: '收藏' }

Component({
  data: {
    loading: true,
    error: '',
    post: null,
    current: 0,
    comments: [],
    commentsLoading: false,
    commentsMore: true,
    commentsError: '',
    draft: '',
    sending: false,
    reasons: REPORT_REASONS,
    commentMax: COMMENT_MAX,
    reportOpen: false,
    reportReason: '',
    reportText: '',
    reporting: false,
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      this._id = query && query.id
      this.pager = paging.create(this, { key: 'comments', view: commentRow, fetch: ({ page, cursor }) => community.comments(this._id, { page, cursor }) })
      return this.load()
    },
    async load() {
      if (!this._id) {
        this.setData({ loading: false, error: '内容不存在或已删除' })
        return
      }
      try {
        const post = await community.post(this._id)
        this.setData({ loading: false, error: '', post: postDetail(post) })
        await this.pager.reload()
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    onReachBottom() {
      return this.pager.more()
    },
    onSwiper(e) {
      this.setData({ current: e.detail.current })
    },
    onPreview(e) {
      const images = this.data.post.images
      wx.previewImage({ urls: images, current: images[Number(e.currentTarget.dataset.index)] })
    },
    onProduct(e) {
      routes.go(routes.withQuery(routes.PAGES.product, { id: e.currentTarget.dataset.id })).catch(() => {})
    },
    onTopic(e) {
      routes.go(routes.withQuery(routes.PAGES.communityFeed, { topic: e.currentTarget.dataset.slug })).catch(() => {})
    },
    onReact(e) {
      const kind = e.currentTarget.dataset.kind
      if (!this.data.post || !ZERO[kind]) return Promise.resolve(false)
      return reactions.toggle(this, 'post', this.data.post, kind, ZERO[kind])
    },

    // --- comments ---------------------------------------------------------------------------
    onDraft(e) {
      this.setData({ draft: e.detail.value })
    },
    async onSend() {
      const text = (this.data.draft || '').trim()
      if (this.data.sending) return false
      if (!text) {
        ui.toast('说点什么吧')
        return false
      }
      this.setData({ sending: true })
      try {
        const comment = await community.comment(this._id, text)
        // oldest first: a new comment goes last; under review it shows 审核中 to its author only
        const payload = { sending: false, draft: '', [`comments[${this.data.comments.length}]`]: commentRow(comment) }
        if (comment.status === 'published') {
          payload['post.commentCount'] = this.data.post.commentCount + 1
          payload['post.commentText'] = String(this.data.post.commentCount + 1)
          ui.toast('评论成功', 'success')
        } else {
          ui.toast('评论已提交，审核通过后对所有人展示')
        }
        this.setData(payload)
        return true
      } catch (err) {
        this.setData({ sending: false })
        ui.toastError(err)
        return false
      }
    },

    // --- report -----------------------------------------------------------------------------
    onReportOpen() {
      this.setData({ reportOpen: true, reportReason: '', reportText: '' })
    },
    onReportClose() {
      this.setData({ reportOpen: false })
    },
    onReason(e) {
      this.setData({ reportReason: e.currentTarget.dataset.value })
    },
    onReportText(e) {
      this.setData({ reportText: e.detail.value })
    },
    async onReport() {
      if (this.data.reporting) return false
      if (!this.data.reportReason) {
        ui.toast('请选择举报原因')
        return false
      }
      this.setData({ reporting: true })
      try {
        await community.report(this._id, this.data.reportReason, (this.data.reportText || '').trim())
        this.setData({ reporting: false, reportOpen: false })
        ui.toast('已收到举报，我们会尽快处理', 'success')
        return true
      } catch (err) {
        this.setData({ reporting: false })
        ui.toastError(err)
        return false
      }
    },
    noop() {},

    onShareAppMessage() {
      const p = this.data.post || {}
      track.track('share', { page: ROUTE })
      return share.shareMessage({ title: (p.text || '种草社区').slice(0, 30), page: routes.PAGES.communityPost, query: { id: p.id }, imageUrl: (p.images && p.images[0]) || '' })
    },
  }),
})
