/**
 * A 种草 post (F23) with real taps: pictures with their index, the author, topics, products with
 * the 已购 badge opening the product page, 点赞 / 收藏, comments oldest first with a box to add
 * one (under review it shows 审核中 to its author), and 举报 with a reason.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const { post, videoPost, comment } = require('../helpers/community')

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

function comments(results, next) {
  return { count: results.length, next: next || null, previous: null, results }
}

async function open(body, list) {
  wx.route('GET community/posts/41', () => [200, body || post({ products: [{ id: 7, title: '氨基酸洁面乳', image: '/media/products/7.jpg', purchased: true }, { id: 8, title: '爽肤水', image: '', purchased: false }] })])
  wx.route('GET community/posts/41/comments', (req) => (req.query.page === '2' ? [200, comments([comment({ id: 303, text: '第二页的评论' })])] : [200, list || comments([comment(), comment({ id: 302, text: '已经下单了' })], 'http://127.0.0.1:8000/api/v1/community/posts/41/comments?page=2')]))
  const page = render('package-community/post/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad({ id: '41' })
  await flush()
  return page
}

test('the post shows its pictures, author, topics, products with 已购 and its comments', async () => {
  const page = await open()
  expect(page.querySelectorAll('.gallery-image')).toHaveLength(2)
  expect(text(page, '.gallery-index')).toBe('1/2')
  expect(text(page, '.nickname')).toBe('小多')
  expect(text(page, '.text')).toBe('洗完脸不紧绷，泡沫很细腻，敏感肌也能用。')
  expect(texts(page, '.topic')).toEqual(['#护肤心得'])
  expect(texts(page, '.product-title')).toEqual(['氨基酸洁面乳', '爽肤水'])
  expect(texts(page, '.purchased')).toEqual(['已购']) // only the product the author bought
  expect(texts(page, '.comment-text')).toEqual(['求链接！', '已经下单了'])
  expect(text(page, '.comments .section-head')).toBe('评论 2')
  expect(texts(page, '.action-text')).toEqual(['12', '5'])
  // comments page by number; the next page is appended on scroll
  await page.instance.onReachBottom()
  await flush()
  expect(texts(page, '.comment-text')).toEqual(['求链接！', '已经下单了', '第二页的评论'])
  expect(wx.__calls.request.filter((r) => r.path === 'community/posts/41/comments').map((r) => r.query.page)).toEqual(['1', '2'])
})

test('a video post plays its video instead of a gallery', async () => {
  const page = await open(videoPost(), comments([]))
  expect(page.querySelector('.video')).toBeTruthy()
  expect(page.querySelector('.gallery')).toBeFalsy()
  expect(text(page, '.no-comments')).toBe('还没有评论，说说你的看法')
})

test('a product opens its page and a topic opens the feed on it', async () => {
  const page = await open()
  page.querySelectorAll('.product')[0].dispatchEvent('tap')
  page.querySelector('.topic').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/pages/product/index?id=7', '/package-community/feed/index?topic=skincare'])
})

test('点赞 and 收藏 turn on with the server\'s counts', async () => {
  const page = await open()
  wx.route('POST community/posts/41/like', () => [200, { liked: true, like_count: 13 }])
  wx.route('POST community/posts/41/favourite', () => [200, { favourited: true, favourite_count: 6 }])
  page.querySelector('.action.like').dispatchEvent('tap')
  page.querySelector('.action.favourite').dispatchEvent('tap')
  await flush()
  expect(texts(page, '.action-text')).toEqual(['13', '6'])
  expect(page.querySelectorAll('.action.on')).toHaveLength(2)
})

test('a comment under review is added for its author with 审核中; an empty one is not sent', async () => {
  const page = await open()
  const bodies = []
  wx.route('POST community/posts/41/comments', (req) => (bodies.push(req.data), [201, comment({ id: 310, text: '好用！', status: 'pending', status_label: '审核中', is_mine: true })]))
  page.querySelector('.send').dispatchEvent('tap')
  await flush()
  expect(bodies).toEqual([])
  expect(wx.__calls.toast.pop()).toBe('说点什么吧')
  page.querySelector('.draft').dispatchEvent('input', { detail: { value: ' 好用！ ' } })
  page.querySelector('.send').dispatchEvent('tap')
  await flush()
  expect(bodies).toEqual([{ text: '好用！' }])
  expect(texts(page, '.comment-text')).toEqual(['求链接！', '已经下单了', '好用！审核中'])
  expect(text(page, '.comments .section-head')).toBe('评论 2') // not counted until published
  expect(wx.__calls.toast.pop()).toBe('评论已提交，审核通过后对所有人展示')
  expect(page.instance.data.draft).toBe('')
})

test('举报: a reason must be picked, then the report is sent once; a second report is told kindly', async () => {
  const page = await open()
  const bodies = []
  let answer = [201, { id: 5, status: 'open' }]
  wx.route('POST community/posts/41/report', (req) => (bodies.push(req.data), answer))
  page.querySelector('.report-link').dispatchEvent('tap')
  await flush()
  expect(texts(page, '.reason')).toEqual(['广告引流', '虚假种草', '低俗或不友善', '违法违规', '其他'])
  page.querySelector('.report-submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('请选择举报原因')
  page.querySelectorAll('.reason')[1].dispatchEvent('tap')
  page.querySelector('.report-text').dispatchEvent('input', { detail: { value: '图片是网图' } })
  page.querySelector('.report-submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(bodies).toEqual([{ reason: 'false', text: '图片是网图' }])
  expect(page.querySelector('.panel')).toBeFalsy()
  expect(wx.__calls.toast.pop()).toBe('已收到举报，我们会尽快处理')
  answer = [409, { code: 'community_report_duplicate', message: '您已举报过该帖子，我们会尽快处理。', details: {} }]
  page.querySelector('.report-link').dispatchEvent('tap')
  await flush()
  page.querySelectorAll('.reason')[0].dispatchEvent('tap')
  page.querySelector('.report-submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('您已举报过该帖子，我们会尽快处理。')
})

test('a post that is gone says so', async () => {
  wx.route('GET community/posts/99', () => [404, { code: 'community_post_not_found', message: '帖子不存在或已删除。', details: {} }])
  const page = render('package-community/post/index')
  await page.instance.onLoad({ id: '99' })
  await flush()
  expect(page.instance.data.error).toBe('帖子不存在或已删除。')
  expect(page.querySelector('.bottom-bar')).toBeFalsy()
})
