const { CheckoutAttempt, newKey, stableStringify } = require('../../core/idempotency')
const { ApiError } = require('../../core/errors')

function keys() {
  let n = 0
  return () => `key-${++n}`
}

test('newKey looks like a UUID v4 and differs each time', () => {
  const a = newKey()
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  expect(newKey()).not.toBe(a)
})

test('the same order body keeps its key, whatever the key order; a changed body gets a new one', () => {
  const attempt = new CheckoutAttempt(keys())
  const k1 = attempt.keyFor({ address_id: 1, points: 0 })
  expect(attempt.keyFor({ points: 0, address_id: 1 })).toBe(k1)
  expect(attempt.keyFor({ address_id: 2, points: 0 })).not.toBe(k1)
  expect(stableStringify({ b: 1, a: [2, { d: 1, c: 0 }] })).toBe('{"a":[2,{"c":0,"d":1}],"b":1}')
})

test('a double tap while the first submit is in flight sends one request', async () => {
  const attempt = new CheckoutAttempt(keys())
  const send = jest.fn(() => new Promise((resolve) => setTimeout(() => resolve({ no: 'N1' }), 5)))
  const [a, b] = await Promise.all([attempt.submit({ x: 1 }, send), attempt.submit({ x: 1 }, send)])
  expect(send).toHaveBeenCalledTimes(1)
  expect(a).toBe(b)
})

test('after a network failure or a 5xx the retry reuses the key (the order may exist)', async () => {
  const attempt = new CheckoutAttempt(keys())
  const seen = []
  const failures = [new ApiError({ code: 'network_error', status: 0 }), new ApiError({ code: 'server_error', status: 502 })]
  const send = (key) => {
    seen.push(key)
    return failures.length ? Promise.reject(failures.shift()) : Promise.resolve({ no: 'N1' })
  }
  await attempt.submit({ x: 1 }, send).catch(() => null)
  await attempt.submit({ x: 1 }, send).catch(() => null)
  await attempt.submit({ x: 1 }, send)
  expect(seen).toEqual(['key-1', 'key-1', 'key-1'])
})

test('a definitive refusal retires the key; an in-progress conflict does not', async () => {
  const attempt = new CheckoutAttempt(keys())
  const seen = []
  const errors = [
    new ApiError({ code: 'idempotency_key_conflict', status: 409 }),
    new ApiError({ code: 'stock_insufficient', status: 409 }),
  ]
  const send = (key) => {
    seen.push(key)
    return errors.length ? Promise.reject(errors.shift()) : Promise.resolve({ no: 'N2' })
  }
  await attempt.submit({ x: 1 }, send).catch(() => null)
  await attempt.submit({ x: 1 }, send).catch(() => null)
  await attempt.submit({ x: 1 }, send)
  expect(seen).toEqual(['key-1', 'key-1', 'key-2'])
})
