const store = require('../../core/store')
const countdown = require('../../core/countdown')
const { render, text } = require('../helpers/page')

beforeEach(() => {
  store.reset()
  jest.useFakeTimers()
})
afterEach(() => jest.useRealTimers())

test('counts down on server time and fires end once', () => {
  countdown.syncServerTime(Date.now() - 60000) // phone one minute fast
  const c = render('components/countdown/index', { target: Date.now() - 60000 + 3000, prefix: '剩余 ' })
  expect(text(c, '.countdown')).toBe('剩余 00:00:03')
  const ended = jest.fn()
  c.addEventListener('end', ended)
  jest.advanceTimersByTime(1000)
  expect(text(c, '.countdown')).toBe('剩余 00:00:02')
  jest.advanceTimersByTime(5000)
  expect(text(c, '.countdown')).toBe('已结束')
  expect(ended).toHaveBeenCalledTimes(1)
})

test('stops ticking when detached', () => {
  const c = render('components/countdown/index', { target: Date.now() + 10000 })
  c.detach()
  expect(jest.getTimerCount()).toBe(0)
})
