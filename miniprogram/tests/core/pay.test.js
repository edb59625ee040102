const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const pay = require('../../core/pay')

let wx
const PARAMS = { timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 's' }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('wechat provider: wx.requestPayment gets the server params as they are', async () => {
  wx.route('POST orders/N1/pay', () => [200, { provider: 'wechat', out_trade_no: 'T1', params: PARAMS }])
  const res = await pay.payOrder('N1')
  expect(res).toEqual({ provider: 'wechat', outTradeNo: 'T1', paid: false })
  expect(wx.__calls.payment).toHaveLength(1)
  expect(wx.__calls.payment[0]).toMatchObject(PARAMS)
})

test('the shopper backing out of WeChat Pay is payment_cancelled, other failures payment_failed', async () => {
  wx.route('POST orders/N1/pay', () => [200, { provider: 'wechat', out_trade_no: 'T1', params: PARAMS }])
  wx.__paymentFails = 'cancel'
  await expect(pay.payOrder('N1')).rejects.toMatchObject({ code: 'payment_cancelled', message: '已取消支付' })
  wx.__paymentFails = true
  await expect(pay.payOrder('N1')).rejects.toMatchObject({ code: 'payment_failed' })
})

test('sandbox provider: confirm, then payments/sandbox/{out_trade_no}/complete', async () => {
  wx.route('POST orders/N2/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S-9', params: { sandbox_pay_url: '/x' } }])
  wx.route('POST payments/sandbox/S-9/complete', () => [200, { out_trade_no: 'S-9', outcome: 'paid', order_no: 'N2', order_status: 'paid' }])
  const res = await pay.payOrder('N2', { order: { payable_amount: 10800 } })
  expect(res).toEqual({ provider: 'sandbox', outTradeNo: 'S-9', paid: true })
  expect(wx.__calls.modal[0]).toContain('¥108.00')
  // then the subscribe-message map (F48: asked after paying; none mapped here, so no dialog)
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['orders/N2/pay', 'payments/sandbox/S-9/complete', 'subscribe/templates'])
  expect(wx.__calls.subscribe).toHaveLength(0)
  expect(wx.__calls.payment).toHaveLength(0)
})

test('declining the sandbox payment calls nothing further', async () => {
  wx.__modalAnswer = false
  wx.route('POST orders/N2/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S-9', params: {} }])
  await expect(pay.payOrder('N2')).rejects.toMatchObject({ code: 'payment_cancelled' })
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['orders/N2/pay'])
})

test('waitForPaid polls the order until the payment notice has been processed', async () => {
  let n = 0
  wx.route('GET orders/N3', () => [200, { no: 'N3', status: ++n < 3 ? 'pending_payment' : 'paid' }])
  const sleeps = []
  const order = await pay.waitForPaid('N3', { sleep: (ms) => (sleeps.push(ms), Promise.resolve()), interval: 1000 })
  expect(order.status).toBe('paid')
  expect(sleeps).toEqual([1000, 1000])
})
