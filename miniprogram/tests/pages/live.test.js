/**
 * 直播 (F24) pages with real taps, in both states of the live plugin build switch: the room list
 * (tabs with counts, 开播提醒 with the subscribe message asked in the tap, 进入直播间 only with
 * the plugin, the companion page without it), and the companion page (整点秒杀 with a countdown
 * to the hour, 评论抽奖 keyword entry and the draw re-computed on the phone, 粉丝专属价 bought
 * through the deal seam with the share link's token, the order attributed to the room).
 */
const crypto = require('crypto')
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const config = require('../../config')
const fixtures = require('../helpers/fixtures')
const { render, text, texts } = require('../helpers/page')

// the real TDesign button compiles on first use: slow on a busy machine
jest.setTimeout(30000)

let wx
const H = 3600e3

function iso(ms) {
  const d = new Date(ms + 8 * H)
  return `${d.toISOString().slice(0, 19)}+08:00`
}

// the shapes of marketing/selectors/live.py (branch live)
function room(id, status, extra) {
  const start = Date.UTC(2036, 11, 6, 12) // 20:00 in Shanghai, far from the test's clock
  return Object.assign(
    {
      id,
      wx_room_id: 1000 + id,
      name: `直播间${id}`,
      anchor_name: '小多',
      cover_img: 'https://img.example.com/c.jpg',
      share_img: '',
      status,
      status_label: { upcoming: '预告', live: '直播中', replay: '回放', ended: '已结束' }[status],
      start_time: iso(start),
      end_time: iso(start + 2 * H),
      start_time_ms: start,
      followed: false,
      followers: 3,
      has_replay: status === 'replay',
    },
    extra
  )
}

function list(tab, rooms) {
  return { server_time: { now: iso(Date.now()), timestamp_ms: Date.now() }, tab, counts: { upcoming: 2, live: 1, replay: 4 }, rooms }
}

function flashItem(id, extra) {
  return Object.assign({ id, product_id: 7, sku_id: 70 + id, title: `秒杀品${id}`, image: '/media/p.jpg', specs: {}, price: 5900, flash_price: 990, quota: 100, locked: 0, sold: 0, remaining: 100, per_shopper_limit: 1, per_order_limit: 1, sold_percent: 0, state: 'upcoming', state_label: '即将开始' }, extra)
}

function slot(id, start, state) {
  return { id, kind: 'slot', title: iso(start).slice(11, 16), starts_at: iso(start), ends_at: iso(start + H), starts_at_ms: start, ends_at_ms: start + H, state, state_label: '', countdown_ms: 0, items: [flashItem(id)] }
}

const SEED = 'b7f1d2c3a4e5f60718293a4b5c6d7e8f'
const SEED_HASH = crypto.createHash('sha256').update(SEED).digest('hex')
const score = (id) => crypto.createHmac('sha256', SEED).update(String(id)).digest('hex')

function lottery(id, state, extra) {
  const now = Date.now()
  return Object.assign(
    {
      id,
      title: '评论抽奖',
      keyword: '多营好物',
      opens_at: iso(now - H),
      closes_at: iso(now + H),
      opens_at_ms: now - H,
      closes_at_ms: now + H,
      state,
      state_label: { upcoming: '即将开始', open: '进行中', closed: '待开奖', drawn: '已开奖' }[state],
      winners_count: 2,
      entries_count: 5,
      prize_kind: 'points',
      prize_text: '200 积分',
      seed_hash: SEED_HASH,
      seed: state === 'drawn' ? SEED : '',
      drawn_at: state === 'drawn' ? iso(now) : null,
      my_entry: null,
    },
    extra
  )
}

function fan(id, extra) {
  return Object.assign({ id, product_id: 8, sku_id: 81, title: '直播专享面霜', specs: { 规格: '50ml' }, image: '/media/f.jpg', price: 19900, fan_price: 12900, price_text: '199.00', fan_price_text: '129.00', quota: 20, left: 5 }, extra)
}

