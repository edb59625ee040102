const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const config = require('../../config')
const auth = require('../../core/auth')
const client = require('../../core/request')

let wx
const MEMBER = { id: 5, nickname: '小多', tier: 'normal', invite_code: 'AB12CD34', points_balance: 0 }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  config.loginMode = 'auto'
})

test('wx.login code goes to auth/wechat-login with the remembered inviter code; session and member stored', async () => {
  auth.rememberInvite({ scene: encodeURIComponent('invite=ZZ99&from=poster') })
  expect(store.get('inviteCode')).toBe('ZZ99')
  wx.route('POST auth/wechat-login', () => [200, { access: 'A', refresh: 'R', is_new: true, member: MEMBER }])
  const res = await auth.login()
  expect(res.is_new).toBe(true)
  const req = wx.__calls.request[0]
  expect(req.data).toEqual({ code: 'wx-code-1', invite_code: 'ZZ99' })
  expect(req.header.Authorization).toBeUndefined()
  expect(store.get('session')).toEqual({ access: 'A', refresh: 'R' })
  expect(wx.__storage['duoying.session']).toEqual({ access: 'A', refresh: 'R' })
  expect(store.get('member')).toEqual(MEMBER)
  expect(store.get('inviteCode')).toBeNull() // spent
  expect(auth.isLoggedIn()).toBe(true)
})

test('concurrent logins share one wx.login and one API call', async () => {
  wx.route('POST auth/wechat-login', () => [200, { access: 'A', refresh: 'R', member: MEMBER }])
  await Promise.all([auth.login(), auth.login(), auth.ensureLogin()])
  expect(wx.__calls.login).toBe(1)
  expect(wx.__calls.request).toHaveLength(1)
})

test('a server without WECHAT_APPID (503 wechat_unavailable): development falls back to dev-login', async () => {
  wx.route('POST auth/wechat-login', () => [503, { code: 'wechat_unavailable', message: '微信服务暂时不可用，请稍后再试。', details: {} }])
  wx.route('POST auth/dev-login', (req) => [200, { access: 'D', refresh: 'DR', member: Object.assign({}, MEMBER, { nickname: req.data.nickname }) }])
  await auth.login()
  const dev = wx.__calls.request[1]
  expect(dev.path).toBe('auth/dev-login')
  expect(dev.data.nickname).toBe('开发者')
  expect(dev.data.openid).toMatch(/^dev-/)
  expect(store.get('session').access).toBe('D')
  // the same dev shopper comes back next time
  const openid = dev.data.openid
  store.set('session', null)
  await auth.login()
  expect(wx.__calls.request[3].data.openid).toBe(openid)
})

test('a release build never falls back to dev-login', async () => {
  wx.__envVersion = 'release'
  wx.route('POST auth/wechat-login', () => [503, { code: 'wechat_unavailable', message: '', details: {} }])
  await expect(auth.login()).rejects.toMatchObject({ code: 'wechat_unavailable' })
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['auth/wechat-login'])
})

test('WeChat really down and no dev-login on the server (404): the WeChat error is what the shopper sees', async () => {
  wx.route('POST auth/wechat-login', () => [503, { code: 'wechat_unavailable', message: '', details: {} }])
  wx.route('POST auth/dev-login', () => [404, { code: 'not_found', message: '', details: {} }])
  await expect(auth.login()).rejects.toMatchObject({ code: 'wechat_unavailable', message: '微信服务暂时不可用，请稍后再试' })
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['auth/wechat-login', 'auth/dev-login'])
})

test('wx.login failing under the touristappid placeholder also tries dev-login, with the inviter code', async () => {
  wx.__loginFails = true
  store.set('inviteCode', 'INV1')
  wx.route('POST auth/dev-login', () => [200, { access: 'D', refresh: 'R', member: MEMBER }])
  await auth.login()
  expect(wx.__calls.request[0]).toMatchObject({ path: 'auth/dev-login', data: { invite_code: 'INV1' } })
})

test('other refusals are not a dev-login signal; wx.login failure is reported in wechat mode', async () => {
  wx.route('POST auth/wechat-login', () => [400, { code: 'wechat_code_invalid', message: 'x', details: {} }])
  await expect(auth.login()).rejects.toMatchObject({ code: 'wechat_code_invalid', message: '微信登录失败，请重新进入小程序' })
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['auth/wechat-login'])
  config.loginMode = 'wechat'
  wx.__loginFails = true
  await expect(auth.login()).rejects.toMatchObject({ code: 'wechat_login_failed' })
  expect(auth.isLoggedIn()).toBe(false)
})

test("loginMode 'dev' signs in with dev-login only", async () => {
  config.loginMode = 'dev'
  wx.route('POST auth/dev-login', () => [200, { access: 'D', refresh: 'DR', member: MEMBER }])
  await auth.login()
  expect(wx.__calls.login).toBe(0)
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['auth/dev-login'])
})

test('an expired session with a dead refresh token re-logs in silently through auth.js', async () => {
  store.set('session', { access: 'old', refresh: 'dead' })
  wx.route('POST auth/refresh', () => [401, { code: 'token_invalid', message: '', details: {} }])
  wx.route('POST auth/wechat-login', () => [200, { access: 'NEW', refresh: 'R', member: MEMBER }])
  wx.route('GET me', (req) => (req.header.Authorization === 'Bearer NEW' ? [200, MEMBER] : [401, { code: 'authentication_failed', message: '', details: {} }]))
  await expect(client.get('me')).resolves.toEqual(MEMBER)
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['me', 'auth/refresh', 'auth/wechat-login', 'me'])
})

test('logout forgets the session and the member', () => {
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', MEMBER)
  auth.logout()
  expect(auth.isLoggedIn()).toBe(false)
  expect(store.get('member')).toBeNull()
  expect(wx.__storage['duoying.session']).toBeUndefined()
})
