/**
 * F48: at each moment that matters the page asks WeChat (wx.requestSubscribeMessage) for the
 * templates of the messages that follow, and posts the answer to me/subscriptions — after paying
 * (a plain order, a group opened, a group joined), starting a bargain, reserving a restock,
 * claiming a coupon. Pages rendered with miniprogram-simulate; the server is the fake wx.request.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const subscribe = require('../../core/subscribe')
const { render } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx
let posts
const H = 3600e3
const MAP = {
  templates: [],
  moments: {
    paid: ['TPL-SHIPPED'],
    group_open: ['TPL-GROUP-OK', 'TPL-GROUP-FAIL'],
    group_join: ['TPL-GROUP-OK', 'TPL-GROUP-FAIL'],
    bargain_start: ['TPL-BARGAIN-OK', 'TPL-BARGAIN-END'],
    restock_reserve: ['TPL-RESTOCK'],
    coupon_claim: ['TPL-COUPON'],
  },
}
const PARAMS = { timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 's' }
const ADDRESS = { id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: true }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  subscribe.reset()
  posts = []
  wx.route('GET subscribe/templates', () => [200, MAP])
  wx.route('POST me/subscriptions', (req) => (posts.push(req.data), [200, { credits: {} }]))
})

/** The paths the page called, in order, without the template map. */
function calls() {
  return wx.__calls.request.map((r) => `${r.method} ${r.path}`).filter((p) => p !== 'GET subscribe/templates')
}

test('到货提醒: the restock template is asked inside the tap, the answer posted, then the reservation made', async () => {
  const iso = (ms) => `${new Date(ms + 8 * H).toISOString().slice(0, 19)}+08:00`
  const now = Date.now()
  const item = { id: 3, product_id: 7, sku_id: 73, title: '秒杀品', image: '', specs: {}, price: 5900, flash_price: 990, quota: 10, locked: 0, sold: 10, remaining: 0, per_shopper_limit: 1, per_order_limit: 1, sold_percent: 100, state: 'sold_out', state_label: '已抢光' }
  const slot = { id: 2, kind: 'slot', title: '10:00', starts_at: iso(now - H), ends_at: iso(now + H), starts_at_ms: now - H, ends_at_ms: now + H, state: 'live', state_label: '', countdown_ms: 0, items: [item] }
  wx.route('GET flash/slots', () => [200, { server_time: { now: iso(now), timestamp_ms: now }, days: [{ date: '', title: '今天', slots: [slot] }] }])
  wx.route('GET flash/items/3', () => [200, { item: Object.assign({ reserved: false }, item) }])
  wx.route('POST flash/items/3/reservation', () => [201, { item_id: 3, created_at: '2026-12-01T10:00:00+08:00', notified_at: null }])
  const page = render('package-flash/index/index')
  await page.instance.onLoad({})
  await flush()
  expect(wx.__calls.request.filter((r) => r.path === 'subscribe/templates')).toHaveLength(1) // loaded before the tap

  const tap = page.instance.onReserve({ currentTarget: { dataset: { index: 0 } } })
  expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-RESTOCK'] }]) // synchronously, inside the tap
  expect(await tap).toBe(true)
  expect(posts).toEqual([{ results: { 'TPL-RESTOCK': 'accept' }, moment: 'restock_reserve' }])
  expect(calls().slice(-2)).toEqual(['POST me/subscriptions', 'POST flash/items/3/reservation'])
  expect(wx.__calls.toast.pop()).toBe('已预约，补货后第一时间通知您')
})

