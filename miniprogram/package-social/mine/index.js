/**
 * 我的拼团 / 我的砍价: the shopper's groups (status "还差 N 人成团", the paid members' avatars,
 * what they paid) and bargains (current price, progress), newest first, paged on scroll
 * (GET me/groups, me/bargains). A row opens its page; an open group or bargain can be shared
 * from there.
 */
'use strict'

const api = require('../../core/api')
const { dateTimeText } = require('../../core/countdown')
const money = require('../../core/money')
const routes = require('../../core/routes')
const social = require('../../core/social')

const TABS = [
  { value: 'groups', label: '我的拼团' },
  { value: 'bargains', label: '我的砍价' },
]

const VIEWS = {
  groups: (g) => ({
    key: `g-${g.group_id}`,
    id: g.group_id,
    title: g.title || g.campaign_name || '',
    image: g.image || '',
    state: g.status_text || social.GROUP_STATUS[g.status] || '',
    sub: `${g.size}人团 · ${g.is_leader ? '我是团长' : '我参团'} · 实付 ${money.price(g.paid_amount)}`,
    avatars: (g.avatars || []).slice(0, 5),
    active: g.status === 'open' || g.status === 'pending',
  }),
  bargains: (b) => ({
    key: `b-${b.id}`,
    id: b.id,
    title: b.title || b.campaign_name || '',
    image: b.image || '',
    state: b.progress_text || social.BARGAIN_STATUS[b.status] || '',
    sub: `当前价 ${money.price(b.current_price)} · ${b.helps_count} 人帮砍 · ${dateTimeText(b.expires_at)} 截止`,
    avatars: [],
    active: b.status === 'ongoing' || b.status === 'reached',
  }),
}

const FETCH = { groups: (page) => api.myGroups(page), bargains: (page) => api.myBargains(page) }

Component({
  data: { tabs: TABS, tab: 'groups', rows: [], page: 0, hasMore: true, loading: true, error: '' },
  methods: {
    onLoad(query) {
      const tab = query && query.tab === 'bargains' ? 'bargains' : 'groups'
      this.setData({ tab })
      return this.fetch(1)
    },
    onPullDownRefresh() {
      return this.fetch(1).then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },
    onTab(e) {
      const tab = e.currentTarget.dataset.value
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab, rows: [], page: 0, hasMore: true })
      return this.fetch(1)
    },
    async fetch(page) {
      const tab = this.data.tab
      this.setData({ loading: true })
      try {
        const res = (await FETCH[tab](page)) || {}
        if (tab !== this.data.tab) return
        const list = (res.results || []).map(VIEWS[tab])
        const offset = page === 1 ? 0 : this.data.rows.length
        const payload = { loading: false, error: '', page, hasMore: !!res.next }
        if (page === 1) payload.rows = list
        else list.forEach((r, i) => (payload[`rows[${offset + i}]`] = r))
        this.setData(payload)
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    onOpen(e) {
      const row = this.data.rows[Number(e.currentTarget.dataset.index)]
      if (!row) return
      const page = this.data.tab === 'groups' ? routes.PAGES.group : routes.PAGES.bargain
      routes.go(routes.withQuery(page, { id: row.id })).catch(() => {})
    },
  },
})