function companion(extra) {
  return Object.assign(
    {
      server_time: { now: iso(Date.now()), timestamp_ms: Date.now() },
      room: room(7, 'live'),
      replays: [],
      followed: false,
      share_valid: false,
      fan_price_open: false,
      goods: [{ id: 1, product_id: 8, name: '直播专享面霜', price: 19900, price_text: '199.00', cover_img: '/media/f.jpg' }],
      flash_slots: [],
      lotteries: [],
      fan_prices: [],
    },
    extra
  )
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  subscribe.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  config.live.plugin = false
  wx.route('GET subscribe/templates', () => [200, { templates: [], moments: { live_follow: ['TPL-LIVE'] } }])
  wx.route('POST me/subscriptions', () => [200, { credits: { 'TPL-LIVE': 1 } }])
})

afterAll(() => {
  config.live.plugin = false
})

async function openRooms(query, routes) {
  Object.keys(routes || {}).forEach((key) => wx.route(key, routes[key]))
  const page = render('package-live/rooms/index')
  await page.instance.onLoad(query || {})
  await flush()
  return page
}

describe('room list', () => {
  test('tabs carry their counts; a tap on 预告 asks that tab; plugin off, a live room opens its companion page', async () => {
    const asked = []
    const page = await openRooms({}, {
      'GET live/rooms': (req) => (asked.push(req.query.tab), [200, req.query.tab === 'upcoming' ? list('upcoming', [room(8, 'upcoming')]) : list('live', [room(7, 'live')])]),
    })
    expect(asked).toEqual(['live'])
    expect(texts(page, '.tab')).toEqual(['预告2', '直播中1', '回放4'])
    expect(text(page, '.tab-active')).toBe('直播中1')
    expect(text(page, '.room-name')).toBe('直播间7')
    expect(text(page, '.status')).toBe('直播中')
    expect(text(page, '.action')).toBe('查看直播间') // no plugin: never a plugin-private URL
    page.querySelector('.action').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop().url).toBe('/package-live/room/index?room_id=7')
    page.querySelectorAll('.tab')[0].dispatchEvent('tap')
    await flush()
    expect(asked).toEqual(['live', 'upcoming'])
    expect(text(page, '.room-time')).toBe('12月06日 20:00 开播')
    expect(page.querySelector('.start-countdown')).toBeFalsy() // not within a day of now
    expect(text(page, '.action')).toBe('开播提醒')
    expect(wx.__calls.navigate.some((n) => /^plugin-private/.test(n.url))).toBe(false)
  })

  test('开播提醒 asks for the reminder template in the tap and follows; 已预约 unfollows', async () => {
    const follows = []
    const soon = Date.now() + 2 * H + 5 * 60e3
    const page = await openRooms({ tab: 'upcoming' }, {
      'GET live/rooms': () => [200, list('upcoming', [room(8, 'upcoming', { start_time: iso(soon), start_time_ms: soon })])],
      'POST live/rooms/8/follow': () => (follows.push('follow'), [200, { followed: true }]),
      'DELETE live/rooms/8/follow': () => (follows.push('unfollow'), [200, { followed: false }]),
    })
    page.querySelector('.action').dispatchEvent('tap')
    await flush()
    expect(text(page, '.start-countdown')).toMatch(/^距开播 02:0[45]:\d\d$/)
    expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-LIVE'] }])
    expect(follows).toEqual(['follow'])
    expect(text(page, '.action')).toBe('已预约')
    expect(text(page, '.followers')).toBe('4 人已预约')
    expect(wx.__calls.toast.pop()).toBe('已预约，开播前提醒你')
    page.querySelector('.action').dispatchEvent('tap')
    await flush()
    expect(follows).toEqual(['follow', 'unfollow'])
    expect(text(page, '.action')).toBe('开播提醒')
    expect(wx.__calls.subscribe).toHaveLength(1) // unfollowing asks nothing
  })

  test('a follow refused (signed out) is told and the card stays as it was', async () => {
    const page = await openRooms({ tab: 'upcoming' }, {
      'GET live/rooms': () => [200, list('upcoming', [room(8, 'upcoming')])],
      'POST live/rooms/8/follow': () => [404, { code: 'live_room_not_found', message: '直播间不存在或已下线。', details: {} }],
    })
    page.querySelector('.action').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast.pop()).toBe('直播间不存在或已下线。')
    expect(text(page, '.action')).toBe('开播提醒')
  })

  test('plugin on: 进入直播间 opens the live player with the room as custom_params, and the order will be the room\'s', async () => {
    config.live.plugin = true
    const page = await openRooms({}, { 'GET live/rooms': () => [200, list('live', [room(7, 'live')])] })
    expect(text(page, '.action')).toBe('进入直播间')
    page.querySelector('.action').dispatchEvent('tap')
    await flush()
    const url = wx.__calls.navigate.pop().url
    expect(url.split('?')[0]).toBe('plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin')
    expect(url).toContain('room_id=1007')
    expect(JSON.parse(decodeURIComponent(url.split('custom_params=')[1]))).toEqual({ src: 'live:7', room: 7 })
    expect(share.currentSrc()).toBe('live:7')
  })

  test('an empty tab says so; a failed list says why', async () => {
    let fail = false
    const page = await openRooms({ tab: 'replay' }, {
      'GET live/rooms': () => (fail ? [400, { code: 'invalid_input', message: '请求参数有误。', details: {} }] : [200, list('replay', [])]),
    })
    expect(text(page, '.empty')).toBe('暂无回放')
    fail = true
    await page.instance.load()
    expect(text(page, '.error')).toBe('填写的信息有误，请检查后重试') // the client's words for invalid_input
    expect(page.querySelector('.room')).toBeFalsy()
  })
})

