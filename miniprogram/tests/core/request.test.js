const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { createClient } = require('../../core/request')
const { ApiError } = require('../../core/errors')

let wx
let delays
let client

beforeEach(() => {
  wx = global.wx = createWx()
  wx.__offContract = true // the transport alone, on made-up paths ("GET x"): no API operation to check against
  store.reset()
  delays = []
  client = createClient({ sleep: (ms) => (delays.push(ms), Promise.resolve()) })
})

function session(access = 'A1', refresh = 'R1') {
  store.set('session', { access, refresh })
}

describe('URL, token, answers', () => {
  test('builds the URL from config.apiBase and drops empty query values', async () => {
    wx.route('GET products', () => [200, { count: 0, results: [] }])
    await client.get('products', { category: 3, q: '洁面', tag: '', sort: null, page: 1 })
    const req = wx.__calls.request[0]
    expect(req.path).toBe('products')
    expect(req.query).toEqual({ category: '3', q: '洁面', page: '1' })
  })

  test('sends the access token as a Bearer header, none when auth: false', async () => {
    session('tok')
    wx.route('GET me', () => [200, { id: 1 }])
    wx.route('POST auth/dev-login', () => [200, {}])
    await client.get('me')
    await client.post('auth/dev-login', {}, { auth: false })
    expect(wx.__calls.request[0].header.Authorization).toBe('Bearer tok')
    expect(wx.__calls.request[1].header.Authorization).toBeUndefined()
  })

  test('a 204 answer resolves to null', async () => {
    wx.route('DELETE cart/items/1', () => [204, ''])
    await expect(client.del('cart/items/1')).resolves.toBeNull()
  })
})

