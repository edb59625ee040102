const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { createClient } = require('../../core/request')
const captcha = require('../../core/captcha')
const { friendlyMessage } = require('../../core/errors')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  captcha.resetForTests()
  store.set('session', { access: 'A', refresh: 'R' })
})

describe('DragRecorder builds the trail in puzzle px', () => {
  test('x is the piece offset divided by the scale, y the finger from its start, t ms since touch start', () => {
    const rec = new captcha.DragRecorder({ scale: 0.5, maxOffset: 100 })
    rec.start({ clientX: 40, clientY: 300 }, 1000)
    rec.move({ clientX: 50, clientY: 301 }, 1016)
    rec.move({ clientX: 75, clientY: 303 }, 1040)
    expect(rec.move({ clientX: 80.25, clientY: 302 }, 1100)).toBe(40.25)
    expect(rec.finish()).toEqual({ x: 80.5, trail: [[0, 0, 0], [20, 1, 16], [70, 3, 40], [80.5, 2, 100]] })
  })

  test('the piece stays on the track and time never goes back', () => {
    const rec = new captcha.DragRecorder({ scale: 1, maxOffset: 244 })
    rec.start({ clientX: 10, clientY: 0 }, 500)
    expect(rec.move({ clientX: 0, clientY: 0 }, 520)).toBe(0)
    expect(rec.move({ clientX: 400, clientY: 0 }, 510)).toBe(244)
    expect(rec.finish().trail.map((p) => p[2])).toEqual([0, 20, 20])
    const idle = new captcha.DragRecorder()
    expect(idle.move({ clientX: 5, clientY: 5 }, 1)).toBe(0) // no touch start: nothing recorded
    expect(idle.finish().trail).toEqual([])
  })

  test('layout scales the 300 × 150 puzzle down to the screen, never up', () => {
    const challenge = { width: 300, height: 150, piece_size: 56, piece_y: 40 }
    expect(captcha.layout(challenge, 240)).toEqual({ scale: 0.8, width: 240, height: 120, pieceSize: 45, pieceTop: 32, maxOffset: 195 })
    expect(captcha.layout(challenge, 600).scale).toBe(1)
  })
})