test('领取: the coupon-expiry template is asked inside the tap; a refusal is posted and the coupon still claimed', async () => {
  const tpl = { id: 3, name: '满100减30', kind: 'amount_off', group: 'shop', threshold: 10000, off: 3000, rate: null, max_off: null, summary: '满100减30', scope: { whole_shop: true, categories: [], sku_ids: [], exclude_sku_ids: [], text: '全场通用' }, valid_from: null, valid_until: null, valid_days: 7 }
  wx.route('GET coupons/center', () => [200, [Object.assign({}, tpl, { total_quantity: 100, remaining: 5, per_user_limit: 1, claimed: 0, can_claim: true, reason: '', new_user_only: false })]])
  wx.route('GET me/coupons', () => [200, { count: 0, next: null, previous: null, results: [] }])
  wx.route('POST coupons/claim', () => [201, { id: 1, status: 'unused', valid_from: '2026-12-01T10:00:00+08:00', valid_until: '2026-12-08T10:00:00+08:00', used_at: null, order_no: '', template: tpl }])
  wx.__subscribeAnswer = { 'TPL-COUPON': 'reject' }
  const page = render('package-member/coupons/index')
  await page.instance.onLoad()
  await flush()
  const tap = page.instance.onClaim({ currentTarget: { dataset: { id: 3 } } })
  expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-COUPON'] }])
  expect(await tap).toBe(true)
  expect(posts).toEqual([{ results: { 'TPL-COUPON': 'reject' }, moment: 'coupon_claim' }])
  expect(calls()).toContain('POST coupons/claim')
  expect(wx.__calls.toast).toContain('领取成功')
})

test('发起砍价: the bargain templates are asked inside the tap and posted; switched-off subscriptions do not stop the bargain', async () => {
  const campaign = { id: 4, name: '砍价', product_id: 7, sku_id: 71, specs: {}, title: '洁面乳', image: '', list_price: 10000, start_price: 10000, floor_price: 0, helpers_min: 3, helpers_max: 5, duration_minutes: 1440, starts_at: '', ends_at: '', remaining_quantity: null, sold_out: false, helper_new_only: false, is_open: true, per_member_limit: 1, my_bargain_id: null }
  // the bargain's own campaign card is the campaign's public face, without the shopper's flags
  const card = { id: 4, name: '砍价', product_id: 7, sku_id: 71, specs: {}, title: '洁面乳', image: '', list_price: 10000, start_price: 10000, floor_price: 0, helpers_min: 3, helpers_max: 5, duration_minutes: 1440, starts_at: '', ends_at: '', remaining_quantity: null, sold_out: false, helper_new_only: false, free_shipping: false }
  const bargain = { id: 3, status: 'ongoing', progress_text: '再砍 ¥100.00 即可免费拿', start_price: 10000, floor_price: 0, current_price: 10000, cut_amount: 0, remaining_amount: 10000, helps_count: 0, helpers: [], expires_at: '2026-12-02T10:00:00+08:00', remaining_seconds: 3600, is_owner: true, can_help: false, help_refusal: '', can_buy: true, share_token: 'btok', share_path: '/package-social/bargain/index?token=btok', deal: { kind: 'bargain', ref: 3, params: {} }, campaign: card }
  wx.route('GET bargains/campaigns/4', () => [200, campaign])
  wx.route('POST bargains/campaigns/4/start', () => [201, bargain])
  const page = render('package-social/bargain/index')
  await page.instance.onLoad({ campaign: '4' })
  await flush()
  const tap = page.instance.onStart()
  expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-BARGAIN-OK', 'TPL-BARGAIN-END'] }])
  expect(await tap).toBe(true)
  expect(posts).toEqual([{ results: { 'TPL-BARGAIN-OK': 'accept', 'TPL-BARGAIN-END': 'accept' }, moment: 'bargain_start' }])
  expect(calls().slice(-2)).toEqual(['POST me/subscriptions', 'POST bargains/campaigns/4/start'])

  // the shopper switched subscription messages off: WeChat fails the call, the bargain starts anyway
  subscribe.reset()
  wx.__subscribeFails = { errMsg: 'requestSubscribeMessage:fail switched off', errCode: 20004 }
  const again = render('package-social/bargain/index')
  await again.instance.onLoad({ campaign: '4' })
  await flush()
  expect(await again.instance.onStart()).toBe(true)
  expect(posts).toHaveLength(1)
})

