const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const { couponView, centerView, rateText, toggleSelection } = require('../../core/coupons')
const { friendlyMessage } = require('../../core/errors')

let wx

const TPL = {
  id: 3, name: '满100减30', kind: 'amount_off', group: 'shop', threshold: 10000, off: 3000, rate: null, max_off: null,
  summary: '满100减30', scope: { whole_shop: true, categories: [], sku_ids: [], exclude_sku_ids: [], text: '全场通用' },
  valid_from: '2025-01-01T00:00:00+08:00', valid_until: '2025-12-31T23:59:59+08:00', valid_days: null,
}
const RATE_TPL = Object.assign({}, TPL, { id: 4, name: '9折券', kind: 'rate_off', threshold: 0, off: 0, rate: '0.85', max_off: 2000, summary: '8.5折，最多减20.00', valid_from: null, valid_until: null, valid_days: 7 })

function coupon(id, status, tpl = TPL) {
  return { id, status, valid_from: '2025-03-01T00:00:00+08:00', valid_until: '2025-03-31T23:59:59+08:00', used_at: null, order_no: null, template: tpl }
}
function entry(tpl, extra) {
  return Object.assign({}, tpl, { total_quantity: 100, remaining: 5, per_user_limit: 1, claimed: 0, can_claim: true, reason: '', new_user_only: false }, extra)
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('coupon view models: amount or rate, 满X可用 / 无门槛, validity', () => {
  expect(couponView(coupon(1, 'unused'))).toMatchObject({ isRate: false, valueText: '30', thresholdText: '满100可用', validity: '2025.03.01 - 2025.03.31' })
  expect(couponView(coupon(2, 'unused', RATE_TPL))).toMatchObject({ isRate: true, valueText: '8.5', thresholdText: '无门槛' })
  expect(rateText('0.9')).toBe('9')
  expect(centerView(entry(RATE_TPL))).toMatchObject({ validity: '领取后 7 天内有效', canClaim: true, claimText: '领取', remainingText: '剩余 5 张' })
  expect(centerView(entry(TPL, { can_claim: false, reason: 'coupon_sold_out', remaining: 0 })).claimText).toBe('已领完')
  expect(centerView(entry(TPL, { can_claim: false, reason: 'coupon_limit_reached', claimed: 1 })).claimText).toBe('已领取')
})

test('the page loads the center and the 可用 tab; tabs ask the server by status', async () => {
  wx.route('GET coupons/center', () => [200, [entry(TPL), entry(RATE_TPL, { can_claim: false, reason: 'coupon_sold_out' })]])
  wx.route('GET me/coupons', (req) => [200, { count: 1, next: null, previous: null, results: [coupon(req.query.status === 'used' ? 9 : 1, req.query.status)] }])
  const page = render('package-member/coupons/index')
  await page.instance.onLoad()
  expect(wx.__calls.request.find((r) => r.path === 'me/coupons').query).toMatchObject({ status: 'unused', page: '1' })
  expect(texts(page, '.center-coupon .threshold')).toEqual(['满100可用', '无门槛'])
  expect(texts(page, '.center-coupon .claim')).toEqual(['领取', '已领完'])
  expect(texts(page, '.my-coupon .value')).toEqual(['¥30'])
  expect(text(page, '.my-coupon .validity')).toBe('2025.03.01 - 2025.03.31')
  await page.instance.onTab({ detail: { value: 'used' } })
  expect(wx.__calls.request.filter((r) => r.path === 'me/coupons').pop().query.status).toBe('used')
  expect(page.instance.data.coupons.map((c) => c.id)).toEqual([9])
  expect(text(page, '.my-coupon .stamp')).toBe('已使用')
})

test('领取 claims the template, then refreshes the center and the wallet', async () => {
  let claimed = 0
  wx.route('GET coupons/center', () => [200, [entry(TPL, { claimed, can_claim: claimed === 0, reason: claimed ? 'coupon_limit_reached' : '' })]])
  wx.route('GET me/coupons', () => [200, { count: claimed, next: null, previous: null, results: claimed ? [coupon(1, 'unused')] : [] }])
  const bodies = []
  wx.route('POST coupons/claim', (req) => (bodies.push(req.data), (claimed = 1), [201, coupon(1, 'unused')]))
  const page = render('package-member/coupons/index')
  await page.instance.onLoad()
  expect(page.instance.data.coupons).toEqual([])
  expect(await page.instance.onClaim({ currentTarget: { dataset: { id: 3 } } })).toBe(true)
  expect(bodies).toEqual([{ template_id: 3 }])
  expect(wx.__calls.toast.pop()).toBe('领取成功')
  expect(page.instance.data.coupons.map((c) => c.id)).toEqual([1])
  expect(page.instance.data.center[0]).toMatchObject({ canClaim: false, claimText: '已领取' })
})

test.each([
  ['coupon_sold_out', '手慢了，优惠券已被领完'],
  ['coupon_limit_reached', '您已领过该优惠券，不能再领了'],
  ['coupon_new_user_only', '该优惠券仅限新用户领取'],
  ['coupon_not_claimable', '该优惠券当前不可领取'],
])('a claim refused with %s shows friendly Chinese and re-reads the center', async (code, message) => {
  wx.route('GET coupons/center', () => [200, [entry(TPL)]])
  wx.route('GET me/coupons', () => [200, { count: 0, next: null, previous: null, results: [] }])
  wx.route('POST coupons/claim', () => [409, { code, message: 'server words', details: {} }])
  const page = render('package-member/coupons/index')
  await page.instance.onLoad()
  const centerReads = wx.__calls.request.filter((r) => r.path === 'coupons/center').length
  expect(await page.instance.onClaim({ currentTarget: { dataset: { id: 3 } } })).toBe(false)
  expect(wx.__calls.toast.pop()).toBe(message)
  expect(friendlyMessage(code, 'x', {}, 409)).toBe(message)
  await new Promise((r) => setTimeout(r, 0))
  expect(wx.__calls.request.filter((r) => r.path === 'coupons/center').length).toBe(centerReads + 1)
  expect(page.instance.data.claimingId).toBe(0)
})

test('picker selection: one coupon per group, unusable ones cannot be picked', () => {
  const list = [
    { id: 1, group: 'shop', usable: true },
    { id: 2, group: 'shop', usable: true },
    { id: 3, group: 'platform', usable: true },
    { id: 4, group: 'platform', usable: false },
  ]
  expect(toggleSelection([], list, 1)).toEqual([1])
  expect(toggleSelection([1], list, 3)).toEqual([1, 3])
  expect(toggleSelection([1, 3], list, 2)).toEqual([3, 2])
  expect(toggleSelection([3, 2], list, 2)).toEqual([3])
  expect(toggleSelection([3], list, 4)).toEqual([3])
})
