/**
 * 拼团 (F03). Three ways in, one page:
 *   ?campaign=ID  the campaign: group and leader prices, rules, groups open to join now, 开团
 *                 → the checkout with the deal the API hands out ({kind: 'group', ref: campaign}).
 *   ?token=T      a friend's share card: the group, "还差 N 人成团", the members' avatars and
 *                 empty seats, its countdown, 参团 → the checkout with params.share_token.
 *   ?id=N         my group (from a message or the order): the same page, 邀请好友 to share it.
 * Groups are only bought through the checkout (preview shows 拼团价, the order takes the seat);
 * a refusal (group_full, group_closed …) comes back from the checkout in Chinese.
 */
'use strict'

const api = require('../../core/api')
const deals = require('../../core/deals')
const routes = require('../../core/routes')
const share = require('../../core/share')
const social = require('../../core/social')
const track = require('../../core/track')

const ROUTE = 'package-social/group/index'

Component({
  data: {
    loading: true,
    error: '',
    mode: '', // 'campaign' | 'group'
    campaign: null,
    group: null,
    itemIndex: 0,
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this._query = { campaign: q.campaign, token: q.token, id: q.id }
      this.trackProps = { tool: 'group_buy', campaign_id: Number(q.campaign) || undefined } // F37 dwell and funnel
      return this.load()
    },
    onShow() {
      // back from paying: the group has one more member
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
          const g = q.token ? await api.groupByToken(q.token) : await api.group(q.id)
          this.setData({ loading: false, error: '', mode: 'group', group: social.groupView(g) })
        } else if (q.campaign) {
          const c = await api.groupCampaign(q.campaign)
          this.setData({ loading: false, error: '', mode: 'campaign', campaign: social.campaignView(c) })
        } else {
          this.setData({ loading: false, error: '拼团不存在' })
        }
        this._loaded = true
        return true
      } catch (err) {
        this.setData({ loading: false, error: err.message })
        return false
      }
    },

    onItem(e) {
      this.setData({ itemIndex: Number(e.currentTarget.dataset.index) })
    },
    chosenSku(items) {
      const item = items[this.data.itemIndex] || items[0]
      return item ? item.skuId : null
    },

    /** 开团: a new group of this campaign. */
    onOpen() {
      const c = this.data.campaign
      if (!c || !c.isOpen || !c.deal) return Promise.resolve(false)
      const skuId = this.chosenSku(c.items)
      return routes.go(deals.checkoutUrl({ skuId, qty: 1, kind: c.deal.kind, ref: c.deal.ref, params: c.deal.params })).then(() => true, () => false)
    },
    /** 去参团 from the campaign's open groups: that group's page. */
    onOpenGroup(e) {
      const token = e.currentTarget.dataset.token
      return routes.go(routes.withQuery(routes.PAGES.group, { token })).catch(() => {})
    },
    /** 参团: a seat in this group. */
    onJoin() {
      const g = this.data.group
      if (!g || !g.canJoin || !g.deal) return Promise.resolve(false)
      const skuId = this.chosenSku(g.items)
      return routes.go(deals.checkoutUrl({ skuId, qty: 1, kind: g.deal.kind, ref: g.deal.ref, params: g.deal.params })).then(() => true, () => false)
    },
    onProduct() {
      const id = (this.data.group && this.data.group.productId) || (this.data.campaign && this.data.campaign.productId)
      if (id) routes.go(routes.withQuery(routes.PAGES.product, { id })).catch(() => {})
    },
    onEnd() {
      return this.load()
    },

    onShareAppMessage() {
      const g = this.data.group
      if (g && g.shareToken) {
        return share.shareMessage({ title: `还差 ${g.missing} 人成团，快来和我一起拼「${g.title}」`, page: routes.PAGES.group, query: { token: g.shareToken }, imageUrl: g.image })
      }
      const c = this.data.campaign
      return share.shareMessage({ title: c ? `${c.groupSize} 人拼团 ${c.lowestText}「${c.title}」` : '一起拼团更优惠', page: routes.PAGES.group, query: { campaign: c && c.id }, imageUrl: c && c.image })
    },
  }),
})
