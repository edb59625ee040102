/**
 * GET /campaigns/<id> (issue 17 §1): the answer a campaign page header or share card reads,
 * checked against the OpenAPI document of this checkout, through the API module.
 */
const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { responseProblems } = require('../helpers/openapi')

function campaign(overrides = {}) {
  return Object.assign(
    {
      id: 3,
      name: '618 年中大促',
      page_slug: '618',
      starts_at: '2026-06-01T00:00:00+08:00',
      ends_at: '2026-06-18T23:59:59+08:00',
      status: 'running',
      status_label: '进行中',
      tools: [
        { kind: 'promotion', id: 7, name: '满99减10', state: '进行中' },
        { kind: 'flash', id: 12, name: '10:00 场', state: '抢购中' },
      ],
    },
    overrides,
  )
}

beforeEach(() => {
  global.wx = createWx()
  store.reset()
})

test('the campaign answer is what the API documents, and a draft is a documented 404', () => {
  expect(responseProblems('GET', 'campaigns/3', 200, campaign())).toEqual([])
  expect(responseProblems('GET', 'campaigns/3', 404, { code: 'campaign_not_found', message: '营销活动不存在。', details: {} })).toEqual([])
  expect(responseProblems('GET', 'campaigns/3', 200, campaign({ status: 'draft' }))).toEqual([expect.stringContaining('status')])
  // the campaign's page (F27): its slug opens GET /pages/<slug>; null while it has no published page
  expect(responseProblems('GET', 'campaigns/3', 200, campaign({ page_slug: null }))).toEqual([])
})

test('the API module asks for the campaign by id', async () => {
  global.wx.route('GET campaigns/3', () => [200, campaign()])
  const answer = await require('../../core/api').campaign(3)
  expect(answer.name).toBe('618 年中大促')
  expect(answer.tools.map((tool) => tool.kind)).toEqual(['promotion', 'flash'])
})

test('a campaign opened by id with its page is what the API documents; ended or page-less is page null', () => {
  const state = { id: 3, name: '618 年中大促', starts_at: '2026-06-01T00:00:00+08:00', ends_at: '2026-06-18T23:59:59+08:00', status: 'ended', status_label: '已结束' }
  const serverTime = { now: '2026-06-19T10:00:00+08:00', timestamp_ms: 1781834400000 }
  expect(responseProblems('GET', 'campaigns/3/page', 200, { campaign: state, page: null, server_time: serverTime })).toEqual([])
  expect(responseProblems('GET', 'campaigns/3/page', 404, { code: 'campaign_not_found', message: '营销活动不存在。', details: {} })).toEqual([])
  expect(responseProblems('GET', 'campaigns/3/page', 200, { campaign: Object.assign({}, state, { status: 'draft' }), page: null, server_time: serverTime })).toEqual([
    expect.stringContaining('status'),
  ])
})
