const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')
const { productDetail } = require('../helpers/fixtures')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('one request fills the page: price range, title, tags', async () => {
  wx.route('GET products/7', () => [200, productDetail()])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  // the first screen is products/7 alone; the 买家秀 below it asks for its posts once it is drawn
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['products/7', 'community/feed'])
  expect(text(page, '.big-price')).toBe('¥59.00 - ¥69.00')
  expect(text(page, '.title')).toBe('氨基酸洁面乳')
  expect(text(page, '.tag')).toBe('引流品')
  expect(text(page, '.gallery-index')).toBe('1/2')
})

test('加入购物车 posts the chosen SKU and quantity and bumps the cart badge', async () => {
  wx.route('GET products/7', () => [200, productDetail()])
  wx.route('POST cart/items', () => [201, { id: 1 }])
  store.set('cartCount', 2)
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  await page.instance.onConfirm({ detail: { action: 'cart', sku: { id: 73 }, qty: 2 } })
  const post = wx.__calls.request.find((r) => r.path === 'cart/items')
  expect(post.data).toEqual({ sku_id: 73, qty: 2 })
  expect(store.get('cartCount')).toBe(4)
  expect(wx.__calls.toast).toEqual(['已加入购物车'])
})

test('立即购买 goes to checkout with the SKU; a refused add shows the reason', async () => {
  wx.route('GET products/7', () => [200, productDetail()])
  wx.route('POST cart/items', () => [409, { code: 'stock_insufficient', message: '', details: { available: 1 } }])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  await page.instance.onConfirm({ detail: { action: 'buy', sku: { id: 71 }, qty: 1 } })
  expect(wx.__calls.navigate[0]).toMatchObject({ type: 'navigateTo', url: '/package-order/checkout/index?sku_id=71&qty=1' })
  await page.instance.onConfirm({ detail: { action: 'cart', sku: { id: 71 }, qty: 3 } })
  expect(wx.__calls.toast).toEqual(['库存不足，仅剩 1 件'])
  expect(page.instance.data.adding).toBe(false)
})

test('a sold-out or off-shelf product offers no buy buttons; a missing one shows the error', async () => {
  const soldOut = productDetail({ skus: [{ id: 1, specs: {}, price: 100, stock: 0 }], spec_names: [] })
  wx.route('GET products/7', () => [200, soldOut])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(page.instance.data.product.soldOut).toBe(true)
  expect(text(page, '.bottom-bar')).toContain('已售罄')
  const missing = render('pages/product/index')
  await missing.instance.onLoad({ id: '404' })
  expect(text(missing, '.error-box')).toContain('内容不存在或已下架')
})
