const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render } = require('../helpers/page')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('points brought over from the old shop show as one 迁移 entry with its note', async () => {
  wx.route('GET me/points', () => [200, {
    balance: 1200, count: 1, next: null, previous: null,
    entries: [{ id: 7, delta: 1200, reason: 'migrate', reason_display: '迁移', ref: 'import:3', note: '旧店积分迁移', created_at: '2026-12-06T12:00:00+08:00' }],
  }])
  const page = render('package-member/points/index')
  await page.instance.onLoad()
  expect(page.instance.data.balance).toBe(1200)
  expect(page.instance.data.entries.map((e) => [e.title, e.note, e.amountText, e.time])).toEqual([['迁移', '旧店积分迁移', '+1200', '2026-12-06 12:00']])
})

test('a 迁移 entry without its display name still reads 迁移', async () => {
  wx.route('GET me/points', () => [200, {
    balance: 50, count: 1, next: null, previous: null,
    entries: [{ id: 8, delta: 50, reason: 'migrate', ref: 'import:4', note: '' }],
  }])
  const page = render('package-member/points/index')
  await page.instance.onLoad()
  expect(page.instance.data.entries[0].title).toBe('迁移')
})
