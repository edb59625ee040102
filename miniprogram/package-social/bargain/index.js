/**
 * 砍价 (F05). One page, three ways in:
 *   ?campaign=ID  the campaign: start price, floor (免费拿 at 0), helpers needed; 发起砍价 →
 *                 POST bargains/campaigns/{id}/start (an open bargain of mine comes back instead).
 *   ?id=N         my bargain: current price, "再砍 ¥X 即可免费拿" with the bar, the countdown, the
 *                 friends who helped and what each cut; 邀请好友帮砍 (share); 立即购买 at the current
 *                 price → the checkout with the deal the API hands me ({kind: 'bargain', ref: id}).
 *   ?token=T      a friend's share card: 帮TA砍一刀 → POST bargains/share/{token}/help (throttled
 *                 and guarded: the slider appears when asked for), then "你帮TA砍掉了 ¥X" and my
 *                 own 我也要砍 entry to the campaign.
 */
'use strict'

const api = require('../../core/api')
const deals = require('../../core/deals')
const routes = require('../../core/routes')
const share = require('../../core/share')
const social = require('../../core/social')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')
const money = require('../../core/money')
const track = require('../../core/track')

const ROUTE = 'package-social/bargain/index'

Component({
  data: {
    loading: true,
    error: '',
    mode: '', // 'campaign' | 'bargain'
    campaign: null,
    bargain: null,
    starting: false,
    helping: false,
    justCut: '',
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this._query = { campaign: q.campaign, token: q.token, id: q.id }
      this.trackProps = { tool: 'bargain', campaign_id: Number(q.campaign) || undefined } // F37 dwell and funnel
      subscribe.load().catch(() => {}) // ready before the 发起砍价 tap (F48)
      return this.load()
    },
    onShow() {
      if (this._loaded) return this.load()
      return Promise.resolve()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    async load() {
      const q = this._query || {}
      try {
        if (q.token || q.id) {
          const b = q.token ? await api.bargainByToken(q.token) : await api.bargain(q.id)
          this.showBargain(b)
        } else if (q.campaign) {
          const c = await api.bargainCampaign(q.campaign)
          if (c.my_bargain_id) {
            // already bargaining in this campaign: my bargain is the page
            this._query = { id: c.my_bargain_id }
            this.showBargain(await api.bargain(c.my_bargain_id))
          } else {
            this.setData({ loading: false, error: '', mode: 'campaign', campaign: this.campaignView(c) })
          }
        } else {
          this.setData({ loading: false, error: '砍价不存在' })
        }
        this._loaded = true
        return true
      } catch (err) {
        this.setData({ loading: false, error: err.message })
        return false
      }
    },
    showBargain(b) {
      this.setData({ loading: false, error: '', mode: 'bargain', bargain: social.bargainView(b) })
    },
    campaignView(c) {
      return {
        id: c.id,
        title: c.title || '',
        image: c.image || '',
        productId: c.product_id,
        startText: money.price(c.start_price),
        listText: Number(c.list_price) > Number(c.start_price) ? money.price(c.list_price) : '',
        floorText: Number(c.floor_price) > 0 ? `砍到 ${money.price(c.floor_price)}` : '砍到 0 元免费拿',
        helpersText: `约 ${c.helpers_min}–${c.helpers_max} 位好友帮砍`,
        hours: Math.round(((Number(c.duration_minutes) || 0) / 60) * 10) / 10,
        soldOut: !!c.sold_out,
        isOpen: c.is_open !== false && !c.sold_out,
        remainingText: c.remaining_quantity !== null && c.remaining_quantity !== undefined ? `剩余 ${c.remaining_quantity} 件` : '',
        helperNewOnly: !!c.helper_new_only,
        freeShipping: c.free_shipping === true,
      }
    },

    async onStart() {
      const c = this.data.campaign
      if (!c || !c.isOpen || this.data.starting) return false
      this.setData({ starting: true })
      // 砍价成功 / 砍价结束 need the shopper's grant: asked inside the tap (F48)
      await subscribe.ask('bargain_start')
      try {
        const b = await api.bargainStart(c.id)
        this._query = { id: b.id }
        this.setData({ starting: false })
        this.showBargain(b)
        ui.toast('砍价已发起，快邀请好友帮砍')
        return true
      } catch (err) {
        this.setData({ starting: false })
        ui.toastError(err)
        return false
      }
    },

    async onHelp() {
      const b = this.data.bargain
      if (!b || !b.canHelp || this.data.helping) return false
      this.setData({ helping: true })
      try {
        const res = await api.bargainHelp(b.shareToken)
        this.setData({ helping: false, justCut: money.price(res.cut) })
        this.showBargain(res.bargain)
        ui.toast(`帮TA砍掉了 ${money.price(res.cut)}`)
        return true
      } catch (err) {
        this.setData({ helping: false })
        ui.toastError(err)
        // the bargain may have moved on (closed, already helped): show it as it is now
        this.load()
        return false
      }
    },

    onBuy() {
      const b = this.data.bargain
      if (!b || !b.canBuy) return Promise.resolve(false)
      return routes.go(deals.checkoutUrl({ skuId: b.skuId, qty: 1, kind: b.deal.kind, ref: b.deal.ref, params: b.deal.params })).then(() => true, () => false)
    },
    /** A friend who just helped may start their own. */
    onMine() {
      const b = this.data.bargain
      if (b && b.campaignId) routes.go(routes.withQuery(routes.PAGES.bargain, { campaign: b.campaignId })).catch(() => {})
    },
    onProduct() {
      const id = (this.data.bargain && this.data.bargain.productId) || (this.data.campaign && this.data.campaign.productId)
      if (id) routes.go(routes.withQuery(routes.PAGES.product, { id })).catch(() => {})
    },
    onEnd() {
      return this.load()
    },

    onShareAppMessage() {
      const b = this.data.bargain
      if (b && b.shareToken) {
        return share.shareMessage({ title: `帮我砍一刀！「${b.title}」${b.progressText}`, page: routes.PAGES.bargain, query: { token: b.shareToken }, imageUrl: b.image })
      }
      const c = this.data.campaign
      return share.shareMessage({ title: c ? `「${c.title}」${c.floorText}` : '好友帮砍，低价拿好物', page: routes.PAGES.bargain, query: { campaign: c && c.id }, imageUrl: c && c.image })
    },
  }),
})
