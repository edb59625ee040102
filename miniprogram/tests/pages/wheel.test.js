/**
 * 幸运大转盘 (F21) with real taps: the wheel's sectors, chances and today's draws left; tapping 抽奖
 * asks the server, turns the wheel to the sector it names, and shows the prize when the turn ends;
 * no chance and the day's limit are told in Chinese; the 我的 page opens the wheel.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')

let wx

const PRIZES = [
  { id: 11, position: 0, name: '5 元券', kind: 'coupon' },
  { id: 12, position: 1, name: '10 元券', kind: 'coupon' },
  { id: 13, position: 2, name: '免单', kind: 'free_order' },
  { id: 14, position: 3, name: '50 积分', kind: 'points' },
  { id: 15, position: 4, name: '谢谢参与', kind: 'thanks' },
]

function wheel(overrides) {
  return Object.assign(
    {
      open: true,
      name: '幸运大转盘',
      rules_text: '每人每天最多抽 3 次。',
      threshold: '50.00',
      daily_draw_limit: 3,
      prizes: PRIZES,
      chances_left: 2,
      draws_left_today: 2,
    },
    overrides
  )
}

function won(prize, overrides) {
  return Object.assign(
    {
      id: 900,
      name: prize.name,
      kind: prize.kind,
      text: prize.kind === 'thanks' ? prize.name : `${prize.name} ¥10.00`,
      coupon_id: prize.kind === 'coupon' ? 77 : null,
      coupon_status: prize.kind === 'coupon' ? 'unused' : null,
      points: 0,
      drawn_at: '2026-03-10T10:00:00+08:00',
    },
    overrides
  )
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  contractProblems.length = 0
})

afterEach(() => {
  expect(contractProblems).toEqual([])
})

async function open(body, prizes) {
  wx.route('GET wheel', () => [200, body])
  wx.route('GET wheel/prizes', () => [200, prizes || []])
  const page = render('package-member/wheel/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  return page
}

test('the wheel shows its sectors, the chances and today\'s draws left', async () => {
  const page = await open(wheel(), [won(PRIZES[0], { id: 1, text: '5 元券 ¥5.00', coupon_status: 'used' })])
  expect(page.querySelectorAll('.sector').map((n) => n.dom.textContent.trim())).toEqual(['5 元券', '10 元券', '免单', '50 积分', '谢谢参与'])
  expect(text(page, '.chances')).toBe('还有 2 次抽奖机会')
  expect(text(page, '.today')).toBe('今天还可抽 2 次（每天最多 3 次）')
  expect(text(page, '.prize-text')).toBe('5 元券 ¥5.00')
  expect(text(page, '.prize-status')).toBe('已使用')
  expect(text(page, '.rules-text')).toBe('每人每天最多抽 3 次。')
  expect(page.querySelector('.empty-chances')).toBeFalsy()
})

test('tapping 抽奖 turns the wheel to the drawn sector and shows the prize when it stops', async () => {
  const page = await open(wheel())
  let draws = 0
  const prize = PRIZES[1]
  wx.route('POST wheel/draw', () => (draws++, [201, { prize, won: won(prize), chances_left: 1, draws_left_today: 1 }]))
  wx.route('GET wheel/prizes', () => [200, [won(prize)]])
  page.querySelector('.draw-button').dispatchEvent('tap')
  await flush()
  expect(draws).toBe(1)
  // 5 sectors of 72°: sector 1 sits at 72°, so six turns and 288° bring it under the pointer
  expect(page.instance.data.rotation).toBe(6 * 360 + 288)
  expect(page.querySelector('.wheel').dom.getAttribute('style')).toContain(`rotate(${6 * 360 + 288}deg)`)
  expect(text(page, '.draw-button')).toBe('抽奖中')
  expect(page.querySelector('.result')).toBeFalsy() // not before the wheel stops
  // a second tap while it turns sends nothing
  page.querySelector('.draw-button').dispatchEvent('tap')
  await flush()
  expect(draws).toBe(1)
  page.querySelector('.wheel').dispatchEvent('transitionend')
  await flush()
  expect(text(page, '.result-text')).toBe('恭喜获得 10 元券 ¥10.00')
  expect(text(page, '.chances')).toBe('还有 1 次抽奖机会')
  expect(text(page, '.prize-text')).toBe('10 元券 ¥10.00')
  page.querySelector('.to-coupons').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-member/coupons/index' })
})

test('谢谢参与 is said kindly and the next turn starts from where the wheel stopped', async () => {
  const page = await open(wheel())
  const prize = PRIZES[4]
  wx.route('POST wheel/draw', () => [201, { prize, won: won(prize), chances_left: 0, draws_left_today: 0 }])
  page.querySelector('.draw-button').dispatchEvent('tap')
  await flush()
  expect(page.instance.data.rotation).toBe(6 * 360 + 72)
  page.querySelector('.wheel').dispatchEvent('transitionend')
  await flush()
  expect(text(page, '.result-text')).toBe('谢谢参与，下次好运')
  expect(page.querySelector('.to-coupons')).toBeFalsy()
  expect(text(page, '.chances')).toBe('还有 0 次抽奖机会')
  expect(page.querySelector('.draw-button').dom.className).toContain('disabled')
})

test('without chances the button tells how to earn one and 去逛逛 opens the shop', async () => {
  const page = await open(wheel({ chances_left: 0, draws_left_today: 0 }))
  let draws = 0
  wx.route('POST wheel/draw', () => (draws++, [409, { code: 'wheel_no_chance', message: 'x', details: {} }]))
  page.querySelector('.draw-button').dispatchEvent('tap')
  await flush()
  expect(draws).toBe(0)
  expect(wx.__calls.toast.pop()).toBe('还没有抽奖机会，下单满额即可获得')
  expect(text(page, '.empty-chances .muted')).toBe('每笔订单实付满 ¥50.00 得 1 次抽奖机会')
  page.querySelector('.shop-button').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/pages/home/index' })
})

test('the day\'s limit from the server is told in Chinese and the page reloads', async () => {
  let gets = 0
  wx.route('GET wheel', () => (gets++, [200, wheel()]))
  wx.route('GET wheel/prizes', () => [200, []])
  wx.route('POST wheel/draw', () => [409, { code: 'wheel_daily_limit', message: 'x', details: { limit: 3 } }])
  const page = render('package-member/wheel/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad()
  page.querySelector('.draw-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('今天的抽奖次数已用完，明天再来吧')
  expect(gets).toBe(2)
  expect(text(page, '.draw-button')).toBe('抽奖')
})

test('a closed wheel says so', async () => {
  const page = await open(wheel({ open: false, name: '', rules_text: '', threshold: '', daily_draw_limit: 0, prizes: [], chances_left: 0, draws_left_today: 0 }))
  expect(text(page, '.closed')).toBe('大转盘活动暂未开放，敬请期待')
  expect(page.querySelector('.draw-button')).toBeFalsy()
})

test('the 我的 page opens the wheel', async () => {
  wx.route('GET me', () => [200, { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'gold', invite_code: 'AB12', points_balance: 320 }])
  const page = render('pages/member/index')
  await page.instance.onShow()
  await flush()
  page.querySelector('.wheel-entry').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-member/wheel/index' })
})
