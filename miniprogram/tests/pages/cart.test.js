const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx
const tick = () => new Promise((r) => setTimeout(r, 0))

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  wx.route('GET cart', () => [200, fixtures.cart()])
})

async function open() {
  const page = render('pages/cart/index')
  await page.instance.onShow()
  return page
}

test('shows lines and totals of the selected, buyable lines; unavailable ones are marked', async () => {
  const page = await open()
  expect(page.instance.data.items).toHaveLength(3)
  expect(text(page, '.sum .price')).toBe('¥118.00')
  expect(page.instance.data.totals.selectedQty).toBe(2)
  expect(text(page, '.off-reason')).toBe('已售罄')
  expect(store.get('cartCount')).toBe(4)
})

test('the stepper changes the screen at once, PATCHes the qty and sends only the changed path', async () => {
  const patches = []
  wx.route('PATCH cart/items/1', (req) => (patches.push(req.data), [200, {}]))
  const page = await open()
  const setData = jest.spyOn(page.instance, 'setData')
  const pending = page.instance.onQty({ currentTarget: { dataset: { id: 1 } }, detail: { value: 3 } })
  expect(text(page, '.sum .price')).toBe('¥177.00')
  await pending
  expect(patches).toEqual([{ qty: 3 }])
  expect(setData.mock.calls[0][0]).toEqual({ 'items[0].qty': 3 })
})

test('a refused quantity is rolled back with the reason', async () => {
  wx.route('PATCH cart/items/1', () => [409, { code: 'stock_insufficient', message: '', details: { available: 2 } }])
  const page = await open()
  await page.instance.setQty(1, 3)
  expect(page.instance.data.items[0].qty).toBe(2)
  expect(text(page, '.sum .price')).toBe('¥118.00')
  expect(wx.__calls.toast).toEqual(['库存不足，仅剩 2 件'])
})

test('quick taps on one line reach the server in order', async () => {
  const order = []
  wx.route('PATCH cart/items/2', (req) => (order.push(req.data.qty), [200, {}]))
  const page = await open()
  await Promise.all([page.instance.setQty(2, 2), page.instance.setQty(2, 3), page.instance.setQty(2, 4)])
  expect(order).toEqual([2, 3, 4])
  expect(page.instance.data.items[1].qty).toBe(4)
})

test('select all patches only the lines that change and never the unavailable one', async () => {
  const patched = []
  wx.route('PATCH cart/items/2', (req) => (patched.push([2, req.data]), [200, {}]))
  wx.route('PATCH cart/items/3', (req) => (patched.push([3, req.data]), [200, {}]))
  const page = await open()
  await page.instance.onSelectAll()
  expect(patched).toEqual([[2, { selected: true }]])
  expect(page.instance.data.totals.allSelected).toBe(true)
  expect(text(page, '.sum .price')).toBe('¥128.00')
})

test('remove asks first, then deletes and drops the line', async () => {
  wx.route('DELETE cart/items/2', () => [204, ''])
  const page = await open()
  wx.__modalAnswer = false
  await page.instance.remove(2)
  expect(wx.__calls.request.some((r) => r.method === 'DELETE')).toBe(false)
  wx.__modalAnswer = true
  await page.instance.remove(2)
  expect(page.instance.data.items.map((i) => i.id)).toEqual([1, 3])
  expect(store.get('cartCount')).toBe(3)
})

test('checkout needs a selection; with one it opens the checkout subpackage', async () => {
  const page = await open()
  await page.instance.onCheckout()
  expect(wx.__calls.navigate[0]).toMatchObject({ type: 'navigateTo', url: '/package-order/checkout/index' })
  page.setData({ 'items[0].selected': false })
  page.instance.recount()
  await tick()
  page.instance.onCheckout()
  expect(wx.__calls.toast).toEqual(['请先选择要结算的商品'])
})

// the shape of marketing/api/quote.py CartQuoteApi (money as {fen, yuan})
function cartQuote(payable, discount, shipping, hints) {
  const m = (fen) => ({ fen, yuan: (fen / 100).toFixed(2) })
  return {
    payable: m(payable), subtotal: m(payable + discount), discount: m(discount), shipping_fee: m(shipping), total: m(payable + shipping),
    lines: [], applied: [], rejected: [], coupons: { auto_selected: true, usable: [], unusable: [] },
    points: { used: 0, value: m(0), max: 0, earned: 0 }, gifts: [],
    hints: hints.map((text, i) => ({ rule_id: `promotion:${i + 1}`, type: 'full_reduction', type_label: '满减', name: '满减', short_by: m(900), reward: m(2000), gift: null, text })),
  }
}

test("the bar shows the engine's price of the selection: discounts, shipping and 凑单 hints", async () => {
  wx.route('POST cart/quote', () => [200, cartQuote(10800, 1000, 0, ['再买 ¥41.00 可减 ¥30.00'])])
  const page = await open()
  expect(text(page, '.sum .price')).toBe('¥108.00')
  expect(text(page, '.sum-note').replace(/\s+/g, ' ')).toBe('已优惠 ¥10.00 免运费')
  expect(text(page, '.hint')).toBe('凑单再买 ¥41.00 可减 ¥30.00')
  expect(wx.__calls.request.map((r) => `${r.method} ${r.path}`)).toEqual(['GET cart', 'POST cart/quote'])
})

test('after a tap the list-price sum shows at once, and the engine is asked again once the server has the change', async () => {
  let quotes = 0
  wx.route('POST cart/quote', () => (++quotes === 1 ? [200, cartQuote(10800, 1000, 0, [])] : [200, cartQuote(14700, 3000, 800, [])]))
  wx.route('PATCH cart/items/1', () => [200, {}])
  const page = await open()
  const pending = page.instance.onQty({ currentTarget: { dataset: { id: 1 } }, detail: { value: 3 } })
  expect(text(page, '.sum .price')).toBe('¥177.00')
  expect(text(page, '.sum-note')).toBe('不含运费和优惠')
  await pending
  await tick()
  await tick()
  expect(wx.__calls.request.map((r) => `${r.method} ${r.path}`)).toEqual(['GET cart', 'POST cart/quote', 'PATCH cart/items/1', 'POST cart/quote'])
  expect(text(page, '.sum .price')).toBe('¥147.00')
  expect(text(page, '.sum-note').replace(/\s+/g, ' ')).toBe('已优惠 ¥30.00 运费 ¥8.00')
  expect(page.querySelector('.hint')).toBeUndefined()
})

test('when the engine cannot price the cart the list-price sum stays, marked as such, with no error toast', async () => {
  wx.route('POST cart/quote', () => [409, { code: 'sku_unavailable', message: '商品已下架', details: {} }])
  const page = await open()
  expect(text(page, '.sum .price')).toBe('¥118.00')
  expect(text(page, '.sum-note')).toBe('不含运费和优惠')
  expect(wx.__calls.toast).toEqual([])
})

test('nothing selected: no quote is asked for', async () => {
  wx.route('GET cart', () => [200, Object.assign(fixtures.cart(), { items: fixtures.cart().items.map((it) => Object.assign(it, { selected: false })) })])
  const page = await open()
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['cart'])
  expect(page.instance.data.quote).toBeNull()
})
