// 包邮 badges (issue 10 §4): the API says free_shipping on products, cards, flash items and the
// group-buy / bargain campaigns; every page that shows their price shows 包邮 beside it, and the
// checkout breakdown says why shipping is free.
const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const offers = require('../../core/offers')
const flash = require('../../core/flash')
const social = require('../../core/social')
const pricing = require('../../core/pricing')
const { render, text, texts } = require('../helpers/page')
const { productDetail, quote } = require('../helpers/fixtures')

let wx
const H = 3600e3

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

function iso(ms) {
  return new Date(ms).toISOString()
}

test('the product page shows 包邮 beside the price and beside a 包邮 flash entry, not beside others', async () => {
  const now = Date.now()
  const flashSale = { type: 'flash_sale', ref: 12, sku_id: 71, name: '10:00 秒杀', kind_label: '秒杀', state: 'live', state_label: '抢购中', price: 990, free_shipping: true, starts_at: iso(now - 60e3), ends_at: iso(now + H) }
  const groupBuy = { campaign_id: 9, name: '三人团', group_size: 3, price: 2900, leader_price: null, list_price: 5900, free_shipping: false, starts_at: iso(now - H), ends_at: iso(now + H) }
  wx.route('GET products/7', () => [200, productDetail({ free_shipping: true, flash_sale: flashSale, group_buy: groupBuy, server_time: { timestamp_ms: now } })])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(text(page, '.product-free-shipping')).toBe('包邮')
  const entries = texts(page, '.deal-entry')
  expect(entries).toHaveLength(2)
  // 拼团 first (not 包邮), then the 9.9 包邮 flash item with the badge right after its price
  expect(entries[0]).not.toContain('包邮')
  expect(entries[1]).toMatch(/^秒杀10:00 秒杀¥9\.90包邮距结束/)
  expect(texts(page, '.deal-free-shipping')).toEqual(['包邮'])
})

test('a product without 包邮 shows no badge', async () => {
  wx.route('GET products/7', () => [200, productDetail({ free_shipping: false, server_time: { timestamp_ms: Date.now() } })])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  expect(page.querySelector('.product-free-shipping')).toBeFalsy()
  expect(page.instance.data.product.freeShipping).toBe(false)
})

test('deal entries carry the campaigns\' 包邮, a missing flag reads as not free', () => {
  const now = Date.now()
  const window = { starts_at: iso(now - H), ends_at: iso(now + H) }
  const entries = offers.dealEntries(
    {
      group_buy: Object.assign({ campaign_id: 9, name: '团', group_size: 3, price: 2900, leader_price: null, free_shipping: true }, window),
      bargain: Object.assign({ campaign_id: 4, name: '砍', sku_id: 71, start_price: 19900, floor_price: 0 }, window),
    },
    now,
  )
  expect(entries.map((e) => [e.kind, e.freeShipping])).toEqual([['group', true], ['bargain', false]])
})

test('a product card shows 包邮 with or without a 限时折扣', () => {
  const card = render('components/product-card/index', { product: { id: 7, title: '抽纸', image: 'a.jpg', min_price: 1990, max_price: 1990, tags: [], free_shipping: true, limited_discount: null } })
  expect(text(card, '.card-free-shipping')).toBe('包邮')
  const discounted = render('components/product-card/index', {
    product: { id: 8, title: '面膜', image: 'b.jpg', min_price: 5900, max_price: 5900, tags: [], free_shipping: true, limited_discount: { price: 4720, rate: '0.8' } },
  })
  expect(text(discounted, '.card-free-shipping')).toBe('包邮')
  const plain = render('components/product-card/index', { product: { id: 9, title: '洁面', image: 'c.jpg', min_price: 5900, max_price: 5900, tags: [], limited_discount: null } })
  expect(plain.querySelector('.card-free-shipping')).toBeFalsy()
})

