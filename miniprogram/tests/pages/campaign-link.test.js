/**
 * A page block linking a campaign (`campaign:<id>` in the console, target {type: 'campaign', id}
 * from GET pages/{key}): a banner or nav icon tap opens package-campaign/page/index?campaign=<id>,
 * which asks for that campaign and its page (answers checked against the OpenAPI document).
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const pages = require('../../services/pages')
const { render, text } = require('../helpers/page')

let wx
const now = Date.now()
const iso = (ms) => new Date(ms).toISOString()
const target = { type: 'campaign', id: 5 }
const HOME = {
  id: 1,
  slug: 'year-end',
  title: '年终会场',
  share_title: '',
  is_home: false,
  version: 1,
  blocks: [
    { key: 'k1', type: 'banner', settings: {}, data: { image: 'b.jpg', title: '双 12 年终大促', target } },
    { key: 'k2', type: 'nav_icons', settings: {}, data: { columns: 4, items: [{ title: '年终大促', icon: '', target }, { title: '领券', icon: '', target: { type: 'coupons' } }] } },
  ],
  server_time: { now: iso(now), timestamp_ms: now },
}
const CAMPAIGN = {
  campaign: { id: 5, name: '双 12 年终大促', starts_at: iso(now - 3600e3), ends_at: iso(now + 3 * 864e5), status: 'running', status_label: '进行中' },
  page: Object.assign({}, HOME, { id: 2, slug: 'double-12', title: '双 12 主会场', blocks: [{ key: 'r', type: 'rich_text', settings: {}, data: { title: '活动规则', image: '', paragraphs: ['满 199 减 30。'] } }] }),
  server_time: { now: iso(now), timestamp_ms: now },
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('member', { id: 1, invite_code: 'AB12' })
})

test('the campaign target opens the campaign page by id', () => {
  expect(pages.targetPath(target)).toBe('/package-campaign/page/index?campaign=5')
})

test('a banner and a nav icon linking a campaign open it, and it loads that campaign', async () => {
  wx.route('GET pages/year-end', () => [200, HOME])
  const page = render('package-campaign/page/index')
  await page.instance.onLoad({ slug: 'year-end' })
  const blocks = page.querySelector('#blocks')
  blocks.querySelector('.banner').dispatchEvent('tap')
  await flush()
  blocks.querySelectorAll('.icon')[0].dispatchEvent('tap')
  await flush()
  const urls = wx.__calls.navigate.map((n) => n.url)
  expect(urls).toEqual(['/package-campaign/page/index?campaign=5', '/package-campaign/page/index?campaign=5'])

  wx.route('GET campaigns/5/page', () => [200, CAMPAIGN])
  const opened = render('package-campaign/page/index')
  await opened.instance.onLoad({ campaign: urls[0].split('campaign=')[1] })
  await flush()
  expect(wx.__calls.request.map((r) => r.path)).toEqual(['pages/year-end', 'campaigns/5/page'])
  expect(text(opened, '.campaign-name')).toBe('双 12 年终大促')
  expect(text(opened, '.campaign-state')).toBe('进行中')
})
