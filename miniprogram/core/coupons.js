/**
 * Coupons (F07, F08): view models for the wallet (GET me/coupons), the coupon center
 * (GET coupons/center) and the checkout picker (POST coupons/usable). Money arrives in fen; the
 * server's `summary` (满100减30, 9折 最多减20, 无门槛减10) is used when present.
 */
'use strict'

const { yuan } = require('./money')

const STATUS_TABS = [
  { value: 'unused', label: '可用' },
  { value: 'used', label: '已使用' },
  { value: 'expired', label: '已过期' },
]

const CLAIM_REASONS = {
  coupon_sold_out: '已领完',
  coupon_limit_reached: '已领取',
  coupon_not_claimable: '暂不可领',
  coupon_new_user_only: '仅限新用户',
}

/** "0.85" → "8.5"; "0.9" → "9". */
function rateText(rate) {
  const n = Number(rate)
  if (!Number.isFinite(n) || n <= 0) return ''
  return String(Math.round(n * 1000) / 100)
}

/** "2025-06-30T23:59:59+08:00" → "2025.06.30" (the date as the server wrote it). */
function dateText(value) {
  if (!value || typeof value !== 'string') return ''
  const m = value.match(/^(\d{4})-(\d{2})-(\d{2})/)
  return m ? `${m[1]}.${m[2]}.${m[3]}` : ''
}

/** "元" part without trailing ".00": 3000 → "30", 1250 → "12.5". */
function shortYuan(fen) {
  return yuan(fen).replace(/\.00$/, '').replace(/(\.\d)0$/, '$1')
}

/** The face of a template: {valueText, unit, thresholdText, summary}. */
function face(t) {
  const tpl = t || {}
  const isRate = tpl.kind === 'rate_off' && tpl.rate !== null && tpl.rate !== undefined
  return {
    isRate,
    valueText: isRate ? rateText(tpl.rate) : shortYuan(tpl.off || 0),
    thresholdText: Number(tpl.threshold) > 0 ? `满${shortYuan(tpl.threshold)}可用` : '无门槛',
    summary: tpl.summary || '',
    scopeText: (tpl.scope && tpl.scope.text) || '',
  }
}

/** Validity of a template in the center: fixed window, or N days after claiming. */
function templateValidity(tpl) {
  if (tpl.valid_days) return `领取后 ${tpl.valid_days} 天内有效`
  const from = dateText(tpl.valid_from)
  const until = dateText(tpl.valid_until)
  if (from && until) return `${from} - ${until}`
  if (until) return `${until} 前有效`
  return ''
}

/** One coupon of the wallet. */
function couponView(c) {
  const tpl = c.template || {}
  const from = dateText(c.valid_from)
  const until = dateText(c.valid_until)
  return Object.assign(face(tpl), {
    id: c.id,
    name: tpl.name || '',
    status: c.status,
    validity: from && until ? `${from} - ${until}` : until ? `${until} 前有效` : '',
  })
}

/** One entry of the coupon center. */
function centerView(e) {
  return Object.assign(face(e), {
    id: e.id,
    name: e.name || '',
    validity: templateValidity(e),
    canClaim: !!e.can_claim,
    claimText: e.can_claim ? (e.claimed ? '再领一张' : '领取') : CLAIM_REASONS[e.reason] || (e.claimed ? '已领取' : '不可领'),
    remainingText: e.remaining === null || e.remaining === undefined ? '' : `剩余 ${e.remaining} 张`,
  })
}

/** One verdict of coupons/usable: what it saves, or why not. */
function verdictView(v, selectedIds) {
  const saves = v.discount && Number(v.discount.fen) > 0 ? Number(v.discount.fen) : 0
  return {
    id: v.coupon_id,
    name: v.name || '',
    group: v.group || '',
    usable: !!v.usable,
    savesText: saves ? `可减 ¥${yuan(saves)}` : '',
    reasonText: v.usable ? '' : v.reason_label || '不满足使用条件',
    selected: !!(selectedIds && selectedIds.indexOf(v.coupon_id) >= 0),
  }
}

/**
 * Toggle a coupon in the selection: one coupon per group (shop / category / platform stack,
 * two of the same group do not), so picking a coupon replaces another of its group.
 */
function toggleSelection(selectedIds, coupons, id) {
  const ids = (selectedIds || []).slice()
  const at = ids.indexOf(id)
  if (at >= 0) {
    ids.splice(at, 1)
    return ids
  }
  const picked = (coupons || []).find((c) => c.id === id)
  if (!picked || !picked.usable) return ids
  const sameGroup = (coupons || []).filter((c) => c.id !== id && c.group === picked.group).map((c) => c.id)
  return ids.filter((x) => sameGroup.indexOf(x) < 0).concat([id])
}

module.exports = {
  STATUS_TABS,
  CLAIM_REASONS,
  rateText,
  dateText,
  face,
  couponView,
  centerView,
  verdictView,
  toggleSelection,
}
