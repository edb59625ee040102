const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')

let wx
const ME = { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'gold', invite_code: 'AB12', points_balance: 320 }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
})

test('shows profile, tier and points from GET me', async () => {
  store.set('session', { access: 'A', refresh: 'R' })
  wx.route('GET me', () => [200, ME])
  const page = render('pages/member/index')
  await page.instance.onShow()
  expect(text(page, '.nickname')).toBe('小多')
  expect(text(page, '.tier')).toBe('黄金会员')
  expect(text(page, '.stat-value')).toBe('320')
  expect(store.get('member')).toEqual(ME)
})

test('signed out when silent login fails: a login button, no profile request', async () => {
  wx.__loginFails = true
  const page = render('pages/member/index')
  await page.instance.onShow()
  expect(text(page, '.nickname')).toBe('未登录')
  // wx.login failed, the dev-login fallback is not on this server (404): no profile request
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['auth/dev-login'])
  page.instance.onLogin()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/pages/login/index' })
})

test('order shortcuts open the list on that status', async () => {
  store.set('session', { access: 'A', refresh: 'R' })
  wx.route('GET me', () => [200, ME])
  const page = render('pages/member/index')
  await page.instance.onShow()
  page.instance.onOrders({ currentTarget: { dataset: { status: 'shipped' } } })
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-order/orders/index?status=shipped' })
  // each shortcut draws its own icon (assets/icons/order-<status>.png), and every icon file exists
  expect(page.querySelectorAll('.shortcut-icon')).toHaveLength(5)
  const fs = require('fs')
  const path = require('path')
  const names = page.instance.data.shortcuts.map((s) => s.value).concat(['after_sales'])
  expect(names).toEqual(['pending_payment', 'paid', 'shipped', 'completed', 'after_sales'])
  names.forEach((name) => expect(fs.existsSync(path.join(__dirname, '../../assets/icons', `order-${name}.png`))).toBe(true))
})
