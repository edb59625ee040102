/**
 * 个人资料 with WeChat's pickers, tapped through the real TDesign buttons: chooseAvatar's picture
 * goes to POST me/avatar, getPhoneNumber's code to POST me/phone/wechat (the server asks WeChat).
 * WeChat fires chooseavatar / getphonenumber on the native <button> inside t-button after its own
 * dialog; the tests fire them there, so the page hears them through the component as it would.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')

let wx
const ME = { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'normal', invite_code: 'AB12', points_balance: 0, created_at: '2025-01-01T10:00:00+08:00' }

// the first real TDesign component of a file is compiled with babel: slow on a busy machine
jest.setTimeout(30000)

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  wx.route('GET me', () => [200, ME])
})

async function open() {
  const page = render('package-member/profile/index', {}, { tdesign: ['t-button', 't-icon', 't-input'] })
  await page.instance.onLoad()
  return page
}

/** What WeChat does after its picker: the event on the native button inside the TDesign one. */
function wechatFires(page, selector, event, detail) {
  page.querySelector(selector).querySelector('.t-button').dispatchEvent(event, { detail })
}

function withUpload(statusCode, body) {
  const uploads = []
  wx.uploadFile = (o) => {
    uploads.push(o)
    Promise.resolve().then(() => o.success({ statusCode, data: JSON.stringify(body) }))
  }
  return uploads
}

test('the nickname field is WeChat\'s nickname input and the avatar a chooseAvatar button', async () => {
  const page = await open()
  expect(page.querySelector('.avatar-button').instance.data.openType).toBe('chooseAvatar')
  expect(page.querySelector('.phone-button').instance.data.openType).toBe('getPhoneNumber')
  expect(page.querySelector('.nickname-input').instance.data.type).toBe('nickname')
  expect(page.querySelector('.avatar-empty')).toBeTruthy()
  expect(page.instance.data.avatar).toBe('')
  expect(text(page, '.avatar-note')).toBe('点击更换头像')
})

test('a chosen avatar is uploaded at once and shown from the server\'s answer', async () => {
  const uploads = withUpload(201, Object.assign({}, ME, { avatar_url: '/media/avatars/1/abc.jpg' }))
  const page = await open()
  wechatFires(page, '.avatar-button', 'chooseavatar', { avatarUrl: 'wxfile://tmp_avatar.jpg' })
  await flush()
  await flush()
  expect(uploads).toHaveLength(1)
  expect(uploads[0]).toMatchObject({ filePath: 'wxfile://tmp_avatar.jpg', name: 'file', header: { Authorization: 'Bearer A' } })
  expect(uploads[0].url).toMatch(/\/api\/v1\/me\/avatar$/)
  expect(page.instance.data.avatar).toMatch(/^https?:\/\/[^/]+\/media\/avatars\/1\/abc\.jpg$/)
  expect(page.querySelector('.avatar-empty')).toBeFalsy() // the picture now, not the placeholder
  expect(store.get('member').avatar_url).toBe(page.instance.data.avatar)
  expect(wx.__calls.toast.pop()).toBe('头像已更新')
})

test('an avatar the server refuses shows why and keeps the old one', async () => {
  withUpload(400, { code: 'avatar_invalid', message: 'x', details: { format: 'GIF' } })
  const page = await open()
  wechatFires(page, '.avatar-button', 'chooseavatar', { avatarUrl: 'wxfile://tmp.gif' })
  await flush()
  await flush()
  expect(wx.__calls.toast.pop()).toBe('头像仅支持 JPG、PNG、WEBP 格式，且不超过 2 MB')
  expect(page.instance.data.avatar).toBe('')
  expect(page.instance.data.uploading).toBe(false)
})

test('微信手机号: the code goes to the server, which answers with the verified number', async () => {
  const posts = []
  wx.route('POST me/phone/wechat', (req) => (posts.push(req.data), [200, Object.assign({}, ME, { phone: '13800138000' })]))
  const page = await open()
  wechatFires(page, '.phone-button', 'getphonenumber', { code: 'phone-code-1', errMsg: 'getPhoneNumber:ok' })
  await flush()
  await flush()
  expect(posts).toEqual([{ code: 'phone-code-1' }])
  expect(page.instance.data.form.phone).toBe('13800138000')
  expect(page.instance.data.original.phone).toBe('13800138000') // saved already: 保存 has nothing to send
  expect(store.get('member').phone).toBe('13800138000')
  expect(wx.__calls.toast.pop()).toBe('手机号已绑定')
})

test('the shopper declines: nothing is sent; a refused code reads as Chinese', async () => {
  wx.route('POST me/phone/wechat', () => [400, { code: 'phone_code_invalid', message: 'x', details: { errcode: 40029 } }])
  const page = await open()
  wechatFires(page, '.phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' })
  await flush()
  expect(wx.__calls.request.filter((r) => r.path === 'me/phone/wechat')).toHaveLength(0)
  expect(wx.__calls.toast.pop()).toBe('未授权手机号，可手动填写')

  wechatFires(page, '.phone-button', 'getphonenumber', { code: 'stale', errMsg: 'getPhoneNumber:ok' })
  await flush()
  await flush()
  expect(wx.__calls.toast.pop()).toBe('手机号授权已失效，请重新授权')
  expect(page.instance.data.form.phone).toBe('')
})
