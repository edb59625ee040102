/**
 * 我的种草 (F23): the shopper's own posts with their review state — 审核中, 已发布 (opens the post),
 * 未通过 with the merchant's reason — paged on scroll; 删除 after a confirm (a published post
 * leaves the feed, and any 优质内容 points it earned are taken back by the server). 发布 opens
 * compose; coming back from it the list is asked again.
 */
'use strict'

const community = require('../../services/community')
const { mineRow } = require('../../core/community')
const paging = require('../../core/paging')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

Component({
  data: { posts: [], postsLoading: false, postsMore: true, postsError: '', deleting: 0 },
  methods: {
    onLoad() {
      this.pager = paging.create(this, { key: 'posts', view: mineRow, fetch: ({ page, cursor }) => community.mine({ page, cursor }) })
    },
    onShow() {
      // a post just composed, or one reviewed since
      return this.pager.reload()
    },
    onPullDownRefresh() {
      return this.pager.reload().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      return this.pager.more()
    },
    onOpen(e) {
      const post = this.data.posts[Number(e.currentTarget.dataset.index)]
      if (!post) return
      if (post.open) routes.go(routes.withQuery(routes.PAGES.communityPost, { id: post.id })).catch(() => {})
      else if (post.status === 'pending') ui.toast('审核中，通过后可查看')
    },
    async onDelete(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (this.data.deleting) return false
      if (!(await ui.confirm('删除后不可恢复，确定删除这篇种草吗？'))) return false
      this.setData({ deleting: id })
      try {
        await community.deletePost(id)
        this.setData({ deleting: 0, posts: this.data.posts.filter((p) => p.id !== id) })
        ui.toast('已删除', 'success')
        return true
      } catch (err) {
        this.setData({ deleting: 0 })
        ui.toastError(err)
        return false
      }
    },
    onCompose() {
      routes.go(routes.PAGES.communityCompose).catch(() => {})
    },
  },
})
