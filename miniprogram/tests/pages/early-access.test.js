const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, texts, text } = require('../helpers/page')

let wx

const CARD = {
  id: 31,
  title: '新款精华',
  subtitle: '',
  image: '/media/p31.jpg',
  min_price: 25900,
  sales_count: 0,
  tags: [],
  is_on_shelf: true,
  free_shipping: false,
  limited_discount: null,
  group_buy: null,
  bargain: null,
  flash_sale: null,
  launch_at: '2026-12-10T10:00:00+08:00',
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('a shopper in the segment sees the early products and taps one open', async () => {
  wx.route('GET me/early-access', () => [200, { results: [CARD] }])
  const page = render('package-member/early-access/index')
  await page.instance.onLoad()
  expect(texts(page, '.product .title')).toEqual(['新款精华'])
  expect(text(page, '.product .price')).toBe('¥259.00')
  expect(text(page, '.product .launch')).toBe('2026-12-10 10:00 公开发售')
  page.querySelector('.product').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ type: 'navigateTo', url: '/pages/product/index?id=31' })
})

test('a shopper outside every early-access segment sees the empty state', async () => {
  wx.route('GET me/early-access', () => [200, { results: [] }])
  const page = render('package-member/early-access/index')
  await page.instance.onLoad()
  expect(page.querySelectorAll('.product')).toHaveLength(0)
  expect(page.instance.data.items).toEqual([])
  expect(page.instance.data.loading).toBe(false)
})
