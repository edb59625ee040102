const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const share = require('../../core/share')
const { render } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx
beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
})

test('a push or share path remembers its src; junk is ignored; it goes stale after 7 days', () => {
  const now = Date.UTC(2026, 2, 2)
  expect(share.rememberSrc({ src: 'msg:12' }, now)).toBe('msg:12')
  expect(share.currentSrc(now + 1000)).toBe('msg:12')
  expect(share.rememberSrc({ src: '<script>' }, now)).toBe('')
  expect(share.currentSrc(now)).toBe('msg:12') // a bad value does not erase a good one
  expect(share.rememberSrc({ scene: encodeURIComponent('src=seg:3&invite=AB12') }, now)).toBe('seg:3')
  expect(share.rememberSrc({ src: encodeURIComponent('journey:5') }, now)).toBe('journey:5')
  expect(share.currentSrc(now + share.SRC_DAYS * 24 * 3600 * 1000 + 1)).toBe('')
  expect(wx.__storage['duoying.trackingSrc']).toEqual({ src: 'journey:5', at: now })
})

test('提交订单 carries the remembered src into the placement; without one the body has no src', async () => {
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', { points_balance: 0 })
  wx.route('GET addresses', () => [200, [{ id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '1 号', is_default: true }]])
  wx.route('POST checkout/preview', () => [200, fixtures.quote()])
  wx.route('POST orders', () => [201, fixtures.order({ no: 'N1' })])
  wx.route('POST orders/N1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
  wx.route('POST payments/sandbox/S1/complete', () => [200, {}])
  share.rememberSrc({ src: 'msg:42' })
  const page = render('package-order/checkout/index')
  await page.instance.onLoad({})
  await page.instance.submit()
  const body = wx.__calls.request.find((r) => r.path === 'orders').data
  expect(body).toEqual({ points: 0, address_id: 5, src: 'msg:42' })
})
