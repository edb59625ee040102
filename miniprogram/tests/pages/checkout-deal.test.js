const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const deals = require('../../core/deals')
const { render, text } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx
const ADDRESS = { id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: true }

// a flash-sale quote: the line at 秒杀价 3900 against the shelf price 5900, no 满减 on it
function flashQuote(overrides) {
  return fixtures.quote(
    Object.assign(
      {
        lines: [{ sku_id: 71, product_id: 7, title: '洁面乳', image: 'a.jpg', specs: {}, qty: 1, list_price: 5900, unit_price: 3900, item_amount: 3900, discount_amount: 0, paid_amount: 3900, allocations: [], is_gift: false }],
        goods_amount: 5900,
        discount_amount: 2000,
        payable_amount: 3900,
        applied: [{ rule_id: 'flash:12', rule_type: 'flash_sale', name: '10 点场秒杀', level: 'item', amount: 2000 }],
        rejected: [],
        hints: [],
      },
      overrides,
    ),
  )
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  wx.route('GET addresses', () => [200, [ADDRESS]])
  wx.route('POST checkout/preview', () => [200, flashQuote()])
})

async function open(query) {
  const page = render('package-order/checkout/index')
  await page.instance.onLoad(query)
  return page
}

describe('core/deals', () => {
  test('checkoutUrl and dealFromQuery round-trip a deal with params', () => {
    const url = deals.checkoutUrl({ skuId: 71, qty: 2, kind: 'group', ref: 9, params: { group_id: 33 } })
    expect(url).toBe('/package-order/checkout/index?sku_id=71&qty=2&deal=group&ref=9&dp=%7B%22group_id%22%3A33%7D')
    const query = {}
    url.split('?')[1].split('&').forEach((kv) => {
      const [k, v] = kv.split('=')
      query[k] = decodeURIComponent(v) // WeChat hands onLoad the decoded values
    })
    expect(deals.dealFromQuery(query)).toEqual({ kind: 'group', ref: 9, params: { group_id: 33 } })
    expect(deals.checkoutUrl({ skuId: 71, qty: 0, kind: 'flash', ref: 12 })).toBe('/package-order/checkout/index?sku_id=71&qty=1&deal=flash&ref=12')
  })

  test('an unknown kind, a bad ref or broken params are not guessed', () => {
    expect(deals.dealFromQuery({ deal: 'lottery', ref: '1' })).toBeNull()
    expect(deals.dealFromQuery({ deal: 'flash', ref: 'x' })).toBeNull()
    expect(deals.dealFromQuery({ deal: 'flash', ref: '0' })).toBeNull()
    expect(deals.dealFromQuery({ deal: 'bargain', ref: '4', dp: '{oops' })).toEqual({ kind: 'bargain', ref: 4, params: {} })
    expect(deals.dealFromQuery({})).toBeNull()
  })

  test('the price line reads the deal price, the shelf price and the rule name', () => {
    expect(deals.dealPriceLine(flashQuote(), { kind: 'flash' })).toEqual({ label: '10 点场秒杀', unitText: '¥39.00', originalText: '¥59.00', savedText: '¥20.00', qty: 1 })
    const plain = flashQuote({ applied: [] })
    expect(deals.dealPriceLine(plain, { kind: 'bargain' }).label).toBe('砍价')
    expect(deals.dealPriceLine(plain, null)).toBeNull()
  })
})

