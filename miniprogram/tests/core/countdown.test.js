const store = require('../../core/store')
const countdown = require('../../core/countdown')

beforeEach(() => {
  store.reset()
  jest.useRealTimers()
})

test('server-time offset from an ISO time, ms, or the server-time payload (half the round trip credited)', () => {
  const local = Date.now()
  expect(countdown.syncServerTime(new Date(local + 60000).toISOString(), local - 200, local)).toBeGreaterThanOrEqual(60000)
  const off = countdown.syncServerTime({ now: 'ignored', timestamp_ms: local - 5000 }, local - 100, local)
  expect(off).toBe(-5000 + 50)
  expect(Math.abs(countdown.now() - (Date.now() - 4950))).toBeLessThan(50)
  expect(countdown.syncServerTime('garbage')).toBe(off) // unparseable: offset kept
})

test('format splits ms into a clock, with days past 24h, never negative', () => {
  expect(countdown.format(3723000).text).toBe('01:02:03')
  expect(countdown.format(90061000).text).toBe('1天 01:01:01')
  expect(countdown.format(-5).text).toBe('00:00:00')
  expect(countdown.format(59999).seconds).toBe('59')
})

test('slot states 即将开始 / 进行中 / 已结束 on server time', () => {
  const start = Date.parse('2025-06-18T10:00:00+08:00')
  const end = Date.parse('2025-06-18T11:00:00+08:00')
  const before = countdown.slotState('2025-06-18T10:00:00+08:00', '2025-06-18T11:00:00+08:00', start - 1000)
  expect(before).toMatchObject({ state: 'upcoming', label: '即将开始', target: start, remaining: 1000 })
  expect(countdown.slotState(start, end, start)).toMatchObject({ state: 'running', label: '进行中', target: end })
  expect(countdown.slotState(start, end, end)).toMatchObject({ state: 'ended', label: '已结束', remaining: 0 })
  expect(countdown.slotState(null, null, start).state).toBe('running') // open-ended
  expect(countdown.slotState(start, end, start, { running: '抢购中' }).label).toBe('抢购中')
})

test('a phone clock that is off does not move the slot: the offset decides', () => {
  const serverNow = Date.now() + 10 * 60 * 1000 // phone is 10 minutes slow
  countdown.syncServerTime(serverNow)
  const startsIn5LocalMinutes = Date.now() + 5 * 60 * 1000
  expect(countdown.slotState(startsIn5LocalMinutes, startsIn5LocalMinutes + 3600e3).state).toBe('running')
})

test('the ticker recomputes from the clock each second and ends once', () => {
  jest.useFakeTimers()
  const ticks = []
  const onEnd = jest.fn()
  countdown.startTicker({ target: Date.now() + 2500, onTick: (p) => ticks.push(p.text), onEnd })
  expect(ticks).toEqual(['00:00:02'])
  jest.advanceTimersByTime(1000)
  jest.advanceTimersByTime(1000)
  expect(onEnd).not.toHaveBeenCalled()
  jest.advanceTimersByTime(1000)
  jest.advanceTimersByTime(5000)
  expect(onEnd).toHaveBeenCalledTimes(1)
  expect(ticks).toEqual(['00:00:02', '00:00:01', '00:00:00', '00:00:00'])
})

test('home payload server_time sets the offset through the API module', async () => {
  const { createWx } = require('../helpers/wx')
  global.wx = createWx()
  const serverTime = new Date(Date.now() + 3 * 3600e3).toISOString()
  global.wx.route('GET home', () => [200, { banners: [], categories: [], hot: [], new: [], server_time: serverTime }])
  await require('../../core/api').home()
  expect(countdown.offset()).toBeGreaterThan(3 * 3600e3 - 1000)
})

test('times read in the shop zone as the API writes them', () => {
  expect(countdown.dateTimeText('2025-06-18T10:00:59.123456+08:00')).toBe('2025-06-18 10:00')
  expect(countdown.dateTimeText(null)).toBe('')
})
