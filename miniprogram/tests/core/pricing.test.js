const pricing = require('../../core/pricing')
const { quote } = require('../helpers/fixtures')

test('rows: goods, each applied rule by name, shipping 包邮, payable', () => {
  const b = pricing.breakdown(quote())
  expect(b.rows.map((r) => [r.label, r.text])).toEqual([
    ['商品金额', '¥118.00'],
    ['满99减10', '-¥10.00'],
    ['运费', '包邮'],
  ])
  expect(b.payableText).toBe('¥108.00')
  expect(b.savedText).toBe('¥10.00')
})

test('rule types without a title get a Chinese label; points and unexplained discount get rows', () => {
  const b = pricing.breakdown(
    quote({
      applied: [{ rule_id: 'x', rule_type: 'tier_rate', level: 'item', amount: 600 }, { rule_id: 'p', rule_type: 'points', level: 'points', amount: 300 }],
      discount_amount: 1000,
      shipping_fee: 800,
      points_used: 300,
      points_discount: 300,
    }),
  )
  expect(b.rows.map((r) => [r.label, r.text])).toEqual([
    ['商品金额', '¥118.00'],
    ['会员折扣', '-¥6.00'],
    ['其他优惠', '-¥4.00'],
    ['运费', '¥8.00'],
    ['积分抵扣（300 积分）', '-¥3.00'],
  ])
})

test('rejected offers say why in Chinese; coupons the shopper did not pick are not listed', () => {
  const b = pricing.breakdown(quote())
  expect(b.rejected).toEqual([{ key: 'rejected-fg-1', name: '满159赠', reason: '未达到使用门槛' }])
})

test('凑单 hints: server text, composed text; no progress bar (the API sends what is short, not the threshold)', () => {
  expect(pricing.hintView({ rule_id: 'a', text: '再买 ¥81.00 可减 ¥30.00', short_by: 8100 }, 0)).toEqual({ key: 'a-0', text: '再买 ¥81.00 可减 ¥30.00', shortBy: 8100 })
  expect(pricing.hintText({ short_by: 900, reward: 2000 })).toBe('再买 ¥9.00 可减 ¥20.00')
  expect(pricing.hintText({ short_by: 4100, rule_type: 'full_gift', gift_sku: 'G1' })).toBe('再买 ¥41.00 可享满赠')
})

test('F47 progress wording for group buy and bargain', () => {
  expect(pricing.groupProgressText(2)).toBe('还差 2 人成团')
  expect(pricing.groupProgressText(0)).toBe('已成团')
  expect(pricing.bargainProgressText(500, 0)).toBe('再砍 ¥5.00 即可免费拿')
  expect(pricing.bargainProgressText(500, 1990)).toBe('再砍 ¥5.00 即可到底价')
  expect(pricing.bargainProgressText(0, 0)).toBe('已砍至 0 元，免费拿')
})

test('line view shows the struck-through list total only when something was saved', () => {
  const [line] = pricing.breakdown(quote()).lines
  expect(line).toMatchObject({ title: '洁面乳', specs: '白', qty: 2, unitPrice: 5900, paid: 10800, original: 11800 })
  const plain = pricing.lineView({ title: 'x', qty: 1, unit_price: 100, paid_amount: 100 }, 0)
  expect(plain.original).toBeNull()
})

test("the checkout's own entries: free-shipping hint, points applied as a row, points refusals explained", () => {
  const b = pricing.breakdown({
    lines: [],
    goods_amount: 5000,
    discount_amount: 0,
    shipping_fee: 800,
    points_used: 100,
    points_discount: 100,
    payable_amount: 5700,
    applied: [{ rule_id: 'points', rule_type: 'points', level: 'points', amount: 100 }],
    rejected: [{ rule_id: 'points', rule_type: 'points', reason: 'points_over_cap', detail: 'max 100' }],
    hints: [{ rule_id: 'free_shipping', rule_type: 'free_shipping', short_by: 4900, reward: 800, text: '再买 49.00 元即可包邮' }],
  })
  expect(b.rows.map((r) => r.label)).toEqual(['商品金额', '运费', '积分抵扣（100 积分）'])
  expect(b.rejected).toEqual([{ key: 'rejected-points', name: '积分抵扣', reason: '超出本单可抵扣上限，已按上限抵扣' }])
  expect(b.hints[0].text).toBe('再买 49.00 元即可包邮')
})

test('a line names the item rule that priced it; a 阶梯价 step names its units', () => {
  const { itemRuleName } = require('../../core/pricing')
  expect(itemRuleName({ item_rule: { rule_id: 'step:3', rule_type: 'stepped_price', name: '新品阶梯价', units: [1, 100], rate: '0.5' } })).toBe('新品阶梯价 第 1–100 件')
  expect(itemRuleName({ item_rule: { rule_id: 'flash:12', rule_type: 'flash_sale', name: '' } })).toBe('秒杀价')
  expect(itemRuleName({ item_rule: null })).toBe('')
  expect(itemRuleName({ item_rule: { rule_id: 'group:4', rule_type: 'group_price', name: '' } })).toBe('拼团价')
})

test('未享受 lists only offers this cart could have had, each reason in words', () => {
  const b = pricing.breakdown({
    goods_amount: 5000,
    payable_amount: 5000,
    rejected: [
      { rule_id: 'promotion:1', rule_type: 'full_gift', reason: 'gift_out_of_stock' },
      { rule_id: 'promotion:2', rule_type: 'full_reduction', reason: 'out_of_scope' },
      { rule_id: 'promotion:3', rule_type: 'limited_discount', reason: 'out_of_window' },
      { rule_id: 'promotion:4', rule_type: 'nth_item', reason: 'some_new_reason', reason_label: '服务器的说明' },
    ],
  })
  expect(b.rejected.map((r) => [r.name, r.reason])).toEqual([
    ['满赠', '赠品已送完'],
    ['多件优惠', '服务器的说明'],
  ])
})
