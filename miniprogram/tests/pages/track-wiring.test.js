/**
 * The tracker wired into the main pages (F37): dwell on show/hide, marked taps, add to cart,
 * search, checkout start, leave (with what the shopper last saw) and payment.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const track = require('../../core/track')
const { render } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx
beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  track.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', { points_balance: 0 })
})

const names = () => track.pending().map((e) => e.name)
const last = (name) => track.pending().filter((e) => e.name === name).pop()

describe('checkout', () => {
  beforeEach(() => {
    wx.route('GET addresses', () => [200, [{ id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '1 号', is_default: true }]])
  })

  test('a flash checkout left after a sold-out answer says 库存, with its tool', async () => {
    wx.route('POST checkout/preview', () => [200, fixtures.quote()])
    const page = render('package-order/checkout/index')
    await page.instance.onLoad({ sku_id: '71', qty: '1', deal: 'flash', ref: '9' })
    expect(last('checkout_start').props).toEqual({ page: 'package-order/checkout/index', items: 1, tool: 'flash' })
    wx.route('POST flash/items/9/purchase', () => [409, { code: 'flash_sold_out', message: '已抢光', details: {} }])
    await page.instance.submit()
    page.instance.onUnload()
    expect(last('checkout_leave').props).toEqual({ page: 'package-order/checkout/index', reason: 'sold_out', tool: 'flash', amount: fixtures.quote().payable_amount })
  })

  test('left after seeing the quote: 价格; an unusable coupon: 优惠券不可用', async () => {
    wx.route('POST checkout/preview', () => [200, fixtures.quote()])
    const page = render('package-order/checkout/index')
    await page.instance.onLoad({})
    page.instance.onShow()
    page.instance.onUnload()
    expect(last('checkout_leave').props.reason).toBe('price')
    expect(last('page_view').props.page).toBe('package-order/checkout/index')

    wx.route('POST flash/items/9/purchase', () => [409, { code: 'coupon_not_usable', message: '该优惠券不可用', details: {} }])
    const again = render('package-order/checkout/index')
    await again.instance.onLoad({ sku_id: '71', qty: '1', deal: 'flash', ref: '9' })
    await again.instance.submit()
    again.instance.onUnload()
    expect(last('checkout_leave').props.reason).toBe('coupon_unusable')

    // no coupon error, but the picker showed only coupons that cannot be used
    const third = render('package-order/checkout/index')
    await third.instance.onLoad({})
    third.instance.setData({ usableCoupons: [], unusableCoupons: [{ id: 1 }] })
    third.instance.onOpenCoupons()
    third.instance.onUnload()
    expect(last('checkout_leave').props.reason).toBe('coupon_unusable')
  })

  test('a paid order sends pay and no leave', async () => {
    wx.route('POST checkout/preview', () => [200, fixtures.quote()])
    wx.route('POST orders', () => [201, fixtures.order({ no: 'N1', payable_amount: 10800 })])
    wx.route('POST orders/N1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
    wx.route('POST payments/sandbox/S1/complete', () => [200, {}])
    const page = render('package-order/checkout/index')
    await page.instance.onLoad({})
    await page.instance.submit()
    page.instance.onUnload()
    expect(last('pay').props).toEqual({ page: 'package-order/checkout/index', amount: 10800 })
    expect(names()).not.toContain('checkout_leave')
  })
})

test('home: a banner tap is a marked tap, a search is a search, the visit a page view', async () => {
  wx.route('GET home', () => [200, fixtures.home ? fixtures.home() : { banners: [{ product_id: 3, title: '新品', image: '/m/b.jpg' }], categories: [], hot: [], new: [], server_time: new Date().toISOString() }])
  const page = render('pages/home/index')
  await page.instance.onLoad()
  page.instance.onShow()
  const banner = page.instance.data.banners[0]
  page.instance.onBanner({ currentTarget: { dataset: { index: 0, track: 'home.banner' } } })
  page.instance.onSearch({ detail: { value: ' 茶叶 ' } })
  page.instance.onHide()
  expect(last('tap').props).toEqual({ page: 'pages/home/index', element: 'home.banner', product_id: banner.product_id })
  expect(last('search').props).toEqual({ page: 'pages/home/index', query: '茶叶' })
  expect(last('page_view').props).toEqual({ page: 'pages/home/index', dwell_ms: expect.any(Number) })
  await flush()
})

test('an activity page: its dwell counts for the tool and campaign, and so does its checkout', async () => {
  wx.route('GET group-buys/9', () => [404, { code: 'group_buy_not_found', message: '拼团活动不存在。', details: {} }])
  const page = render('package-social/group/index')
  await page.instance.onLoad({ campaign: '9' })
  page.instance.onShow()
  page.instance.onUnload()
  expect(last('page_view').props).toEqual({ page: 'package-social/group/index', tool: 'group_buy', campaign_id: 9, dwell_ms: expect.any(Number) })

  wx.route('GET addresses', () => [200, []])
  wx.route('POST checkout/preview', () => [200, fixtures.quote()])
  const checkout = render('package-order/checkout/index')
  await checkout.instance.onLoad({ sku_id: '71', qty: '1', deal: 'group', ref: '9' })
  expect(last('checkout_start').props).toEqual({ page: 'package-order/checkout/index', items: 1, tool: 'group_buy', campaign_id: 9 })
})
