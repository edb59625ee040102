/**
 * Where the shopper finds the community (F23): the product page's 买家秀 — asked only after the
 * product's own first screen, with product_id and limit 3, hidden when there is none —, 我的 ›
 * 种草社区 / 我的种草, and a home-page nav icon whose link is `community`.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const { render } = require('../helpers/page')
const { productDetail } = require('../helpers/fixtures')
const { post, page: feedPage, cardTexts, tapCard } = require('../helpers/community')
const pages = require('../../services/pages')

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

test('买家秀: the product comes first in one request, then its three best posts', async () => {
  wx.route('GET products/7', () => [200, productDetail()])
  wx.route('GET community/feed', () => [200, feedPage([post(), post({ id: 42, text: '第二篇' }), post({ id: 43, text: '第三篇' })], 'next')])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  const requests = wx.__calls.request.map((r) => r.path)
  expect(requests[0]).toBe('products/7') // the first screen is the product alone
  await flush()
  expect(wx.__calls.request.map((r) => [r.path, r.query])).toEqual([
    ['products/7', {}],
    ['community/feed', { product_id: '7', sort: 'recommended', limit: '3' }],
  ])
  const show = page.querySelector('buyer-show') || page.querySelector('.buyer-show-host')
  expect(show.querySelector('.title').dom.textContent).toBe('买家秀')
  expect(cardTexts(show, '.excerpt')).toEqual(['洗完脸不紧绷，泡沫很细腻，敏感肌也能用。', '第二篇', '第三篇'])
  tapCard(show, 1, '.post-card')
  show.querySelector('.more').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-community/post/index?id=42', '/package-community/feed/index?product_id=7'])
})

test('买家秀 is not drawn for a product without posts, nor when the feed fails', async () => {
  wx.route('GET products/7', () => [200, productDetail()])
  wx.route('GET community/feed', () => [200, feedPage([], null)])
  const page = render('pages/product/index')
  await page.instance.onLoad({ id: '7' })
  await flush()
  const show = page.querySelector('.buyer-show-host')
  expect(show.querySelector('.buyer-show')).toBeFalsy()
  wx.route('GET community/feed', () => [503, { code: 'service_unavailable', message: '服务暂不可用', details: {} }])
  await show.instance.load(7)
  await flush()
  expect(show.querySelector('.buyer-show')).toBeFalsy()
  expect(wx.__calls.toast).toEqual([])
})

test('我的 › 种草社区 and 我的种草 open the community', async () => {
  wx.route('GET me', () => [200, { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'gold', invite_code: 'AB12', points_balance: 320 }])
  wx.route('GET me/messages', () => [200, { unread: 0, count: 0, next: null, previous: null, results: [] }])
  const page = render('pages/member/index', {}, { tdesign: ['t-cell', 't-cell-group'] })
  await page.instance.onShow()
  await flush()
  page.querySelector('.community-entry').querySelector('.t-cell').dispatchEvent('tap')
  page.querySelector('.community-mine-entry').querySelector('.t-cell').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-community/feed/index', '/package-community/mine/index'])
})

test('a home nav icon linking `community` opens the feed', () => {
  expect(pages.targetPath({ type: 'community' })).toBe('/package-community/feed/index')
})

test('the 晒单邀请 message opens compose with the bought product chosen', async () => {
  const link = '/package-community/compose/index?product_id=7'
  wx.route('GET me/messages', () => [200, { unread: 1, count: 1, next: null, previous: null, results: [{ id: 9, kind: 'community_invite', title: '晒单邀请', body: '分享你的使用感受', link, read: false, created_at: '2026-03-10T10:00:00+08:00' }] }])
  wx.route('POST me/messages/read', () => [200, { marked: 1, unread: 0 }])
  const inbox = render('package-member/messages/index')
  await inbox.instance.onLoad()
  inbox.querySelector('.message').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ type: 'navigateTo', url: link })
  wx.route('GET community/topics', () => [200, []])
  wx.route('GET community/invitable', () => [200, [{ product_id: 7, title: '氨基酸洁面乳', image: '', completed_at: '2026-03-08T10:00:00+08:00' }]])
  const compose = render('package-community/compose/index')
  await compose.instance.onLoad({ product_id: '7' })
  await flush()
  expect(compose.instance.data.products).toEqual([{ id: 7, title: '氨基酸洁面乳', image: '', selected: true }])
})

test('a shared post carries its id and the sharer\'s codes', async () => {
  store.set('member', { invite_code: 'AB12' })
  wx.route('GET community/posts/41', () => [200, post()])
  wx.route('GET community/posts/41/comments', () => [200, { count: 0, next: null, previous: null, results: [] }])
  const page = render('package-community/post/index')
  await page.instance.onLoad({ id: '41' })
  await flush()
  const card = page.instance.onShareAppMessage()
  expect(card).toEqual({
    title: '洗完脸不紧绷，泡沫很细腻，敏感肌也能用。',
    path: '/package-community/post/index?id=41&invite=AB12&src=share',
    imageUrl: 'http://127.0.0.1:8000/media/community/a.jpg',
  })
})
