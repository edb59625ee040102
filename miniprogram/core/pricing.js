/**
 * The explainable price (B04, P03): turn a checkout quote (checkout/preview) or a placed order
 * into the rows a shopper reads — goods, each discount by the rule that gave it, shipping,
 * points, payable — plus why other offers did not apply and what to add to reach the next
 * tier (凑单). Labels for stable rule types and reason codes live here (the pricing engine's
 * marketing/pricing/reasons.py codes); unknown ones fall back to what the server sent.
 */
'use strict'

const money = require('./money')
const { specText } = require('./sku')

const RULE_LABELS = {
  flash_sale: '秒杀价',
  limited_discount: '限时折扣',
  tier_rate: '会员折扣',
  stepped_price: '阶梯价',
  group_price: '拼团价',
  bargain_price: '砍价',
  nth_item: '多件优惠',
  full_reduction: '满减',
  full_gift: '满赠',
  buy_x_get_y: '买赠',
  coupon: '优惠券',
  shop_coupon: '店铺券',
  category_coupon: '品类券',
  points: '积分抵扣',
  free_shipping: '包邮',
}

const REASON_LABELS = {
  threshold_not_met: '未达到使用门槛',
  out_of_window: '不在活动时间内',
  out_of_scope: '所选商品不参与',
  special_price_excluded: '特价商品不参与',
  conflict: '已为您选择更优惠的活动',
  limit: '已达参与次数上限',
  not_new_shopper: '仅限新用户',
  no_benefit: '当前订单无可享优惠',
  steps_exhausted: '阶梯价名额已售完',
  not_selected: '未选择',
  coupon_not_applicable: '不满足使用条件',
  points_insufficient: '积分不足，已按可用积分抵扣',
  points_over_cap: '超出本单可抵扣上限，已按上限抵扣',
  gift_out_of_stock: '赠品已送完',
}

// offers that never could apply to this cart (other products, another time) are not "missed"
const NOT_MISSED = ['not_selected', 'out_of_scope', 'out_of_window']

function ruleName(rule) {
  return rule.title || rule.label || rule.name || RULE_LABELS[rule.rule_type || rule.type] || '优惠'
}

function reasonText(rule) {
  return REASON_LABELS[rule.reason] || rule.reason_label || rule.reason_text || rule.detail || rule.reason || ''
}

/** 凑单 text for one hint: the server's text, or built from short_by / reward / gift. */
function hintText(hint) {
  if (hint.text) return hint.text
  const short = money.price(hint.short_by)
  if (hint.gift_sku || hint.rule_type === 'full_gift') return `再买 ${short} 可享满赠`
  if (hint.reward) return `再买 ${short} 可减 ${money.price(hint.reward)}`
  return `再买 ${short} 可享优惠`
}

/** One 凑单 hint for display: {key, text, shortBy} (a hint says how much is short, not the threshold). */
function hintView(hint, index) {
  const short = Math.max(0, Number(hint.short_by) || 0)
  return {
    key: `${hint.rule_id || hint.rule_type || 'hint'}-${index}`,
    text: hintText(hint),
    shortBy: short,
  }
}

/**
 * F47 progress wording, shared by the marketing pages as they land:
 * groupProgressText(2) → "还差 2 人成团"; bargainProgressText(500, 0) → "再砍 ¥5.00 即可免费拿".
 */
function groupProgressText(missing) {
  const n = Math.max(0, Math.floor(Number(missing) || 0))
  return n > 0 ? `还差 ${n} 人成团` : '已成团'
}

function bargainProgressText(remainingFen, floorFen) {
  const remaining = Math.max(0, Math.round(Number(remainingFen) || 0))
  if (remaining === 0) return floorFen ? `已砍到底价 ${money.price(floorFen)}` : '已砍至 0 元，免费拿'
  return floorFen ? `再砍 ${money.price(remaining)} 即可到底价` : `再砍 ${money.price(remaining)} 即可免费拿`
}

/**
 * The item-level rule that set a line's unit price (秒杀价, 拼团价, a 阶梯价 step …): quote lines
 * carry `item_rule` {rule_id, rule_type, name, units?: [first, last]}; a stepped line names its
 * units ("阶梯价 第 1–100 件").
 */
