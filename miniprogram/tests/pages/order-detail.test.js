const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})
afterEach(() => jest.useRealTimers())

test('a pending order counts down to its 15-minute lock expiry on server time', async () => {
  const now = Date.now()
  store.set('serverOffset', 0)
  wx.route('GET orders/N1', () => [200, fixtures.order({ no: 'N1', expires_at: new Date(now + 14 * 60e3 + 59e3 + 500).toISOString() })])
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N1' })
  expect(text(page, '.status-text')).toBe('待付款')
  expect(text(page, '.status-note')).toMatch(/^剩余 00:14:5[89] 未支付将自动取消$/)
  expect(page.instance.data.actions).toEqual({ pay: true, cancel: true, confirm: false })
  expect(page.dom.querySelector('price-breakdown').textContent).toContain('满99减10')
  expect(text(page, '.address-text')).toBe('上海市上海市浦东新区世纪大道 1 号')
  expect(text(page, '.info')).toContain('下单时间2025-01-01 10:00')
})

test('past the deadline but not yet swept: no countdown loop and no 去支付', async () => {
  wx.route('GET orders/N2', () => [200, fixtures.order({ no: 'N2', expires_at: new Date(Date.now() - 1000).toISOString() })])
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N2' })
  expect(page.instance.data.expired).toBe(true)
  expect(page.instance.data.actions.pay).toBe(false)
  expect(text(page, '.status-note')).toBe('支付已超时，订单即将取消')
  expect(wx.__calls.request).toHaveLength(1)
})

test('cancel asks, posts and reloads the order', async () => {
  let status = 'pending_payment'
  wx.route('GET orders/N3', () => [200, fixtures.order({ no: 'N3', status })])
  wx.route('POST orders/N3/cancel', () => ((status = 'cancelled'), [200, {}]))
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N3' })
  await page.instance.onCancel()
  expect(wx.__calls.modal[0]).toContain('确定取消该订单吗')
  expect(text(page, '.status-text')).toBe('已取消')
  expect(page.instance.data.actions).toEqual({ pay: false, cancel: false, confirm: false })
  expect(wx.__calls.toast).toEqual(['订单已取消'])
})

test('confirm receipt on a shipped order', async () => {
  let status = 'shipped'
  wx.route('GET orders/N4', () => [200, fixtures.order({ no: 'N4', status, carrier: '顺丰', tracking_no: 'SF1' })])
  wx.route('POST orders/N4/confirm-receipt', () => ((status = 'completed'), [200, {}]))
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N4' })
  expect(text(page, '.status-note')).toBe('顺丰 SF1')
  expect(page.instance.data.actions.confirm).toBe(true)
  await page.instance.onConfirmReceipt()
  expect(text(page, '.status-text')).toBe('已完成')
})

test('pay from the detail page: sandbox in development, the order reloads as paid', async () => {
  let status = 'pending_payment'
  wx.route('GET orders/N5', () => [200, fixtures.order({ no: 'N5', status })])
  wx.route('POST orders/N5/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S5', params: {} }])
  wx.route('POST payments/sandbox/S5/complete', () => ((status = 'paid'), [200, {}]))
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N5' })
  await page.instance.onPay()
  expect(text(page, '.status-text')).toBe('待发货')
  expect(wx.__calls.toast).toEqual(['支付成功'])
})

test('a shipped order shows its carrier, tracking number and when it left; 复制单号 copies the number', async () => {
  wx.route('GET orders/N7', () => [
    200,
    fixtures.order({ no: 'N7', status: 'shipped', carrier: '顺丰速运', tracking_no: 'SF1234567890', shipped_at: '2026-12-05T14:30:00+08:00' }),
  ])
  const copied = []
  wx.setClipboardData = (o) => copied.push(o.data)
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N7' })
  expect(text(page, '.logistics-carrier')).toBe('顺丰速运')
  expect(text(page, '.logistics-no')).toBe('SF1234567890')
  expect(text(page, '.logistics .muted')).toContain('发货')
  page.querySelector('.logistics .copy').dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(copied).toEqual(['SF1234567890'])
})

test('an unshipped order has no logistics card', async () => {
  wx.route('GET orders/N8', () => [200, fixtures.order({ no: 'N8', status: 'paid' })])
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'N8' })
  expect(page.querySelector('.logistics')).toBeUndefined()
})
