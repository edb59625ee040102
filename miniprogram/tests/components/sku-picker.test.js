const { createWx } = require('../helpers/wx')
const { render, texts } = require('../helpers/page')
const { productDetail } = require('../helpers/fixtures')

const tick = () => new Promise((r) => setTimeout(r, 0))

// the first real TDesign component of a file is compiled with babel: slow on a busy machine
jest.setTimeout(30000)

beforeEach(() => {
  global.wx = createWx()
})

function valueClasses(c) {
  return c.querySelectorAll('.value').map((n) => {
    const cls = n.dom.getAttribute('class')
    return `${n.dom.textContent.trim()}${/value-on/.test(cls) ? '*' : ''}${/value-off/.test(cls) ? '!' : ''}`
  })
}

test('draws each spec with sold-out combinations disabled and the price range', () => {
  const c = render('components/sku-picker/index', { product: productDetail(), visible: true })
  expect(texts(c, '.spec-name')).toEqual(['颜色', '容量'])
  expect(valueClasses(c)).toEqual(['白', '粉', '100ml', '200ml!'])
  expect(texts(c, '.head-price')).toEqual(['¥59.00 - ¥69.00'])
  expect(texts(c, '.head-info .muted')[0]).toBe('库存 8 件')
})

test('tapping values selects a SKU, shows its price and stock and reports the choice', async () => {
  const c = render('components/sku-picker/index', { product: productDetail(), visible: true })
  const changes = []
  c.addEventListener('change', (e) => changes.push(e.detail))
  c.querySelectorAll('.value')[1].dispatchEvent('tap') // 粉
  await tick()
  c.querySelectorAll('.value')[2].dispatchEvent('tap') // 100ml
  await tick()
  expect(valueClasses(c)).toEqual(['白', '粉*', '100ml*', '200ml!'])
  expect(texts(c, '.head-price')).toEqual(['¥69.00'])
  expect(texts(c, '.head-info .muted')[0]).toBe('库存 5 件')
  expect(changes[changes.length - 1]).toMatchObject({ text: '粉 / 100ml', sku: { id: 73 } })
})

test('a tap on a disabled value changes nothing', async () => {
  const c = render('components/sku-picker/index', { product: productDetail(), visible: true })
  c.querySelectorAll('.value')[3].dispatchEvent('tap') // 200ml, sold out
  await tick()
  expect(valueClasses(c)).toEqual(['白', '粉', '100ml', '200ml!'])
})

test('confirm asks for the missing spec, then emits the SKU and quantity', async () => {
  const c = render('components/sku-picker/index', { product: productDetail(), visible: true })
  const confirmed = []
  c.addEventListener('confirm', (e) => confirmed.push(e.detail))
  c.instance.onConfirm({ currentTarget: { dataset: { action: 'cart' } } })
  expect(global.wx.__calls.toast).toEqual(['请选择 颜色、容量'])
  c.querySelectorAll('.value')[0].dispatchEvent('tap')
  await tick()
  c.querySelectorAll('.value')[2].dispatchEvent('tap')
  await tick()
  c.instance.onQty({ detail: { value: 9 } }) // above stock: clamped to 3
  c.instance.onConfirm({ currentTarget: { dataset: { action: 'buy' } } })
  await tick()
  expect(confirmed).toHaveLength(1)
  expect(confirmed[0]).toMatchObject({ action: 'buy', qty: 3, sku: { id: 71, price: 5900 } })
})

test('the close button is a real TDesign icon, and a tap on it closes the picker', async () => {
  const c = render('components/sku-picker/index', { product: productDetail(), visible: true }, { tdesign: ['t-icon'] })
  const closes = []
  c.addEventListener('close', () => closes.push(true))
  const close = c.querySelector('.close')
  expect(close.dom.innerHTML).toMatch(/class="[^"]*t-icon-close /) // TDesign's font icon, drawn by the real t-icon
  expect(close.dom.textContent.trim()).toBe('') // no "×" glyph
  close.dispatchEvent('tap')
  await tick()
  expect(closes).toHaveLength(1)
})
