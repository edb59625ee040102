const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const subscribe = require('../../core/subscribe')

let wx
// the shape of members/api/subscriptions.py SubscribeTemplateListApi
const MAP = {
  templates: [
    { kind: 'group_completed', label: '拼团成功', template_id: 'TPL-GC' },
    { kind: 'group_failed', label: '拼团失败', template_id: 'TPL-GF' },
    { kind: 'flash_restock', label: '补货提醒', template_id: 'TPL-R' },
  ],
  moments: { paid: ['TPL-PAID'], group_open: ['TPL-GC', 'TPL-GF'], group_join: ['TPL-GC', 'TPL-GF'], bargain_start: [], restock_reserve: ['TPL-R'], coupon_claim: ['TPL-C1', 'TPL-C2', 'TPL-C3'] },
}

function served(map = MAP) {
  const posts = []
  wx.route('GET subscribe/templates', () => [200, map])
  wx.route('POST me/subscriptions', (req) => {
    posts.push(req)
    const credits = {}
    Object.keys(req.data.results).forEach((id) => (credits[id] = req.data.results[id] === 'accept' ? 1 : 0))
    return [200, { credits }]
  })
  return posts
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  subscribe.reset()
})

test('the template map is fetched once, without the token (it is public)', async () => {
  served()
  await Promise.all([subscribe.load(), subscribe.load()])
  await subscribe.load()
  const gets = wx.__calls.request.filter((r) => r.path === 'subscribe/templates')
  expect(gets).toHaveLength(1)
  expect(gets[0].header.Authorization).toBeUndefined()
})

test('a moment asks WeChat for its templates and posts the answer with the moment', async () => {
  const posts = served()
  wx.__subscribeAnswer = { 'TPL-R': 'accept' }
  const res = await subscribe.ask('restock_reserve')
  expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-R'] }])
  expect(posts).toHaveLength(1)
  expect(posts[0].data).toEqual({ results: { 'TPL-R': 'accept' }, moment: 'restock_reserve' })
  expect(posts[0].header.Authorization).toBe('Bearer A')
  expect(res).toEqual({ results: { 'TPL-R': 'accept' }, credits: { 'TPL-R': 1 } })
})

test('refusals are posted as WeChat gave them; errMsg is not', async () => {
  const posts = served()
  wx.__subscribeAnswer = { 'TPL-GC': 'reject', 'TPL-GF': 'ban' }
  await subscribe.ask('group_open')
  expect(posts[0].data).toEqual({ results: { 'TPL-GC': 'reject', 'TPL-GF': 'ban' }, moment: 'group_open' })
})

test('once loaded, WeChat is called synchronously inside the tap (no await before it)', async () => {
  served()
  await subscribe.load()
  const pending = subscribe.ask('restock_reserve')
  expect(wx.__calls.subscribe).toHaveLength(1) // before any promise settled
  await pending
})

test('several moments ask for their templates together: distinct, at most three', async () => {
  const posts = served()
  await subscribe.ask(['paid', 'group_open', 'group_join'])
  expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-PAID', 'TPL-GC', 'TPL-GF'] }])
  expect(posts[0].data.moment).toBe('group_join')
  expect(subscribe.tmplIdsFor(['coupon_claim', 'restock_reserve'], MAP)).toEqual(['TPL-C1', 'TPL-C2', 'TPL-C3'])
})

test('a moment with nothing mapped asks nothing and posts nothing', async () => {
  const posts = served()
  expect(await subscribe.ask('bargain_start')).toBeNull()
  expect(await subscribe.ask('no_such_moment')).toBeNull()
  expect(wx.__calls.subscribe).toHaveLength(0)
  expect(posts).toHaveLength(0)
})

test('subscriptions switched off (WeChat fails the call): nothing posted, nothing thrown', async () => {
  const posts = served()
  wx.__subscribeFails = { errMsg: 'requestSubscribeMessage:fail switched off', errCode: 20004 }
  expect(await subscribe.ask('restock_reserve')).toBeNull()
  expect(wx.__calls.subscribe).toHaveLength(1)
  expect(posts).toHaveLength(0)
})

test('a WeChat without requestSubscribeMessage is simply not asked', async () => {
  const posts = served()
  delete wx.requestSubscribeMessage
  expect(await subscribe.ask('restock_reserve')).toBeNull()
  expect(posts).toHaveLength(0)
})

test('a failed post or a failed map never breaks what the shopper was doing', async () => {
  wx.route('GET subscribe/templates', () => [503, { code: 'unavailable', message: '', details: {} }])
  expect(await subscribe.ask('restock_reserve')).toBeNull()
  expect(wx.__calls.subscribe).toHaveLength(0)

  served()
  wx.route('POST me/subscriptions', () => [400, { code: 'invalid_input', message: '输入有误。', details: {} }])
  const res = await subscribe.ask('restock_reserve') // the map is fetched again after the failure
  expect(res).toEqual({ results: { 'TPL-R': 'accept' }, credits: null })
  expect(wx.__calls.request.filter((r) => r.path === 'subscribe/templates')).toHaveLength(2)
  await flush()
  expect(wx.__calls.toast).toEqual([])
})

test('the moments after paying: a group opened or joined, else paid', () => {
  expect(subscribe.momentsAfterPaying({ deal_kind: '' }, null)).toEqual(['paid'])
  expect(subscribe.momentsAfterPaying({ deal_kind: 'flash' }, { kind: 'flash', ref: 1, params: {} })).toEqual(['paid'])
  expect(subscribe.momentsAfterPaying({ deal_kind: 'group' }, { kind: 'group', ref: 9, params: {} })).toEqual(['paid', 'group_open'])
  expect(subscribe.momentsAfterPaying({ deal_kind: 'group' }, { kind: 'group', ref: 9, params: { share_token: 't' } })).toEqual(['paid', 'group_join'])
  expect(subscribe.momentsAfterPaying({ deal_kind: 'group' }, null)).toEqual(['paid', 'group_open', 'group_join'])
  expect(subscribe.momentsAfterPaying(null, null)).toEqual(['paid'])
})
