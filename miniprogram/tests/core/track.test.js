const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const track = require('../../core/track')

let wx
let batches
function acceptAll() {
  wx.route('POST events/batch', (req) => {
    batches.push(req)
    return [202, { accepted: req.data.events.length, rejected: [] }]
  })
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  track.reset()
  batches = []
})

test('events queue until a flush, then go in batches of at most 50 with the device id', async () => {
  acceptAll()
  for (let i = 0; i < 49; i += 1) track.track('tap', { page: 'pages/home/index', element: `e${i}` })
  expect(batches).toHaveLength(0)
  track.track('search', { page: 'pages/category/index', query: '茶叶', results: undefined })
  await track.flush()
  expect(batches).toHaveLength(1) // the 50th event sent the full batch at once
  const body = batches[0].data
  expect(body.events).toHaveLength(50)
  expect(body.anon_id).toBe(store.get('deviceId'))
  expect(body.anon_id).toMatch(/^d-[a-z0-9-]{6,62}$/)
  expect(body.events[49]).toEqual({ name: 'search', session: track.sessionId, ts: expect.any(Number), props: { page: 'pages/category/index', query: '茶叶' } })
  expect(batches[0].header.Authorization).toBeUndefined()

  for (let i = 0; i < 120; i += 1) track.track('tap', { page: 'p', element: 'x' })
  await track.flush()
  expect(batches.map((b) => b.data.events.length)).toEqual([50, 50, 50, 20])
  expect(track.pending()).toEqual([])
})

test('signed in, batches carry the token so the server joins the device to the shopper', async () => {
  acceptAll()
  track.track('tap', { page: 'pages/home/index', element: 'home.banner' }) // before sign-in, still queued
  store.set('session', { access: 'acc-1', refresh: 'ref-1' })
  await track.flush()
  expect(batches[0].header.Authorization).toBe('Bearer acc-1')
  expect(batches[0].data.events).toHaveLength(1)
})

test('an expired token: the batch is sent again for the device alone', async () => {
  store.set('session', { access: 'old', refresh: 'r' })
  wx.route('POST events/batch', (req) => {
    batches.push(req)
    if (req.header.Authorization) return [401, { code: 'token_not_valid', message: '令牌无效。', details: {} }]
    return [202, { accepted: 1, rejected: [] }]
  })
  track.track('share', { page: 'pages/product/index', product_id: 3 })
  await track.flush()
  expect(batches.map((b) => !!b.header.Authorization)).toEqual([true, false])
  expect(track.pending()).toEqual([])
  expect(wx.__calls.navigate).toEqual([]) // never sent to the login page
})

test('no answer or a busy server keeps the events; a refused batch is dropped', async () => {
  let answer = { fail: 'request:fail timeout' }
  wx.route('POST events/batch', (req) => {
    batches.push(req)
    return answer
  })
  track.track('tap', { page: 'p', element: 'a' })
  await track.flush()
  expect(track.pending()).toHaveLength(1)
  answer = [429, { code: 'rate_limited', message: '操作太频繁，请稍后再试。', details: { retry_after: 3 } }]
  await track.flush()
  expect(track.pending()).toHaveLength(1)
  answer = [400, { code: 'events_batch_invalid', message: '行为事件批次格式有误。', details: {} }]
  await track.flush()
  expect(track.pending()).toEqual([])
  expect(batches).toHaveLength(3)
})

test('page dwell: the hide sends page_view with the time since the show and the page props', () => {
  const now = jest.spyOn(Date, 'now')
  now.mockReturnValue(1_000_000)
  const methods = track.withPage('/pages/product/index', { onShow: jest.fn(), onUnload: jest.fn(() => 'own') })
  const page = Object.assign({ trackProps: { product_id: 7, tool: 'flash', campaign_id: 3 } }, methods)
  page.onShow()
  now.mockReturnValue(1_004_250)
  expect(page.onUnload()).toBe('own')
  expect(methods.onShow).toBeDefined()
  page.onHide() // already sent: nothing more
  expect(track.pending()).toEqual([
    {
      name: 'page_view',
      session: track.sessionId,
      ts: 1_000_000,
      props: { page: 'pages/product/index', product_id: 7, tool: 'flash', campaign_id: 3, dwell_ms: 4250 },
    },
  ])
})

test('marked taps: only elements with data-track are counted', () => {
  track.tap({ currentTarget: { dataset: { track: 'home.banner', index: 0 } } }, '/pages/home/index', { product_id: 9 })
  track.tap({ currentTarget: { dataset: { index: 1 } } }, '/pages/home/index')
  expect(track.pending().map((e) => e.props)).toEqual([{ page: 'pages/home/index', element: 'home.banner', product_id: 9 }])
})

test('the app flushes on its timer and when it goes to the background', async () => {
  jest.useFakeTimers()
  const hides = []
  wx.onAppHide = (fn) => hides.push(fn)
  acceptAll()
  track.start()
  track.track('tap', { page: 'p', element: 'a' })
  jest.advanceTimersByTime(track.FLUSH_MS)
  jest.useRealTimers()
  await track.flush()
  expect(batches).toHaveLength(1)
  track.track('tap', { page: 'p', element: 'b' })
  hides.forEach((fn) => fn())
  await track.flush()
  expect(batches).toHaveLength(2)
  track.stop()
})
