/** Order states (P03) as the shopper reads them, the list tabs, and which actions each state has. */
'use strict'

const STATUS_LABELS = {
  pending_payment: '待付款',
  paid: '待发货',
  shipped: '已发货',
  delivered: '已送达',
  completed: '已完成',
  cancelled: '已取消',
  refunding: '退款中',
  refunded: '已退款',
}

// 'all' rather than '' (TDesign tabs treat an empty value as none selected); sent as no filter
const TABS = [
  { value: 'all', label: '全部' },
  { value: 'pending_payment', label: '待付款' },
  { value: 'paid', label: '待发货' },
  { value: 'shipped', label: '待收货' },
  { value: 'completed', label: '已完成' },
]

/** The `status` query for a tab value ('' for 全部). */
function statusQuery(tab) {
  return !tab || tab === 'all' ? '' : tab
}

function statusLabel(order) {
  return STATUS_LABELS[order.status] || order.status_display || order.status || ''
}

/** {pay, cancel, confirm}: the buttons an order shows. */
function actions(order) {
  const s = order && order.status
  return {
    pay: s === 'pending_payment',
    cancel: s === 'pending_payment',
    confirm: s === 'shipped' || s === 'delivered',
  }
}

/** An order's amounts in the shape of a checkout quote, so price-breakdown shows both alike. */
function toQuote(order) {
  return {
    lines: order.lines || [],
    goods_amount: order.goods_amount,
    discount_amount: order.discount_amount,
    shipping_fee: order.shipping_fee,
    points_used: order.points_used,
    points_discount: order.points_discount,
    payable_amount: order.payable_amount,
    applied: order.applied || [],
    rejected: [],
    hints: [],
  }
}

/** Thumbnails and a count for an order card in the list. */
function cardView(order) {
  const lines = order.lines || []
  return {
    no: order.no,
    status: order.status,
    statusLabel: statusLabel(order),
    images: lines.slice(0, 4).map((l) => l.image || ''),
    title: lines.length === 1 ? lines[0].title : '',
    qty: lines.reduce((sum, l) => sum + (Number(l.qty) || 0), 0),
    payable: Number(order.payable_amount) || 0,
    dealKind: order.deal_kind || '', // a group order asks for the group's messages once paid (F48)
    actions: actions(order),
  }
}

module.exports = { STATUS_LABELS, TABS, statusQuery, statusLabel, actions, toQuote, cardView }
