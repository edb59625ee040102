/**
 * Every block type of a campaign page (F26), one `type` each, drawn from the server's resolved
 * JSON (GET pages/…): banner, countdown, product_grid, flash_sale, group_buy, bargain, coupon,
 * full_reduction, rich_text, guide (text with product cards inline, F25), video, nav_icons,
 * checkin_entry, divider. Taps open the block's page; a coupon is claimed in place (the server says whether this shopper still may).
 */
'use strict'

const countdown = require('../../core/countdown')
const routes = require('../../core/routes')
const track = require('../../core/track')
const ui = require('../../core/ui')
const pages = require('../../services/pages')

Component({
  options: { addGlobalClass: true },
  properties: {
    blocks: { type: Array, value: [] },
  },
  data: { view: [] },
  observers: {
    blocks(blocks) {
      this.stopTickers()
      this.setData({ view: (blocks || []).map((b) => Object.assign({}, b, { left: '' })) })
      // countdown headers tick on the server's clock (core/countdown): "1天 01:01:00", then gone
      this.tickers = this.data.view
        .map((b, i) => (b.type === 'countdown' && b.data.target_ms ? [b, i] : null))
        .filter(Boolean)
        .map(([b, i]) =>
          countdown.startTicker({
            target: b.data.target_ms,
            onTick: (left, remaining) => this.setData({ [`view[${i}].left`]: remaining > 0 ? left.text : '' }),
          }),
        )
    },
  },
  lifetimes: {
    detached() {
      this.stopTickers()
    },
  },
  methods: {
    stopTickers() {
      ;(this.tickers || []).forEach((stop) => stop())
      this.tickers = []
    },
    go(path) {
      if (path) routes.go(path).catch(() => {})
    },
    onTarget(e) {
      const { index, item } = e.currentTarget.dataset
      const block = this.data.view[Number(index)]
      if (!block) return
      const target = item === undefined ? block.data.target : (block.data.items[Number(item)] || {}).target
      track.tap(e, 'page-blocks', { block: block.type })
      this.go(pages.targetPath(target))
    },
    onFlash(e) {
      const block = this.data.view[Number(e.currentTarget.dataset.index)]
      if (block && block.data.slot) this.go(routes.MARKETING_PAGES.flash({ id: block.data.slot.id, kind: block.data.slot.kind }))
    },
    onCampaign(e) {
      const { index, item } = e.currentTarget.dataset
      const block = this.data.view[Number(index)]
      const campaign = block && block.data.campaigns[Number(item)]
      if (campaign) this.go(routes.MARKETING_PAGES[block.type]({ id: campaign.id }))
    },
    onPromotion(e) {
      const block = this.data.view[Number(e.currentTarget.dataset.index)]
      if (block && block.data.promotion) this.go(routes.withQuery(routes.PAGES.promotion, { id: block.data.promotion.id }))
    },
    onGuideProduct(e) {
      const { index, item } = e.currentTarget.dataset
      const block = this.data.view[Number(index)]
      const piece = block && block.data.items[Number(item)]
      if (!piece || !piece.product) return
      track.tap(e, 'page-blocks', { product_id: piece.product.id })
      this.go(routes.withQuery(routes.PAGES.product, { id: piece.product.id }))
    },
    onCheckin() {
      this.go(routes.PAGES.checkin)
    },
    async onClaim(e) {
      const { index, item } = e.currentTarget.dataset
      const block = this.data.view[Number(index)]
      const coupon = block && block.data.coupons[Number(item)]
      if (!coupon || coupon.state !== 'claimable' || this.claiming) return
      this.claiming = true
      try {
        await pages.claimCoupon(coupon.id)
        ui.toast('领取成功', 'success')
        this.setData({ [`view[${index}].data.coupons[${item}].state_label`]: '已领取', [`view[${index}].data.coupons[${item}].claimed`]: true })
      } catch (err) {
        ui.toastError(err)
      } finally {
        this.claiming = false
      }
    },
  },
})
