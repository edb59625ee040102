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
