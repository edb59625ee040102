/**
 * 会员中心 and 积分商城 (F14–F16) with real taps on the TDesign buttons: the tier card's progress
 * ("再消费 ¥X 升级黄金"), perks and free-shipping uses left, buying the next tier with points, the
 * 专属客服 contact button for high tiers, and redeeming a points-mall coupon (one ref per tap).
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')

let wx

function card(overrides) {
  return Object.assign(
    {
      tier: 'silver',
      tier_label: '白银会员',
      spend_12m: 120000,
      orders_12m: 3,
      next_tier: 'gold',
      next_tier_label: '黄金会员',
      spend_to_next: 80000,
      orders_to_next: 12,
      progress_percent: 60,
      perks: [],
      free_shipping_left: 0,
      free_shipping_per_month: 0,
      next_points_price: 0,
      points_balance: 300,
      in_grace: false,
      kept_until: null,
      exclusive_service: null,
    },
    overrides
  )
}

const DIAMOND = card({
  tier: 'diamond',
  tier_label: '钻石会员',
  spend_12m: 620000,
  orders_12m: 31,
  next_tier: null,
  next_tier_label: '',
  spend_to_next: 0,
  orders_to_next: 0,
  progress_percent: 100,
  perks: ['每月包邮 2 次', '优先发货（12 小时内）', '售后绿色通道', '专属客服'],
  free_shipping_left: 1,
  free_shipping_per_month: 2,
  exclusive_service: {
    session_from: 'tier=diamond;member=7;orders=P2612060001',
    card_title: '钻石会员专属客服',
    card_path: '/package-order/order-detail/index?no=P2612060001',
    recent_orders: [{ no: 'P2612060001', status_display: '待发货', payable_amount: 12900 }],
  },
})

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  contractProblems.length = 0
})

afterEach(() => {
  expect(contractProblems).toEqual([])
})

test('the tier card says how much more to spend for the next tier, and shows no service entry for 白银', async () => {
  wx.route('GET me/tier', () => [200, card()])
  const page = render('package-member/tier/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  expect(text(page, '.tier-name')).toBe('白银会员')
  expect(text(page, '.tier-progress')).toBe('再消费 ¥800.00 或 再完成 12 单 升级黄金会员')
  expect(text(page, '.tier-growth')).toBe('近 12 个月消费 ¥1200.00 · 完成 3 单')
  expect(page.querySelector('.service-button')).toBeFalsy()
  expect(page.querySelector('.buy-tier')).toBeFalsy()
})

test('a shopper without a birthday is pointed to the once-only birthday setting', async () => {
  store.set('member', { id: 1, nickname: '小多', birthday: null, tier: 'silver' })
  wx.route('GET me/tier', () => [200, card()])
  const page = render('package-member/tier/index')
  await page.instance.onLoad()
  expect(page.querySelector('.birthday-entry')).toBeTruthy()
  page.instance.go({ currentTarget: { dataset: { page: 'profile' } } })
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-member/profile/index' })
  store.set('member', { id: 1, nickname: '小多', birthday: '1995-05-20', tier: 'silver' })
  await page.instance.load()
  expect(page.querySelector('.birthday-entry')).toBeFalsy()
})

test('a diamond sees uses left, perks and the 专属客服 button carrying tier and orders', async () => {
  wx.route('GET me/tier', () => [200, DIAMOND])
  const page = render('package-member/tier/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  expect(text(page, '.tier-progress')).toBe('您已是最高等级')
  expect(text(page, '.free-shipping')).toBe('本月还可包邮 1/2 次')
  expect(page.querySelectorAll('.perk').length).toBe(5)
  const button = page.querySelector('.service-button')
  expect(button).toBeTruthy()
  expect(page.instance.data.card.service.session_from).toBe('tier=diamond;member=7;orders=P2612060001')
})

test('tapping 立即升级 asks, then buys the next tier with one ref', async () => {
  wx.route('GET me/tier', () => [200, card({ tier: 'normal', tier_label: '普通会员', next_tier: 'silver', next_tier_label: '白银会员', next_points_price: 200, points_balance: 300 })])
  const refs = []
  wx.route('POST me/tier/buy', (req) => (refs.push(req.data.ref), [201, card({ points_balance: 100 })]))
  wx.__modalAnswer = true
  const page = render('package-member/tier/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  expect(text(page, '.buy-text')).toBe('用 200 积分升级白银会员')
  page.querySelector('.buy-tier').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.modal[0]).toBe('确定用 200 积分升级白银会员吗？')
  expect(refs.length).toBe(1)
  expect(text(page, '.tier-name')).toBe('白银会员')
  expect(wx.__calls.toast.pop()).toBe('已升级为白银会员')
})

test('a tier the shop does not sell shows the mapped refusal', async () => {
  wx.route('GET me/tier', () => [200, card({ tier: 'normal', tier_label: '普通会员', next_tier: 'silver', next_tier_label: '白银会员', next_points_price: 200, points_balance: 300 })])
  wx.route('POST me/tier/buy', () => [409, { code: 'tier_not_for_sale', message: 'x', details: {} }])
  wx.__modalAnswer = true
  const page = render('package-member/tier/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  page.querySelector('.buy-tier').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('下一等级暂不支持用积分购买')
})

describe('积分商城', () => {
  const ITEMS = {
    count: 3,
    next: null,
    previous: null,
    results: [
      { id: 3, name: '10 元无门槛券', kind: 'coupon', kind_display: '优惠券', points: 1000, cash: 0, sku_id: null, stock_left: 4, per_member_limit: 1 },
      { id: 4, name: '50 元券', kind: 'coupon', kind_display: '优惠券', points: 5000, cash: 0, sku_id: null, stock_left: 0, per_member_limit: 1 },
      { id: 5, name: '保温杯', kind: 'goods', kind_display: '实物商品', points: 1200, cash: 990, sku_id: 31, stock_left: 2, per_member_limit: 1 },
    ],
  }
  const POINTS = { balance: 1500, count: 0, next: null, previous: null, entries: [] }

  test('tapping 立即兑换 redeems once and updates the balance and stock', async () => {
    wx.route('GET points-mall/items', () => [200, ITEMS])
    wx.route('GET me/points', () => [200, POINTS])
    const bodies = []
    wx.route('POST points-mall/items/3/redeem', (req) => (bodies.push(req.data), [201, { id: 1, item_id: 3, points: 1000, coupon_id: 77, points_balance: 500 }]))
    wx.__modalAnswer = true
    const page = render('package-member/points-mall/index', {}, { tdesign: ['t-button'] })
    await page.instance.onLoad()
    expect(text(page, '.balance-value')).toBe('1500')
    const buttons = page.querySelectorAll('.redeem')
    expect(buttons[1].instance.data.disabled).toBe(true) // sold out
    buttons[0].querySelector('.t-button').dispatchEvent('tap')
    await flush()
    expect(bodies.length).toBe(1)
    expect(typeof bodies[0].ref).toBe('string')
    expect(text(page, '.balance-value')).toBe('500')
    expect(page.instance.data.items[0].stockText).toBe('剩余 3')
    expect(wx.__calls.toast.pop()).toBe('兑换成功，优惠券已放入卡包')
  })

  test('tapping 去兑换 on goods opens the checkout with the points_mall deal', async () => {
    wx.route('GET points-mall/items', () => [200, ITEMS])
    wx.route('GET me/points', () => [200, POINTS])
    const page = render('package-member/points-mall/index', {}, { tdesign: ['t-button'] })
    await page.instance.onLoad()
    expect(page.instance.data.items[2].pointsText).toBe('1200 积分 + ¥9.90')
    page.querySelectorAll('.redeem')[2].querySelector('.t-button').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop().url).toBe('/package-order/checkout/index?sku_id=31&qty=1&deal=points_mall&ref=5')
    expect(wx.__calls.request.filter((r) => r.method === 'POST')).toEqual([])
  })

  test('a sold-out answer shows the mapped message', async () => {
    wx.route('GET points-mall/items', () => [200, ITEMS])
    wx.route('GET me/points', () => [200, POINTS])
    wx.route('POST points-mall/items/3/redeem', () => [409, { code: 'points_mall_sold_out', message: 'x', details: {} }])
    wx.__modalAnswer = true
    const page = render('package-member/points-mall/index', {}, { tdesign: ['t-button'] })
    await page.instance.onLoad()
    page.querySelectorAll('.redeem')[0].querySelector('.t-button').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast.pop()).toBe('手慢了，该商品已兑完')
  })
})

test('the 我的 page opens 会员中心 from the tier stat with a real tap', async () => {
  wx.route('GET me', () => [200, { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'gold', invite_code: 'AB12', points_balance: 320 }])
  const page = render('pages/member/index')
  await page.instance.onShow()
  page.querySelector('.tier-entry').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-member/tier/index' })
})

test('the checkout places a points-mall goods order through POST orders with the points_mall deal', async () => {
  const fixtures = require('../helpers/fixtures')
  const { text: textOf } = require('../helpers/page')
  wx.route('GET addresses', () => [200, [{ id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: true }]])
  wx.route('POST checkout/preview', () => [
    200,
    fixtures.quote({
      lines: [{ sku_id: 31, product_id: 3, title: '保温杯', image: 'a.jpg', specs: {}, qty: 1, list_price: 5900, unit_price: 990, item_amount: 990, discount_amount: 0, paid_amount: 990, allocations: [], is_gift: false }],
      goods_amount: 5900,
      discount_amount: 4910,
      payable_amount: 990,
      applied: [{ rule_id: 'points_mall:5', rule_type: 'flash_sale', name: '积分兑换 · 1200 积分', level: 'item', amount: 4910 }],
      rejected: [],
      hints: [],
    }),
  ])
  const orders = []
  wx.route('POST orders', (req) => (orders.push(req), [201, fixtures.order({ no: 'M1' })]))
  wx.route('POST orders/M1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S9', params: {} }])
  wx.route('POST payments/sandbox/S9/complete', () => [200, {}])
  const page = render('package-order/checkout/index')
  await page.instance.onLoad({ sku_id: '31', qty: '1', deal: 'points_mall', ref: '5' })
  expect(textOf(page, '.deal-tag')).toBe('积分兑换')
  expect(textOf(page, '.deal-name')).toBe('积分兑换 · 1200 积分')
  expect(textOf(page, '.deal-price')).toBe('¥9.90')
  await page.instance.submit()
  expect(orders).toHaveLength(1)
  expect(orders[0].data.deal).toEqual({ kind: 'points_mall', ref: 5, params: {} })
})
