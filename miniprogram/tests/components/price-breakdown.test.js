const { render, text, texts } = require('../helpers/page')
const { quote } = require('../helpers/fixtures')

test('renders every row of the quote: goods, rule discount, 包邮, payable', () => {
  const c = render('components/price-breakdown/index', { quote: quote() })
  expect(texts(c, '.amount-label')).toEqual(['商品金额', '满99减10', '运费'])
  expect(texts(c, '.amount-value')).toEqual(['¥118.00', '-¥10.00', '包邮'])
  expect(c.querySelectorAll('.amount-discount')).toHaveLength(1)
  expect(text(c, '.payable')).toBe('¥108.00')
  expect(text(c, '.total')).toContain('已优惠 ¥10.00')
})

test('lines show unit price × qty, paid and the struck list total', () => {
  const c = render('components/price-breakdown/index', { quote: quote() })
  expect(text(c, '.line-title')).toContain('洁面乳')
  expect(text(c, '.line-foot')).toContain('¥59.00 × 2')
  expect(text(c, '.price-strike')).toBe('¥118.00')
  expect(text(c, '.line-paid')).toBe('¥108.00')
})

test('offers not applied are listed with their reason after a tap', async () => {
  const c = render('components/price-breakdown/index', { quote: quote() })
  expect(text(c, '.rejected-head')).toContain('1 项优惠未享受')
  expect(c.querySelectorAll('.rejected-item')).toHaveLength(0)
  c.querySelector('.rejected-head').dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(texts(c, '.rejected-item')).toEqual(['满159赠未达到使用门槛'])
})

test('凑单 hints render through progress-hint and their action bubbles as `hint`', async () => {
  const c = render('components/price-breakdown/index', { quote: quote() })
  const hints = c.querySelectorAll('.hint-item')
  expect(hints).toHaveLength(1)
  expect(text(hints[0], '.hint-text')).toBe('再买 ¥81.00 可减 ¥30.00')
  expect(text(hints[0], '.hint-action')).toBe('去凑单')
  const onHint = jest.fn()
  c.addEventListener('hint', (e) => onHint(e.detail))
  hints[0].querySelector('.hint-action').dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(onHint).toHaveBeenCalledWith({ key: 'fr-1-0' })
})

test('no quote, nothing drawn; a new quote re-renders', async () => {
  const c = render('components/price-breakdown/index', { quote: null })
  expect(c.querySelector('.breakdown')).toBeUndefined()
  c.setData({ quote: quote({ payable_amount: 999, hints: [], rejected: [] }) })
  expect(text(c, '.payable')).toBe('¥9.99')
  expect(c.querySelectorAll('.hint-item')).toHaveLength(0)
})
