/**
 * A shared campaign opened by its id (issue 17): package-campaign/page/index?campaign=3 asks
 * GET campaigns/3/page once (answers checked against the OpenAPI document), shows the campaign's
 * state with the page's blocks, counts the warm-up down, tells 已暂停 / 已结束 / gone nicely, and
 * its share card carries the campaign id, the sharer's codes and src=share:<id> that the order
 * placed from it keeps.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const share = require('../../core/share')
const { render, text } = require('../helpers/page')

let wx
const now = Date.now()
const iso = (ms) => new Date(ms).toISOString()
const PAGE = {
  id: 1,
  slug: '618',
  title: '618 主会场',
  share_title: '618 来了',
  is_home: false,
  version: 2,
  blocks: [{ key: 'k1', type: 'rich_text', settings: {}, data: { title: '活动规则', image: '', paragraphs: ['满 99 减 10。'] } }],
  server_time: { now: iso(now), timestamp_ms: now },
}

function answer(status, overrides = {}) {
  const labels = { warmup: '预热', running: '进行中', paused: '已暂停', ended: '已结束' }
  return Object.assign(
    {
      campaign: {
        id: 3,
        name: '618 年中大促',
        starts_at: '2026-06-01T00:00:00+08:00',
        ends_at: '2026-06-18T23:59:59+08:00',
        status,
        status_label: labels[status],
      },
      page: status === 'ended' ? null : PAGE,
      server_time: { now: iso(Date.now()), timestamp_ms: Date.now() },
    },
    overrides,
  )
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('member', { id: 1, invite_code: 'AB12' })
  store.set('myPromoterCode', 'P1A2B3C4')
})

async function open(body, status = 200) {
  wx.route('GET campaigns/3/page', () => [status, body])
  const page = render('package-campaign/page/index')
  await page.instance.onLoad({ campaign: '3' })
  return page
}

test('a running campaign comes with its page in one request', async () => {
  const page = await open(answer('running'))
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['campaigns/3/page'])
  expect(text(page, '.campaign-name')).toBe('618 年中大促')
  expect(text(page, '.campaign-state')).toBe('进行中')
  expect(text(page, '.campaign-window')).toBe('06-01 00:00 至 06-18 23:59')
  expect(page.querySelector('.campaign-notice')).toBeUndefined()
  const blocks = page.querySelector('#blocks')
  expect(text(blocks, '.para')).toBe('满 99 减 10。')
})

test('the share card carries the campaign id, the sharer codes and src=share:<id>', async () => {
  const page = await open(answer('running'))
  const card = page.instance.onShareAppMessage()
  expect(card.title).toBe('618 来了')
  expect(card.path).toBe('/package-campaign/page/index?campaign=3&invite=AB12&pc=P1A2B3C4&src=share%3A3')
  expect(page.instance.onShareTimeline().query).toBe('campaign=3&invite=AB12&pc=P1A2B3C4&src=share%3A3')
  // the friend who opens the card: the launch remembers src, which the order placement sends
  const launched = Object.fromEntries(card.path.split('?')[1].split('&').map((p) => p.split('=')))
  expect(share.rememberSrc(launched)).toBe('share:3')
  expect(share.currentSrc()).toBe('share:3')
})

test('the warm-up counts down to the start and reloads when it comes', async () => {
  const starts = iso(Date.now() + 1000)
  const page = await open(answer('warmup', { campaign: Object.assign(answer('warmup').campaign, { starts_at: starts }) }))
  expect(text(page, '.campaign-state')).toBe('预热')
  expect(text(page, '.campaign-notice')).toBe('活动即将开始，先收藏页面，开始后即可享受优惠')
  expect(text(page, '.campaign-line')).toMatch(/^距开始 00:00:0[01]$/)
  wx.route('GET campaigns/3/page', () => [200, answer('running')])
  await new Promise((r) => setTimeout(r, 1200))
  await flush()
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['campaigns/3/page', 'campaigns/3/page'])
  expect(text(page, '.campaign-state')).toBe('进行中')
})

test('a paused campaign says so above its page', async () => {
  const page = await open(answer('paused'))
  expect(text(page, '.campaign-state')).toBe('已暂停')
  expect(text(page, '.campaign-notice')).toBe('活动暂停中，优惠暂不可用，请稍后再来')
  expect(page.querySelector('#blocks')).toBeDefined()
})

test('an ended campaign is told nicely with a way home', async () => {
  const page = await open(answer('ended'))
  expect(text(page, '.campaign-state')).toBe('已结束')
  expect(text(page, '.gone-ended .gone-title')).toBe('活动已结束')
  expect(page.querySelector('#blocks')).toBeUndefined()
  page.querySelector('.gone-ended .gone-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate).toEqual([{ type: 'switchTab', url: '/pages/home/index' }])
})

test('a campaign that is gone (404) is told as gone, not as an error', async () => {
  const page = await open({ code: 'campaign_not_found', message: '营销活动不存在。', details: {} }, 404)
  expect(text(page, '.gone-missing .gone-title')).toBe('活动不存在或已下线')
  expect(page.querySelector('.error-box')).toBeUndefined()
  page.querySelector('.gone-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate[0].url).toBe('/pages/home/index')
})

test('pages opened by address still work as before', async () => {
  wx.route('GET pages/618', () => [200, PAGE])
  const page = render('package-campaign/page/index')
  await page.instance.onLoad({ slug: '618' })
  expect(page.querySelector('.campaign-bar')).toBeUndefined()
  expect(page.instance.onShareAppMessage().path).toBe('/package-campaign/page/index?slug=618&invite=AB12&pc=P1A2B3C4&src=share')
})
