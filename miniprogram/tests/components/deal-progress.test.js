const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { progressView, ratioPercent } = require('../../core/progress')
const { render, text } = require('../helpers/page')

beforeEach(() => {
  global.wx = createWx()
  store.reset()
})

describe('progress wording (F47)', () => {
  test('flash: 已抢 X% floors, shows at least 1 % once one is sold, 100 % only when sold out', () => {
    expect(progressView('flash', { sold: 62, total: 100 })).toEqual({ text: '已抢 62%', percent: 62, done: false })
    expect(progressView('flash', { sold: 999, total: 1000 }).text).toBe('已抢 99%')
    expect(progressView('flash', { sold: 1, total: 1000 }).text).toBe('已抢 1%')
    expect(progressView('flash', { sold: 0, total: 10 }).text).toBe('已抢 0%')
    expect(progressView('flash', { sold: 10, total: 10 })).toEqual({ text: '已抢光', percent: 100, done: true })
    expect(progressView('flash', { percent: 45.8 }).text).toBe('已抢 45%')
  })

  test('group: 还差 N 人成团 from the seats, 已成团 when full', () => {
    expect(progressView('group', { joined: 1, size: 3 })).toEqual({ text: '还差 2 人成团', percent: 33, done: false })
    expect(progressView('group', { joined: 3, size: 3 })).toEqual({ text: '已成团', percent: 100, done: true })
    expect(progressView('group', { joined: 2, size: 5, missing: 1 }).text).toBe('还差 1 人成团')
  })

  test('bargain: 再砍 ¥X to free or to the floor price', () => {
    expect(progressView('bargain', { original: 10000, current: 2500, floor: 0 })).toEqual({ text: '再砍 ¥25.00 即可免费拿', percent: 75, done: false })
    expect(progressView('bargain', { original: 10000, current: 3000, floor: 1000 }).text).toBe('再砍 ¥20.00 即可到底价')
    expect(progressView('bargain', { original: 10000, current: 1000, floor: 1000 })).toEqual({ text: '已砍到底价 ¥10.00', percent: 100, done: true })
    expect(progressView('bargain', { original: 10000, current: 0, floor: 0 }).text).toBe('已砍至 0 元，免费拿')
  })

  test('unknown kinds and empty totals draw nothing', () => {
    expect(progressView('lottery', {})).toEqual({ text: '', percent: 0, done: false })
    expect(ratioPercent(3, 0)).toBe(0)
  })
})

test('the component draws the sentence and the bar, and follows its inputs', () => {
  const c = render('components/deal-progress/index', { kind: 'group', joined: 1, size: 2 })
  expect(text(c, '.deal-progress-text')).toBe('还差 1 人成团')
  expect(c.querySelector('.deal-progress-fill').dom.getAttribute('style')).toContain('width: 50%')
  c.setData({ joined: 2 })
  expect(text(c, '.deal-progress-text')).toBe('已成团')
  expect(c.querySelector('.deal-progress-done')).toBeTruthy()
  const none = render('components/deal-progress/index', { kind: '' })
  expect(none.querySelector('.deal-progress')).toBeFalsy()
})

test('invite: 再邀请 N 位好友得<reward>, 奖励已领满 at the limit', () => {
  expect(progressView('invite', { progress: 1, threshold: 3, remaining: 2, reward: '无门槛减20.00' })).toEqual({ text: '再邀请 2 位好友得无门槛减20.00', percent: 33, done: false })
  expect(progressView('invite', { progress: 0, threshold: 3, remaining: 0, limit_reached: true })).toEqual({ text: '奖励已领满', percent: 100, done: true })
})