/** The real t-button inside a page's button (its tap runs the page's bind:tap). */
function tButton(page, selector) {
  const host = page.querySelector(selector)
  return host ? host.querySelector('.t-button') : null
}

async function openRoom(query, body, routes) {
  wx.route('GET live/rooms/7', (req) => [200, typeof body === 'function' ? body(req) : body])
  Object.keys(routes || {}).forEach((key) => wx.route(key, routes[key]))
  const page = render('package-live/room/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad(query)
  await flush()
  return page
}

describe('companion page', () => {
  test('plugin off: no way into the player, the replay plays as a video; plugin on: 看回放 opens the player', async () => {
    const replayRoom = companion({ room: room(7, 'replay'), replays: [{ media_url: 'https://media.example.com/r.mp4', expire_time: '2027-03-06 20:00:00', create_time: '2026-12-06 22:00:00' }] })
    let page = await openRoom({ room_id: '7' }, replayRoom)
    expect(page.querySelector('.enter-button')).toBeFalsy()
    expect(page.querySelector('.replay')).toBeTruthy()
    expect(page.instance.data.replay.url).toBe('https://media.example.com/r.mp4')
    expect(text(page, '.replay-text')).toBe('回放有效期至 2027-03-06 20:00')
    config.live.plugin = true
    page = await openRoom({ room_id: '7' }, replayRoom)
    expect(page.querySelector('.replay')).toBeFalsy()
    expect(tButton(page, '.enter-button').dom.textContent.trim()).toBe('看回放')
    tButton(page, '.enter-button').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop().url).toMatch(/^plugin-private:\/\/wx2b03c6e691cd7370\/pages\/live-player-plugin\?room_id=1007&custom_params=/)
  })

  test('整点秒杀: an upcoming slot counts down to the hour and opens the flash page on that slot', async () => {
    const now = Date.now()
    const hour = now - (now % H) + H
    const page = await openRoom({ room_id: '7' }, companion({ flash_slots: [slot(31, hour, 'upcoming')] }))
    expect(text(page, '.plugin-off')).toBe('直播进行中：本小程序暂未开通直播观看，可在这里参与秒杀和抽奖')
    expect(text(page, '.goods-item .price')).toBe('¥199.00')
    expect(text(page, '.slot-clock')).toBe(`${iso(hour).slice(11, 16)} 开抢`)
    expect(iso(hour).slice(14, 16)).toBe('00') // on the hour
    expect(text(page, '.slot-state')).toBe('即将开始')
    expect(text(page, '.slot-countdown')).toMatch(/^距开抢 \d\d:\d\d:\d\d$/)
    expect(text(page, '.slot-item .price')).toBe('¥9.90')
    page.querySelector('.slot').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop().url).toBe('/package-flash/index/index?slot=31')
    expect(share.currentSrc()).toBe('live:7') // a deal taken from the room is the room's order
  })

  test('a flash unit bought after the room\'s 整点秒杀 carries the room as src to the flash purchase', async () => {
    const now = Date.now()
    const page = await openRoom({ room_id: '7' }, companion({ flash_slots: [slot(31, now - (now % H), 'live')] }))
    page.querySelector('.slot').dispatchEvent('tap')
    await flush()
    const purchases = []
    wx.route('GET addresses', () => [200, [{ id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '1 号', is_default: true }]])
    wx.route('POST checkout/preview', () => [200, fixtures.quote()])
    wx.route('POST flash/items/31/purchase', (req) => (purchases.push(req.data), [201, fixtures.order({ no: 'F7' })]))
    wx.route('POST orders/F7/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S7', params: {} }])
    wx.route('POST payments/sandbox/S7/complete', () => [200, {}])
    const checkout = render('package-order/checkout/index')
    await checkout.instance.onLoad({ sku_id: '101', qty: '1', deal: 'flash', ref: '31' })
    await checkout.instance.submit()
    expect(purchases).toEqual([{ qty: 1, points: 0, address_id: 5, src: 'live:7' }])
  })

  test('评论抽奖: the keyword is sent once within the window; a wrong one is told; my entry shows', async () => {
    let entered = null
    const sent = []
    const page = await openRoom({ room_id: '7' }, () => companion({ lotteries: [lottery(5, 'open', { my_entry: entered })] }), {
      'POST live/lotteries/5/entries': (req) => {
        sent.push(req.data)
        if (req.data.keyword !== '多营好物') return [400, { code: 'live_lottery_keyword_wrong', message: '口令不对，请发送直播间公布的口令。', details: {} }]
        entered = { id: 55, entered_at: iso(Date.now()), rank: null, won: false, prize_issued: false, coupon_id: null, points: 0 }
        return [201, { lottery_id: 5, entry: entered }]
      },
    })
    expect(text(page, '.lottery-prize')).toBe('200 积分 · 抽 2 人')
    expect(text(page, '.keyword-text')).toBe('多营好物')
    expect(text(page, '.lottery-countdown')).toMatch(/^距截止 00:5\d:\d\d$/)
    expect(text(page, '.seed-hash')).toBe(SEED_HASH) // the commitment, shown before anyone enters
    page.querySelector('.send').dispatchEvent('tap')
    await flush()
    expect(sent).toEqual([])
    expect(wx.__calls.toast.pop()).toBe('请输入口令「多营好物」')
    page.querySelector('.keyword-input').dispatchEvent('input', { detail: { value: '多营' } })
    page.querySelector('.send').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast.pop()).toBe('口令不对，请发送直播间公布的口令。')
    page.querySelector('.keyword-input').dispatchEvent('input', { detail: { value: ' 多营好物 ' } })
    page.querySelector('.send').dispatchEvent('tap')
    await flush()
    expect(sent).toEqual([{ keyword: '多营' }, { keyword: '多营好物' }])
    expect(text(page, '.my-entry')).toBe('已参与，参与编号 55')
    expect(page.querySelector('.entry')).toBeFalsy()
  })

  test('a drawn lottery: my result, the winners, and the seed re-computed on the phone against the published hash', async () => {
    const entryIds = [51, 52, 53, 54, 55]
    const ranked = entryIds.slice().sort((a, b) => (score(a) < score(b) ? -1 : 1))
    const winners = ranked.slice(0, 2).map((id, i) => ({ entry_id: id, rank: i + 1, nickname: i ? '李*' : '张*丰', score: score(id) }))
    const mine = { id: ranked[0], entered_at: iso(Date.now()), rank: 1, won: true, prize_issued: true, coupon_id: null, points: 200 }
    const drawn = lottery(5, 'drawn', { my_entry: mine })
    const detail = Object.assign({}, drawn, { room_id: 7, winners, verification: 'seed_hash = SHA-256(seed)；按 score 从小到大排序，前 2 名中奖。' })
    let served = winners
    const page = await openRoom({ room_id: '7' }, companion({ lotteries: [drawn] }), {
      'GET live/lotteries/5': () => [200, Object.assign({}, detail, { winners: served })],
      'GET live/lotteries/5/entries': () => [200, { lottery_id: 5, entry_ids: entryIds }],
    })
    expect(text(page, '.my-entry')).toBe('恭喜中奖！第 1 名，奖品已发放到你的账户')
    expect(texts(page, '.winner-name')).toEqual(['张*丰', '李*'])
    expect(text(page, '.seed')).toBe(SEED)
    expect(text(page, '.check')).toBe('本机已校验：种子与开奖前公布的哈希一致，按种子复算 5 个参与编号，中奖名单一致')
    expect(page.querySelector('.check-ok')).toBeTruthy()
    // a list the seed does not give is caught on the phone
    served = winners.slice().reverse().map((w, i) => Object.assign({}, w, { rank: i + 1 }))
    await page.instance.load()
    expect(text(page, '.check')).toBe('本机校验未通过：中奖名单与种子算出的顺序不符')
    expect(page.querySelector('.check-bad')).toBeTruthy()
    // a score that is not the winner's HMAC under the revealed seed is caught too
    served = winners.map((w, i) => (i ? Object.assign({}, w, { score: score(w.entry_id + 1) }) : w))
    await page.instance.load()
    expect(text(page, '.check')).toBe('本机校验未通过：中奖者的分数与种子算出的不符')
  })

  test('粉丝专属价 through a share link: follow first, then buy at the fan price; the order carries the deal and the room', async () => {
    let followed = false
    const asked = []
    const page = await openRoom({ room_id: '7', share: '.eJyrVkrOz0nNTVayUjI0MDBQqgUAL-cFKA:1vX:sig', src: 'live:7' }, (req) => {
      asked.push(req.query.share)
      return companion({ followed, share_valid: true, fan_price_open: followed, fan_prices: [fan(3)] })
    }, {
      'POST live/rooms/7/follow': () => ((followed = true), [200, { followed: true }]),
    })
    expect(asked).toEqual(['.eJyrVkrOz0nNTVayUjI0MDBQqgUAL-cFKA:1vX:sig']) // the token goes with the room's answer
    expect(text(page, '.fan-name')).toBe('直播专享面霜')
    expect(text(page, '.fan-price')).toBe('¥129.00')
    expect(text(page, '.fan-item .price-strike')).toBe('¥199.00')
    expect(text(page, '.quota')).toBe('剩 5 件')
    expect(text(page, '.fan-note')).toBe('关注直播间，并通过直播间的分享链接进入，即可享粉丝专属价')
    expect(text(page, '.fan-action')).toBe('关注享粉丝价')
    page.querySelector('.fan-action').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-LIVE'] }])
    expect(text(page, '.fan-action')).toBe('粉丝价购买')
    expect(page.querySelector('.fan-note')).toBeFalsy()
    page.querySelector('.fan-action').dispatchEvent('tap')
    await flush()
    const url = wx.__calls.navigate.pop().url
    expect(url).toBe(`/package-order/checkout/index?sku_id=81&qty=1&deal=live_fan&ref=3&dp=${encodeURIComponent(JSON.stringify({ token: '.eJyrVkrOz0nNTVayUjI0MDBQqgUAL-cFKA:1vX:sig' }))}`)

    // the checkout sends the deal to the preview and the order, with the room as src
    const query = {}
    url.split('?')[1].split('&').forEach((kv) => {
      const [k, v] = kv.split('=')
      query[k] = decodeURIComponent(v)
    })
    const orders = []
    wx.route('GET addresses', () => [200, [{ id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '1 号', is_default: true }]])
    wx.route('POST checkout/preview', () => [200, fixtures.quote()])
    wx.route('POST orders', (req) => (orders.push(req.data), [201, fixtures.order({ no: 'L1' })]))
    wx.route('POST orders/L1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
    wx.route('POST payments/sandbox/S1/complete', () => [200, {}])
    const checkout = render('package-order/checkout/index')
    await checkout.instance.onLoad(query)
    const preview = wx.__calls.request.find((r) => r.path === 'checkout/preview')
    expect(preview.data.deal).toEqual({ kind: 'live_fan', ref: 3, params: { token: '.eJyrVkrOz0nNTVayUjI0MDBQqgUAL-cFKA:1vX:sig' } })
    await checkout.instance.submit()
    expect(orders[0].deal).toEqual({ kind: 'live_fan', ref: 3, params: { token: '.eJyrVkrOz0nNTVayUjI0MDBQqgUAL-cFKA:1vX:sig' } })
    expect(orders[0].src).toBe('live:7')
  })

  test('opened without the share link, a follower is told the fan price needs it (no checkout)', async () => {
    const page = await openRoom({ room_id: '7' }, companion({ followed: true, fan_prices: [fan(3)] }))
    expect(text(page, '.fan-note')).toBe('粉丝专属价需通过直播间的分享链接进入')
    expect(text(page, '.fan-action')).toBe('需通过分享链接')
    page.querySelector('.fan-action').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate).toEqual([])
    expect(wx.__calls.toast.pop()).toBe('粉丝专属价需通过直播间的分享链接进入')
    expect(share.currentSrc()).toBe('') // browsing a room from the list is not yet the room's order
  })

  test('sharing asks the server for the signed link and keeps the sharer\'s codes and the room\'s src', async () => {
    store.set('member', { invite_code: 'AB12' })
    const page = await openRoom({ room_id: '7' }, companion(), {
      'POST live/rooms/7/share': () => [200, { room_id: 7, token: 'SIGNED', path: '/package-live/room/index?room_id=7&share=SIGNED', valid_days: 7, title: '直播间7', image: '' }],
    })
    const card = page.instance.onShareAppMessage()
    expect(card.path).toBe('/package-live/room/index?invite=AB12&src=live%3A7&room_id=7')
    const final = await card.promise
    expect(final.path).toBe('/package-live/room/index?invite=AB12&src=live%3A7&room_id=7&share=SIGNED')
    expect(final.title).toBe('直播间7')
  })

  test('开播提醒 on the real t-button follows (asking the reminder template in the tap); 已关注 unfollows', async () => {
    let followed = false
    const page = await openRoom({ room_id: '7' }, () => companion({ room: room(7, 'upcoming', { followed }), followed }), {
      'POST live/rooms/7/follow': () => ((followed = true), [200, { followed: true }]),
      'DELETE live/rooms/7/follow': () => ((followed = false), [200, { followed: false }]),
    })
    expect(tButton(page, '.follow-button').dom.textContent.trim()).toBe('开播提醒')
    tButton(page, '.follow-button').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-LIVE'] }])
    expect(followed).toBe(true)
    expect(tButton(page, '.follow-button').dom.textContent.trim()).toBe('已关注')
    tButton(page, '.follow-button').dispatchEvent('tap')
    await flush()
    expect(followed).toBe(false)
    expect(wx.__calls.subscribe).toHaveLength(1)
  })

  test('a room that is gone says so', async () => {
    wx.route('GET live/rooms/9', () => [404, { code: 'live_room_not_found', message: '直播间不存在或已下线。', details: {} }])
    const page = render('package-live/room/index')
    await page.instance.onLoad({ room_id: '9' })
    expect(text(page, '.error')).toBe('直播间不存在或已下线。')
  })
})

test('plugin on: a product opened from the player\'s goods keeps the room from custom_params for the order', async () => {
  config.live.plugin = true
  wx.route('GET products/7', () => [200, fixtures.productDetail()])
  const page = render('pages/product/index')
  // WeChat opens the goods' page with the custom_params the player was entered with
  await page.instance.onLoad({ id: '7', custom_params: encodeURIComponent(JSON.stringify({ src: 'live:7', room: 7 })) })
  expect(share.currentSrc()).toBe('live:7')
})

test('我的 › 直播 opens the room list', async () => {
  const page = render('pages/member/index', {}, { tdesign: ['t-cell'] })
  page.querySelector('.live-entry').querySelector('.t-cell').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop().url).toBe('/package-live/rooms/index')
})
