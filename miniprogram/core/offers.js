/**
 * A product's offers next to its price (F11 and the tools' entries on the product page and the
 * cards). The catalogue sends them per product (marketing/selectors/product_offers.py):
 *   limited_discount {promotion_id, name, rate "0.8", price (fen, lowest SKU), sku_id, starts_at, ends_at}
 * with `server_time` in the same answer, so the countdown runs on the server's clock.
 */
'use strict'

const countdown = require('./countdown')
const money = require('./money')
const routes = require('./routes')
const deals = require('./deals')

/** "0.8" → "8折", "0.85" → "8.5折", "1" / garbage → "". */
function rateText(rate) {
  const r = Number(rate)
  if (!(r > 0 && r < 1)) return ''
  return `${Math.round(r * 1000) / 100}折`
}

/**
 * The 限时折扣 banner: {name, rateText, priceText, originalText, state, target} or null when the
 * product has none or it is over at server time `at`. `listPrice` (fen) is what it is struck from.
 */
function limitedDiscountView(offer, listPrice, at) {
  if (!offer || offer.price === undefined || offer.price === null) return null
  const slot = countdown.slotState(offer.starts_at, offer.ends_at, at, { running: '限时折扣', upcoming: '即将开始' })
  if (slot.state === 'ended') return null
  const price = Number(offer.price) || 0
  const list = Number(listPrice) || 0
  return {
    name: offer.name || '限时折扣',
    rateText: rateText(offer.rate),
    priceText: money.price(price),
    originalText: list > price ? money.price(list) : '',
    state: slot.state,
    label: slot.label,
    target: slot.target,
  }
}

/**
 * The tools' entries of a product (F02 秒杀 / F12 限量发售, F03 拼团, F05 砍价) under its price, from
 * the detail's `flash_sale` {type, ref (flash item), sku_id, name, kind_label, price, starts_at,
 * ends_at},
 * `group_buy` {campaign_id, name, group_size, price, leader_price, list_price, starts_at, ends_at}
 * and `bargain` {campaign_id, name, sku_id, start_price, floor_price, starts_at, ends_at}:
 * Each says `free_shipping` when its orders ship free (包邮).
 * [{key, tag, title, priceText, freeShipping, action, url, target}] — only those running at server time `at`.
 */
function dealEntries(detail, at) {
  const d = detail || {}
  const out = []
  const running = (o) => countdown.slotState(o.starts_at, o.ends_at, at).state === 'running'
  const g = d.group_buy
  if (g && g.campaign_id && running(g)) {
    const low = g.leader_price !== null && g.leader_price !== undefined ? Math.min(g.leader_price, g.price) : g.price
    out.push({
      key: `group-${g.campaign_id}`,
      kind: 'group',
      tag: `${g.group_size}人团`,
      title: g.name || '拼团',
      priceText: money.price(low),
      freeShipping: g.free_shipping === true,
      action: '去开团',
      url: routes.withQuery(routes.PAGES.group, { campaign: g.campaign_id }),
      target: countdown.toMs(g.ends_at),
    })
  }
  const f = d.flash_sale
  if (f && f.ref && countdown.slotState(f.starts_at, f.ends_at, at).state !== 'ended') {
    const state = countdown.slotState(f.starts_at, f.ends_at, at).state
    const live = state === 'running'
    out.push({
      key: `flash-${f.ref}`,
      kind: 'flash',
      flashRef: f.ref,
      tag: f.kind_label || (f.type === 'flash_release' ? '限量发售' : '秒杀'),
      title: f.name || '',
      priceText: money.price(f.price),
      freeShipping: f.free_shipping === true,
      // live: straight to the checkout with the deal (a sold-out unit is refused there, in
      // Chinese); upcoming: the flash page, counting down to the start
      action: live ? '马上抢' : '即将开抢',
      url: live ? deals.checkoutUrl({ skuId: f.sku_id, qty: 1, kind: 'flash', ref: f.ref }) : routes.withQuery(routes.PAGES.flash, { mode: f.type === 'flash_release' ? 'release' : undefined }),
      target: live ? countdown.toMs(f.ends_at) : countdown.toMs(f.starts_at),
      countdownPrefix: live ? '距结束 ' : '距开抢 ',
    })
  }
  const b = d.bargain
  if (b && b.campaign_id && running(b)) {
    out.push({
      key: `bargain-${b.campaign_id}`,
      kind: 'bargain',
      tag: '砍价',
      title: Number(b.floor_price) > 0 ? `砍到 ${money.price(b.floor_price)}` : '砍到 0 元免费拿',
      priceText: '',
      freeShipping: b.free_shipping === true,
      action: '发起砍价',
      url: routes.withQuery(routes.PAGES.bargain, { campaign: b.campaign_id }),
      target: countdown.toMs(b.ends_at),
    })
  }
  return out
}

module.exports = { rateText, limitedDiscountView, dealEntries }
