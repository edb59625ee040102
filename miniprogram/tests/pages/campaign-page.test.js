const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')

let wx
const now = Date.now()
const iso = (ms) => new Date(ms).toISOString()
const card = { id: 7, title: '精华', subtitle: '', image: 'p.jpg', min_price: 9900, sales_count: 3, tags: [], is_on_shelf: true, free_shipping: false, limited_discount: null, group_buy: null, bargain: null, flash_sale: null }
// one block of every type, shaped as GET pages/{key} answers (marketing/pages/resolvers.py)
const BLOCKS = [
  { key: 'k1', type: 'countdown', settings: {}, data: { title: '618 大促', state: 'live', state_label: '进行中', target_at: iso(now + 90061000), target_ms: now + 90061000 } },
  { key: 'k2', type: 'banner', settings: {}, data: { image: 'b.jpg', title: '主会场', target: { type: 'product', id: 7 } } },
  { key: 'k3', type: 'nav_icons', settings: {}, data: { columns: 4, items: [{ title: '领券', icon: '', target: { type: 'coupons' } }, { title: '会场', icon: 'i.png', target: { type: 'page', slug: 'beauty' } }] } },
  { key: 'k4', type: 'coupon', settings: {}, data: { title: '先领券', coupons: [{ id: 5, name: '满减券', summary: '满199.00减30.00', threshold: 19900, off: 3000, remaining: 10, state: 'claimable', state_label: '立即领取' }] } },
  { key: 'k5', type: 'full_reduction', settings: {}, data: { title: '618 满减', available: true, promotion: { id: 3, name: '618 满减', tiers: [{ threshold: 19900, off: 3000, text: '满199.00减30.00' }], starts_at: iso(now), ends_at: iso(now + 1e8), state: 'live', state_label: '进行中' } } },
  { key: 'k6', type: 'flash_sale', settings: {}, data: { title: '整点秒杀', available: true, slot: { id: 9, kind: 'slot', title: '20:00', state: 'upcoming', state_label: '即将开始', countdown_ms: 1000, starts_at_ms: now + 1000, ends_at_ms: now + 7200e3, items: [{ id: 11, title: '面霜', image: '', price: 5900, flash_price: 990, sold_percent: 40, state: 'upcoming', state_label: '即将开始' }] } } },
  { key: 'k7', type: 'group_buy', settings: {}, data: { title: '拼团', campaigns: [{ id: 21, title: '面霜', group_size: 3, lowest_price: 2900, state: 'live', state_label: '进行中' }] } },
  { key: 'k8', type: 'bargain', settings: {}, data: { title: '', campaigns: [{ id: 31, title: '音箱', floor_price: 0, start_price: 19900, state: 'live', state_label: '进行中' }] } },
  { key: 'k9', type: 'product_grid', settings: {}, data: { title: '爆款', columns: '2', products: [card] } },
  { key: 'ka', type: 'rich_text', settings: {}, data: { title: '活动规则', image: '', paragraphs: ['第一段。', '第二段。'] } },
  { key: 'ke', type: 'guide', settings: {}, data: { title: '开学清单', items: [{ kind: 'heading', text: '书桌' }, { kind: 'text', text: '先看这支：' }, { kind: 'product', product: Object.assign({}, card, { id: 8, title: '台灯', min_price: 12900, stock: 0, in_stock: false }) }, { kind: 'image', image: 'https://cdn.example.com/desk.jpg' }] } },
  { key: 'kb', type: 'video', settings: {}, data: { title: '上新', url: 'https://v.example.com/a.mp4', poster: '' } },
  { key: 'kc', type: 'checkin_entry', settings: {}, data: { title: '每日签到领积分', subtitle: '', enabled: true, points: 5 } },
  { key: 'kd', type: 'divider', settings: {}, data: { style: 'line', height: 24 } },
]
const PAGE = { id: 1, slug: '618', title: '618 主会场', share_title: '618 来了', is_home: false, version: 2, blocks: BLOCKS, server_time: { now: iso(now), timestamp_ms: now } }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('member', { id: 1, invite_code: 'AB12' })
})

async function open() {
  wx.route('GET pages/618', () => [200, PAGE])
  const page = render('package-campaign/page/index')
  await page.instance.onLoad({ slug: '618' })
  return page
}

/** The block components' part of a page (simulate scopes queries per component). */
function blocksOf(page) {
  return page.querySelector('#blocks')
}