test('the flash page marks 9.9 包邮 items', async () => {
  const now = Date.now()
  const item = (id, extra) => Object.assign({ id, product_id: 7, sku_id: 70 + id, title: `秒杀品${id}`, image: '', specs: {}, price: 5900, flash_price: 990, quota: 100, locked: 0, sold: 10, remaining: 90, per_shopper_limit: 1, per_order_limit: 1, sold_percent: 10, state: 'live', state_label: '抢购中' }, extra)
  const slot = { id: 2, kind: 'slot', title: '10:00', starts_at: iso(now - H), ends_at: iso(now + H), starts_at_ms: now - H, ends_at_ms: now + H, state: 'live', state_label: '抢购中', countdown_ms: H, items: [item(1, { free_shipping: true }), item(2, { free_shipping: false })] }
  wx.route('GET flash/slots', () => [200, { server_time: { timestamp_ms: now }, days: [{ date: '', title: '今天', slots: [slot] }] }])
  const page = render('package-flash/index/index')
  await page.instance.onLoad({})
  expect(texts(page, '.item-title')).toEqual(['秒杀品1', '秒杀品2'])
  const rows = texts(page, '.item-foot')
  expect(rows[0]).toMatch(/^¥9\.90¥59\.00包邮/)
  expect(rows[1]).not.toContain('包邮')
  expect(texts(page, '.item-free-shipping')).toEqual(['包邮'])
  expect(flash.itemView(item(3), 'live', 'slot').freeShipping).toBe(false)
})

test('the group-buy campaign and group pages show 包邮 beside the group price', async () => {
  wx.route('GET group-buys/9', () => [200, {
    id: 9, name: '三人团', product_id: 7, title: '洁面乳', image: '', group_size: 3, duration_minutes: 1440, lowest_price: 2900, list_price: 5900, free_shipping: true,
    starts_at: '', ends_at: '', items: [{ sku_id: 71, specs: {}, list_price: 5900, group_price: 2900, leader_price: null, saving: 3000 }],
    is_open: true, auto_complete: false, max_qty_per_order: 1, per_member_limit: null, my_participations: 0, join_new_only: false, open_groups: [], deal: { kind: 'group', ref: 9, params: {} },
  }])
  const page = render('package-social/group/index')
  await page.instance.onLoad({ campaign: '9' })
  expect(text(page, '.big')).toBe('¥29.00')
  expect(text(page, '.group-free-shipping')).toBe('包邮')
  const group = social.groupView({ id: 5, status: 'open', size: 3, members: [], campaign: { id: 9, free_shipping: true }, items: [] })
  expect(group.freeShipping).toBe(true)
  expect(social.groupView({ id: 6, status: 'open', size: 3, members: [], campaign: { id: 9 }, items: [] }).freeShipping).toBe(false)
})

test('the bargain campaign and bargain pages show 包邮', async () => {
  wx.route('GET bargains/campaigns/4', () => [200, {
    id: 4, name: '砍价', product_id: 7, sku_id: 71, specs: {}, title: '音箱', image: '', list_price: 19900, start_price: 19900, floor_price: 0, helpers_min: 10, helpers_max: 20,
    duration_minutes: 1440, starts_at: '', ends_at: '', remaining_quantity: 10, sold_out: false, helper_new_only: false, free_shipping: true, is_open: true, my_bargain_id: null,
  }])
  const page = render('package-social/bargain/index')
  await page.instance.onLoad({ campaign: '4' })
  expect(text(page, '.bargain-free-shipping')).toBe('包邮')
  const view = social.bargainView({ id: 3, status: 'ongoing', campaign: { id: 4, free_shipping: true } })
  expect(view.freeShipping).toBe(true)
})

test('the checkout breakdown says why shipping is free, and nothing when it is charged', () => {
  const free = pricing.breakdown(quote({ shipping_fee: 0, shipping: { fee: 0, free: true, reason: 'waived', reason_label: '10:00 秒杀 包邮', rules: [] } }))
  expect(free.rows.find((r) => r.key === 'shipping')).toMatchObject({ text: '包邮', note: '10:00 秒杀 包邮' })
  const charged = pricing.breakdown(quote({ shipping_fee: 800, shipping: { fee: 800, free: false, reason: 'charged', reason_label: '运费 8.00 元' } }))
  expect(charged.rows.find((r) => r.key === 'shipping')).toMatchObject({ text: '¥8.00', note: '' })
  const c = render('components/price-breakdown/index', { quote: quote({ shipping_fee: 0, shipping: { free: true, reason: 'threshold', reason_label: '满 99.00 元包邮' } }) })
  expect(text(c, '.amount-note')).toBe('满 99.00 元包邮')
})
