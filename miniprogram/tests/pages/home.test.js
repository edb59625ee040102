const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')

let wx
const HOME = {
  banners: [{ product_id: 7, title: '洁面乳', image: 'b1.jpg' }],
  categories: [{ id: 1, name: '美妆', icon: '' }, { id: 2, name: '零食', icon: 'i.png' }],
  hot: [{ id: 7, title: '洁面乳', image: 'p.jpg', min_price: 5900, sales_count: 1200, tags: ['引流品'] }],
  new: [{ id: 8, title: '面膜', image: 'q.jpg', min_price: 1000, sales_count: 0, tags: [] }],
  server_time: new Date().toISOString(),
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
})

test('without a home page the first screen comes from one home request, with a skeleton until it answers', async () => {
  wx.route('GET home', () => [200, HOME])
  const page = render('pages/home/index')
  expect(page.querySelector('.skeleton')).toBeDefined()
  await page.instance.onLoad({})
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['home'])
  expect(page.querySelector('.skeleton')).toBeUndefined()
  expect(texts(page, '.category-name')).toEqual(['美妆', '零食'])
  expect(text(page, '.category-letter')).toBe('美')
  expect(texts(page, '.section-title')).toEqual(['热销榜', '新品上架'])
  expect(page.instance.data.hot.map((p) => p.id)).toEqual([7])
  expect(page.instance.data.fresh.map((p) => p.id)).toEqual([8])
  const cards = Array.from(page.dom.querySelectorAll('product-card')).map((n) => n.textContent.replace(/\s+/g, ''))
  expect(cards).toEqual(['洁面乳引流品¥59.00已售1200', '面膜¥10.00'])
})

test('no marketing centre in the payload → the block is not drawn', async () => {
  wx.route('GET home', () => [200, HOME])
  const page = render('pages/home/index')
  await page.instance.onLoad({})
  expect(page.instance.data.centre).toBeNull()
  const centre = page.querySelector('marketing-centre')
  expect(centre ? centre.querySelector('.centre') : undefined).toBeUndefined()
})

test('a marketing centre in the payload is passed to the block', async () => {
  const now = Date.now()
  const marketing_center = { ongoing: [{ id: 1, type: 'flash_sale', title: '秒杀', start_at: new Date(now - 1000).toISOString(), end_at: new Date(now + 3600e3).toISOString() }], upcoming: [] }
  wx.route('GET home', () => [200, Object.assign({}, HOME, { marketing_center })])
  const page = render('pages/home/index')
  await page.instance.onLoad({})
  expect(page.instance.data.centre).toEqual(marketing_center)
  // a shop promotion (满减, 满赠 …) opens its own page; an entry with nowhere to go does nothing
  page.instance.onMarketingOpen({ detail: { item: { type: 'promotion', id: 3, kind: 'full_reduction' } } })
  page.instance.onMarketingOpen({ detail: { item: { type: 'flash_sale', id: 1 } } })
  expect(wx.__calls.navigate).toEqual([{ type: 'navigateTo', url: '/package-flash/promotion/index?id=3' }])
  expect(wx.__calls.toast || []).toEqual([])
})

test('a failed load shows the reason and retries on tap', async () => {
  let n = 0
  wx.route('GET home', () => (++n === 1 ? [503, { code: 'server_error', message: '', details: {} }] : [200, HOME]))
  const page = render('pages/home/index')
  await page.instance.onLoad({})
  expect(text(page, '.error-box')).toContain('服务器开小差了，请稍后再试')
  await page.instance.onRetry()
  expect(page.querySelector('.error-box')).toBeUndefined()
  expect(n).toBe(2)
})

test('a category tap hands the id to the category tab through the store', async () => {
  wx.route('GET home', () => [200, HOME])
  const page = render('pages/home/index')
  await page.instance.onLoad({})
  page.instance.onCategory({ currentTarget: { dataset: { id: 2 } } })
  expect(store.get('categoryIntent')).toEqual({ category: 2, q: '' })
  expect(wx.__calls.navigate).toEqual([{ type: 'switchTab', url: '/pages/category/index' }])
})

test('a banner tap opens its product (a banner is a product: HomeBanner has no link of its own)', async () => {
  wx.route('GET home', () => [200, HOME])
  const page = render('pages/home/index')
  await page.instance.onLoad({})
  page.querySelector('.banner-image').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate).toEqual([{ type: 'navigateTo', url: '/pages/product/index?id=7', events: undefined }])
})
