/**
 * 我的种草 (F23) with real taps: every post with its review state — 审核中, 已发布, 未通过 with the
 * merchant's reason —; a published one opens, a pending one says it is waiting; 删除 asks first
 * and then removes the post from the list.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const { post } = require('../helpers/community')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  contractProblems.length = 0
})

afterEach(() => {
  expect(contractProblems).toEqual([])
})

const MINE = [
  post({ id: 51, text: '刚发的', status: 'pending', status_label: '审核中', published_at: null, is_mine: true, media: [] }),
  post({ id: 52, text: '已经发布的', status: 'published', status_label: '已发布', is_mine: true, like_count: 8 }),
  post({ id: 53, text: '加了微信号', status: 'rejected', status_label: '未通过', reject_reason: '含站外引流信息', published_at: null, is_mine: true }),
]

async function open(pages) {
  wx.route('GET community/mine', (req) => [200, (pages || {})[req.query.page] || { count: 3, next: null, previous: null, results: MINE }])
  const page = render('package-community/mine/index', {}, { tdesign: ['t-button'] })
  page.instance.onLoad()
  await page.instance.onShow()
  await flush()
  return page
}

test('each post shows its state; a refused one shows the merchant\'s reason', async () => {
  const page = await open()
  expect(texts(page, '.status')).toEqual(['审核中', '已发布', '未通过'])
  expect(texts(page, '.reason')).toEqual(['未通过原因：含站外引流信息'])
  expect(texts(page, '.likes')).toEqual(['8 赞'])
  expect(page.querySelectorAll('.cover-text')).toHaveLength(1) // the text-only post
  expect(text(page, '.foot')).toBe('没有更多了')
})

test('a published post opens; a pending one says it waits for review', async () => {
  const page = await open()
  page.querySelectorAll('.post')[1].dispatchEvent('tap')
  page.querySelectorAll('.post')[0].dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-community/post/index?id=52'])
  expect(wx.__calls.toast).toEqual(['审核中，通过后可查看'])
})

test('删除 asks first; confirmed, the post is deleted and leaves the list', async () => {
  const page = await open()
  const deletes = []
  wx.route('DELETE community/posts/53', (req) => (deletes.push(req.path), [204, null]))
  wx.__modalAnswer = false
  page.querySelectorAll('.delete')[2].dispatchEvent('tap')
  await flush()
  expect(deletes).toEqual([])
  wx.__modalAnswer = true
  page.querySelectorAll('.delete')[2].dispatchEvent('tap')
  await flush()
  expect(wx.__calls.modal).toEqual(['删除后不可恢复，确定删除这篇种草吗？', '删除后不可恢复，确定删除这篇种草吗？'])
  expect(deletes).toEqual(['community/posts/53'])
  expect(texts(page, '.text')).toEqual(['刚发的', '已经发布的'])
  expect(wx.__calls.toast.pop()).toBe('已删除')
  expect(wx.__calls.navigate).toEqual([]) // the delete tap does not open the post
})

test('pages by number on scroll; nothing yet offers 去发布', async () => {
  const page = await open({ 1: { count: 4, next: 'http://127.0.0.1:8000/api/v1/community/mine?page=2', previous: null, results: MINE }, 2: { count: 4, next: null, previous: null, results: [post({ id: 54, text: '更早的', is_mine: true })] } })
  await page.instance.onReachBottom()
  await flush()
  expect(texts(page, '.text')).toEqual(['刚发的', '已经发布的', '加了微信号', '更早的'])
  expect(wx.__calls.request.filter((r) => r.path === 'community/mine').map((r) => r.query.page)).toEqual(['1', '2'])

  const empty = await open({ 1: { count: 0, next: null, previous: null, results: [] } })
  empty.querySelector('.compose').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-community/compose/index' })
})
