const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const client = require('../../core/request')

let wx
let launchWx
let launchSession
let launchCartCount
let route = 'pages/cart/index'

beforeAll(async () => {
  launchWx = global.wx = createWx()
  launchWx.route('POST auth/wechat-login', () => [200, { access: 'A', refresh: 'R', is_new: true, member: { invite_code: 'ME' } }])
  launchWx.route('GET cart', () => [200, { items: [{ id: 1, qty: 2 }, { id: 2, qty: 1 }] }])
  let app
  global.App = (def) => (app = def)
  global.getCurrentPages = () => [{ route }]
  require('../../app')
  app.onLaunch({ query: { invite: 'FRIEND1' } })
  await new Promise((r) => setTimeout(r, 10))
  launchSession = store.get('session')
  launchCartCount = store.get('cartCount')
})

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
})

test('launch remembers the inviter, signs in silently, passes the code on and loads the cart badge', () => {
  const signIn = launchWx.__calls.request.filter((r) => r.path !== 'subscribe/templates')
  expect(signIn.map((r) => [r.path, r.data])).toEqual([
    ['auth/wechat-login', { code: 'wx-code-1', invite_code: 'FRIEND1' }],
    ['cart', undefined],
  ])
  // the subscribe-message template map is loaded at launch, without a token (F48)
  const map = launchWx.__calls.request.filter((r) => r.path === 'subscribe/templates')
  expect(map).toHaveLength(1)
  expect(map[0].header.Authorization).toBeUndefined()
  expect(launchSession).toEqual({ access: 'A', refresh: 'R' })
  expect(launchCartCount).toBe(3)
})

test('when no session can be recovered the shopper is sent to the login page, once', async () => {
  wx.__loginFails = true
  wx.route('GET me', () => [401, { code: 'not_authenticated', message: '', details: {} }])
  const err = await client.get('me').catch((e) => e)
  expect(err.code).toBe('not_authenticated')
  expect(wx.__calls.navigate).toEqual([{ type: 'navigateTo', url: '/pages/login/index', events: undefined }])
  route = 'pages/login/index' // already there: no second navigation
  await client.get('me').catch(() => null)
  expect(wx.__calls.navigate).toHaveLength(1)
})

test('a promoter link at launch is reported once after the silent sign-in', async () => {
  jest.resetModules()
  const w = (global.wx = createWx())
  const s = require('../../core/store')
  s.reset()
  w.route('POST auth/wechat-login', () => [200, { access: 'A', refresh: 'R', is_new: false, member: { invite_code: 'ME' } }])
  const clicks = []
  w.route('POST promoter/clicks', (req) => (clicks.push(req.data), [200, { promoter_nickname: '推*', expires_at: '2026-12-08T10:00:00+08:00', clicks: 1 }]))
  let app
  global.App = (def) => (app = def)
  require('../../app')
  const options = { path: 'pages/product/index', query: { id: '38', pc: 'P1A2B3C4D' } }
  app.onLaunch(options)
  app.onShow(options)
  await new Promise((r) => setTimeout(r, 20))
  app.onShow(options) // back from the background with the same link: already reported
  await new Promise((r) => setTimeout(r, 20))
  expect(clicks).toEqual([{ code: 'P1A2B3C4D', product_id: 38 }])
})

test('WeChat\'s privacy check is answered with the shopper\'s choice', async () => {
  jest.resetModules()
  const w = (global.wx = createWx())
  let handler = null
  w.onNeedPrivacyAuthorization = (fn) => (handler = fn)
  let app
  global.App = (def) => (app = def)
  require('../../app')
  w.__loginFails = true
  app.onLaunch({ query: {} })
  expect(typeof handler).toBe('function')
  const answers = []
  w.__modalAnswer = true
  await handler((a) => answers.push(a.event))
  w.__modalAnswer = false
  await handler((a) => answers.push(a.event))
  expect(answers).toEqual(['agree', 'disagree'])
})
