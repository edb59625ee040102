/**
 * Deals: one SKU bought through a marketing tool (flash sale, group buy, bargain, a live room's
 * 粉丝专属价). The tool's page opens the checkout with the deal in the query; the checkout sends it as
 * `"deal": {kind, ref, params}` to checkout/preview and to the order (the server prices the line
 * with the tool's rule and spends its scarce unit at placement, marketing/services/deals.py).
 *
 * Query keys: sku_id, qty, deal (kind), ref, dp (params as JSON) — short, so a deal link stays
 * well inside WeChat's path limits.
 */
'use strict'

const money = require('./money')
const routes = require('./routes')

const DEAL_KINDS = ['flash', 'group', 'bargain', 'points_mall', 'live_fan']

const DEAL_LABELS = {
  flash: '秒杀价',
  group: '拼团价',
  bargain: '砍价',
  points_mall: '积分兑换',
  live_fan: '粉丝专属价',
}

// the engine's rule type that prices each kind's line (marketing.pricing)
const DEAL_RULE_TYPES = {
  flash: 'flash_sale',
  group: 'group_price',
  bargain: 'bargain_price',
  // 积分商城 goods: the item's cash part, priced as a fixed price for the one unit (F15)
  points_mall: 'flash_sale',
  // 粉丝专属价 (F24): a live room's price through its share link, params {token}
  live_fan: 'fan_price',
}

/** {kind, ref, params} from the checkout's query, or null (a broken one is dropped, not guessed). */
function dealFromQuery(query) {
  const q = query || {}
  if (!q.deal || DEAL_KINDS.indexOf(q.deal) < 0) return null
  const ref = Number(q.ref)
  if (!Number.isInteger(ref) || ref <= 0) return null
  let params = {}
  if (q.dp) {
    try {
      const parsed = JSON.parse(decodeURIComponent(q.dp))
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) params = parsed
    } catch (err) {
      params = {}
    }
  }
  return { kind: q.deal, ref, params }
}

/** The checkout URL for buying `qty` of `skuId` through a deal. */
function checkoutUrl({ skuId, qty, kind, ref, params }) {
  const query = { sku_id: skuId, qty: Math.max(1, Number(qty) || 1), deal: kind, ref }
  if (params && Object.keys(params).length) query.dp = JSON.stringify(params)
  return routes.withQuery(routes.PAGES.checkout, query)
}

/**
 * The deal's price line for the checkout: {label, unitText, originalText, savedText} from the
 * quote's one line (unit_price is the deal price, list_price the shelf price) and the applied
 * item-level rule's name when the server gave one ("限时秒杀 10 点场").
 */
function dealPriceLine(quote, deal) {
  if (!deal || !quote || !(quote.lines || []).length) return null
  const line = quote.lines.find((l) => !l.is_gift) || quote.lines[0]
  const ruleType = DEAL_RULE_TYPES[deal.kind]
  const rule = (quote.applied || []).find((a) => a.rule_type === ruleType)
  const unit = Number(line.unit_price) || 0
  const list = Number(line.list_price) || 0
  const qty = Number(line.qty) || 1
  return {
    label: (line.item_rule && line.item_rule.name) || (rule && (rule.name || rule.title)) || DEAL_LABELS[deal.kind] || '活动价',
    unitText: money.price(unit),
    originalText: list > unit ? money.price(list) : '',
    savedText: list > unit ? money.price((list - unit) * qty) : '',
    qty,
  }
}

const ORDER_LABELS = {
  flash: { label: '秒杀订单', note: '' },
  group: { label: '拼团订单', note: '成团后发货，未成团自动退款' },
  bargain: { label: '砍价订单', note: '' },
  points_mall: { label: '积分兑换订单', note: '兑换所用积分在取消订单时退回' },
  live_fan: { label: '直播粉丝价订单', note: '' },
}

/**
 * An order bought through a tool (`deal_kind`, `deal_ref` on the order): {label, note, url} for
 * the order page — the group's or the bargain's page when there is one to open.
 */
function orderDeal(order) {
  const kind = order && order.deal_kind
  if (!kind || !ORDER_LABELS[kind]) return null
  const ref = Number(order.deal_ref) || null
  let url = ''
  if (ref && kind === 'group' && routes.PAGES.group) url = routes.withQuery(routes.PAGES.group, { id: ref })
  if (ref && kind === 'bargain' && routes.PAGES.bargain) url = routes.withQuery(routes.PAGES.bargain, { id: ref })
  return Object.assign({ url }, ORDER_LABELS[kind])
}

module.exports = { orderDeal, DEAL_KINDS, DEAL_LABELS, DEAL_RULE_TYPES, dealFromQuery, checkoutUrl, dealPriceLine }
