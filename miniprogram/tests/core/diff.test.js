const { diff, patch } = require('../../core/diff')

test('only changed paths are produced, arrays of equal length item by item', () => {
  const prev = { items: [{ id: 1, qty: 1 }, { id: 2, qty: 1 }], summary: { qty: 2, amount: 200 } }
  const next = { items: [{ id: 1, qty: 1 }, { id: 2, qty: 3 }], summary: { qty: 4, amount: 200 } }
  const out = {}
  Object.keys(next).forEach((k) => diff(prev[k], next[k], k, out))
  expect(out).toEqual({ 'items[1].qty': 3, 'summary.qty': 4 })
})

test('a list that changed length is replaced whole; vanished keys become null; patch skips no-ops', () => {
  expect(diff([1, 2], [1, 2, 3], 'list')).toEqual({ list: [1, 2, 3] })
  expect(diff({ a: 1, b: 2 }, { a: 1 }, 'o')).toEqual({ 'o.b': null })
  const ctx = { data: { a: { x: 1 } }, setData: jest.fn() }
  expect(patch(ctx, { a: { x: 1 } })).toEqual({})
  expect(ctx.setData).not.toHaveBeenCalled()
  patch(ctx, { a: { x: 2 } })
  expect(ctx.setData).toHaveBeenCalledWith({ 'a.x': 2 })
})
