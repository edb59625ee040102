/**
 * A product's offers next to its price (F11 and the tools' entries on the product page and the
 * cards). The catalogue sends them per product (marketing/selectors/product_offers.py):
 *   limited_discount {promotion_id, name, rate "0.8", price (fen, lowest SKU), sku_id, starts_at, ends_at}
 * with `server_time` in the same answer, so the countdown runs on the server's clock.
 */
'use strict'

const countdown = require('./countdown')
const money = require('./money')

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

module.exports = { rateText, limitedDiscountView }
