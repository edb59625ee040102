/**
 * Payloads shaped like the API contract (/api/v1/…), shared by the tests. Each is complete and
 * checked against the OpenAPI document (tests/contract/fixtures.test.js): no field the API
 * doesn't send, none it always sends left out.
 */
'use strict'

function productDetail(overrides = {}) {
  return Object.assign(
    {
      id: 7,
      title: '氨基酸洁面乳',
      subtitle: '温和不紧绷',
      description: '适合所有肤质',
      images: ['https://img.example/7-1.jpg', 'https://img.example/7-2.jpg'],
      spec_names: ['颜色', '容量'],
      skus: [
        { id: 71, code: 'C-W-100', specs: { 颜色: '白', 容量: '100ml' }, price: 5900, stock: 3 },
        { id: 72, code: 'C-W-200', specs: { 颜色: '白', 容量: '200ml' }, price: 9900, stock: 0 },
        { id: 73, code: 'C-P-100', specs: { 颜色: '粉', 容量: '100ml' }, price: 6900, stock: 5 },
      ],
      // the API's shape (mall/selectors/catalogue.py _spec_matrix)
      spec_matrix: {
        specs: [{ name: '颜色', values: ['白', '粉'] }, { name: '容量', values: ['100ml', '200ml'] }],
        combinations: [
          { values: ['白', '100ml'], sku_id: 71, price: 5900, stock: 3 },
          { values: ['白', '200ml'], sku_id: 72, price: 9900, stock: 0 },
          { values: ['粉', '100ml'], sku_id: 73, price: 6900, stock: 5 },
        ],
      },
      image: '/media/products/7-1.jpg',
      min_price: 5900,
      tags: ['引流品'],
      category: { id: 1, name: '美妆' },
      is_on_shelf: true,
      free_shipping: false,
      is_consumable: true,
      replenish_cycle_days: 30,
      sales_count: 1200,
      limited_discount: null,
      group_buy: null,
      bargain: null,
      flash_sale: null,
      server_time: { now: '2025-01-01T10:00:00+08:00', timestamp_ms: 1735696800000 },
    },
    overrides,
  )
}

function cart() {
  return {
    items: [
      { id: 1, sku_id: 71, product_id: 7, title: '洁面乳', image: 'a.jpg', specs: { 颜色: '白' }, price: 5900, qty: 2, selected: true, stock: 3, available: true },
      { id: 2, sku_id: 81, product_id: 8, title: '面膜', image: 'b.jpg', specs: {}, price: 1000, qty: 1, selected: false, stock: 10, available: true },
      { id: 3, sku_id: 91, product_id: 9, title: '下架口红', image: 'c.jpg', specs: {}, price: 8800, qty: 1, selected: true, stock: 0, available: false },
    ],
    summary: { selected_qty: 2, goods_amount: 11800 },
  }
}

function quote(overrides = {}) {
  return Object.assign(
    {
      lines: [
        {
          sku_id: 71, product_id: 7, title: '洁面乳', image: 'a.jpg', specs: { 颜色: '白' }, qty: 2, list_price: 5900, unit_price: 5900,
          item_amount: 11800, discount_amount: 1000, paid_amount: 10800, allocations: [{ rule_id: 'fr-1', rule_type: 'full_reduction', name: '满99减10', amount: 1000 }], is_gift: false,
          item_rule: null,
        },
      ],
      goods_amount: 11800,
      discount_amount: 1000,
      shipping_fee: 0,
      points_used: 0,
      points_discount: 0,
      points_max: 0,
      points_earned: 108,
      points_per_yuan: 100,
      payable_amount: 10800,
      applied: [{ rule_id: 'fr-1', rule_type: 'full_reduction', name: '满99减10', level: 'order', amount: 1000 }],
      rejected: [
        { rule_id: 'fg-1', rule_type: 'full_gift', name: '满159赠', reason: 'threshold_not_met', detail: 'scope amount 118.00 below 159.00' },
        { rule_id: 'c-9', rule_type: 'coupon', name: '店铺券', reason: 'not_selected', detail: '' },
      ],
      hints: [{ rule_id: 'fr-1', rule_type: 'full_reduction', name: '满99减10', short_by: 8100, reward: 3000, gift_sku: null, text: '再买 ¥81.00 可减 ¥30.00' }],
      coupons: [],
      shipping: { fee: 0, flat_fee: 1000, free: true, reason: 'threshold', reason_label: '满 99.00 元包邮', rules: [{ rule_id: 'free_shipping:threshold', rule_type: 'free_shipping', kind: 'threshold', name: '满 99.00 元包邮' }], not_enough: [], short_by: 0 },
    },
    overrides,
  )
}

function order(overrides = {}) {
  return Object.assign(
    {
      no: 'D202501010001',
      status: 'pending_payment',
      status_display: '待付款',
      goods_amount: 11800,
      discount_amount: 1000,
      shipping_fee: 0,
      points_used: 0,
      points_discount: 0,
      payable_amount: 10800,
      address: { receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号' },
      lines: [
        { id: 1, sku_id: 71, product_id: 7, title: '洁面乳', image: 'a.jpg', specs: { 颜色: '白' }, unit_price: 5900, qty: 2, item_amount: 11800, discount_amount: 1000, paid_amount: 10800, is_gift: false, refunded_qty: 0 },
      ],
      applied: [{ rule_id: 'fr-1', rule_type: 'full_reduction', level: 'order', amount: 1000, title: '满99减10' }],
      refunded_amount: 0,
      remark: '',
      carrier: '',
      tracking_no: '',
      cancel_reason: '',
      expires_at: new Date(Date.now() + 15 * 60 * 1000).toISOString(),
      created_at: '2025-01-01T10:00:00+08:00',
      deal_kind: '',
      deal_ref: null,
      ship_hold: '',
      paid_at: null,
      shipped_at: null,
      completed_at: null,
      cancelled_at: null,
    },
    overrides,
  )
}

/** One row of GET orders: the list sends the summary only (no address, discounts or tracking). */
function orderSummary(overrides = {}) {
  const full = order(overrides)
  const summary = {}
  ;['no', 'status', 'status_display', 'goods_amount', 'payable_amount', 'created_at', 'expires_at', 'deal_kind', 'deal_ref', 'ship_hold', 'lines'].forEach((k) => (summary[k] = full[k]))
  return summary
}

module.exports = { productDetail, cart, quote, order, orderSummary }
