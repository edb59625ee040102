/**
 * 直播 (F24) client logic: the live player URL only when the plugin is built in, the room's
 * attribution through custom_params, the share token kept per room, the cards' buttons in both
 * switch states, and the 评论抽奖 draw re-computed on the phone (SHA-256 / HMAC-SHA256 checked
 * against Node's crypto, the reference the server's Python hashlib/hmac agree with).
 */
const crypto = require('crypto')
const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const share = require('../../core/share')
const live = require('../../core/live')
const sha = require('../../package-live/sha256')
const view = require('../../package-live/view')
const config = require('../../config')

let wx
beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  config.live.plugin = false
})
afterAll(() => {
  config.live.plugin = false
})

test('SHA-256 and HMAC-SHA256 match the standard vectors and Node for Chinese, emoji and long input', () => {
  expect(sha.sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  expect(sha.sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  // RFC 4231 test case 2
  expect(sha.hmacSha256('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
  for (const text of ['直播间种子', '😀 seed', 'x'.repeat(300), '55']) {
    expect(sha.sha256(text)).toBe(crypto.createHash('sha256').update(text, 'utf8').digest('hex'))
    expect(sha.hmacSha256(text, '12')).toBe(crypto.createHmac('sha256', text).update('12').digest('hex'))
  }
})

test('the draw is re-computed: hash of the seed, then winners = entries by HMAC(seed, id), first N', () => {
  const seed = '9f1c2e7a5b'
  const seedHash = crypto.createHash('sha256').update(seed).digest('hex')
  const entryIds = [3, 8, 11, 15, 21, 34]
  const winners = entryIds
    .slice()
    .sort((a, b) => (crypto.createHmac('sha256', seed).update(String(a)).digest('hex') < crypto.createHmac('sha256', seed).update(String(b)).digest('hex') ? -1 : 1))
    .slice(0, 2)
  expect(view.verifyDraw({ seed, seedHash, entryIds, winnerIds: winners })).toEqual({ hashOk: true, winnersOk: true })
  expect(view.verifyDraw({ seed, seedHash: seedHash.toUpperCase(), entryIds, winnerIds: winners }).hashOk).toBe(true)
  expect(view.verifyDraw({ seed, seedHash, entryIds, winnerIds: winners.slice().reverse() })).toEqual({ hashOk: true, winnersOk: false })
  expect(view.verifyDraw({ seed: 'another', seedHash, entryIds, winnerIds: winners }).hashOk).toBe(false)
  expect(view.verifyDraw({ seed, seedHash })).toEqual({ hashOk: true, winnersOk: null })
  expect(view.verifyDraw({ seed: '', seedHash })).toEqual({ hashOk: false, winnersOk: null })
})

test('the player URL exists only with the plugin built in, and carries the room as src in custom_params', () => {
  expect(live.playerUrl(1001, 7)).toBe('')
  config.live.plugin = true
  const url = live.playerUrl(1001, 7)
  expect(url.startsWith('plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin?room_id=1001&custom_params=')).toBe(true)
  const custom = url.split('custom_params=')[1]
  expect(JSON.parse(decodeURIComponent(custom))).toEqual({ src: 'live:7', room: 7 })
  // WeChat hands custom_params to the product page opened from the room's goods
  expect(live.srcFromCustomParams({ custom_params: custom })).toBe('live:7')
  expect(live.srcFromCustomParams({ custom_params: encodeURIComponent(custom) })).toBe('live:7')
  expect(live.srcFromCustomParams({ custom_params: '{broken' })).toBe('')
  expect(live.srcFromCustomParams({})).toBe('')
})

test('share.rememberSrc keeps live:<room> from src or custom_params, never junk', () => {
  const now = Date.UTC(2026, 11, 6)
  expect(share.rememberSrc({ custom_params: encodeURIComponent(JSON.stringify({ src: 'live:12' })) }, now)).toBe('live:12')
  expect(share.currentSrc(now)).toBe('live:12')
  expect(share.rememberSrc({ custom_params: encodeURIComponent(JSON.stringify({ src: 'live:<x>' })) }, now)).toBe('')
  expect(share.rememberSrc({ src: 'live:13' }, now)).toBe('live:13')
  expect(share.currentSrc(now)).toBe('live:13')
})

test('a room share token is kept per room for 7 days and survives a restart', () => {
  const now = Date.UTC(2026, 11, 6)
  expect(live.rememberShare(5, 'abc.DEF-1:2', now)).toBe('abc.DEF-1:2')
  expect(live.rememberShare(5, '', now)).toBe('')
  expect(live.rememberShare('x', 'tok', now)).toBe('')
  expect(live.shareToken(5, now + 1000)).toBe('abc.DEF-1:2')
  expect(live.shareToken(6, now)).toBe('')
  expect(wx.__storage['duoying.liveShares']).toEqual({ 5: { token: 'abc.DEF-1:2', at: now } })
  expect(live.shareToken(5, now + live.SHARE_DAYS * 24 * 3600 * 1000 + 1)).toBe('')
})

test('room cards: follow for a preview; the player for live and replay only when the plugin is on', () => {
  const base = { id: 7, wx_room_id: 1001, name: '周末上新', cover_img: 'https://x/c.jpg', anchor_name: '小多', status_label: '', start_time: '2026-12-06T20:00:00+08:00', followed: false, followers: 0 }
  const upcoming = view.roomCard(Object.assign({}, base, { status: 'upcoming', status_label: '预告' }))
  expect(upcoming.action).toEqual({ kind: 'follow', text: '开播提醒' })
  expect(upcoming.timeText).toBe('12月06日 20:00 开播')
  expect(view.roomCard(Object.assign({}, base, { status: 'upcoming', followed: true })).action).toEqual({ kind: 'unfollow', text: '已预约' })
  expect(view.roomCard(Object.assign({}, base, { status: 'live' })).action).toEqual({ kind: 'open', text: '查看直播间' })
  expect(view.roomCard(Object.assign({}, base, { status: 'replay' })).action).toEqual({ kind: 'open', text: '查看回放信息' })
  expect(view.enterUrl(Object.assign({}, base, { status: 'live' }))).toBe('')
  config.live.plugin = true
  expect(view.roomCard(Object.assign({}, base, { status: 'live' })).action).toEqual({ kind: 'player', text: '进入直播间' })
  expect(view.roomCard(Object.assign({}, base, { status: 'replay' })).action).toEqual({ kind: 'player', text: '看回放' })
  expect(view.enterUrl(Object.assign({}, base, { status: 'upcoming' }))).toBe('')
  expect(view.enterUrl(Object.assign({}, base, { status: 'replay' }))).toContain('room_id=1001')
})

test('the share path names the room, its token and live:<id> as src (over the sharer\'s src=share)', () => {
  const path = view.sharePath(7, 'T0K', { invite: 'AB12', src: 'share' })
  expect(path).toBe('/package-live/room/index?invite=AB12&src=live%3A7&room_id=7&share=T0K')
})
