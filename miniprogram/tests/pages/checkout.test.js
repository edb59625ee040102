const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx
const ADDRESSES = [
  { id: 4, receiver: '李四', phone: '13900000000', province: '北京市', city: '北京市', district: '朝阳区', detail: 'A 座', is_default: false },
  { id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: true },
]

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', { points_balance: 500 })
  wx.route('GET addresses', () => [200, ADDRESSES])
  wx.route('POST checkout/preview', (req) =>
    [200, req.data.points === 'max' ? fixtures.quote({ points_used: 500, points_discount: 500, payable_amount: 10300 }) : fixtures.quote()],
  )
})

async function open(query = {}) {
  const page = render('package-order/checkout/index')
  await page.instance.onLoad(query)
  return page
}

test('preview, addresses and coupons load together; the default address is chosen; the breakdown is drawn', async () => {
  const page = await open()
  const paths = wx.__calls.request.map((r) => r.path).sort()
  expect(paths).toEqual(['addresses', 'checkout/preview', 'coupons/usable', 'me'])
  expect(text(page, '.receiver')).toBe('张三')
  expect(text(page, '.address-text')).toBe('上海市上海市浦东新区世纪大道 1 号')
  const breakdown = page.dom.querySelector('price-breakdown').textContent
  expect(breakdown).toContain('满99减10')
  expect(breakdown).toContain('再买 ¥81.00 可减 ¥30.00')
  expect(text(page, '.bottom-bar .payable')).toBe('¥108.00')
})

test('立即购买 sends its item; the points toggle asks for "max" and shows the points row', async () => {
  const page = await open({ sku_id: '71', qty: '2' })
  const first = wx.__calls.request.find((r) => r.path === 'checkout/preview')
  expect(first.data).toEqual({ items: [{ sku_id: 71, qty: 2 }], points: 0 })
  await page.instance.onTogglePoints({ detail: { value: true } })
  const last = wx.__calls.request.filter((r) => r.path === 'checkout/preview').pop()
  expect(last.data).toEqual({ items: [{ sku_id: 71, qty: 2 }], address_id: 5, points: 'max' })
  expect(page.dom.querySelector('price-breakdown').textContent).toContain('积分抵扣（500 积分）')
  expect(text(page, '.bottom-bar .payable')).toBe('¥103.00')
})