function itemRuleName(line) {
  const rule = line.item_rule
  if (rule && typeof rule === 'object') {
    const name = rule.name || RULE_LABELS[rule.rule_type] || ''
    const units = Array.isArray(rule.units) && rule.units.length === 2 ? ` 第 ${rule.units[0]}–${rule.units[1]} 件` : ''
    return name ? `${name}${units}` : ''
  }
  return ''
}

function lineView(line, index) {
  const qty = Number(line.qty) || 0
  const unit = line.unit_price !== undefined ? line.unit_price : line.list_price !== undefined ? line.list_price : line.price
  const listTotal = (Number(line.list_price !== undefined ? line.list_price : unit) || 0) * qty
  const paid = line.paid !== undefined ? line.paid : line.paid_amount !== undefined ? line.paid_amount : (Number(unit) || 0) * qty
  return {
    key: `${line.id || line.sku_id || line.sku || 'line'}-${index}`,
    title: line.title || (line.is_gift ? '赠品' : '商品'),
    image: line.image || '',
    specs: typeof line.specs === 'string' ? line.specs : specText(line.specs),
    qty,
    unitPrice: Number(unit) || 0,
    paid: Number(paid) || 0,
    original: listTotal > paid ? listTotal : null,
    isGift: !!line.is_gift,
    ruleName: itemRuleName(line),
  }
}

/**
 * The whole breakdown: {lines, rows, applied, rejected, hints, payable}.
 * rows: [{key, label, amount, kind: 'goods'|'discount'|'shipping'|'points', text}] — discounts
 * carry a negative text ("-¥10.00"); shipping 0 reads 包邮, with the quote's reason as `note`.
 */
function breakdown(quote) {
  const q = quote || {}
  const applied = (q.applied || []).filter((a) => a.level !== 'points' && Number(a.amount) > 0)
  const rows = [{ key: 'goods', label: '商品金额', amount: Number(q.goods_amount) || 0, kind: 'goods', text: money.price(q.goods_amount || 0) }]
  let appliedSum = 0
  applied.forEach((a, i) => {
    appliedSum += Number(a.amount) || 0
    rows.push({ key: `applied-${a.rule_id || i}`, label: ruleName(a), amount: -a.amount, kind: 'discount', text: money.minus(a.amount) })
  })
  const discount = Number(q.discount_amount) || 0
  if (discount > appliedSum) {
    // the quote has a discount the applied list does not explain line by line
    const rest = discount - appliedSum
    rows.push({ key: 'discount-rest', label: applied.length ? '其他优惠' : '优惠', amount: -rest, kind: 'discount', text: money.minus(rest) })
  }
  const shipping = Number(q.shipping_fee) || 0
  // why it is free, as the quote names it (满 99.00 元包邮, 10:00 秒杀 包邮, 商品包邮 …)
  const why = q.shipping && q.shipping.free && q.shipping.reason !== 'nothing_to_pay' ? q.shipping.reason_label || '' : ''
  rows.push({ key: 'shipping', label: '运费', amount: shipping, kind: 'shipping', text: shipping ? money.price(shipping) : '包邮', note: why })
  const pointsDiscount = Number(q.points_discount) || 0
  if (pointsDiscount > 0) {
    rows.push({
      key: 'points',
      label: `积分抵扣（${Number(q.points_used) || 0} 积分）`,
      amount: -pointsDiscount,
      kind: 'points',
      text: money.minus(pointsDiscount),
    })
  }
  const rejected = (q.rejected || [])
    .filter((r) => NOT_MISSED.indexOf(r.reason) < 0)
    .map((r, i) => ({ key: `rejected-${r.rule_id || i}`, name: ruleName(r), reason: reasonText(r) }))
  return {
    lines: (q.lines || []).map(lineView),
    rows,
    rejected,
    hints: (q.hints || []).map(hintView),
    payable: Number(q.payable_amount) || 0,
    payableText: money.price(q.payable_amount || 0),
    savedText: discount + pointsDiscount > 0 ? money.price(discount + pointsDiscount) : '',
  }
}

module.exports = {
  RULE_LABELS,
  REASON_LABELS,
  ruleName,
  reasonText,
  hintText,
  hintView,
  lineView,
  itemRuleName,
  breakdown,
  groupProgressText,
  bargainProgressText,
}
