/**
 * A live room's companion page (F24): the room (status, time, 进入直播间 / 看回放 when the live
 * plugin is built in, the replay video when it is not), follow for the 开播提醒, the room's goods,
 * its 整点秒杀 slots with a countdown to the hour, its 评论抽奖 (send the keyword within the
 * window, my entry and result, the winners with the revealed seed re-computed on this phone),
 * and its 粉丝专属价 (bought through the deal seam with the room's share token).
 *
 * Opened from the room list (?room_id=), from the room's share card (?room_id=&share=<token>&
 * src=live:<id>), or from a subscribe message. A share token is kept for the fan price; coming
 * through a share card, entering the player or taking one of the room's deals makes the order
 * that follows the room's (src=live:<id>).
 */
'use strict'

const liveApi = require('../../services/live')
const countdown = require('../../core/countdown')
const deals = require('../../core/deals')
const live = require('../../core/live')
const money = require('../../core/money')
const view = require('../view')
const routes = require('../../core/routes')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')

Component({
  data: {
    loading: true,
    error: '',
    busy: false,
    room: null,
    replay: null,
    goods: [],
    slots: [],
    lotteries: [],
    proofs: {},
    fanItems: [],
    fanNote: '',
    keywords: {},
  },
  methods: {
    onLoad(query) {
      const q = share.launchParams(query)
      this._id = Number(q.room_id || q.id)
      const token = q.share || q.token
      if (token) live.rememberShare(this._id, token)
      // a share card (or a message) names the room: the order that follows is the room's
      share.rememberSrc(q.src ? q : { src: token ? live.roomSrc(this._id) : '' })
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
        const detail = await liveApi.room(this._id, live.shareToken(this._id))
        if (detail.server_time) countdown.syncServerTime(detail.server_time)
        this.render(detail)
        await this.loadProofs(detail.lotteries || [])
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    render(detail) {
      this._detail = detail
      const room = detail.room
      const card = view.roomCard(room)
      const at = countdown.now()
      const enterUrl = view.enterUrl(room)
      const replay = !live.pluginOn() && room.status === 'replay' && detail.replays.length ? detail.replays[0] : null
      wx.setNavigationBarTitle({ title: room.name || '直播间' })
      let fanNote = ''
      if (detail.fan_prices.length && !detail.fan_price_open) {
        fanNote = !detail.followed ? '关注直播间，并通过直播间的分享链接进入，即可享粉丝专属价' : '粉丝专属价需通过直播间的分享链接进入'
      }
      this.setData({
        loading: false,
        error: '',
        room: Object.assign(card, {
          enterText: enterUrl ? (room.status === 'live' ? '进入直播间' : '看回放') : '',
          followText: detail.followed ? '已关注' : room.status === 'upcoming' ? '开播提醒' : '关注直播间',
          followed: detail.followed,
          pluginOffText: !enterUrl && room.status === 'live' ? '直播进行中：本小程序暂未开通直播观看，可在这里参与秒杀和抽奖' : '',
        }),
        replay: replay ? { url: replay.media_url, text: `回放有效期至 ${replay.expire_time.slice(0, 16)}` } : null,
        goods: detail.goods
          .filter((g) => g.product_id)
          .map((g) => ({ key: g.id, productId: g.product_id, name: g.name, image: g.cover_img, priceText: money.price(g.price) })),
        slots: detail.flash_slots.map((slot) => view.slotView(slot, at)),
        lotteries: detail.lotteries.map((l) => view.lotteryView(l, at)),
        fanItems: detail.fan_prices.map((item) => view.fanItemView(item, detail)),
        fanNote,
      })
    },
    /** Drawn lotteries: the winners and the proof, checked on this phone (best effort). */
    async loadProofs(lotteries) {
      const drawn = lotteries.filter((l) => l.state === 'drawn')
      const proofs = {}
      await Promise.all(
        drawn.map(async (l) => {
          try {
            const [detail, ids] = await Promise.all([liveApi.lottery(l.id), liveApi.lotteryEntryIds(l.id)])
            proofs[l.id] = view.proofView(detail, ids.entry_ids)
          } catch (err) {
            proofs[l.id] = null
          }
        })
      )
      if (drawn.length) this.setData({ proofs })
    },
    onEnter() {
      const room = this._detail && this._detail.room
      const url = view.enterUrl(room)
      if (!url) return false
      share.rememberSrc({ src: live.roomSrc(room.id) })
      wx.navigateTo({ url, fail: () => ui.toast('暂时无法进入直播间') })
      return true
    },
    /** Follow / unfollow; following asks for the 开播提醒 template within the tap. */
    async onFollow() {
      const room = this.data.room
      if (!room || this.data.busy) return false
      const asking = room.followed ? null : subscribe.ask(live.FOLLOW_MOMENT)
      this.setData({ busy: true })
      let ok = true
      try {
        const res = room.followed ? await liveApi.unfollow(room.id) : await liveApi.follow(room.id)
        ui.toast(res.followed ? '已关注，开播前提醒你' : '已取消关注', res.followed ? 'success' : 'none')
      } catch (err) {
        ok = false
        ui.toastError(err)
      }
      this.setData({ busy: false })
      if (asking) await asking
      await this.load()
      return ok
    },
    onGoods(e) {
      const goods = this.data.goods[Number(e.currentTarget.dataset.index)]
      if (goods) routes.go(routes.withQuery(routes.PAGES.product, { id: goods.productId, src: live.roomSrc(this._id) })).catch(() => {})
    },
    onSlot(e) {
      const slot = this.data.slots[Number(e.currentTarget.dataset.index)]
      if (!slot) return
      share.rememberSrc({ src: live.roomSrc(this._id) })
      routes.go(slot.url).catch(() => {})
    },
    /** A slot or a lottery window opened or closed on the clock: ask the room again. */
    onEdge() {
      return this.load()
    },
    onKeyword(e) {
      this.setData({ [`keywords.${e.currentTarget.dataset.id}`]: e.detail.value })
    },
    /** 发送 the keyword: one entry per shopper, inside the window (the server decides both). */
    async onSend(e) {
      const id = Number(e.currentTarget.dataset.id)
      const lottery = this.data.lotteries.find((l) => l.id === id)
      if (!lottery || !lottery.canEnter || this.data.busy) return false
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
        ui.toast(item.action.kind === 'need_link' ? '粉丝专属价需通过直播间的分享链接进入' : '粉丝专属价已抢完')
        return false
      }
      share.rememberSrc({ src: live.roomSrc(this._id) })
      const params = { token: live.shareToken(this._id) }
      routes.go(deals.checkoutUrl({ skuId: item.skuId, qty: 1, kind: live.FAN_DEAL, ref: item.id, params })).catch(() => {})
      return true
    },
    onFanProduct(e) {
      const item = this.data.fanItems[Number(e.currentTarget.dataset.index)]
      if (item) routes.go(routes.withQuery(routes.PAGES.product, { id: item.productId, src: live.roomSrc(this._id) })).catch(() => {})
    },
    /**
     * The share card carries the room's signed token, asked from the server when the shopper
     * shares (WeChat waits for `promise` up to 3 s, then uses the card as it is).
     */
    onShareAppMessage() {
      const room = this.data.room
      const card = { title: room ? room.name : '直播间', path: view.sharePath(this._id, live.shareToken(this._id), share.sharerQuery()) }
      if (room && room.cover) card.imageUrl = room.cover
      const promise = liveApi.share(this._id).then(
        (res) => Object.assign({}, card, { title: res.title || card.title, path: view.sharePath(this._id, res.token, share.sharerQuery()) }),
        () => card
      )
      return Object.assign({}, card, { promise })
    },
  },
})