describe('request.js: captcha_required opens the slider and repeats the request with the pass', () => {
  const required = [403, { code: 'captcha_required', message: '请先完成滑块验证。', details: { action: 'claim' } }]

  test('the pass goes in X-Captcha-Pass on the one repeat; the answer is the repeat\'s', async () => {
    const client = createClient()
    const asked = []
    client.setCaptchaHandler(({ action }) => (asked.push(action), Promise.resolve('PASS-1')))
    wx.route('POST coupons/claim', (req) => (req.header['X-Captcha-Pass'] === 'PASS-1' ? [201, { id: 9 }] : required))
    await expect(client.post('coupons/claim', { template_id: 3 })).resolves.toEqual({ id: 9 })
    expect(asked).toEqual(['claim'])
    const sent = wx.__calls.request.filter((r) => r.path === 'coupons/claim')
    expect(sent).toHaveLength(2)
    expect(sent[0].header['X-Captcha-Pass']).toBeUndefined()
    expect(sent[1].data).toEqual({ template_id: 3 })
  })

  test('a closed slider leaves the refusal, in Chinese; no repeat', async () => {
    const client = createClient()
    client.setCaptchaHandler(() => Promise.resolve(null))
    wx.route('POST coupons/claim', () => required)
    const err = await client.post('coupons/claim', {}).catch((e) => e)
    expect(err.code).toBe('captcha_required')
    expect(err.message).toBe('请先完成滑块验证')
    expect(wx.__calls.request).toHaveLength(1)
  })

  test('an expired pass gets a second slider, then the request goes through; a third refusal stops', async () => {
    wx.__offContract = true // the transport alone, on made-up paths: no API operation to check against
    const client = createClient()
    const passes = ['P1', 'P2']
    client.setCaptchaHandler(() => Promise.resolve(passes.shift()))
    let n = 0
    wx.route('POST flash/buy', () => (++n === 1 ? required : n === 2 ? [403, { code: 'captcha_pass_expired', details: {} }] : [200, { ok: true }]))
    await expect(client.post('flash/buy', {})).resolves.toEqual({ ok: true })
    expect(wx.__calls.request.map((r) => r.header['X-Captcha-Pass'])).toEqual([undefined, 'P1', 'P2'])

    const stubborn = createClient()
    stubborn.setCaptchaHandler(() => Promise.resolve('P'))
    wx.route('POST again', () => required)
    const err = await stubborn.post('again', {}).catch((e) => e)
    expect(err.code).toBe('captcha_required')
    expect(wx.__calls.request.filter((r) => r.path === 'again')).toHaveLength(3) // 1 + 2 slider rounds
  })

  test('access_blocked and a pass refused without a slider are not captcha rounds; captcha: false opts out', async () => {
    wx.__offContract = true // the transport alone, on made-up paths: no API operation to check against
    const client = createClient()
    const handler = jest.fn(() => Promise.resolve('P'))
    client.setCaptchaHandler(handler)
    wx.route('POST a', () => [403, { code: 'access_blocked', details: {} }])
    wx.route('POST b', () => [403, { code: 'captcha_pass_used', details: {} }])
    wx.route('POST captcha', () => required)
    expect((await client.post('a', {}).catch((e) => e)).message).toBe('当前访问已被限制，请联系客服')
    expect((await client.post('b', {}).catch((e) => e)).message).toBe('验证已使用，请重新验证')
    expect((await client.post('captcha', {}, { captcha: false }).catch((e) => e)).code).toBe('captcha_required')
    expect(handler).not.toHaveBeenCalled()
  })

  test('every request carries the same X-Device-Id, kept on the device', async () => {
    wx.__offContract = true // the transport alone, on made-up paths: no API operation to check against
    const client = createClient()
    wx.route('GET x', () => [200, {}])
    await client.get('x')
    await client.get('x')
    const ids = wx.__calls.request.map((r) => r.header['X-Device-Id'])
    expect(ids[0]).toMatch(/^[A-Za-z0-9._:-]{1,64}$/)
    expect(ids[1]).toBe(ids[0])
    expect(wx.__storage['duoying.deviceId']).toBe(ids[0])
  })

  test('throttles read calmly', () => {
    expect(friendlyMessage('rate_limited', 'Too many', { action: 'claim' }, 429)).toBe('操作太频繁，请稍后再试')
    expect(friendlyMessage('rate_limited', '', { retry_after: 2.2, action: 'purchase' }, 429)).toBe('操作太频繁，请 3 秒后再试')
    expect(friendlyMessage('captcha_failed', '', {}, 400)).toBe('验证未通过，请重试')
  })
})

describe('who shows the slider', () => {
  test('the last attached slider presents; without one the 安全验证 page opens and answers by event', async () => {
    const first = { present: jest.fn(() => Promise.resolve('A')) }
    const second = { present: jest.fn(() => Promise.resolve('B')) }
    const off1 = captcha.register(first)
    const off2 = captcha.register(second)
    await expect(captcha.ask('help')).resolves.toBe('B')
    off2()
    await expect(captcha.ask('help')).resolves.toBe('A')
    off1()
    const answer = captcha.ask('purchase')
    await flush()
    const nav = wx.__calls.navigate.pop()
    expect(nav.url).toBe('/pages/captcha/index?action=purchase')
    nav.events.pass('PAGE-PASS')
    await expect(answer).resolves.toBe('PAGE-PASS')
    const cancelled = captcha.ask('claim')
    await flush()
    wx.__calls.navigate.pop().events.cancel()
    await expect(cancelled).resolves.toBeNull()
  })

  test('two refusals at once: one slider at a time', async () => {
    let release
    const presenter = { present: jest.fn(() => new Promise((r) => (release = r))) }
    captcha.register(presenter)
    const a = captcha.ask('claim')
    const b = captcha.ask('claim')
    await flush()
    expect(presenter.present).toHaveBeenCalledTimes(1)
    release('P1')
    await expect(a).resolves.toBe('P1')
    await flush()
    expect(presenter.present).toHaveBeenCalledTimes(2)
    release('P2')
    await expect(b).resolves.toBe('P2')
  })
})
