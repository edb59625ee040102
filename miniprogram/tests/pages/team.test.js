/**
 * 组队瓜分 (F22) with real taps: the activity page opens a team (asking for the 瓜分成功 / 组队未达标
 * templates inside the tap), the team page shows "团队已消费 ¥1,340 / ¥2,000，还差 ¥660" with the bar,
 * members' avatars and contributions and empty seats; a friend's share card joins; a full team is
 * refused with the mapped message and the page reloads; the share card carries the token and codes.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const subscribe = require('../../core/subscribe')
const { render, text, texts } = require('../helpers/page')
const teams = require('../../services/team')

let wx
jest.setTimeout(30000)

/** Let the tap's promise chain finish (the machine may be busy: wait for what the tap shows). */
async function settle(done) {
  for (let i = 0; i < 50 && !done(); i += 1) await flush()
}

// shapes of marketing/api/teams.py
function activity(extra) {
  return Object.assign(
    {
      id: 4, name: '双十二组队瓜分', team_size: 3, goal: 200000, reward_total: 10000, split_mode: 'equal', split_mode_label: '平均瓜分',
      team_hours: 72, settle_days: 7, starts_at: '2026-12-01T00:00:00+08:00', ends_at: '2026-12-20T00:00:00+08:00',
      rule_text: '团队消费达标后等待 7 天售后期再瓜分，期间的退款会从团队消费中扣除；瓜分后退款不影响已发的券。', my_team_token: null,
    },
    extra,
  )
}
function team(extra) {
  return Object.assign(
    {
      token: 'ttok', status: 'open', status_label: '组队中', activity: activity(), size: 3, members_count: 2, goal: 200000, spent: 134000, left: 66000,
      progress_text: '团队已消费 ¥1,340 / ¥2,000，还差 ¥660', expires_at: '2026-12-04T00:00:00+08:00', settle_at: null,
      members: [
        { nickname: '小多', avatar_url: 'https://img.example.com/a.png', is_leader: true, contribution: 100000, share: 0, is_me: true },
        { nickname: '阿营', avatar_url: '', is_leader: false, contribution: 34000, share: 0, is_me: false },
      ],
      is_member: true, can_join: false,
    },
    extra,
  )
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', { invite_code: 'AB12' })
  subscribe.reset()
  wx.route('GET subscribe/templates', () => [200, { templates: [], moments: { team: ['TPL-TEAM-WON', 'TPL-TEAM-FAILED'] } }])
  wx.route('POST me/subscriptions', () => [200, { credits: {} }])
})

