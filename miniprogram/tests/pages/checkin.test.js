/**
 * 签到 (F20) with real taps: the month's calendar with checked days, the streak, today's reward and
 * the next milestone; tapping 立即签到 checks in once; a second tap is refused with the mapped
 * message; tapping a "补" day asks, then makes it up for points; the 我的 page opens 签到.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const subscribe = require('../../core/subscribe')
const { render, text } = require('../helpers/page')

let wx

function calendar(overrides) {
  return Object.assign(
    {
      enabled: true,
      month: '2026-03',
      today: '2026-03-10',
      checked_days: ['2026-03-07', '2026-03-09'],
      checked_today: false,
      streak: 1,
      today_points: 5,
      today_bonus: 0,
      milestone_days_left: 6,
      milestone_points: 30,
      milestone_text: '再签 6 天得 30 积分',
      makeup_days: ['2026-03-08'],
      makeup_cost: 20,
      cycle: 'rolling',
      points_balance: 120,
    },
    overrides
  )
}

function result(cal, overrides) {
  return Object.assign({ day: cal.today, streak: cal.streak, points: 5, bonus_points: 0, is_makeup: false, calendar: cal }, overrides)
}


beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  subscribe.reset()
  contractProblems.length = 0
})

afterEach(() => {
  expect(contractProblems).toEqual([])
})

test('the calendar shows checked days, the streak, today reward and the next milestone', async () => {
  wx.route('GET me/checkin', () => [200, calendar()])
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  expect(text(page, '.streak')).toBe('已连续签到 1 天')
  expect(text(page, '.reward')).toBe('今日签到可得 5 积分')
  expect(text(page, '.milestone')).toBe('再签 6 天得 30 积分')
  expect(text(page, '.month')).toBe('2026 年 3 月')
  expect(page.querySelectorAll('.day.checked').length).toBe(2)
  expect(page.querySelectorAll('.day.makeup').length).toBe(1)
  expect(text(page, '.makeup-hint')).toBe('点日历上的“补”可补签，每次消耗 20 积分')
  // March 2026 starts on a Sunday: six blanks before the 1st (Monday first), then 31 days.
  expect(page.querySelectorAll('.day').length).toBe(6 + 31)
})

test('tapping 立即签到 checks in once and the page shows the new streak', async () => {
  wx.route('GET me/checkin', () => [200, calendar()])
  const done = calendar({ checked_days: ['2026-03-07', '2026-03-09', '2026-03-10'], checked_today: true, streak: 2, milestone_days_left: 5, milestone_text: '再签 5 天得 30 积分', points_balance: 125 })
  let calls = 0
  wx.route('POST me/checkin', () => (calls++, [201, result(done, { streak: 2 })]))
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  page.querySelector('.checkin-button').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(calls).toBe(1)
  expect(wx.__calls.toast.pop()).toBe('签到成功 +5 积分')
  expect(text(page, '.streak')).toBe('已连续签到 2 天')
  expect(text(page, '.reward')).toBe('今日已得 5 积分')
  expect(text(page, '.milestone')).toBe('再签 5 天得 30 积分')
  expect(text(page.querySelector('.checkin-button'), '.t-button')).toBe('今日已签到')
  expect(page.querySelectorAll('.day.checked').length).toBe(3)
  // the button is disabled now: another tap sends nothing
  page.querySelector('.checkin-button').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(calls).toBe(1)
})

test('the seventh day shows the streak reward in the toast', async () => {
  wx.route('GET me/checkin', () => [200, calendar({ streak: 6, today_bonus: 30, milestone_days_left: 1, milestone_text: '再签 1 天得 30 积分' })])
  const done = calendar({ checked_today: true, streak: 7, today_bonus: 30, milestone_days_left: 7, milestone_text: '再签 7 天得 30 积分' })
  wx.route('POST me/checkin', () => [201, result(done, { streak: 7, bonus_points: 30 })])
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  expect(text(page, '.reward')).toBe('今日签到可得 5 + 30 积分')
  page.querySelector('.checkin-button').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('签到成功 +5 积分，连续奖励 30 积分')
  expect(text(page, '.reward')).toBe('今日已得 5 + 30 积分')
})

test('a check-in the server already has shows the mapped message and reloads', async () => {
  let gets = 0
  wx.route('GET me/checkin', () => (gets++, [200, calendar()]))
  wx.route('POST me/checkin', () => [409, { code: 'already_checked_in', message: 'x', details: {} }])
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  page.querySelector('.checkin-button').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('今天已经签到过了，明天再来吧')
  expect(gets).toBe(2)
})

test('tapping a 补 day asks, then makes it up for points', async () => {
  wx.route('GET me/checkin', () => [200, calendar()])
  const days = []
  const after = calendar({ checked_days: ['2026-03-07', '2026-03-08', '2026-03-09'], makeup_days: [], streak: 3, points_balance: 105 })
  wx.route('POST me/checkin/makeup', (req) => (days.push(req.data.day), [201, result(after, { day: '2026-03-08', is_makeup: true, streak: 2 })]))
  wx.__modalAnswer = true
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  page.querySelector('.day.makeup').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.modal[0]).toBe('补签 2026-03-08 将消耗 20 积分，确定吗？')
  expect(days).toEqual(['2026-03-08'])
  expect(wx.__calls.toast.pop()).toBe('补签成功')
  expect(text(page, '.streak')).toBe('已连续签到 3 天')
  expect(page.querySelectorAll('.day.makeup').length).toBe(0)
})

test('not enough points for a make-up shows the refusal and keeps the calendar', async () => {
  wx.route('GET me/checkin', () => [200, calendar()])
  wx.route('POST me/checkin/makeup', () => [409, { code: 'points_insufficient', message: '积分不足。', details: { balance: 5, required: 20 } }])
  wx.__modalAnswer = true
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  page.querySelector('.day.makeup').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toMatch(/积分不足/)
  expect(page.querySelectorAll('.day.makeup').length).toBe(1)
})

test('tapping 立即签到 asks for tomorrow\'s reminder template inside the tap, then checks in', async () => {
  const posts = []
  wx.route('GET subscribe/templates', () => [200, { templates: [], moments: { checkin: ['TPL-CHECKIN'] } }])
  wx.route('POST me/subscriptions', (req) => (posts.push(req.data), [200, { credits: {} }]))
  wx.route('GET me/checkin', () => [200, calendar()])
  wx.route('POST me/checkin', () => [201, result(calendar({ checked_today: true, streak: 2 }), { streak: 2 })])
  wx.__subscribeAnswer = { 'TPL-CHECKIN': 'accept' }
  const page = render('package-member/checkin/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  await flush()
  page.querySelector('.checkin-button').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.subscribe).toEqual([{ tmplIds: ['TPL-CHECKIN'] }])
  expect(posts).toEqual([{ results: { 'TPL-CHECKIN': 'accept' }, moment: 'checkin' }])
  expect(wx.__calls.toast.pop()).toBe('签到成功 +5 积分')
})

test('the 我的 page opens 签到 with a real tap', async () => {
  wx.route('GET me', () => [200, { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'gold', invite_code: 'AB12', points_balance: 320 }])
  const page = render('pages/member/index')
  await page.instance.onShow()
  page.querySelector('.checkin-entry').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-member/checkin/index' })
})