describe('after paying (WeChat Pay callback)', () => {
  async function checkout(query, orderNo) {
    wx.route('GET addresses', () => [200, [ADDRESS]])
    wx.route('POST checkout/preview', () => [200, fixtures.quote({})])
    wx.route('POST orders', () => [201, fixtures.order({ no: orderNo, deal_kind: query.deal || '' })])
    wx.route(`POST orders/${orderNo}/pay`, () => [200, { provider: 'wechat', out_trade_no: `T-${orderNo}`, params: PARAMS }])
    const page = render('package-order/checkout/index')
    await page.instance.onLoad(query)
    await flush()
    await page.instance.submit()
    return page
  }

  test('opening a group asks for the group templates after the payment', async () => {
    await checkout({ sku_id: '71', qty: '1', deal: 'group', ref: '9' }, 'G1')
    expect(wx.__calls.payment).toHaveLength(1)
    expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-SHIPPED', 'TPL-GROUP-OK', 'TPL-GROUP-FAIL'] }])
    expect(posts).toEqual([{ results: { 'TPL-SHIPPED': 'accept', 'TPL-GROUP-OK': 'accept', 'TPL-GROUP-FAIL': 'accept' }, moment: 'group_open' }])
    expect(wx.__calls.navigate.pop().url).toBe('/package-order/pay-result/index?no=G1')
  })

  test('joining a group (share token) asks for them as group_join', async () => {
    await checkout({ sku_id: '71', qty: '1', deal: 'group', ref: '9', dp: '{"share_token":"t0k"}' }, 'G2')
    expect(wx.__calls.subscribe).toHaveLength(1)
    expect(posts.map((p) => p.moment)).toEqual(['group_join'])
  })

  test('a plain order paid from its page asks for the templates after paying; a cancelled payment asks nothing', async () => {
    wx.route('GET orders/N5', () => [200, fixtures.order({ no: 'N5', status: 'pending_payment', deal_kind: '' })])
    wx.route('POST orders/N5/pay', () => [200, { provider: 'wechat', out_trade_no: 'T5', params: PARAMS }])
    const page = render('package-order/order-detail/index')
    await page.instance.onLoad({ no: 'N5' })

    wx.__paymentFails = 'cancel'
    await page.instance.onPay()
    expect(wx.__calls.subscribe).toHaveLength(0)
    expect(posts).toHaveLength(0)

    wx.__paymentFails = false
    wx.route('GET orders/N5', () => [200, fixtures.order({ no: 'N5', status: 'paid', deal_kind: '' })])
    await page.instance.onPay()
    expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-SHIPPED'] }])
    expect(posts).toEqual([{ results: { 'TPL-SHIPPED': 'accept' }, moment: 'paid' }])
  })

  test('a group order paid from the order list asks for the group templates', async () => {
    wx.route('GET orders', () => [200, { count: 1, next: null, previous: null, results: [fixtures.orderSummary({ no: 'G9', deal_kind: 'group' })] }])
    wx.route('POST orders/G9/pay', () => [200, { provider: 'wechat', out_trade_no: 'T9', params: PARAMS }])
    wx.route('GET orders/G9', () => [200, fixtures.order({ no: 'G9', status: 'paid', deal_kind: 'group' })])
    const page = render('package-order/orders/index')
    page.instance.onLoad({})
    await page.instance.onShow()
    await page.instance.onPay({ currentTarget: { dataset: { no: 'G9' } } })
    expect(wx.__calls.payment).toHaveLength(1)
    expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-SHIPPED', 'TPL-GROUP-OK', 'TPL-GROUP-FAIL'] }])
    expect(posts).toHaveLength(1)
    expect(wx.__calls.toast).toContain('支付成功')
  })
})
