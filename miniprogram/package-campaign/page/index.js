/**
 * A campaign page (F26): any published page by its address (?slug=618, or ?id=), drawn from the
 * block components in one request; or a shared CAMPAIGN by its id (?campaign=3, issue 17): the
 * campaign's state and window and its published page in one request (GET campaigns/<id>/page),
 * with 预热 counting down to the start, 已暂停 and 已结束 told, and a campaign that is gone shown
 * as such. Shared cards carry the page or campaign and the sharer's codes; a campaign's card
 * carries `src=share:<campaign id>`, which an order placed from it keeps (issue 15).
 */
'use strict'

const pages = require('../../services/pages')
const countdown = require('../../core/countdown')
const routes = require('../../core/routes')
const share = require('../../core/share')
const track = require('../../core/track')

const ROUTE = 'package-campaign/page/index'

const NOTICES = {
  warmup: '活动即将开始，先收藏页面，开始后即可享受优惠',
  paused: '活动暂停中，优惠暂不可用，请稍后再来',
}

/** What the header shows of a campaign: its state, the warm-up target and the window in words. */
function campaignView(campaign) {
  const starts = countdown.dateTimeText(campaign.starts_at)
  const ends = countdown.dateTimeText(campaign.ends_at)
  return Object.assign({}, campaign, {
    notice: NOTICES[campaign.status] || '',
    windowText: `${starts.slice(5)} 至 ${ends.slice(5)}`,
    startsAtMs: countdown.toMs(campaign.starts_at),
  })
}

Component({
  data: { loading: true, error: '', missing: false, page: null, key: '', campaignId: 0, campaign: null },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      // the sharer's codes and src in the query were remembered by app.js at launch
      const q = share.launchParams(query)
      const campaignId = Number(q.campaign) > 0 ? Math.floor(Number(q.campaign)) : 0
      this.setData({ key: String(q.slug || q.id || ''), campaignId })
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    load() {
      return this.data.campaignId ? this.loadCampaign() : this.loadPage()
    },
    async loadPage() {
      if (!this.data.key) {
        this.setData({ loading: false, error: '页面不存在' })
        return
      }
      try {
        const page = await pages.page(this.data.key)
        this.setData({ loading: false, error: '', page })
        wx.setNavigationBarTitle({ title: page.title })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    async loadCampaign() {
      try {
        const body = await pages.campaignPage(this.data.campaignId)
        countdown.syncServerTime(body.server_time)
        const campaign = campaignView(body.campaign)
        this.setData({ loading: false, error: '', missing: false, campaign, page: body.page })
        wx.setNavigationBarTitle({ title: (body.page && body.page.title) || campaign.name })
      } catch (err) {
        // a draft, a removed campaign or a wrong id: told as gone, with a way on
        if (err.status === 404) this.setData({ loading: false, missing: true, error: '' })
        else this.setData({ loading: false, error: err.message })
      }
    },
    onWarmupEnd() {
      return this.loadCampaign() // the start came: the page now shows the running campaign
    },
    goHome() {
      routes.go(routes.PAGES.home)
    },
    shareCard() {
      const page = this.data.page || {}
      const campaign = this.data.campaign
      if (campaign) {
        return {
          title: page.share_title || page.title || campaign.name,
          page: routes.PAGES.campaign,
          query: { campaign: campaign.id },
          src: `share:${campaign.id}`,
        }
      }
      return { title: page.share_title || page.title, page: routes.PAGES.campaign, query: { slug: page.slug || this.data.key } }
    },
    onShareAppMessage() {
      return share.shareMessage(this.shareCard())
    },
    onShareTimeline() {
      const card = this.shareCard()
      return share.shareTimeline({ title: card.title, query: card.query, src: card.src })
    },
  }),
})
