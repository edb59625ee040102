const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, texts } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('opens on the tab from the query and lists that status', async () => {
  wx.route('GET orders', (req) => [200, { count: 1, next: null, results: [fixtures.orderSummary({ no: 'P1', status: req.query.status })] }])
  const page = render('package-order/orders/index')
  page.instance.onLoad({ status: 'pending_payment' })
  await page.instance.onShow()
  expect(wx.__calls.request[0].query).toEqual({ status: 'pending_payment', page: '1' })
  expect(texts(page, '.status')).toEqual(['待付款'])
  expect(page.instance.data.orders[0]).toMatchObject({ no: 'P1', qty: 2, payable: 10800, actions: { pay: true, cancel: true, confirm: false } })
})

test('switching tabs drops a slower answer for the old tab', async () => {
  const answers = {}
  wx.route('GET orders', (req) => answers[req.query.status || 'all'])
  answers.all = [200, { count: 1, next: null, results: [fixtures.orderSummary({ no: 'OLD', status: 'completed' })] }]
  answers.paid = [200, { count: 1, next: null, results: [fixtures.orderSummary({ no: 'NEW', status: 'paid' })] }]
  const page = render('package-order/orders/index')
  page.instance.onLoad({})
  const first = page.instance.onShow()
  const second = page.instance.onTab({ detail: { value: 'paid' } })
  await Promise.all([first, second])
  expect(page.instance.data.orders.map((o) => o.no)).toEqual(['NEW'])
})

test('scrolling to the bottom appends the next page', async () => {
  wx.route('GET orders', (req) =>
    req.query.page === '1'
      ? [200, { count: 2, next: 'p2', results: [fixtures.orderSummary({ no: 'A' })] }]
      : [200, { count: 2, next: null, results: [fixtures.orderSummary({ no: 'B' })] }],
  )
  const page = render('package-order/orders/index')
  page.instance.onLoad({})
  await page.instance.onShow()
  await page.instance.onReachBottom()
  await page.instance.onReachBottom() // no more pages: nothing sent
  expect(page.instance.data.orders.map((o) => o.no)).toEqual(['A', 'B'])
  expect(wx.__calls.request).toHaveLength(2)
})
