const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')

let wx
const H = 3600e3

function iso(ms) {
  const d = new Date(ms + 8 * H)
  return `${d.toISOString().slice(0, 19)}+08:00`
}
function card(id) {
  return { id, title: `商品${id}`, subtitle: '', image: '/media/p.jpg', min_price: 19900, sales_count: 3, tags: [], is_on_shelf: true, limited_discount: null, group_buy: null, bargain: null, flash_sale: null }
}
// the shape of marketing/api/promotions.py PromotionDetailApi
function promotion(extra, count, ids) {
  const now = Date.now()
  return Object.assign(
    {
      id: 3,
      name: '美妆满减',
      kind: 'full_reduction',
      kind_label: '满减',
      rule_text: '满199减30，满299减60',
      starts_at: iso(now - H),
      ends_at: iso(now + 5 * H),
      state: 'ongoing',
      state_label: '进行中',
      whole_shop: false,
      per_user_limit: null,
      products: { count, results: ids.map(card) },
      server_time: { now: iso(now), timestamp_ms: now },
    },
    extra
  )
}
function pageOf(req) {
  return Number((req.query && req.query.page) || (req.data && req.data.page) || 1)
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
})

test('the rule in words, its countdown to the end and the products it reaches', async () => {
  wx.route('GET promotions/3', () => [200, promotion({}, 2, [1, 2])])
  const page = render('package-flash/promotion/index')
  expect(page.querySelector('.skeleton')).toBeDefined()
  await page.instance.onLoad({ id: '3' })
  expect(page.querySelector('.skeleton')).toBeUndefined()
  expect(text(page, '.hero-rule')).toBe('满199减30，满299减60')
  expect(text(page, '.hero-name')).toBe('美妆满减')
  expect(text(page, '.hero-edge-label')).toBe('距结束')
  expect(text(page, '.hero-scope')).toBe('共 2 件商品参加')
  expect(Array.from(page.dom.querySelectorAll('product-card')).length).toBe(2)
  expect(text(page, '.list-foot')).toBe('已经到底了')
})

test('an upcoming, whole-shop promotion counts down to its start and says 全场', async () => {
  const now = Date.now()
  wx.route('GET promotions/4', () => [
    200,
    promotion({ id: 4, state: 'upcoming', state_label: '即将开始', starts_at: iso(now + H), whole_shop: true, per_user_limit: 1, kind_label: '第 N 件优惠', rule_text: '第2件5折' }, 1, [9]),
  ])
  const page = render('package-flash/promotion/index')
  await page.instance.onLoad({ id: '4' })
  expect(texts(page, '.hero-state')).toEqual(['即将开始'])
  expect(text(page, '.hero-edge-label')).toBe('距开始')
  expect(page.instance.data.target).toBe(iso(now + H))
  expect(text(page, '.hero-scope').replace(/\s+/g, '')).toBe('全场商品可用·每人限享1次')
})

test('scrolling to the bottom asks for the next page and appends it', async () => {
  const first = Array.from({ length: 20 }, (_, i) => i + 1)
  wx.route('GET promotions/3', (req) => [200, pageOf(req) === 1 ? promotion({}, 21, first) : promotion({}, 21, [21])])
  const page = render('package-flash/promotion/index')
  await page.instance.onLoad({ id: '3' })
  expect(page.instance.data.hasMore).toBe(true)
  await page.instance.onReachBottom()
  expect(wx.__calls.request.map(pageOf)).toEqual([1, 2])
  expect(page.instance.data.products.map((p) => p.id)).toEqual(first.concat([21]))
  expect(page.instance.data.hasMore).toBe(false)
  await page.instance.onReachBottom() // nothing more to ask for
  expect(wx.__calls.request.length).toBe(2)
})

test('a promotion that ended shows the server message and a retry', async () => {
  wx.route('GET promotions/5', () => [404, { code: 'promotion_not_found', message: '促销活动不存在。', details: {} }])
  const page = render('package-flash/promotion/index')
  await page.instance.onLoad({ id: '5' })
  expect(text(page, '.error-box')).toContain('促销活动不存在。')
  expect(page.querySelector('product-card')).toBeUndefined()
})

test('sharing carries the rule and reopens the same promotion', async () => {
  wx.route('GET promotions/3', () => [200, promotion({}, 1, [1])])
  const page = render('package-flash/promotion/index')
  await page.instance.onLoad({ id: '3' })
  const shared = page.instance.onShareAppMessage()
  expect(shared.title).toBe('美妆满减｜满199减30，满299减60')
  expect(shared.path.startsWith('/package-flash/promotion/index?id=3')).toBe(true)
  // 朋友圈 reopens this page: only the query travels, with the sharer's invite code
  store.set('member', { invite_code: 'INV9' })
  const timeline = page.instance.onShareTimeline()
  expect(timeline.title).toBe('美妆满减｜满199减30，满299减60')
  expect(timeline.query).toBe('id=3&invite=INV9&src=share')
})
