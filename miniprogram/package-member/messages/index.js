/**
 * 消息 (the shopper's inbox): what the shop's tools told this shopper — a restock, a group that
 * formed or failed, a bargain helped, a commission settled (GET me/messages, newest first,
 * paged on scroll, with the unread count). Tapping a message marks it read (POST
 * me/messages/read {ids}) and opens its link when it names a page of ours; 全部已读 marks
 * every message (no ids). The unread count is kept in the store for the badge on 我的.
 */
'use strict'

const api = require('../../core/api')
const { dateTimeText } = require('../../core/countdown')
const routes = require('../../core/routes')
const store = require('../../core/store')
const ui = require('../../core/ui')

function messageView(m) {
  return {
    id: m.id,
    title: m.title || '消息',
    body: m.body || '',
    time: dateTimeText(m.created_at),
    read: !!m.read,
    // only pages of this mini-program open; anything else is shown as text
    link: typeof m.link === 'string' && m.link.charAt(0) === '/' ? m.link : '',
  }
}

Component({
  data: { loading: true, error: '', messages: [], unread: 0, page: 0, hasMore: true, marking: false },
  methods: {
    onLoad() {
      return this.fetch(1)
    },
    onPullDownRefresh() {
      return this.fetch(1).then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },

    setUnread(n) {
      const unread = Math.max(0, Number(n) || 0)
      store.set('unreadMessages', unread)
      return unread
    },

    async fetch(page) {
      this.setData({ loading: true })
      try {
        const res = (await api.messages(page)) || {}
        const list = res.results || []
        const offset = page === 1 ? 0 : this.data.messages.length
        const payload = { loading: false, error: '', page, hasMore: !!res.next, unread: this.setUnread(res.unread) }
        // a later page appends by index: the rows already drawn are not sent again
        if (page === 1) payload.messages = list.map(messageView)
        else list.forEach((m, i) => (payload[`messages[${offset + i}]`] = messageView(m)))
        this.setData(payload)
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },

    async onTap(e) {
      const index = Number(e.currentTarget.dataset.index)
      const message = this.data.messages[index]
      if (!message) return
      if (!message.read) {
        // drawn read at once; the server's answer sets the exact unread count
        this.setData({ [`messages[${index}].read`]: true, unread: Math.max(0, this.data.unread - 1) })
        try {
          const res = await api.readMessages([message.id])
          this.setData({ unread: this.setUnread(res && res.unread) })
        } catch (err) {
          this.setData({ [`messages[${index}].read`]: false, unread: this.data.unread + 1 })
          ui.toastError(err)
          return
        }
      }
      if (message.link) routes.go(message.link).catch(() => {})
    },

    async onReadAll() {
      if (!this.data.unread || this.data.marking) return
      this.setData({ marking: true })
      try {
        const res = await api.readMessages()
        const payload = { marking: false, unread: this.setUnread(res && res.unread) }
        this.data.messages.forEach((m, i) => {
          if (!m.read) payload[`messages[${i}].read`] = true
        })
        this.setData(payload)
      } catch (err) {
        this.setData({ marking: false })
        ui.toastError(err)
      }
    },
  },
})
