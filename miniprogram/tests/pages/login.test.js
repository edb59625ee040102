const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const config = require('../../config')
const { render, text } = require('../helpers/page')

let wx
const MEMBER = { id: 1, nickname: '小多' }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  config.loginMode = 'auto'
})

test('微信一键登录 signs in and goes home (nothing to go back to)', async () => {
  wx.route('POST auth/wechat-login', () => [200, { access: 'A', refresh: 'R', member: MEMBER }])
  const page = render('pages/login/index')
  page.instance.onLoad({})
  // the agreement first: without it nothing is sent
  expect(await page.instance.onWechatLogin()).toBe(false)
  expect(wx.__calls.toast).toEqual(['请先阅读并同意用户协议和隐私保护指引'])
  expect(wx.__calls.request).toEqual([])
  page.querySelector('.agree-box').dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(page.instance.data.agreed).toBe(true)
  expect(await page.instance.onWechatLogin()).toBe(true)
  expect(store.get('session')).toEqual({ access: 'A', refresh: 'R' })
  expect(wx.__calls.navigate).toEqual([{ type: 'switchTab', url: '/pages/home/index' }])
})

test('a failed login is explained on the page', async () => {
  wx.route('POST auth/wechat-login', () => [403, { code: 'member_blocked', message: '', details: {} }])
  const page = render('pages/login/index')
  page.instance.onLoad({})
  page.instance.onAgree()
  expect(await page.instance.onWechatLogin()).toBe(false)
  expect(text(page, '.error')).toBe('账号已被限制使用，请联系客服')
  expect(page.instance.data.busy).toBe(false)
})

test('dev login is offered outside release and sends the nickname; a server without it says so', async () => {
  const page = render('pages/login/index')
  page.instance.onLoad({ redirect: encodeURIComponent('/package-order/orders/index') })
  expect(page.querySelector('.dev')).toBeDefined()
  page.instance.onNickname({ detail: { value: ' 测试员 ' } })
  wx.route('POST auth/dev-login', () => [404, { code: 'not_found', message: '', details: {} }])
  expect(await page.instance.onDevLogin()).toBe(false)
  expect(text(page, '.error')).toBe('服务器未开启开发登录（DEV_LOGIN_ENABLED）')
  wx.route('POST auth/dev-login', (req) => [200, { access: 'D', refresh: 'R', member: { nickname: req.data.nickname } }])
  expect(await page.instance.onDevLogin()).toBe(true)
  expect(store.get('member').nickname).toBe('测试员')
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-order/orders/index' })
})

test('release builds hide the dev login', () => {
  wx.__envVersion = 'release'
  const page = render('pages/login/index')
  page.instance.onLoad({})
  expect(page.querySelector('.dev')).toBeUndefined()
})

test('《隐私保护指引》 opens WeChat\'s own privacy contract page', () => {
  const opened = []
  wx.openPrivacyContract = (o) => opened.push(o)
  const page = render('pages/login/index')
  page.instance.onLoad({})
  page.instance.onPrivacy()
  expect(opened).toHaveLength(1)
})
