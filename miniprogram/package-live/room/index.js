/**
 * A live room's companion page (F24): the room (status, time, 进入直播间 / 看回放 when the live
 * plugin is built in), follow for the 开播提醒, the room's 整点秒杀 slots with a countdown to the
 * hour, its 评论抽奖 (send the keyword within the window, my entry, the winners with the
 * revealed seed checked on the phone), and its 粉丝专属价 items (bought through the deal seam
 * with the room's share token, which only the room's share link carries).
 *
 * Opened from the room list, from the room's share card (?id=&token=&src=live:<id>), or from a
 * subscribe message. A share link's token is kept for the fan price, and its src for the order.
 */
'use strict'

const liveApi = require('../../services/live')
const countdown = require('../../core/countdown')
const deals = require('../../core/deals')
const live = require('../../core/live')
const routes = require('../../core/routes')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')

const REMIND_MOMENT = 'live_remind'

Component({
  data: {
    loading: true,
    error: '',
    busy: false,
    room: null,
    slots: [],
    lotteries: [],
    fanItems: [],
    keywords: {},
  },
  methods: {
    onLoad(query) {
      const q = share.launchParams(query)
      this._id = Number(q.id)
      if (q.token) live.rememberShare(this._id, q.token)
      // a share card or a message names the room: the order that follows is the room's
      share.rememberSrc(q.src ? q : { src: q.token ? live.roomSrc(this._id) : '' })
      subscribe.load().catch(() => {})
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    async load() {
      if (!(this._id > 0)) {
        this.setData({ loading: false, error: '直播间不存在' })
        return
      }
      try {
        const detail = await liveApi.room(this._id)
        if (detail.server_time) countdown.syncServerTime(detail.server_time)
        this.render(detail)
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    render(detail) {
      this._detail = detail
      const room = detail.room || detail
      const card = live.roomCard(room)
      const token = live.shareToken(room.id)
      const at = countdown.now()
      wx.setNavigationBarTitle({ title: room.name || '直播间' })
      this.setData({
        loading: false,
        error: '',
        room: Object.assign(card, {
          following: !!room.following,
          enterText: live.enterUrl(room) ? (room.status === 'live' ? '进入直播间' : '看回放') : '',
          followText: room.following ? '已关注' : room.status === 'upcoming' ? '开播提醒' : '关注直播间',
          pluginOffText: !live.pluginOn() && (room.status === 'live' || room.status === 'replay') ? '请在微信中搜索本店小程序直播间观看' : '',
        }),
        slots: (detail.flash_slots || []).map((slot) => live.slotView(slot, at)),
        lotteries: (detail.lotteries || []).map((l) => live.lotteryView(l, at)),
        fanItems: (detail.fan_prices || []).map((item) => live.fanItemView(item, room, token)),
      })
    },
    onEnter() {
      const room = this._detail && (this._detail.room || this._detail)
      const url = live.enterUrl(room)
      if (!url) return false
      share.rememberSrc({ src: live.roomSrc(room.id) })
      wx.navigateTo({ url, fail: () => ui.toast('暂时无法进入直播间') })
      return true
    },
    /** Follow / unfollow; following asks for the 开播提醒 template within the tap. */
    async onFollow() {
      const room = this.data.room
      if (!room || this.data.busy) return false
      const asking = room.following ? null : subscribe.ask(REMIND_MOMENT)
      this.setData({ busy: true })
      try {
        if (room.following) await liveApi.unfollow(room.id)
        else await liveApi.follow(room.id)
        ui.toast(room.following ? '已取消关注' : '已关注，开播前提醒你', room.following ? 'none' : 'success')
      } catch (err) {
        ui.toastError(err)
      }
      this.setData({ busy: false })
      if (asking) await asking
      await this.load()
      return true
    },
    onSlot(e) {
      const slot = this.data.slots[Number(e.currentTarget.dataset.index)]
      if (!slot) return
      share.rememberSrc({ src: live.roomSrc(this._id) })
      routes.go(slot.url).catch(() => {})
    },
    /** A slot opened or ended on the clock: ask the room again (the server's word on it). */
    onSlotEdge() {
      return this.load()
    },
    onKeyword(e) {
      this.setData({ [`keywords.${e.currentTarget.dataset.id}`]: e.detail.value })
    },
    /** 发送 the keyword: one entry per shopper, inside the window (the server decides both). */
    async onSend(e) {
      const id = Number(e.currentTarget.dataset.id)
      const lottery = this.data.lotteries.find((l) => l.id === id)
      if (!lottery || lottery.state !== 'open' || lottery.entered || this.data.busy) return false
      const keyword = String(this.data.keywords[id] || '').trim()
      if (!keyword) {
        ui.toast(`请输入口令「${lottery.keyword}」`)
        return false
      }
      this.setData({ busy: true })
      let ok = true
      try {
        await liveApi.enterLottery(id, keyword)
        ui.toast('已参与抽奖，等待开奖', 'success')
        this.setData({ [`keywords.${id}`]: '' })
      } catch (err) {
        ok = false
        ui.toastError(err)
      }
      this.setData({ busy: false })
      await this.load()
      return ok
    },
    /** A fan-price item: buy through the deal seam with the room's share token, or say what is missing. */
    onFan(e) {
      const item = this.data.fanItems[Number(e.currentTarget.dataset.index)]
      if (!item) return false
      if (item.action.kind === 'follow') return this.onFollow()
      if (item.action.kind !== 'buy') {
        ui.toast(item.action.text)
        return false
      }
      share.rememberSrc({ src: live.roomSrc(this._id) })
      const token = live.shareToken(this._id)
      routes.go(deals.checkoutUrl({ skuId: item.skuId, qty: 1, kind: live.FAN_DEAL, ref: item.id, params: { token } })).catch(() => {})
      return true
    },
    onProduct(e) {
      const item = this.data.fanItems[Number(e.currentTarget.dataset.index)]
      if (item) routes.go(routes.withQuery(routes.PAGES.product, { id: item.productId, src: live.roomSrc(this._id) })).catch(() => {})
    },
    /** The share card carries the room's signed token (asked from the server), so friends get the fan price. */
    onShareAppMessage() {
      const room = this.data.room
      const token = this._shareToken || ''
      return {
        title: room ? room.name : '直播间',
        path: live.sharePath(this._id, token, share.sharerQuery()),
        imageUrl: room && room.cover ? room.cover : undefined,
      }
    },
  },
})