test('a flash deal goes to the preview and the order; its price line is shown; no coupon is preselected', async () => {
  wx.route('POST coupons/usable', () => [200, { best_coupon_ids: [11], usable: [{ coupon_id: 11, name: '券', group: 'shop', usable: true, discount: { fen: 500 } }], unusable: [] }])
  const orders = []
  wx.route('POST flash/items/12/purchase', (req) => (orders.push(req), [201, fixtures.order({ no: 'F1' })]))
  wx.route('POST orders/F1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
  wx.route('POST payments/sandbox/S1/complete', () => [200, {}])
  const page = await open({ sku_id: '71', qty: '1', deal: 'flash', ref: '12' })
  const previews = wx.__calls.request.filter((r) => r.path === 'checkout/preview')
  expect(previews).toHaveLength(1) // no re-quote with a "best" coupon computed without the deal
  expect(previews[0].data).toEqual({ items: [{ sku_id: 71, qty: 1 }], deal: { kind: 'flash', ref: 12, params: {} }, points: 0 })
  expect(text(page, '.deal-tag')).toBe('秒杀价')
  expect(text(page, '.deal-name')).toBe('10 点场秒杀')
  expect(text(page, '.deal-price')).toBe('¥39.00')
  expect(text(page, '.deal-original')).toBe('¥59.00')
  expect(text(page, '.deal-saved')).toBe('省 ¥20.00')
  expect(text(page, '.coupon-text')).toBe('1 张可用')
  await page.instance.submit()
  expect(orders).toHaveLength(1)
  // placed through the flash sale's own endpoint (its gate, throttle and captcha)
  expect(orders[0].data).toEqual({ qty: 1, points: 0, address_id: 5 })
  expect(orders[0].header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  expect(wx.__calls.navigate.pop().url).toBe('/package-order/pay-result/index?no=F1')
})

test('a group deal carries its params (join a group) to the preview and to the order', async () => {
  const orders = []
  wx.route('POST orders', (req) => (orders.push(req), [201, fixtures.order({ no: 'G1' })]))
  wx.route('POST orders/G1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
  wx.route('POST payments/sandbox/S1/complete', () => [200, {}])
  const page = await open({ sku_id: '71', qty: '1', deal: 'group', ref: '9', dp: '{"share_token":"t0k"}' })
  const preview = wx.__calls.request.find((r) => r.path === 'checkout/preview')
  expect(preview.data.deal).toEqual({ kind: 'group', ref: 9, params: { share_token: 't0k' } })
  expect(text(page, '.deal-tag')).toBe('拼团价')
  await page.instance.submit()
  expect(orders[0].data.deal).toEqual({ kind: 'group', ref: 9, params: { share_token: 't0k' } })
  expect(orders[0].header['Idempotency-Key']).toBeTruthy()
})

test('a flash purchase refused for the slider is repeated with the pass and the same Idempotency-Key', async () => {
  const seen = []
  wx.route('POST flash/items/12/purchase', (req) => {
    seen.push({ key: req.header['Idempotency-Key'], pass: req.header['X-Captcha-Pass'] })
    return req.header['X-Captcha-Pass'] ? [201, fixtures.order({ no: 'F2' })] : [403, { code: 'captcha_required', message: '', details: { action: 'purchase' } }]
  })
  wx.route('POST orders/F2/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S2', params: {} }])
  wx.route('POST payments/sandbox/S2/complete', () => [200, {}])
  const client = require('../../core/request')
  client.setCaptchaHandler(({ action }) => Promise.resolve(`pass-for-${action}`))
  try {
    const page = await open({ sku_id: '71', qty: '1', deal: 'flash', ref: '12' })
    await page.instance.submit()
  } finally {
    client.setCaptchaHandler(null)
  }
  expect(seen).toHaveLength(2)
  expect(seen[1]).toEqual({ key: seen[0].key, pass: 'pass-for-purchase' })
  expect(wx.__calls.navigate.pop().url).toBe('/package-order/pay-result/index?no=F2')
})

test('a deal that closed shows why instead of a quote; the cart order is not touched', async () => {
  wx.route('POST checkout/preview', () => [409, { code: 'deal_unavailable', message: '活动已结束', details: {} }])
  const page = await open({ sku_id: '71', qty: '1', deal: 'flash', ref: '12' })
  expect(page.instance.data.quote).toBeNull()
  expect(text(page, '.error-box')).toContain('活动已结束或名额已抢光')
  expect(page.dom.querySelector('.deal-line')).toBeNull()
})

test('without sku_id a deal in the query is ignored (deals buy one explicit line)', async () => {
  wx.route('POST checkout/preview', () => [200, fixtures.quote()])
  const page = await open({ deal: 'flash', ref: '12' })
  const preview = wx.__calls.request.find((r) => r.path === 'checkout/preview')
  expect(preview.data).toEqual({ points: 0 })
  expect(page.dom.querySelector('.deal-line')).toBeNull()
})
