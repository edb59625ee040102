/**
 * After-sales (P04) as the shopper reads it: state labels, the progress line of a request, which
 * orders may ask, the form's rules, and the photo upload (wx.uploadFile, which request.js does
 * not cover). Pages call these; the server decides, this only mirrors its rules for the buttons.
 */
'use strict'

const { uploadFile } = require('./upload')
const { ApiError } = require('./errors')

const STATUS_LABELS = {
  pending: '待审核',
  approved: '已同意',
  awaiting_return: '待退货',
  returned: '已寄回',
  received: '商家已收货',
  refunding: '退款中',
  refunded: '已退款',
  rejected: '已拒绝',
  cancelled: '已撤销',
  closed: '已关闭',
}

const KIND_LABELS = { refund_only: '仅退款', return_refund: '退货退款' }

// The usual path of each kind, for the progress line (a request that ends early shows its end).
const PATHS = {
  refund_only: ['pending', 'approved', 'refunded'],
  return_refund: ['pending', 'awaiting_return', 'returned', 'received', 'refunded'],
}
const STEP_TITLES = {
  pending: '提交申请',
  approved: '商家同意',
  awaiting_return: '寄回商品',
  returned: '已寄回',
  received: '商家收货',
  refunding: '退款中',
  refunded: '退款成功',
  rejected: '商家拒绝',
  cancelled: '已撤销',
  closed: '已关闭',
}
const ENDS = { rejected: true, cancelled: true, closed: true }

const TABS = [
  { value: 'all', label: '全部' },
  { value: 'pending', label: '待审核' },
  { value: 'awaiting_return', label: '待寄回' },
  { value: 'refunded', label: '已退款' },
]

const MAX_PHOTOS = 6
const APPLY_STATUSES = { paid: true, shipped: true, delivered: true, completed: true }

function statusLabel(afterSale) {
  return STATUS_LABELS[afterSale.status] || afterSale.status_display || afterSale.status || ''
}

/** Whether an order shows 申请售后: paid, not held for a group, and some unit not refunded yet. */
function canApply(order) {
  if (!order || !APPLY_STATUSES[order.status] || order.ship_hold) return false
  return (order.lines || []).some((l) => Number(l.qty) > Number(l.refunded_qty || 0))
}

/**
 * The progress line: [{key, title, at, done, current}] — the steps the request went through
 * (times from its history), then the ones still ahead on its kind's path.
 */
function progress(afterSale) {
  const history = afterSale.history || []
  const seen = {}
  history.forEach((h) => {
    seen[h.status] = h
  })
  const current = afterSale.status
  let keys = (PATHS[afterSale.kind] || PATHS.refund_only).slice()
  if (current === 'refunding') keys.splice(keys.length - 1, 0, 'refunding')
  if (ENDS[current]) {
    // the path up to where it stopped, then the end
    keys = history.map((h) => h.status).filter((k, i, all) => all.indexOf(k) === i)
  }
  const at = keys.indexOf(current)
  return keys.map((key, i) => ({
    key,
    title: STEP_TITLES[key] || STATUS_LABELS[key] || key,
    at: seen[key] ? seen[key].at : '',
    note: seen[key] ? seen[key].note || '' : '',
    done: i <= at,
    current: i === at,
  }))
}

/** What is missing before the form can be sent ('' when ready). */
function formError(form) {
  if (!form.lineId) return '请选择商品'
  if (!(form.qty >= 1) || form.qty > form.maxQty) return `数量需在 1–${form.maxQty} 件之间`
  if (!form.reason) return '请选择售后原因'
  if ((form.description || '').length > 300) return '问题描述最多 300 字'
  if ((form.photos || []).length > MAX_PHOTOS) return `最多上传 ${MAX_PHOTOS} 张图片`
  return ''
}

/** The request body of POST after-sales. */
function requestBody(orderNo, form) {
  return {
    order_no: orderNo,
    line_id: form.lineId,
    qty: form.qty,
    kind: form.kind,
    reason: form.reason,
    description: (form.description || '').trim(),
    photo_ids: (form.photos || []).map((p) => p.id),
  }
}

/** Upload one photo (a local file path from wx.chooseMedia) → {id, image}. */
async function uploadPhoto(filePath) {
  const data = await uploadFile('after-sales/photos', filePath)
  if (!data.id) throw new ApiError({ code: 'bad_response' })
  return data
}

module.exports = {
  STATUS_LABELS,
  KIND_LABELS,
  TABS,
  MAX_PHOTOS,
  statusLabel,
  canApply,
  progress,
  formError,
  requestBody,
  uploadPhoto,
}
