/**
 * 支付结果: the outcome comes from the server's order (polled), not from the checkout's word; the
 * buttons are real TDesign buttons tapped through the component.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx

// the first real TDesign component of a file is compiled with babel: slow on a busy machine
jest.setTimeout(30000)

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

const PAID = { status: 'paid', status_display: '待发货', paid_at: '2025-01-01T10:01:00+08:00' }

async function open(query, sleeps = []) {
  const page = render('package-order/pay-result/index', {}, { tdesign: ['t-button'] })
  page.instance._poll = { sleep: (ms) => (sleeps.push(ms), Promise.resolve()) }
  await page.instance.onLoad(query)
  return page
}

function tap(page, selector) {
  page.querySelector(selector).querySelector('.t-button').dispatchEvent('tap')
}

test('the notice arrives on the third ask: 支付成功 with the amount in yuan; 查看订单 and 继续逛逛 lead on', async () => {
  let asks = 0
  wx.route('GET orders/N1', () => [200, fixtures.order(++asks < 3 ? { no: 'N1' } : Object.assign({ no: 'N1' }, PAID))])
  const sleeps = []
  const page = await open({ no: 'N1' }, sleeps)
  expect(asks).toBe(3)
  expect(sleeps).toEqual([1500, 1500])
  expect(text(page, '.result-title')).toBe('支付成功')
  expect(text(page, '.result-amount')).toBe('¥108.00')
  expect(text(page, '.result-no')).toBe('订单号 N1')
  expect(page.querySelector('.group-invite')).toBeFalsy()
  expect(page.querySelector('.refresh-button')).toBeFalsy()

  tap(page, '.view-order')
  await flush()
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-order/order-detail/index?no=N1' })
  tap(page, '.continue')
  await flush()
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'switchTab', url: '/pages/home/index' })
})

test('still unpaid after five asks: 支付结果确认中, and 刷新结果 asks the server again', async () => {
  let paid = false
  wx.route('GET orders/N2', () => [200, fixtures.order(Object.assign({ no: 'N2' }, paid ? PAID : {}))])
  const page = await open({ no: 'N2' })
  expect(wx.__calls.request.filter((r) => r.path === 'orders/N2')).toHaveLength(5)
  expect(text(page, '.result-title')).toBe('支付结果确认中')
  expect(page.querySelector('.repay-button')).toBeFalsy()

  paid = true
  tap(page, '.refresh-button')
  await flush()
  expect(text(page, '.result-title')).toBe('支付成功')
})

test("the client's word is not taken: ?attempt=failed but the server has the payment → 支付成功", async () => {
  wx.route('GET orders/N3', () => [200, fixtures.order(Object.assign({ no: 'N3' }, PAID))])
  const page = await open({ no: 'N3', attempt: 'failed' })
  expect(text(page, '.result-title')).toBe('支付成功')
  expect(wx.__calls.request).toHaveLength(1)
})

test('WeChat Pay failed and the server has no payment: 支付未完成; 重新支付 pays again and shows the outcome', async () => {
  let paid = false
  wx.route('GET orders/N4', () => [200, fixtures.order(Object.assign({ no: 'N4' }, paid ? PAID : {}))])
  wx.route('POST orders/N4/pay', () => [200, { provider: 'wechat', out_trade_no: 'T4', params: {} }])
  const page = await open({ no: 'N4', attempt: 'failed' })
  expect(text(page, '.result-title')).toBe('支付未完成')
  expect(text(page, '.result-amount')).toBe('¥108.00')

  wx.__paymentResult = { errMsg: 'requestPayment:ok' }
  paid = true
  tap(page, '.repay-button')
  await flush()
  await flush()
  expect(wx.__calls.payment).toHaveLength(1)
  expect(text(page, '.result-title')).toBe('支付成功')
})

test('a closed order reads 支付失败 with the reason', async () => {
  wx.route('GET orders/N5', () => [200, fixtures.order({ no: 'N5', status: 'cancelled', status_display: '已取消', cancel_reason: '超时未支付，订单已取消' })])
  const page = await open({ no: 'N5' })
  expect(text(page, '.result-title')).toBe('支付失败')
  expect(text(page, '.result-note')).toBe('超时未支付，订单已取消')
})

test('a paid group order offers 邀请好友参团, sharing the group by its token', async () => {
  wx.route('GET orders/G1', () => [200, fixtures.order(Object.assign({ no: 'G1', deal_kind: 'group', deal_ref: 5, ship_hold: 'group_forming' }, PAID))])
  wx.route('GET groups/5', () => [
    200,
    {
      id: 5, status: 'open', status_text: '还差 2 人成团', outcome: '', size: 3, paid_count: 1, seats_left: 2, seats_available: 2,
      opened_at: '2026-12-01T10:00:00+08:00', expires_at: '2026-12-02T10:00:00+08:00', remaining_seconds: 3600, completed_at: null,
      campaign: { id: 9, name: '三人团', product_id: 7, title: '洁面乳', image: '/media/p.jpg', max_qty_per_order: 1, join_new_only: false, auto_complete: false },
      items: [], members: [{ nickname: '小多', avatar_url: '', is_leader: true, paid_at: '2026-12-01T10:00:00+08:00' }],
      share_token: 'tok5', share_path: '/package-social/group/index?token=tok5',
      mine: { status: 'paid', is_leader: true, order_id: 1 }, can_join: false, join_refusal: 'group_already_joined', deal: { kind: 'group', ref: 9, params: { share_token: 'tok5' } },
    },
  ])
  const page = await open({ no: 'G1' })
  expect(text(page, '.group-text')).toBe('还差 2 人成团，邀请好友一起拼')
  expect(page.querySelector('.invite-button')).toBeTruthy()
  const shared = page.instance.onShareAppMessage()
  expect(shared.title).toBe('还差 2 人成团，快来和我一起拼「洁面乳」')
  expect(shared.path).toMatch(/^\/package-social\/group\/index\?token=tok5/)
  page.querySelector('.group-link').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toEqual(expect.objectContaining({ type: 'navigateTo', url: '/package-social/group/index?id=5' }))
})