describe('errors become friendly ApiErrors', () => {
  test('a known code uses the mapping table, with details', async () => {
    wx.route('POST cart/items', () => [409, { code: 'stock_insufficient', message: 'Stock too low', details: { available: 2 } }])
    const err = await client.post('cart/items', { sku_id: 1, qty: 5 }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('stock_insufficient')
    expect(err.status).toBe(409)
    expect(err.details).toEqual({ available: 2 })
    expect(err.message).toBe('库存不足，仅剩 2 件')
  })

  test('an unknown code falls back to the server message; a bare 5xx to a generic one', async () => {
    wx.route('GET a', () => [400, { code: 'brand_new_code', message: '新的规则拒绝了你', details: {} }])
    wx.route('GET b', () => [502, '<html>bad gateway</html>'])
    const a = await client.get('a').catch((e) => e)
    const b = await client.get('b').catch((e) => e)
    expect(a.message).toBe('新的规则拒绝了你')
    expect(b.code).toBe('server_error')
    expect(b.message).toBe('服务器开小差了，请稍后再试')
  })
})

describe('retries: network failures only, with exponential backoff', () => {
  test('retries a failed GET with 300ms then 600ms and succeeds', async () => {
    let n = 0
    wx.route('GET home', () => (++n < 3 ? { fail: 'request:fail timeout' } : [200, { ok: true }]))
    await expect(client.get('home')).resolves.toEqual({ ok: true })
    expect(n).toBe(3)
    expect(delays).toEqual([300, 600])
  })

  test('gives up after the configured retries with a network error message', async () => {
    wx.route('GET home', () => ({ fail: 'request:fail net::ERR_CONNECTION_REFUSED' }))
    const err = await client.get('home').catch((e) => e)
    expect(wx.__calls.request).toHaveLength(3)
    expect(err.code).toBe('network_error')
    expect(err.isNetwork).toBe(true)
    expect(err.message).toBe('网络不太给力，请检查网络后重试')
  })

  test('never retries an HTTP answer, not even a 5xx', async () => {
    wx.route('GET home', () => [503, { code: 'server_error', message: 'x', details: {} }])
    wx.route('GET products/1', () => [404, { code: 'not_found', message: 'x', details: {} }])
    await client.get('home').catch(() => null)
    await client.get('products/1').catch(() => null)
    expect(wx.__calls.request).toHaveLength(2)
    expect(delays).toEqual([])
  })

  test('a plain POST is not repeated after a network failure; one with an Idempotency-Key is', async () => {
    let orders = 0
    wx.route('POST cart/items', () => ({ fail: 'request:fail' }))
    wx.route('POST orders', () => (++orders < 2 ? { fail: 'request:fail' } : [201, { no: 'N1' }]))
    await expect(client.post('cart/items', { sku_id: 1, qty: 1 })).rejects.toMatchObject({ code: 'network_error' })
    expect(wx.__calls.request.filter((r) => r.path === 'cart/items')).toHaveLength(1)
    await expect(client.post('orders', {}, { idempotencyKey: 'K-1' })).resolves.toEqual({ no: 'N1' })
    const sent = wx.__calls.request.filter((r) => r.path === 'orders')
    expect(sent).toHaveLength(2)
    expect(sent.map((r) => r.header['Idempotency-Key'])).toEqual(['K-1', 'K-1'])
  })
})

describe('401: refresh once, then re-login', () => {
  test('refreshes the token pair and retries the request with the new access token', async () => {
    session('old', 'R1')
    wx.route('GET me', (req) => (req.header.Authorization === 'Bearer new' ? [200, { id: 1 }] : [401, { code: 'not_authenticated', message: '', details: {} }]))
    wx.route('POST auth/refresh', (req) => (req.data.refresh === 'R1' ? [200, { access: 'new', refresh: 'R2' }] : [401, {}]))
    await expect(client.get('me')).resolves.toEqual({ id: 1 })
    expect(store.get('session')).toEqual({ access: 'new', refresh: 'R2' })
    expect(wx.__calls.request.map((r) => r.path)).toEqual(['me', 'auth/refresh', 'me'])
  })

  test('concurrent 401s share one refresh', async () => {
    session('old', 'R1')
    const ok = (req) => (req.header.Authorization === 'Bearer new' ? [200, { ok: req.path }] : [401, { code: 'not_authenticated' }])
    wx.route('GET me', ok).route('GET cart', ok).route('GET orders', ok)
    wx.route('POST auth/refresh', () => [200, { access: 'new', refresh: 'R2' }])
    const results = await Promise.all([client.get('me'), client.get('cart'), client.get('orders')])
    expect(results.map((r) => r.ok)).toEqual(['me', 'cart', 'orders'])
    expect(wx.__calls.request.filter((r) => r.path === 'auth/refresh')).toHaveLength(1)
  })

  test('when refresh is refused it signs in again through the re-login hook and retries once', async () => {
    session('old', 'dead')
    const relogin = jest.fn(async () => store.set('session', { access: 'fresh', refresh: 'R9' }))
    client.setRelogin(relogin)
    wx.route('GET me', (req) => (req.header.Authorization === 'Bearer fresh' ? [200, { id: 2 }] : [401, { code: 'authentication_failed', message: '', details: {} }]))
    wx.route('POST auth/refresh', () => [401, { code: 'token_invalid', message: '', details: {} }])
    await expect(client.get('me')).resolves.toEqual({ id: 2 })
    expect(relogin).toHaveBeenCalledTimes(1)
  })

  test('no endless loop: a second 401 after recovery clears the session and asks for a manual login', async () => {
    session('old', 'R1')
    const required = jest.fn()
    client.onAuthRequired(required)
    wx.route('GET me', () => [401, { code: 'authentication_failed', message: 'blocked', details: {} }])
    wx.route('POST auth/refresh', () => [200, { access: 'new', refresh: 'R2' }])
    const err = await client.get('me').catch((e) => e)
    expect(err.code).toBe('authentication_failed')
    expect(wx.__calls.request.map((r) => r.path)).toEqual(['me', 'auth/refresh', 'me'])
    expect(store.get('session')).toBeNull()
    expect(required).toHaveBeenCalledTimes(1)
  })

  test('if the token changed while the request was in flight it just retries, no refresh', async () => {
    session('old', 'R1')
    wx.route('GET me', (req) => {
      if (req.header.Authorization === 'Bearer old') {
        store.set('session', { access: 'other', refresh: 'R2' }) // another request refreshed meanwhile
        return [401, { code: 'authentication_failed', message: '', details: {} }]
      }
      return [200, { id: 3 }]
    })
    await expect(client.get('me')).resolves.toEqual({ id: 3 })
    expect(wx.__calls.request.filter((r) => r.path === 'auth/refresh')).toHaveLength(0)
  })

  test('without any session a 401 goes straight to re-login', async () => {
    const relogin = jest.fn(async () => store.set('session', { access: 'first', refresh: 'R' }))
    client.setRelogin(relogin)
    wx.route('GET cart', (req) => (req.header.Authorization ? [200, { items: [] }] : [401, { code: 'not_authenticated' }]))
    await expect(client.get('cart')).resolves.toEqual({ items: [] })
    expect(relogin).toHaveBeenCalledTimes(1)
  })
})
