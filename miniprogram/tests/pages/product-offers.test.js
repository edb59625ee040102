const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const countdown = require('../../core/countdown')
const offers = require('../../core/offers')
const { render, text } = require('../helpers/page')
const { productDetail } = require('../helpers/fixtures')

let wx
const SERVER_NOW = Date.parse('2026-12-01T20:00:00+08:00')

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

afterEach(() => jest.useRealTimers())

function limited(overrides) {
  return Object.assign(
    { promotion_id: 3, name: '双十二限时折扣', rate: '0.8', price: 4720, sku_id: 71, starts_at: '2026-12-01T19:00:00+08:00', ends_at: '2026-12-01T21:02:03+08:00' },
    overrides,
  )
}

test('rate wording', () => {
  expect(offers.rateText('0.8')).toBe('8折')
  expect(offers.rateText('0.85')).toBe('8.5折')
  expect(offers.rateText('1')).toBe('')
  expect(offers.rateText('x')).toBe('')
})

test('the view: running, upcoming, or gone once over (on server time)', () => {
  const at = SERVER_NOW
  expect(offers.limitedDiscountView(limited(), 5900, at)).toMatchObject({ state: 'running', label: '限时折扣', priceText: '¥47.20', originalText: '¥59.00', rateText: '8折' })
  expect(offers.limitedDiscountView(limited({ starts_at: '2026-12-01T21:00:00+08:00' }), 5900, at)).toMatchObject({ state: 'upcoming', label: '即将开始' })
  expect(offers.limitedDiscountView(limited({ ends_at: '2026-12-01T19:59:59+08:00' }), 5900, at)).toBeNull()
  expect(offers.limitedDiscountView(null, 5900, at)).toBeNull()
})

test('the product page counts the 限时折扣 down on the server clock (the phone is 10 minutes fast)', async () => {
  jest.useFakeTimers({ now: SERVER_NOW + 10 * 60e3, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] })
  wx.route('GET products/7', () => [200, productDetail({ limited_discount: limited(), server_time: { now: '2026-12-01T20:00:00+08:00', timestamp_ms: SERVER_NOW } })])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(countdown.offset()).toBe(-10 * 60e3)
  expect(text(page, '.limited-price')).toBe('¥47.20')
  expect(text(page, '.limited-original')).toBe('¥59.00') // the discounted SKU's own price
  expect(text(page, '.limited-name')).toBe('限时折扣 · 8折 · 双十二限时折扣')
  expect(text(page, '.limited-right')).toBe('距结束01:02:03')
  jest.advanceTimersByTime(3000)
  expect(text(page, '.limited-right')).toBe('距结束01:02:00')
})

test('when the discount ends the product is asked again and the band goes', async () => {
  let n = 0
  wx.route('GET products/7', () => {
    n += 1
    const now = Date.now()
    return [200, productDetail(n === 1 ? { limited_discount: limited({ ends_at: new Date(now + 1000).toISOString() }), server_time: { timestamp_ms: now } } : { limited_discount: null, server_time: { timestamp_ms: now } })]
  })
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(page.querySelector('.limited')).toBeTruthy()
  await new Promise((r) => setTimeout(r, 1100))
  await flush()
  expect(n).toBe(2)
  expect(page.querySelector('.limited')).toBeFalsy()
})

test('a product card with a running 限时折扣 shows its price and strikes the list price', () => {
  const card = render('components/product-card/index', {
    product: { id: 7, title: '洁面乳', image: 'a.jpg', min_price: 5900, max_price: 6900, sales_count: 3, tags: [], limited_discount: limited() },
  })
  expect(text(card, '.card-offer')).toBe('限时')
  expect(text(card, '.foot .price')).toBe('¥47.20')
  expect(text(card, '.card-strike')).toBe('¥59.00')
  const plain = render('components/product-card/index', { product: { id: 8, title: '面膜', image: 'b.jpg', min_price: 1000, max_price: 1000, tags: [], limited_discount: null } })
  expect(plain.querySelector('.card-offer')).toBeFalsy()
  expect(text(plain, '.foot .price')).toBe('¥10.00')
})

