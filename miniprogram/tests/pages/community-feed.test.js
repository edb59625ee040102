/**
 * 种草社区 feed (F23) with real taps: 推荐 first, 最新 and a topic chip ask again with their filter,
 * the next page follows the cursor on scroll, a card's heart likes and unlikes without opening
 * the post (a refusal puts it back), a card opens its post, 发布 opens compose.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const { post, videoPost, page: feedPage, TOPICS, cards, cardTexts, tapCard } = require('../helpers/community')

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

function feedRequests() {
  return wx.__calls.request.filter((r) => r.path === 'community/feed').map((r) => r.query)
}

async function open(query) {
  wx.route('GET community/topics', () => [200, TOPICS])
  wx.route('GET community/feed', (req) => {
    if (req.query.cursor === 'c2') return [200, feedPage([post({ id: 43, text: '第二页' })], null)]
    if (req.query.topic === 'travel') return [200, feedPage([post({ id: 50, text: '出差带这个' })], null)]
    if (req.query.sort === 'recent') return [200, feedPage([post({ id: 60, text: '刚刚发的' })], null)]
    return [200, feedPage([post(), videoPost({ id: 42, text: '视频种草', like_count: 0, is_featured: true })], 'c2')]
  })
  const page = render('package-community/feed/index')
  await page.instance.onLoad(query || {})
  await flush()
  return page
}

test('推荐 comes first with topic chips; cards show cover, excerpt, author and likes', async () => {
  const page = await open()
  expect(feedRequests()).toEqual([{ sort: 'recommended', limit: '10' }])
  expect(texts(page, '.tab')).toEqual(['推荐', '最新'])
  expect(text(page, '.tab.active')).toBe('推荐')
  expect(texts(page, '.chip')).toEqual(['全部', '#护肤心得', '#出差好物'])
  expect(cardTexts(page, '.excerpt')).toEqual(['洗完脸不紧绷，泡沫很细腻，敏感肌也能用。', '视频种草'])
  expect(cardTexts(page, '.like-text')).toEqual(['12', '赞'])
  expect(cardTexts(page, '.video-badge')).toEqual([null, '视频'])
  expect(cardTexts(page, '.count-badge')).toEqual(['2 图', null])
  // pictures on the API host are made absolute
  expect(page.instance.data.posts[0].cover).toBe('http://127.0.0.1:8000/media/community/a.jpg')
  expect(cards(page)[1].querySelector('.cover-video')).toBeTruthy() // a video draws a ▶ tile
  expect(cardTexts(page, '.featured')).toEqual([null, '精选'])
})

test('scrolling to the bottom asks the next page by cursor and appends it; at the end nothing more', async () => {
  const page = await open()
  await page.instance.onReachBottom()
  await flush()
  expect(feedRequests()[1]).toEqual({ sort: 'recommended', limit: '10', cursor: 'c2' })
  expect(cardTexts(page, '.excerpt')).toHaveLength(3)
  expect(text(page, '.foot')).toBe('没有更多了')
  await page.instance.onReachBottom()
  expect(feedRequests()).toHaveLength(2)
})

test('tapping 最新 and a topic chip ask again with that filter', async () => {
  const page = await open()
  page.querySelectorAll('.tab')[1].dispatchEvent('tap')
  await flush()
  expect(feedRequests()[1]).toEqual({ sort: 'recent', limit: '10' })
  expect(cardTexts(page, '.excerpt')).toEqual(['刚刚发的'])
  expect(text(page, '.tab.active')).toBe('最新')
  page.querySelectorAll('.chip')[2].dispatchEvent('tap')
  await flush()
  expect(feedRequests()[2]).toEqual({ sort: 'recent', topic: 'travel', limit: '10' })
  expect(cardTexts(page, '.excerpt')).toEqual(['出差带这个'])
  expect(text(page, '.chip.active')).toBe('#出差好物')
})

test('the heart likes and unlikes a card without opening it; the server\'s count wins', async () => {
  const page = await open()
  wx.route('POST community/posts/41/like', () => [200, { liked: true, like_count: 20 }])
  wx.route('DELETE community/posts/41/like', () => [200, { liked: false, like_count: 19 }])
  tapCard(page, 0, '.like')
  await flush()
  expect(page.instance.data.posts[0]).toMatchObject({ liked: true, likeCount: 20, likeText: '20' })
  expect(cards(page)[0].querySelector('.like.liked')).toBeTruthy()
  expect(wx.__calls.navigate).toEqual([]) // the card did not open
  tapCard(page, 0, '.like')
  await flush()
  expect(page.instance.data.posts[0]).toMatchObject({ liked: false, likeCount: 19 })
  expect(wx.__calls.request.filter((r) => r.path === 'community/posts/41/like').map((r) => r.method)).toEqual(['POST', 'DELETE'])
})

test('the star keeps a card as a favourite without opening it', async () => {
  const page = await open()
  wx.route('POST community/posts/42/favourite', () => [200, { favourited: true, favourite_count: 6 }])
  tapCard(page, 1, '.favourite')
  await flush()
  expect(page.instance.data.posts[1]).toMatchObject({ favourited: true, favouriteCount: 6 })
  expect(cards(page)[1].querySelector('.favourite.favourited')).toBeTruthy()
  expect(wx.__calls.navigate).toEqual([])
})

test('a refused like puts the heart back and says why', async () => {
  const page = await open()
  wx.route('POST community/posts/42/like', () => [409, { code: 'community_post_not_published', message: '帖子尚未发布，暂不能互动。', details: {} }])
  tapCard(page, 1, '.like')
  await flush()
  expect(page.instance.data.posts[1]).toMatchObject({ liked: false, likeCount: 0, likeText: '赞' })
  expect(wx.__calls.toast).toEqual(['帖子尚未发布，暂不能互动。'])
})

test('a card opens its post; 发布 opens compose; 我的种草 opens my posts', async () => {
  const page = await open()
  tapCard(page, 1, '.post-card')
  page.querySelector('.compose-button').dispatchEvent('tap')
  page.querySelector('.mine-link').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.map((n) => n.url)).toEqual([
    '/package-community/post/index?id=42',
    '/package-community/compose/index',
    '/package-community/mine/index',
  ])
})

test('opened for a product (买家秀 → 查看全部) the feed asks that product\'s posts', async () => {
  await open({ product_id: '7' })
  expect(feedRequests()[0]).toEqual({ sort: 'recommended', product_id: '7', limit: '10' })
})