test('提交订单 sends an Idempotency-Key; a double tap makes one order; then the sandbox pays it', async () => {
  const keys = []
  wx.route('POST orders', (req) => (keys.push(req.header['Idempotency-Key']), [201, fixtures.order({ no: 'N1' })]))
  wx.route('POST orders/N1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
  wx.route('POST payments/sandbox/S1/complete', () => [200, {}])
  const page = await open()
  await Promise.all([page.instance.submit(), page.instance.submit()])
  expect(keys).toHaveLength(1)
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
  const body = wx.__calls.request.find((r) => r.path === 'orders').data
  expect(body).toEqual({ points: 0, address_id: 5 })
  expect(wx.__calls.request.map((r) => r.path)).toContain('payments/sandbox/S1/complete')
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-order/pay-result/index?no=N1' })
})

test('a lost answer and a second tap reuse the same key, so the server returns the one order', async () => {
  const keys = []
  let n = 0
  wx.route('POST orders', (req) => {
    keys.push(req.header['Idempotency-Key'])
    return ++n <= 3 ? { fail: 'request:fail timeout' } : [200, fixtures.order({ no: 'N1' })]
  })
  wx.route('POST orders/N1/pay', () => [200, { provider: 'wechat', out_trade_no: 'T1', params: {} }])
  const page = await open()
  page.instance._attempt.makeKey = (() => {
    let k = 0
    return () => `key-${++k}`
  })()
  await page.instance.submit() // 1 try + 2 network retries, all lost
  expect(wx.__calls.toast.pop()).toBe('网络超时，请稍后重试')
  await page.instance.submit()
  expect(keys).toEqual(['key-1', 'key-1', 'key-1', 'key-1'])
  expect(wx.__calls.payment).toHaveLength(1)
  expect(wx.__calls.navigate.pop().url).toBe('/package-order/pay-result/index?no=N1')
})

test('no address, no order; a refusal shows why and refreshes the quote', async () => {
  wx.route('GET addresses', () => [200, []])
  wx.route('POST orders', () => [409, { code: 'stock_insufficient', message: '', details: { available: 0 } }])
  const page = await open()
  await page.instance.submit()
  expect(wx.__calls.toast).toEqual(['请选择收货地址'])
  page.instance.setAddress(ADDRESSES[0])
  const previews = wx.__calls.request.filter((r) => r.path === 'checkout/preview').length
  await page.instance.submit()
  expect(wx.__calls.toast.pop()).toBe('库存不足，已售罄')
  expect(wx.__calls.request.filter((r) => r.path === 'checkout/preview').length).toBe(previews + 1)
  expect(page.instance.data.submitting).toBe(false)
})

test('payment cancelled: the order is still shown (pending, with its countdown)', async () => {
  wx.route('POST orders', () => [201, fixtures.order({ no: 'N7' })])
  wx.route('POST orders/N7/pay', () => [200, { provider: 'wechat', out_trade_no: 'T7', params: {} }])
  wx.__paymentFails = 'cancel'
  const page = await open()
  await page.instance.submit()
  expect(wx.__calls.toast.pop()).toBe('已取消支付')
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-order/order-detail/index?no=N7' })
})

test('payment failed (not cancelled): 支付结果 with attempt=failed, which asks the server for the outcome', async () => {
  wx.route('POST orders', () => [201, fixtures.order({ no: 'N8' })])
  wx.route('POST orders/N8/pay', () => [200, { provider: 'wechat', out_trade_no: 'T8', params: {} }])
  wx.__paymentFails = 'fail'
  const page = await open()
  await page.instance.submit()
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-order/pay-result/index?no=N8&attempt=failed' })
})

test('a re-quote sends only the changed paths to the view', async () => {
  const page = await open()
  const setData = jest.spyOn(page.instance, 'setData')
  await page.instance.onTogglePoints({ detail: { value: true } })
  const quoteCall = setData.mock.calls.map((c) => c[0]).find((p) => Object.keys(p).some((k) => k.startsWith('quote')))
  expect(quoteCall).toEqual({ previewing: false, 'quote.points_used': 500, 'quote.points_discount': 500, 'quote.payable_amount': 10300 })
  expect(page.dom.querySelector('price-breakdown').textContent).toContain('积分抵扣（500 积分）')
})

describe('coupon picker', () => {
  const verdict = (id, extra) =>
    Object.assign({ coupon_id: id, name: `券${id}`, kind: 'amount_off', group: 'shop', usable: true, reason: null, reason_label: '', discount: { fen: 1000, yuan: '10.00' }, applied: false, amount: { fen: 0, yuan: '0.00' } }, extra)
  const USABLE = {
    best_coupon_ids: [11],
    usable: [verdict(11, { applied: true }), verdict(12, { discount: { fen: 500, yuan: '5.00' } }), verdict(13, { group: 'platform', discount: { fen: 300, yuan: '3.00' } })],
    unusable: [verdict(21, { usable: false, reason: 'threshold_not_met', reason_label: '还差 ¥20.00 可用', discount: { fen: 0, yuan: '0.00' } })],
  }

  test('usable coupons are selectable, unusable ones greyed with their reason; the best is preselected', async () => {
    wx.route('POST coupons/usable', () => [200, USABLE])
    const page = await open({ sku_id: '71', qty: '2' })
    expect(wx.__calls.request.find((r) => r.path === 'coupons/usable').data).toEqual({ items: [{ sku_id: 71, qty: 2 }] })
    const rows = texts(page, '.usable')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toContain('可减 ¥10.00')
    expect(page.querySelectorAll('.check-on')).toHaveLength(1)
    expect(page.instance.data.usableCoupons.map((c) => c.selected)).toEqual([true, false, false])
    expect(texts(page, '.unusable .reason')).toEqual(['还差 ¥20.00 可用'])
    expect(text(page, '.unusable-title')).toBe('不可用优惠券（1）')
    expect(text(page, '.coupon-text')).toBe('已选 1 张')
    // the quote is asked again with the best coupon
    expect(wx.__calls.request.filter((r) => r.path === 'checkout/preview').pop().data.coupon_ids).toEqual([11])
  })

  test('picking coupons sends coupon_ids to the preview and to the order (with its Idempotency-Key)', async () => {
    wx.route('POST coupons/usable', () => [200, USABLE])
    const orders = []
    wx.route('POST orders', (req) => (orders.push(req), [201, fixtures.order({ no: 'N3' })]))
    wx.route('POST orders/N3/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S3', params: {} }])
    wx.route('POST payments/sandbox/S3/complete', () => [200, {}])
    const page = await open()
    const setData = jest.spyOn(page.instance, 'setData')
    await page.instance.onPickCoupon({ currentTarget: { dataset: { id: 12 } } }) // replaces 11 (same group)
    await page.instance.onPickCoupon({ currentTarget: { dataset: { id: 13 } } }) // stacks (platform)
    await page.instance.onPickCoupon({ currentTarget: { dataset: { id: 21 } } }) // unusable: nothing
    expect(wx.__calls.request.filter((r) => r.path === 'checkout/preview').pop().data).toEqual({ points: 0, address_id: 5, coupon_ids: [12, 13] })
    // only the changed marks go to the view
    const marks = setData.mock.calls.map((c) => c[0]).find((p) => 'couponIds' in p)
    expect(Object.keys(marks).sort()).toEqual(['couponIds', 'couponText', 'usableCoupons[0].selected', 'usableCoupons[1].selected'])
    await page.instance.submit()
    expect(orders).toHaveLength(1)
    expect(orders[0].data).toEqual({ points: 0, address_id: 5, coupon_ids: [12, 13] })
    expect(orders[0].header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('不使用优惠券 clears the choice; a failing coupons/usable leaves checkout working', async () => {
    wx.route('POST coupons/usable', () => [200, USABLE])
    const page = await open()
    await page.instance.onNoCoupon()
    const last = wx.__calls.request.filter((r) => r.path === 'checkout/preview').pop()
    expect(last.data).toEqual({ points: 0, address_id: 5 })
    expect(text(page, '.coupon-text')).toBe('3 张可用')

    wx.route('POST coupons/usable', () => [500, 'boom'])
    const other = await open()
    expect(other.instance.data.quote).toBeTruthy()
    expect(other.instance.data.usableCoupons).toEqual([])
  })
})

test('after a cold start the points balance comes from the server, and the profile is kept for next time', async () => {
  store.reset() // a new launch: nothing in memory
  store.set('session', { access: 'A', refresh: 'R' })
  wx.route('GET me', () => [200, { id: 1, nickname: '小明', avatar_url: '', phone: '', birthday: null, tier: 'normal', invite_code: 'INV1', points_balance: 820, created_at: '2026-12-01T10:00:00+08:00' }])
  const page = await open()
  expect(page.instance.data.pointsBalance).toBe(820)
  expect(wx.getStorageSync('duoying.member').invite_code).toBe('INV1')
})

test('the points rate is the shop\'s, as the quote says', async () => {
  wx.route('POST checkout/preview', () => [200, fixtures.quote({ points_per_yuan: 50 })])
  const page = await open()
  expect(text(page, '.points-note')).toBe('可用积分 500（50 积分抵 ¥1）')
})