test('every block type is drawn from the one page request', async () => {
  const page = blocksOf(await open())
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['pages/618'])
  const drawn = page.querySelectorAll('.pb').map((n) => n.dom.getAttribute('data-type'))
  expect(drawn).toEqual(BLOCKS.map((b) => b.type))
  expect(text(page, '.countdown .head')).toBe('618 大促')
  expect(text(page, '.countdown .left')).toMatch(/距结束 1天 01:01:0\d/)
  expect(texts(page, '.icon-name')).toEqual(['领券', '会场'])
  expect(text(page, '.coupon .price')).toBe('¥30.00')
  expect(text(page, '.tier')).toBe('满199.00减30.00')
  expect(text(page, '.flash .price')).toContain('¥9.90')
  expect(texts(page, '.campaign .price')).toEqual(['3人团 ¥29.00', '最低 ¥0.00'])
  expect(texts(page, '.para')).toEqual(['第一段。', '第二段。', '先看这支：'])
  expect(text(page, '.guide-heading')).toBe('书桌')
  expect(text(page, '.guide-card .name')).toBe('台灯')
  expect(text(page, '.guide-card .price')).toBe('¥129.00')
  expect(text(page, '.guide-card .badge')).toBe('已售罄')
  expect(page.querySelector('.video')).toBeDefined()
  expect(text(page, '.checkin .badge')).toBe('签到 +5 积分')
  expect(page.querySelector('.rule')).toBeDefined()
  const cards = Array.from(page.dom.querySelectorAll('product-card')).map((n) => n.textContent.replace(/\s+/g, ''))
  expect(cards).toEqual(['精华¥99.00已售3'])
})

test('taps open the block pages: banner, icons, flash, group, bargain, 满减, check-in', async () => {
  const page = blocksOf(await open())
  const tap = async (selector, n = 0) => {
    page.querySelectorAll(selector)[n].dispatchEvent('tap')
    await flush()
  }
  await tap('.banner')
  await tap('.icon', 0)
  await tap('.icon', 1)
  await tap('.flash')
  await tap('.campaign', 0)
  await tap('.campaign', 1)
  await tap('.tiers')
  await tap('.checkin')
  await tap('.guide-card')
  expect(wx.__calls.navigate.map((n) => n.url)).toEqual([
    '/pages/product/index?id=7',
    '/package-member/coupons/index',
    '/package-campaign/page/index?slug=beauty',
    '/package-flash/index/index?slot=9',
    '/package-social/group/index?campaign=21',
    '/package-social/bargain/index?campaign=31',
    '/package-flash/promotion/index?id=3',
    '/package-member/checkin/index',
    '/pages/product/index?id=8',
  ])
})

test('a coupon is claimed in place, and a refusal is told', async () => {
  const page = blocksOf(await open())
  let n = 0
  const template = {
    id: 5, name: '满减券', kind: 'amount_off', group: 'shop', threshold: 19900, off: 3000, rate: null, max_off: null, summary: '满199.00减30.00',
    scope: { whole_shop: true, categories: [], sku_ids: [], exclude_sku_ids: [], text: '全场通用' },
    valid_from: null, valid_until: null, valid_days: 7,
  }
  const claimed = { id: 100, status: 'unused', valid_from: iso(now), valid_until: iso(now + 7 * 864e5), used_at: null, order_no: null, template }
  wx.route('POST coupons/claim', () => (++n === 1 ? [201, claimed] : [409, { code: 'coupon_limit_reached', message: '您已达到该优惠券的领取上限。', details: {} }]))
  page.querySelector('.coupon').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.request.filter((r) => r.path === 'coupons/claim')[0].data).toEqual({ template_id: 5 })
  expect(text(page, '.coupon .badge')).toBe('已领取')
  expect(wx.__calls.toast[0]).toBe('领取成功')
  page.querySelector('.coupon').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast[1]).toBe('您已领过该优惠券，不能再领了') // the client's words for coupon_limit_reached
})

test('the share card carries the page and the sharer codes', async () => {
  const page = await open()
  const card = page.instance.onShareAppMessage()
  expect(card.title).toBe('618 来了')
  expect(card.path).toBe('/package-campaign/page/index?slug=618&invite=AB12&src=share')
})

test('the home tab shows the published home page instead of the standard screen', async () => {
  const homePage = Object.assign({}, PAGE, { is_home: true, slug: 'index' })
  delete homePage.server_time
  wx.route('GET home', () => [200, { banners: [], categories: [], hot: [], new: [], server_time: new Date().toISOString(), page: homePage }])
  const page = render('pages/home/index')
  await page.instance.onLoad({})
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['home'])
  expect(blocksOf(page).querySelectorAll('.pb').length).toBe(BLOCKS.length)
  expect(page.querySelector('.section-title')).toBeUndefined()
})
