const { MESSAGES, friendlyMessage, fromResponse, fromNetworkFailure } = require('../../core/errors')

test('every stable code the API promises has a Chinese message', () => {
  const codes = [
    'stock_insufficient', 'sku_unavailable', 'idempotency_key_required', 'not_found', 'not_authenticated',
    'rate_limited', 'invalid_input', 'payment_amount_mismatch', 'birthday_already_set', 'permission_denied',
    'conflict', 'purchase_limit_exceeded', 'coupon_not_usable', 'network_error', 'timeout', 'server_error',
  ]
  codes.forEach((code) => {
    expect(MESSAGES[code]).toBeDefined()
    const text = friendlyMessage(code, '', {}, 400)
    expect(text).toMatch(/[\u4e00-\u9fa5]/)
  })
})

test('messages use details where they help', () => {
  expect(friendlyMessage('rate_limited', '', { retry_after: 4.2 }, 429)).toBe('操作太频繁，请 5 秒后再试')
  expect(friendlyMessage('rate_limited', '', {}, 429)).toBe('操作太频繁，请稍后再试')
  expect(friendlyMessage('stock_insufficient', '', { available: 0 }, 409)).toBe('库存不足，已售罄')
  expect(friendlyMessage('purchase_limit_exceeded', '', { limit: 1 }, 409)).toBe('超出限购数量（每人限购 1 件）')
  expect(friendlyMessage('invalid_input', '输入有误。', { phone: ['手机号格式不正确。'] }, 400)).toBe('手机号格式不正确。')
  expect(friendlyMessage('invalid_input', '输入有误。', {}, 400)).toBe('填写的信息有误，请检查后重试')
})

test('unknown codes: server message first, then a wording by status', () => {
  expect(friendlyMessage('x_new', '服务器的说法', {}, 400)).toBe('服务器的说法')
  expect(friendlyMessage('x_new', '', {}, 403)).toBe('没有权限执行该操作')
  expect(friendlyMessage('x_new', '', {}, 500)).toBe('服务器开小差了，请稍后再试')
})

test('fromResponse and fromNetworkFailure classify the failure', () => {
  const a = fromResponse({ statusCode: 401, data: '' })
  expect(a.code).toBe('not_authenticated')
  expect(a.isNetwork).toBe(false)
  const t = fromNetworkFailure({ errMsg: 'request:fail timeout' })
  expect(t.code).toBe('timeout')
  expect(t.isNetwork).toBe(true)
  expect(fromNetworkFailure({ errMsg: 'request:fail' }).code).toBe('network_error')
})
