/**
 * Member (F14, F15, P02): profile, tier, points balance, order shortcuts by status, addresses,
 * points history, profile editing. Reads GET me on every show (points and tier change after
 * orders); signed-out shoppers see a login button. 消息 carries the inbox's unread count (one
 * row of me/messages asked with me, so the badge costs no extra round trip of waiting).
 */
'use strict'

const api = require('../../core/api')
const auth = require('../../core/auth')
const { patch } = require('../../core/diff')
const orders = require('../../core/orders')
const routes = require('../../core/routes')
const store = require('../../core/store')

const TIER_LABELS = { normal: '普通会员', silver: '白银会员', gold: '黄金会员', diamond: '钻石会员' }

Component({
  data: {
    loggedIn: false,
    loading: true,
    error: '',
    member: null,
    tierLabel: '',
    shortcuts: orders.TABS.slice(1),
    unread: 0,
    unreadText: '',
  },
  lifetimes: {
    attached() {
      // the inbox page updates the count as messages are read
      this._unwatch = store.subscribe('unreadMessages', (n) => this.showUnread(n))
    },
    detached() {
      if (this._unwatch) this._unwatch()
    },
  },
  methods: {
    onShow() {
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!auth.isLoggedIn()) {
        try {
          await auth.ensureLogin()
        } catch (err) {
          this.setData({ loggedIn: false, loading: false, member: null })
          return
        }
      }
      this.loadUnread()
      try {
        const member = await api.me()
        store.set('member', member)
        // shown on every visit: usually nothing or only the points changed
        patch(this, {
          loggedIn: true,
          loading: false,
          error: '',
          member,
          tierLabel: TIER_LABELS[member.tier] || member.tier || '',
        })
      } catch (err) {
        this.setData({ loading: false, error: err.message, loggedIn: auth.isLoggedIn() })
      }
    },
    /** The badge on 消息; a failure leaves the last count (the inbox itself reports errors). */
    async loadUnread() {
      try {
        const res = await api.messages(1, 1)
        store.set('unreadMessages', Math.max(0, Number(res && res.unread) || 0))
      } catch (err) {
        // no badge is better than a wrong one
      }
      this.showUnread(store.get('unreadMessages'))
    },
    showUnread(n) {
      const unread = Math.max(0, Number(n) || 0)
      if (unread === this.data.unread) return
      this.setData({ unread, unreadText: unread > 99 ? '99+' : String(unread) })
    },
    onLogin() {
      routes.go(routes.PAGES.login).catch(() => {})
    },
    onOrders(e) {
      routes.go(routes.withQuery(routes.PAGES.orders, { status: e.currentTarget.dataset.status })).catch(() => {})
    },
    go(e) {
      const page = routes.PAGES[e.currentTarget.dataset.page]
      if (page) routes.go(page).catch(() => {})
    },
    onLogout() {
      auth.logout()
      this.setData({ loggedIn: false, member: null })
    },
  },
})
