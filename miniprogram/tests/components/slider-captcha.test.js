const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const captcha = require('../../core/captcha')
const client = require('../../core/request')
const { render, text } = require('../helpers/page')

let wx
const CHALLENGE = { id: 'c1', background: 'data:image/png;base64,AAA', piece: 'data:image/png;base64,BBB', piece_y: 40, piece_size: 56, width: 300, height: 150, expires_in: 120 }

beforeEach(() => {
  wx = global.wx = createWx()
  wx.getWindowInfo = () => ({ windowWidth: 304 }) // 240 px available: scale 0.8
  store.reset()
  captcha.resetForTests()
  store.set('session', { access: 'A', refresh: 'R' })
})

function drag(comp, points) {
  const inst = comp.instance
  inst.onTouchStart({ touches: [{ clientX: 20, clientY: 500 }], timeStamp: 1000 })
  points.forEach(([dx, dy, t]) => inst.onTouchMove({ touches: [{ clientX: 20 + dx, clientY: 500 + dy }], timeStamp: 1000 + t }))
  const [dx, dy, t] = points[points.length - 1]
  return inst.onTouchEnd({ changedTouches: [{ clientX: 20 + dx, clientY: 500 + dy }], timeStamp: 1000 + t + 8 })
}

test('present() loads a puzzle for the action and draws it scaled; a passing drag resolves the pass', async () => {
  const creates = []
  const verifies = []
  wx.route('POST captcha', (req) => (creates.push(req.data), [201, CHALLENGE]))
  wx.route('POST captcha/verify', (req) => (verifies.push(req.data), [200, { captcha_pass: 'PASS', action: 'claim', expires_in: 120 }]))
  const comp = render('components/slider-captcha/index')
  const answer = comp.instance.present('claim')
  await flush()
  expect(creates).toEqual([{ action: 'claim' }])
  expect(comp.instance.data.box).toEqual({ scale: 0.8, width: 240, height: 120, pieceSize: 45, pieceTop: 32, maxOffset: 195 })
  expect(comp.querySelector('.captcha-piece').dom.getAttribute('style')).toContain('top: 32px')
  await drag(comp, [[8, 1, 40], [30, 3, 90], [70, 2, 180], [96, 4, 300]])
  await expect(answer).resolves.toBe('PASS')
  expect(verifies).toHaveLength(1)
  expect(verifies[0].id).toBe('c1')
  expect(verifies[0].x).toBe(120) // 96 screen px / 0.8
  expect(verifies[0].trail[0]).toEqual([0, 0, 0])
  expect(verifies[0].trail.pop()).toEqual([120, 4, 308])
  expect(comp.instance.data.visible).toBe(false)
})

test('a missed drag says why and loads a fresh puzzle (one attempt each); 关闭 resolves null', async () => {
  let n = 0
  wx.route('POST captcha', () => [201, Object.assign({}, CHALLENGE, { id: `c${++n}` })])
  wx.route('POST captcha/verify', () => [400, { code: 'captcha_failed', message: '验证未通过，请重试。', details: {} }])
  const comp = render('components/slider-captcha/index')
  const answer = comp.instance.present('help')
  await flush()
  await drag(comp, [[10, 1, 50], [60, 2, 200]])
  expect(text(comp, '.captcha-failed')).toBe('验证未通过，请重试')
  expect(comp.instance._challenge.id).toBe('c2')
  expect(comp.instance.data.offset).toBe(0)
  comp.instance.onClose()
  await expect(answer).resolves.toBeNull()
  expect(comp.dom.querySelector('.captcha-mask')).toBeNull()
})

test('a tap without a drag sends nothing', async () => {
  wx.route('POST captcha', () => [201, CHALLENGE])
  const comp = render('components/slider-captcha/index')
  comp.instance.present('claim')
  await flush()
  await comp.instance.onTouchStart({ touches: [{ clientX: 5, clientY: 5 }], timeStamp: 1 })
  await comp.instance.onTouchEnd({ changedTouches: [{ clientX: 5, clientY: 5 }], timeStamp: 50 })
  expect(wx.__calls.request.filter((r) => r.path === 'captcha/verify')).toHaveLength(0)
})

test('end to end: a guarded request refused with captcha_required is repeated with the slider\'s pass', async () => {
  wx.route('POST captcha', () => [201, CHALLENGE])
  wx.route('POST captcha/verify', () => [200, { captcha_pass: 'PASS-9', action: 'claim', expires_in: 120 }])
  wx.route('POST coupons/claim', (req) =>
    req.header['X-Captcha-Pass'] === 'PASS-9' ? [201, { id: 1 }] : [403, { code: 'captcha_required', message: '', details: { action: 'claim' } }],
  )
  const comp = render('components/slider-captcha/index') // attached: this page's slider presents
  const claim = client.post('coupons/claim', { template_id: 3 })
  await flush()
  expect(comp.instance.data.visible).toBe(true)
  await drag(comp, [[10, 1, 50], [50, 3, 150], [90, 2, 320]])
  await expect(claim).resolves.toEqual({ id: 1 })
})

test('the 安全验证 page shows the slider inline and sends the pass back to its opener', async () => {
  wx.route('POST captcha', () => [201, CHALLENGE])
  wx.route('POST captcha/verify', () => [200, { captcha_pass: 'PG', action: 'purchase', expires_in: 120 }])
  const emitted = []
  const page = render('pages/captcha/index')
  page.instance.getOpenerEventChannel = () => ({ emit: (name, value) => emitted.push([name, value]) })
  page.instance.onLoad({ action: 'purchase' })
  await flush()
  const slider = page.instance.selectComponent('#captcha')
  expect(wx.__calls.request[0].data).toEqual({ action: 'purchase' })
  await drag({ instance: slider }, [[10, 1, 50], [50, 3, 150], [90, 2, 320]])
  expect(emitted).toEqual([['pass', 'PG']])
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'navigateBack', delta: 1 })
  page.instance.onUnload() // already answered: no cancel
  expect(emitted).toHaveLength(1)
})