test('tapping 我要开团 asks for the team messages, opens the team and shows it', async () => {
  wx.route('GET teams/activities/4', () => [200, activity()])
  let opened = 0
  wx.route('POST teams/activities/4/open', () => (opened++, [201, team({ members_count: 1, spent: 0, left: 200000, progress_text: '团队已消费 ¥0 / ¥2,000，还差 ¥2,000', members: team().members.slice(0, 1) })]))
  const page = render('package-social/team/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad({ activity: '4' })
  expect(text(page, '.headline')).toBe('团队消费满 ¥2000.00，瓜分 ¥100.00 券包')
  expect(text(page, '.size')).toBe('3 人成团 · 平均瓜分')
  page.querySelector('.open-button').querySelector('.t-button').dispatchEvent('tap')
  await settle(() => wx.__calls.toast.length > 0)
  expect(opened).toBe(1)
  expect(wx.__calls.subscribe.pop().tmplIds).toEqual(['TPL-TEAM-WON', 'TPL-TEAM-FAILED'])
  expect(wx.__calls.toast.pop()).toBe('开团成功，快邀请好友组队')
  expect(text(page, '.progress-text')).toBe('团队已消费 ¥0 / ¥2,000，还差 ¥2,000')
  expect(page.querySelectorAll('.seat.empty')).toHaveLength(2)
  expect(page.querySelector('.share-button')).toBeTruthy()
  expect(page.instance.onShareAppMessage().path).toBe('/package-social/team/index?token=ttok&invite=AB12&src=share')
})

test('my team: progress line with the bar, avatars, contributions and the empty seat', async () => {
  wx.route('GET teams/ttok', () => [200, team()])
  const page = render('package-social/team/index')
  await page.instance.onLoad({ token: 'ttok' })
  expect(text(page, '.progress-text')).toBe('团队已消费 ¥1,340 / ¥2,000，还差 ¥660')
  expect(page.querySelector('.bar-fill').dom.getAttribute('style')).toContain('width: 67%')
  expect(texts(page, '.contribution')).toEqual(['¥1000.00', '¥340.00'])
  expect(page.querySelectorAll('.avatar')).toHaveLength(3) // a photo, an initial, an empty seat
  expect(page.querySelectorAll('.avatar-empty')).toHaveLength(1)
  expect(text(page, '.avatar-letter')).toBe('阿')
  expect(text(page, '.leader')).toBe('队长')
  expect(page.querySelectorAll('.seat.empty')).toHaveLength(1)
  expect(text(page, '.count')).toBe('2/3 人')
  expect(page.querySelector('.join-button')).toBeFalsy()
})

test('a friend opens the share card and taps 加入团队 once', async () => {
  const friendView = team({ is_member: false, can_join: true, members: team().members.map((m) => Object.assign({}, m, { is_me: false })) })
  wx.route('GET teams/ttok', () => [200, friendView])
  let joins = 0
  const after = team({ members_count: 3, is_member: true, can_join: false, members: [...friendView.members, { nickname: '我', avatar_url: '', is_leader: false, contribution: 0, share: 0, is_me: true }] })
  wx.route('POST teams/ttok/join', () => (joins++, [200, after]))
  const page = render('package-social/team/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad({ token: 'ttok' })
  page.querySelector('.join-button').querySelector('.t-button').dispatchEvent('tap')
  await settle(() => wx.__calls.toast.length > 0)
  expect(joins).toBe(1)
  expect(wx.__calls.toast.pop()).toBe('已加入团队，一起买买买')
  expect(page.querySelectorAll('.seat.filled')).toHaveLength(3)
  expect(page.querySelector('.join-button')).toBeFalsy()
  expect(page.querySelector('.share-button')).toBeFalsy() // full: nobody left to invite
})

test('a full team refuses the joiner with the mapped message and the page shows it as it is', async () => {
  let gets = 0
  wx.route('GET teams/ttok', () => (gets++, [200, team({ is_member: false, can_join: gets === 1 })]))
  wx.route('POST teams/ttok/join', () => [409, { code: 'team_full', message: 'x', details: {} }])
  const page = render('package-social/team/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad({ token: 'ttok' })
  page.querySelector('.join-button').querySelector('.t-button').dispatchEvent('tap')
  await settle(() => gets === 2 && !page.querySelector('.join-button'))
  expect(wx.__calls.toast.pop()).toBe('该团队已满员，去开一个新团队吧')
  expect(gets).toBe(2)
  expect(page.querySelector('.join-button')).toBeFalsy()
})

test('a settled team shows my share; the activity page goes to my team when I have one', async () => {
  wx.route('GET teams/activities/4', () => [200, activity({ my_team_token: 'ttok' })])
  const settled = team({ status: 'settled', spent: 200000, left: 0, progress_text: '团队已消费 ¥2,000 / ¥2,000，已达标', members: team().members.map((m) => Object.assign({}, m, { share: 5000 })) })
  wx.route('GET teams/ttok', () => [200, settled])
  const page = render('package-social/team/index')
  await page.instance.onLoad({ activity: '4' })
  expect(text(page, '.state')).toBe('已瓜分，奖励券已发放')
  expect(text(page, '.my-share')).toBe('你分得 ¥50.00 优惠券')
  expect(teams.seatsView([], 2).map((s) => s.filled)).toEqual([false, false])
})
