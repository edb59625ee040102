const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const countdown = require('../../core/countdown')
const { render, text, texts } = require('../helpers/page')

let wx
const H = 3600e3

// the shape of marketing/selectors/flash_sales.py flash_slots_for_shoppers
function iso(ms) {
  const d = new Date(ms + 8 * H)
  return `${d.toISOString().slice(0, 19)}+08:00`
}
function item(id, extra) {
  return Object.assign({ id, product_id: 7, sku_id: 70 + id, title: `秒杀品${id}`, image: '/media/p.jpg', specs: {}, price: 5900, flash_price: 990, quota: 100, locked: 2, sold: 60, remaining: 38, per_shopper_limit: 1, per_order_limit: 1, sold_percent: 62, state: 'live', state_label: '抢购中' }, extra)
}
function slot(id, start, state, items) {
  return { id, kind: 'slot', title: iso(start).slice(11, 16), starts_at: iso(start), ends_at: iso(start + 2 * H), starts_at_ms: start, ends_at_ms: start + 2 * H, state, state_label: '', countdown_ms: 0, items }
}
function payload(now) {
  const today = now - (now % (24 * H)) - 8 * H // 00:00 in Shanghai
  return {
    server_time: { now: iso(Date.now()), timestamp_ms: Date.now() }, // the server's clock at the answer
    days: [
      { date: '', title: '今天', slots: [slot(1, today + 10 * H, 'ended', [item(1, { state: 'ended' })]), slot(2, now - H, 'live', [item(2), item(3, { state: 'sold_out', remaining: 0, sold_percent: 100 })]), slot(3, now + 2000, 'upcoming', [item(4, { state: 'upcoming', sold: 0, sold_percent: 0 })])] },
      { date: '', title: '明天', slots: [slot(4, today + 34 * H, 'upcoming', [])] },
    ],
  }
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

async function open(query) {
  const page = render('package-flash/index/index')
  await page.instance.onLoad(query || {})
  return page
}

test('one request: slot tabs with states, the live slot open, its items with 已抢 X% and buttons', async () => {
  const now = Date.now()
  wx.route('GET flash/slots', () => [200, payload(now)])
  const page = await open()
  // the screen is one request; sold-out items are then asked whether this shopper waits for them
  // (besides the subscribe-message map, loaded once for the 到货提醒 tap, F48)
  expect(wx.__calls.request.map((r) => r.path).filter((p) => p !== 'subscribe/templates')).toEqual(['flash/slots', 'flash/items/3'])
  expect(texts(page, '.slot-label')).toEqual(['已结束', '抢购中', '即将开始', '即将开始'])
  expect(text(page, '.slot-tab-on .slot-label')).toBe('抢购中')
  expect(texts(page, '.slot-time')[3]).toMatch(/^明天/)
  expect(texts(page, '.item-title')).toEqual(['秒杀品2', '秒杀品3'])
  expect(texts(page, '.item-progress')).toEqual(['已抢 62%', '已抢光'])
  expect(texts(page, '.item-price')).toEqual(['¥9.90', '¥9.90'])
  expect(text(page, '.edge-label')).toBe('距结束')
  expect(text(page, '.edge-clock')).toMatch(/^00:59:5\d$/)
  expect(page.instance.data.items.map((i) => i.button.action)).toEqual(['buy', 'reserve'])
})

test('马上抢 opens the checkout with the flash deal; 到货提醒 reserves once', async () => {
  const now = Date.now()
  wx.route('GET flash/slots', () => [200, payload(now)])
  const reserves = []
  wx.route('POST flash/items/3/reservation', (req) => (reserves.push(req), [201, { item_id: 3, created_at: '2026-12-01T10:00:00+08:00', notified_at: null }]))
  const page = await open()
  await page.instance.onBuy({ currentTarget: { dataset: { index: 0 } } })
  expect(wx.__calls.navigate.pop().url).toBe('/package-order/checkout/index?sku_id=72&qty=1&deal=flash&ref=2')
  await page.instance.onReserve({ currentTarget: { dataset: { index: 1 } } })
  expect(reserves).toHaveLength(1)
  expect(wx.__calls.toast.pop()).toBe('已预约，补货后第一时间通知您')
  expect(text(page, '.item-sold_out .item-state')).toBe('已预约')
  expect(await page.instance.onReserve({ currentTarget: { dataset: { index: 1 } } })).toBe(false)
  expect(reserves).toHaveLength(1)
})

test('an upcoming slot opens on the clock: 即将开抢 becomes 马上抢 at its start, then the counts are asked again', async () => {
  const now = Date.now()
  let n = 0
  wx.route('GET flash/slots', () => (++n, [200, payload(now)]))
  const page = await open({ slot: '3' })
  expect(text(page, '.slot-tab-on .slot-label')).toBe('即将开始')
  expect(text(page, '.edge-label')).toBe('距开抢')
  expect(page.instance.data.items[0].button).toEqual({ action: '', text: '即将开抢' })
  await new Promise((r) => setTimeout(r, 2100))
  await flush()
  expect(n).toBe(2)
  expect(text(page, '.slot-tab-on .slot-label')).toBe('抢购中') // the shopper's tab is kept
  expect(page.instance.data.items[0].button.action).toBe('buy')
  expect(text(page, '.edge-label')).toBe('距结束')
})

test('a refused reservation says why; tabs switch without a request; 限量发售 is its own list', async () => {
  const now = Date.now()
  wx.route('GET flash/slots', () => [200, payload(now)])
  wx.route('POST flash/items/3/reservation', () => [429, { code: 'rate_limited', message: 'x', details: { retry_after: null, action: 'reserve' } }])
  const page = await open()
  await page.instance.onReserve({ currentTarget: { dataset: { index: 1 } } })
  expect(wx.__calls.toast.pop()).toBe('操作太频繁，请稍后再试')
  const before = wx.__calls.request.length
  page.instance.onTab({ currentTarget: { dataset: { index: 0 } } })
  expect(texts(page, '.item-state')).toEqual(['已结束'])
  expect(wx.__calls.request).toHaveLength(before) // switching tabs asks nothing

  const release = Object.assign(slot(9, now - H, 'sold_out', [item(9, { state: 'sold_out', remaining: 0, sold_percent: 100, quota: 50 })]), { kind: 'release', title: '联名款首发' })
  wx.route('GET flash/releases', () => [200, { server_time: { timestamp_ms: now }, releases: [release] }])
  await page.instance.onMode({ currentTarget: { dataset: { mode: 'release' } } })
  expect(text(page, '.slot-time')).toBe('联名款首发')
  expect(text(page, '.slot-label')).toBe('补货中，可预约')
  expect(text(page, '.item .muted')).toBe('仅售 50 件 · 每人限购 1 件')
  expect(page.instance.data.items[0].button).toEqual({ action: 'reserve', text: '预约补货' })
})

test('the countdown runs on server time from the list answer; an empty day says so; share carries the slot', async () => {
  const now = Date.now()
  wx.route('GET flash/slots', () => [200, Object.assign(payload(now), { server_time: { timestamp_ms: now + 5 * 60e3 } })])
  await open()
  expect(Math.round(countdown.offset() / 60e3)).toBe(5)
  wx.route('GET flash/slots', () => [200, { server_time: { timestamp_ms: now }, days: [{ title: '今天', slots: [] }, { title: '明天', slots: [] }] }])
  store.set('member', { invite_code: 'AB12' })
  const empty = await open()
  expect(empty.dom.textContent).not.toContain('秒杀品')
  expect(empty.instance.onShareAppMessage().path).toBe('/package-flash/index/index?invite=AB12&src=share')
})

test('marketing-centre flash entries open the flash page on their slot', () => {
  const routes = require('../../core/routes')
  expect(routes.marketingTarget({ type: 'flash', id: 3, kind: 'slot', product_id: 7 })).toBe('/package-flash/index/index?slot=3')
  expect(routes.marketingTarget({ type: 'flash', id: 9, kind: 'release' })).toBe('/package-flash/index/index?slot=9&mode=release')
  expect(routes.marketingTarget({ type: 'promotion', id: 1 })).toBe('/package-flash/promotion/index?id=1')
})

test('sold-out items this shopper waits for show 已预约 (asked per item); 已预约 can be withdrawn', async () => {
  const now = Date.now()
  wx.route('GET flash/slots', () => [200, payload(now)])
  wx.route('GET flash/items/3', () => [200, { server_time: { timestamp_ms: Date.now() }, slot: { id: 2 }, item: { id: 3, state: 'sold_out', reserved: true, can_reserve: false } }])
  const deletes = []
  wx.route('DELETE flash/items/3/reservation', (req) => (deletes.push(req), [204, '']))
  const page = await open()
  await flush()
  expect(wx.__calls.request.filter((r) => r.path.startsWith('flash/items/')).map((r) => r.path)).toEqual(['flash/items/3']) // the live one is not asked
  expect(text(page, '.item-reserved')).toBe('已预约')
  expect(await page.instance.onUnreserve({ currentTarget: { dataset: { index: 1 } } })).toBe(true)
  expect(wx.__calls.modal.pop()).toBe('取消到货提醒？')
  expect(deletes).toHaveLength(1)
  expect(page.instance.data.items[1].button).toEqual({ action: 'reserve', text: '到货提醒' })
})
