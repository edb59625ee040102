const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')

let wx

const TPL = {
  id: 7, name: '专属回归礼', kind: 'no_threshold', group: 'shop', threshold: 0, off: 3000, rate: null, max_off: null,
  summary: '无门槛减30', scope: { whole_shop: true, categories: [], sku_ids: [], exclude_sku_ids: [], text: '全场通用' },
  valid_from: null, valid_until: null, valid_days: 7,
}
function coupon(status) {
  return { id: 41, status, valid_from: '2026-12-06T10:00:00+08:00', valid_until: '2026-12-13T10:00:00+08:00', used_at: null, order_no: null, template: TPL }
}
const RECS = [
  { id: 12, title: '木梳', subtitle: '', image: '', min_price: 5900, reason: 'bought_next' },
  { id: 15, title: '发膜', subtitle: '滋润', image: '/media/p/15.jpg', min_price: 12950, reason: 'same_category' },
]

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('the 专属回归礼 page shows the coupon in yuan and the recommendations with why', async () => {
  wx.route('GET me/comeback', () => [200, { coupon: coupon('unused'), recommendations: RECS }])
  const page = render('package-journey/comeback/index')
  await page.instance.onLoad()
  expect(text(page, '.gift .value')).toBe('¥30')
  expect(text(page, '.gift .threshold')).toBe('无门槛')
  expect(text(page, '.gift .validity')).toBe('2026.12.06 - 2026.12.13')
  expect(texts(page, '.product .title')).toEqual(['木梳', '发膜'])
  expect(texts(page, '.product .reason')).toEqual(['买过同款的人还买了', '同类热卖'])
  expect(texts(page, '.product .price')).toEqual(['¥59.00', '¥129.50'])
})

test('tapping a recommendation opens the product; 去使用 opens the shop', async () => {
  wx.route('GET me/comeback', () => [200, { coupon: coupon('unused'), recommendations: RECS }])
  const page = render('package-journey/comeback/index')
  await page.instance.onLoad()
  page.querySelectorAll('.product')[1].dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ type: 'navigateTo', url: '/pages/product/index?id=15' })
  page.querySelector('.use').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ type: 'switchTab', url: '/pages/home/index' })
})

test('a used coupon is stamped; no gift and no history says so; an error can be retried', async () => {
  wx.route('GET me/comeback', () => [200, { coupon: coupon('used'), recommendations: [] }])
  let page = render('package-journey/comeback/index')
  await page.instance.onLoad()
  expect(text(page, '.gift .stamp')).toBe('已使用')
  expect(page.querySelector('.use')).toBeFalsy()

  wx.route('GET me/comeback', () => [200, { coupon: null, recommendations: [] }])
  page = render('package-journey/comeback/index')
  await page.instance.onLoad()
  expect(page.querySelector('.gift')).toBeFalsy()
  expect(text(page, '.empty')).toBe('暂时没有为你准备的礼物，去逛逛吧')

  let calls = 0
  wx.route('GET me/comeback', () => (calls++ ? [200, { coupon: coupon('unused'), recommendations: [] }] : [500, { code: 'server_error', message: '', details: {} }]))
  page = render('package-journey/comeback/index')
  await page.instance.onLoad()
  expect(text(page, '.error')).toContain('点击重试')
  page.querySelector('.error').dispatchEvent('tap')
  await flush()
  expect(text(page, '.gift .value')).toBe('¥30')
})
