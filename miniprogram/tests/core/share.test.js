const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const share = require('../../core/share')
const auth = require('../../core/auth')

let wx
beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
})

test('a shared path carries the tool query, the sharer invite code and promoter code', () => {
  store.set('member', { invite_code: 'AB12' })
  expect(share.sharePath('/package-social/group/index', { token: 'g7x' })).toBe('/package-social/group/index?token=g7x&invite=AB12&src=share')
  store.set('myPromoterCode', 'P1A2B3C4')
  expect(share.shareMessage({ title: '一起拼', page: '/package-social/group/index', query: { token: 'g7x' }, imageUrl: 'https://img/x.jpg' })).toEqual({
    title: '一起拼',
    path: '/package-social/group/index?token=g7x&invite=AB12&pc=P1A2B3C4&src=share',
    imageUrl: 'https://img/x.jpg',
  })
  store.set('member', null)
  store.set('myPromoterCode', null)
  expect(share.shareMessage({})).toEqual({ title: '多营商城', path: '/pages/home/index?src=share' })
})

test('launch: a promoter code from the query or a QR scene is remembered and reported once', async () => {
  expect(share.rememberPromoter({ scene: encodeURIComponent('invite=AB12&pc=P9<script>') })).toBe('P9script')
  expect(store.get('promoterCode')).toEqual({ code: 'P9script', productId: null, reported: false })
  auth.rememberInvite({ scene: encodeURIComponent('invite=AB12&pc=P9') })
  expect(store.get('inviteCode')).toBe('AB12')
  const sent = []
  const { ApiError } = require('../../core/errors')
  const failing = () => Promise.reject(new ApiError({ code: 'network_error', status: 0 }))
  expect(await share.reportPromoter(failing)).toBe(false) // kept for the next launch
  const once = (code) => (sent.push(code), Promise.resolve())
  const [a, b] = await Promise.all([share.reportPromoter(once), share.reportPromoter(once)]) // launch + show
  expect([a, b]).toEqual([true, true])
  expect(await share.reportPromoter((code) => (sent.push(code), Promise.resolve()))).toBe(false)
  expect(sent).toEqual(['P9script'])
  expect(wx.__storage['duoying.promoterCode']).toEqual({ code: 'P9script', productId: null, reported: true })
  // the same code again is not reported again; another code is
  share.rememberPromoter({ pc: 'P9script' })
  expect(store.get('promoterCode').reported).toBe(true)
  share.rememberPromoter({ pc: 'PNEW' })
  expect(store.get('promoterCode')).toEqual({ code: 'PNEW', productId: null, reported: false })
  expect(share.rememberPromoter({})).toBe('')
})

test('a refusal settles the report for good (own code, unknown code); the product of a product link goes along', async () => {
  const { ApiError } = require('../../core/errors')
  share.rememberPromoter({ pc: 'P1', id: '38' }, 'pages/product/index')
  expect(store.get('promoterCode')).toEqual({ code: 'P1', productId: 38, reported: false })
  const calls = []
  const refuse = (code, productId) => (calls.push([code, productId]), Promise.reject(new ApiError({ code: 'attribution_self', status: 409 })))
  expect(await share.reportPromoter(refuse)).toBe(false)
  expect(store.get('promoterCode').reported).toBe(true)
  expect(await share.reportPromoter(refuse)).toBe(false)
  expect(calls).toEqual([['P1', 38]])
  share.rememberPromoter({ pc: 'P2', id: '38' }, 'pages/home/index')
  expect(store.get('promoterCode').productId).toBeNull()
})

test('a card may name what was shared in its src (share:<id>), never another channel', () => {
  store.set('member', { id: 1, invite_code: 'AB12' })
  expect(share.sharerQuery('share:7')).toEqual({ invite: 'AB12', src: 'share:7' })
  expect(share.sharerQuery('msg:3').src).toBe('share') // a card cannot pose as a push message
  expect(share.sharerQuery('share:abc').src).toBe('share')
  expect(share.shareMessage({ title: 't', page: '/package-campaign/page/index', query: { campaign: 7 }, src: 'share:7' }).path).toBe(
    '/package-campaign/page/index?campaign=7&invite=AB12&src=share%3A7',
  )
})
