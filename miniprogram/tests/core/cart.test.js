const cart = require('../../core/cart')
const fixtures = require('../helpers/fixtures')

test('totals count selected, buyable lines only', () => {
  const t = cart.totals(fixtures.cart().items)
  // the unavailable lipstick is selected but must not count
  expect(t).toEqual({ selectedQty: 2, goodsAmount: 11800, selectedCount: 1, buyableCount: 2, allSelected: false })
})

test('allSelected ignores unavailable lines and is false for an empty cart', () => {
  const items = fixtures.cart().items.map((i) => Object.assign({}, i, { selected: i.available }))
  expect(cart.totals(items).allSelected).toBe(true)
  expect(cart.totals(items).goodsAmount).toBe(12800)
  expect(cart.totals([]).allSelected).toBe(false)
})

test('select-all changes only the buyable lines that differ', () => {
  const items = fixtures.cart().items
  expect(cart.selectAllChanges(items, true).map((i) => i.id)).toEqual([2])
  expect(cart.selectAllChanges(items, false).map((i) => i.id)).toEqual([1])
})

test('count sums pieces for the tab bar badge', () => {
  expect(cart.count(fixtures.cart().items)).toBe(4)
  expect(cart.count(null)).toBe(0)
})
