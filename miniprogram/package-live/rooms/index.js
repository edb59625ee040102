/**
 * 直播 (F24) room list: tabs 预告 / 直播中 / 回放, each room's card with one button — 开播提醒
 * (follow the room, asking for the live reminder subscribe message in the same tap), 进入直播间
 * / 看回放 (WeChat's live player, only when the live plugin is built in), or the companion page
 * when it is not. Tapping a card always opens the companion page (deals, 抽奖, replay info).
 */
'use strict'

const liveApi = require('../../services/live')
const live = require('../../core/live')
const routes = require('../../core/routes')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')

// the subscribe-message moment the server maps to the 开播提醒 template
const REMIND_MOMENT = 'live_remind'

Component({
  data: {
    tabs: live.TABS,
    active: 'live',
    rooms: [],
    loading: true,
    error: '',
    busy: false,
    page: 0,
    hasMore: false,
    emptyText: '',
  },
  methods: {
    onLoad(query) {
      const tab = live.TABS.find((t) => t.key === (query && query.tab))
      if (tab) this.setData({ active: tab.key })
      subscribe.load().catch(() => {})
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.loading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },
    load() {
      this.setData({ rooms: [], page: 0, hasMore: false, error: '' })
      return this.fetch(1)
    },
    async fetch(page) {
      const status = this.data.active
      this.setData({ loading: true })
      try {
        const res = await liveApi.rooms(status, page)
        if (status !== this.data.active) return // the shopper switched tabs meanwhile
        const list = Array.isArray(res) ? res : (res && res.results) || []
        const cards = list.map(live.roomCard)
        const rooms = page === 1 ? cards : this.data.rooms.concat(cards)
        this.setData({
          rooms,
          page,
          hasMore: !Array.isArray(res) && !!(res && res.next),
          loading: false,
          emptyText: rooms.length ? '' : EMPTY[status],
        })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    onTab(e) {
      const key = e.currentTarget.dataset.key
      if (key === this.data.active) return Promise.resolve()
      this.setData({ active: key })
      return this.load()
    },
    onOpen(e) {
      const room = this.data.rooms[Number(e.currentTarget.dataset.index)]
      if (room) routes.go(routes.withQuery(routes.PAGES.liveRoom, { id: room.id })).catch(() => {})
    },
    /** The card's button; follow asks for the reminder first, still inside the tap. */
    async onAction(e) {
      const index = Number(e.currentTarget.dataset.index)
      const room = this.data.rooms[index]
      if (!room || this.data.busy) return false
      const kind = room.action.kind
      if (kind === 'player') {
        const url = live.playerUrl(room.roomid, room.id)
        share.rememberSrc({ src: live.roomSrc(room.id) })
        return new Promise((resolve) => wx.navigateTo({ url, success: () => resolve(true), fail: () => resolve(false) }))
      }
      if (kind === 'open') {
        this.onOpen(e)
        return true
      }
      const asking = kind === 'follow' ? subscribe.ask(REMIND_MOMENT) : null
      this.setData({ busy: true })
      try {
        const res = kind === 'follow' ? await liveApi.follow(room.id) : await liveApi.unfollow(room.id)
        const following = res ? !!res.following : kind === 'follow'
        const card = live.roomCard(Object.assign({}, room.source, { following, follower_count: res && res.follower_count !== undefined ? res.follower_count : room.followers }))
        this.setData({ [`rooms[${index}]`]: card, busy: false })
        ui.toast(following ? '已预约，开播前提醒你' : '已取消预约', following ? 'success' : 'none')
        if (asking) await asking
        return true
      } catch (err) {
        this.setData({ busy: false })
        ui.toastError(err)
        return false
      }
    },
    onShareAppMessage() {
      return share.shareMessage({ title: '直播间 · 多营商城', page: routes.PAGES.liveRooms, query: { tab: this.data.active } })
    },
  },
})

const EMPTY = {
  upcoming: '暂无直播预告',
  live: '现在没有直播，去看看预告吧',
  replay: '暂无回放',
}
