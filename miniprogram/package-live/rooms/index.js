/**
 * 直播 (F24) room list: tabs 预告 / 直播中 / 回放 with their counts, each room's card with one
 * button — 开播提醒 (follow the room, asking for the reminder subscribe message in the same tap),
 * 进入直播间 / 看回放 (WeChat's live player, only when the live plugin is built in), or the
 * companion page when it is not. Tapping a card always opens the companion page.
 */
'use strict'

const liveApi = require('../../services/live')
const live = require('../../core/live')
const view = require('../view')
const routes = require('../../core/routes')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')

const EMPTY = {
  upcoming: '暂无直播预告',
  live: '现在没有直播，去看看预告吧',
  replay: '暂无回放',
}

function tabsWith(counts) {
  return live.TABS.map((t) => ({ key: t.key, label: t.label, count: counts && counts[t.key] ? counts[t.key] : 0 }))
}

Component({
  data: {
    tabs: tabsWith(null),
    active: 'live',
    rooms: [],
    loading: true,
    error: '',
    busy: false,
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
    async load() {
      const tab = this.data.active
      this.setData({ loading: true, error: '' })
      try {
        const res = await liveApi.rooms(tab)
        if (tab !== this.data.active) return // the shopper switched tabs meanwhile
        const rooms = (res.rooms || []).map(view.roomCard)
        this.setData({ tabs: tabsWith(res.counts), rooms, loading: false, emptyText: rooms.length ? '' : EMPTY[tab] })
      } catch (err) {
        this.setData({ loading: false, rooms: [], error: err.message })
      }
    },
    onTab(e) {
      const key = e.currentTarget.dataset.key
      if (key === this.data.active) return Promise.resolve()
      this.setData({ active: key, rooms: [] })
      return this.load()
    },
    onOpen(e) {
      const room = this.data.rooms[Number(e.currentTarget.dataset.index)]
      if (room) routes.go(routes.withQuery(routes.PAGES.liveRoom, { room_id: room.id })).catch(() => {})
    },
    /** The card's button. Following asks for the reminder template first, still inside the tap. */
    async onAction(e) {
      const index = Number(e.currentTarget.dataset.index)
      const room = this.data.rooms[index]
      if (!room || this.data.busy) return false
      const kind = room.action.kind
      if (kind === 'player') {
        share.rememberSrc({ src: live.roomSrc(room.id) })
        return new Promise((resolve) => wx.navigateTo({ url: live.playerUrl(room.wxRoomId, room.id), success: () => resolve(true), fail: () => resolve(false) }))
      }
      if (kind === 'open') {
        this.onOpen(e)
        return true
      }
      const asking = kind === 'follow' ? subscribe.ask(live.FOLLOW_MOMENT) : null
      this.setData({ busy: true })
      try {
        const res = kind === 'follow' ? await liveApi.follow(room.id) : await liveApi.unfollow(room.id)
        const source = room.source
        const followers = Math.max(0, (source.followers || 0) + (res.followed === source.followed ? 0 : res.followed ? 1 : -1))
        this.setData({ [`rooms[${index}]`]: view.roomCard(Object.assign({}, source, { followed: res.followed, followers })), busy: false })
        ui.toast(res.followed ? '已预约，开播前提醒你' : '已取消预约', res.followed ? 'success' : 'none')
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
