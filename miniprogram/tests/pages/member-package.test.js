const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { validate } = require('../../core/address')
const { render } = require('../helpers/page')

let wx
const ME = { id: 1, nickname: '小多', phone: '', birthday: null, tier: 'normal', invite_code: 'AB12', points_balance: 0 }

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('profile sends only changed fields and confirms the once-only birthday', async () => {
  wx.route('GET me', () => [200, ME])
  const patches = []
  wx.route('PATCH me', (req) => (patches.push(req.data), [200, Object.assign({}, ME, req.data)]))
  const page = render('package-member/profile/index')
  await page.instance.onLoad()
  page.instance.onField({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '1380000' } })
  expect(await page.instance.save()).toBe(false)
  expect(wx.__calls.toast.pop()).toBe('手机号格式不正确')
  page.instance.onField({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '13800000000' } })
  page.instance.onBirthday({ detail: { value: '1995-05-20' } })
  expect(await page.instance.save()).toBe(true)
  expect(wx.__calls.modal[0]).toContain('1995-05-20 后不能修改')
  expect(patches).toEqual([{ phone: '13800000000', birthday: '1995-05-20' }])
  expect(page.instance.data.birthdayLocked).toBe(true)
})

test('the server refusing a second birthday shows the mapped message', async () => {
  wx.route('GET me', () => [200, ME])
  wx.route('PATCH me', () => [409, { code: 'birthday_already_set', message: 'x', details: {} }])
  const page = render('package-member/profile/index')
  await page.instance.onLoad()
  page.instance.onBirthday({ detail: { value: '2000-01-01' } })
  await page.instance.save()
  expect(wx.__calls.toast.pop()).toBe('生日设置后不能修改')
})

test('address form validation', () => {
  const ok = { receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '', detail: '1 号' }
  expect(validate(ok)).toBe('')
  expect(validate(Object.assign({}, ok, { receiver: ' ' }))).toBe('请填写收货人')
  expect(validate(Object.assign({}, ok, { phone: '12345' }))).toBe('请填写正确的手机号')
  expect(validate(Object.assign({}, ok, { city: '' }))).toBe('请选择所在地区')
  expect(validate(Object.assign({}, ok, { detail: '' }))).toBe('请填写详细地址')
})

test('address edit creates, or updates the one in ?id=', async () => {
  wx.route('GET addresses', () => [200, [{ id: 9, receiver: '李四', phone: '13900000000', province: '北京市', city: '北京市', district: '朝阳区', detail: 'A 座', is_default: false }]])
  wx.route('PATCH addresses/9', () => [200, {}])
  wx.route('POST addresses', () => [201, {}])
  const edit = render('package-member/address-edit/index')
  await edit.instance.onLoad({ id: '9' })
  edit.instance.onDefault({ detail: { value: true } })
  expect(await edit.instance.save()).toBe(true)
  expect(wx.__calls.request.find((r) => r.method === 'PATCH').data).toEqual({
    receiver: '李四', phone: '13900000000', province: '北京市', city: '北京市', district: '朝阳区', detail: 'A 座', is_default: true,
  })
  const create = render('package-member/address-edit/index')
  await create.instance.onLoad({})
  create.instance.onField({ currentTarget: { dataset: { field: 'receiver' } }, detail: { value: '王五' } })
  create.instance.onField({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '13700000000' } })
  create.instance.onRegion({ detail: { value: ['广东省', '深圳市', '南山区'] } })
  create.instance.onField({ currentTarget: { dataset: { field: 'detail' } }, detail: { value: '科技园' } })
  expect(await create.instance.save()).toBe(true)
  expect(wx.__calls.request.find((r) => r.method === 'POST').data).toMatchObject({ receiver: '王五', city: '深圳市', district: '南山区' })
})

test('choosing an address for checkout sends it back through the event channel', async () => {
  wx.route('GET addresses', () => [200, [{ id: 9, receiver: '李四' }]])
  const page = render('package-member/addresses/index')
  page.instance.onLoad({ select: '1' })
  await page.instance.onShow()
  const emitted = []
  page.instance.getOpenerEventChannel = () => ({ emit: (name, a) => emitted.push([name, a.id]) })
  page.instance.onPick({ currentTarget: { dataset: { id: 9 } } })
  expect(emitted).toEqual([['select', 9]])
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'navigateBack', delta: 1 })
})

test('points page shows the balance and pages the ledger', async () => {
  wx.route('GET me/points', (req) =>
    req.query.page === '1'
      ? [200, { balance: 250, count: 2, next: 'n', previous: null, entries: [{ id: 1, delta: 300, reason: 'order_earn', reason_display: '订单获得', ref: 'D1', note: '', created_at: '2025-01-01T10:00:00+08:00' }] }]
      : [200, { balance: 250, count: 2, next: null, previous: 'p', entries: [{ id: 2, delta: -50, reason: 'order_redeem', reason_display: '下单抵扣', ref: 'D2', note: '' }] }],
  )
  const page = render('package-member/points/index')
  await page.instance.onLoad()
  await page.instance.onReachBottom()
  expect(page.instance.data.balance).toBe(250)
  expect(page.instance.data.entries.map((e) => [e.title, e.amountText, e.time])).toEqual([['订单获得', '+300', '2025-01-01 10:00'], ['下单抵扣', '-50', '']])
  expect(page.instance.data.hasMore).toBe(false)
})

test('从微信导入地址 fills the form from the shopper\'s WeChat address; a cancel leaves it as it was', async () => {
  wx.route('POST addresses', () => [201, {}])
  const page = render('package-member/address-edit/index')
  await page.instance.onLoad({})
  expect(await page.instance.importFromWechat()).toBe(false)
  expect(page.instance.data.form.receiver).toBe('')
  // the shape wx.chooseAddress answers with
  wx.__chosenAddress = { userName: '张三', telNumber: '13800000000', provinceName: '上海市', cityName: '上海市', countyName: '浦东新区', streetName: '', detailInfo: '世纪大道 1 号', postalCode: '200120', nationalCode: '310115', errMsg: 'chooseAddress:ok' }
  page.querySelector('.import').dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(page.instance.data.region).toEqual(['上海市', '上海市', '浦东新区'])
  expect(await page.instance.save()).toBe(true)
  expect(wx.__calls.request.find((r) => r.method === 'POST').data).toEqual({
    receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: false,
  })
})
