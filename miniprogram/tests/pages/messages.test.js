const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')

let wx
const ME = { id: 1, nickname: '小多', tier: 'normal', invite_code: 'AB12', points_balance: 0 }

function msg(id, extra) {
  return Object.assign({ id, kind: 'group_done', title: `消息${id}`, body: `正文${id}`, link: '', read: false, created_at: '2026-12-01T10:00:00+08:00' }, extra)
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('lists messages with unread marks, appends the next page by index', async () => {
  wx.route('GET me/messages', (req) =>
    req.query.page === '2'
      ? [200, { unread: 1, count: 3, next: null, previous: 'p1', results: [msg(1, { read: true })] }]
      : [200, { unread: 1, count: 3, next: 'p2', previous: null, results: [msg(3, { link: '/package-order/orders/index' }), msg(2, { read: true })] }],
  )
  const page = render('package-member/messages/index')
  await page.instance.onLoad()
  expect(texts(page, '.message .title')).toEqual(['消息3', '消息2'])
  expect(page.querySelectorAll('.unread')).toHaveLength(1)
  expect(text(page, '.head-title')).toBe('1 条未读')
  expect(text(page, '.message .open')).toBe('查看详情')
  expect(store.get('unreadMessages')).toBe(1)
  const setData = jest.spyOn(page.instance, 'setData')
  await page.instance.onReachBottom()
  const appended = setData.mock.calls.map((c) => c[0]).find((p) => 'page' in p)
  expect(Object.keys(appended).filter((k) => k.startsWith('messages'))).toEqual(['messages[2]'])
  expect(texts(page, '.message .title')).toEqual(['消息3', '消息2', '消息1'])
  await page.instance.onReachBottom() // no next page: nothing asked
  expect(wx.__calls.request.filter((r) => r.path === 'me/messages')).toHaveLength(2)
})

test('tapping an unread message marks it read, updates the badge count and opens its link', async () => {
  wx.route('GET me/messages', () => [200, { unread: 2, count: 2, next: null, previous: null, results: [msg(5, { link: '/package-order/order-detail/index?no=N1' }), msg(4, { link: 'https://evil.example' })] }])
  const reads = []
  wx.route('POST me/messages/read', (req) => (reads.push(req.data), [200, { marked: 1, unread: 1 }]))
  const page = render('package-member/messages/index')
  await page.instance.onLoad()
  await page.instance.onTap({ currentTarget: { dataset: { index: 0 } } })
  expect(reads).toEqual([{ ids: [5] }])
  expect(page.instance.data.messages[0].read).toBe(true)
  expect(store.get('unreadMessages')).toBe(1)
  expect(wx.__calls.navigate.pop()).toMatchObject({ type: 'navigateTo', url: '/package-order/order-detail/index?no=N1' })
  // a link that is not one of our pages is never opened
  await page.instance.onTap({ currentTarget: { dataset: { index: 1 } } })
  expect(wx.__calls.navigate).toHaveLength(0)
  // a read message is opened without asking the server again
  await page.instance.onTap({ currentTarget: { dataset: { index: 0 } } })
  expect(reads).toHaveLength(2)
})

test('a failed mark-read puts the unread mark back and says why', async () => {
  wx.route('GET me/messages', () => [200, { unread: 1, count: 1, next: null, previous: null, results: [msg(5)] }])
  wx.route('POST me/messages/read', () => [429, { code: 'rate_limited', message: '', details: { retry_after: 3 } }])
  const page = render('package-member/messages/index')
  await page.instance.onLoad()
  await page.instance.onTap({ currentTarget: { dataset: { index: 0 } } })
  expect(page.instance.data.messages[0].read).toBe(false)
  expect(page.instance.data.unread).toBe(1)
  expect(wx.__calls.toast.pop()).toBe('操作太频繁，请 3 秒后再试')
})

test('全部已读 sends no ids and clears every mark; an empty inbox says so', async () => {
  wx.route('GET me/messages', () => [200, { unread: 2, count: 2, next: null, previous: null, results: [msg(2), msg(1)] }])
  const reads = []
  wx.route('POST me/messages/read', (req) => (reads.push(req.data), [200, { marked: 2, unread: 0 }]))
  const page = render('package-member/messages/index')
  await page.instance.onLoad()
  await page.instance.onReadAll()
  expect(reads).toEqual([{}])
  expect(page.querySelectorAll('.unread')).toHaveLength(0)
  expect(text(page, '.head-title')).toBe('全部已读')
  expect(store.get('unreadMessages')).toBe(0)
  await page.instance.onReadAll() // nothing unread: no request
  expect(reads).toHaveLength(1)

  wx.route('GET me/messages', () => [200, { unread: 0, count: 0, next: null, previous: null, results: [] }])
  const empty = render('package-member/messages/index')
  await empty.instance.onLoad()
  expect(empty.dom.querySelector('.message')).toBeNull()
  expect(empty.dom.textContent).not.toContain('加载中')
})

test('我的 shows the unread badge from one row of me/messages and follows the inbox', async () => {
  wx.route('GET me', () => [200, ME])
  wx.route('GET me/messages', () => [200, { unread: 120, count: 120, next: 'x', previous: null, results: [msg(1)] }])
  const page = render('pages/member/index')
  await page.instance.onShow()
  await flush()
  const ask = wx.__calls.request.find((r) => r.path === 'me/messages')
  expect(ask.query).toEqual({ page: '1', page_size: '1' })
  expect(text(page, '.unread-badge')).toBe('99+')
  store.set('unreadMessages', 0) // the inbox read everything
  expect(page.dom.querySelector('.unread-badge')).toBeNull()
  page.instance.go({ currentTarget: { dataset: { page: 'messages' } } })
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-member/messages/index' })
})
