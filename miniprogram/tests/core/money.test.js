const money = require('../../core/money')
const wxs = require('../../wxs/money.wxs')

test('fen become yuan text with integer arithmetic', () => {
  expect(money.yuan(1250)).toBe('12.50')
  expect(money.yuan(5)).toBe('0.05')
  expect(money.yuan(-500)).toBe('-5.00')
  expect(money.price(5900)).toBe('¥59.00')
  expect(money.price(-1)).toBe('-¥0.01')
  expect(money.price(null)).toBe('')
  expect(money.minus(1000)).toBe('-¥10.00')
  expect(money.minus(0)).toBe('¥0.00')
  expect(money.range(5900, 6900)).toBe('¥59.00 - ¥69.00')
  expect(money.range(5900, 5900)).toBe('¥59.00')
})

test('parseYuan reads what a shopper types', () => {
  expect(money.parseYuan('12.5')).toBe(1250)
  expect(money.parseYuan(' 12 ')).toBe(1200)
  expect(money.parseYuan('0.01')).toBe(1)
  expect(money.parseYuan('1.234')).toBeNull()
  expect(money.parseYuan('abc')).toBeNull()
})

test('the WXS twin used by templates agrees with core/money.js', () => {
  const samples = [0, 1, 9, 10, 99, 100, 101, 1250, 5900, 123456789, -1, -500, '1250', null, undefined, '']
  samples.forEach((fen) => {
    expect(wxs.yuan(fen)).toBe(money.yuan(fen))
    expect(wxs.price(fen)).toBe(money.price(fen))
  })
  expect(wxs.minus(1000)).toBe(money.minus(1000))
  expect(wxs.range(100, 200)).toBe(money.range(100, 200))
})