test('拼团 and 砍价 campaigns of the product show as entries that open their pages', async () => {
  const now = Date.now()
  const window = { starts_at: new Date(now - 3600e3).toISOString(), ends_at: new Date(now + 3600e3).toISOString() }
  wx.route('GET products/7', () => [200, productDetail({
    group_buy: Object.assign({ campaign_id: 9, name: '三人团', group_size: 3, price: 3900, leader_price: 3500, list_price: 5900 }, window),
    bargain: Object.assign({ campaign_id: 4, name: '砍价', sku_id: 71, start_price: 5900, floor_price: 0 }, window),
    server_time: { timestamp_ms: now },
  })])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  const { texts } = require('../helpers/page')
  expect(texts(page, '.deal-entry')).toEqual(['3人团三人团¥35.00去开团', '砍价砍到 0 元免费拿发起砍价'])
  page.instance.onDealEntry({ currentTarget: { dataset: { index: 0 } } })
  expect(wx.__calls.navigate.pop().url).toBe('/package-social/group/index?campaign=9')
  page.instance.onDealEntry({ currentTarget: { dataset: { index: 1 } } })
  expect(wx.__calls.navigate.pop().url).toBe('/package-social/bargain/index?campaign=4')
  // a campaign outside its window is not offered
  expect(offers.dealEntries({ bargain: { campaign_id: 4, starts_at: new Date(now + 3600e3).toISOString(), ends_at: new Date(now + 7200e3).toISOString() } }, now)).toEqual([])
})

test('sharing the product or the home page carries the invite code and a promoter code', async () => {
  wx.route('GET products/7', () => [200, productDetail()])
  store.set('member', { invite_code: 'AB12' })
  store.set('myPromoterCode', 'P1A2B3C4D')
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(page.instance.onShareAppMessage()).toEqual({ title: '氨基酸洁面乳', path: '/pages/product/index?id=7&invite=AB12&pc=P1A2B3C4D&src=share', imageUrl: 'https://img.example/7-1.jpg' })
  const home = render('pages/home/index')
  expect(home.instance.onShareAppMessage()).toEqual({ title: '多营商城', path: '/pages/home/index?invite=AB12&pc=P1A2B3C4D&src=share' })
})

test('a live flash item of the product goes straight to the checkout with its deal; an upcoming one counts down to its start', async () => {
  const now = Date.now()
  const flash = { type: 'flash_sale', ref: 12, sku_id: 71, name: '10:00 秒杀', kind_label: '秒杀', state: 'live', state_label: '抢购中', price: 990, starts_at: new Date(now - 60e3).toISOString(), ends_at: new Date(now + 3600e3).toISOString() }
  wx.route('GET products/7', () => [200, productDetail({ flash_sale: flash, server_time: { timestamp_ms: now } })])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  const { texts } = require('../helpers/page')
  expect(texts(page, '.deal-entry')[0]).toMatch(/^秒杀10:00 秒杀¥9.90距结束 ?00:59:5\d马上抢$/)
  await page.instance.onDealEntry({ currentTarget: { dataset: { index: 0 } } })
  expect(wx.__calls.navigate.pop().url).toBe('/package-order/checkout/index?sku_id=71&qty=1&deal=flash&ref=12')
  const soon = offers.dealEntries({ flash_sale: Object.assign({}, flash, { type: 'flash_release', kind_label: '限量发售', starts_at: new Date(now + 60e3).toISOString() }) }, now)
  expect(soon[0]).toMatchObject({ tag: '限量发售', action: '即将开抢', url: '/package-flash/index/index?mode=release', countdownPrefix: '距开抢 ' })
})

test('马上抢 on a flash item already sold out says so and opens its slot instead of the checkout', async () => {
  const now = Date.now()
  const flash = { type: 'flash_sale', ref: 12, sku_id: 71, name: '10:00 秒杀', kind_label: '秒杀', state: 'live', state_label: '抢购中', price: 990, starts_at: new Date(now - 60e3).toISOString(), ends_at: new Date(now + 3600e3).toISOString() }
  wx.route('GET products/7', () => [200, productDetail({ flash_sale: flash, server_time: { timestamp_ms: now } })])
  let remaining = 0
  wx.route('GET flash/items/12', () => [200, { server_time: { timestamp_ms: Date.now() }, slot: { id: 4, state: remaining ? 'live' : 'sold_out' }, item: { id: 12, state: remaining ? 'live' : 'sold_out', state_label: '已抢光', remaining, reserved: false, can_reserve: !remaining } }])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(await page.instance.onDealEntry({ currentTarget: { dataset: { index: 0 } } })).toBe('/package-flash/index/index?slot=4')
  expect(wx.__calls.toast.pop()).toBe('手慢了，已抢光')
  remaining = 1
  expect(await page.instance.onDealEntry({ currentTarget: { dataset: { index: 0 } } })).toBe('/package-order/checkout/index?sku_id=71&qty=1&deal=flash&ref=12')
})
