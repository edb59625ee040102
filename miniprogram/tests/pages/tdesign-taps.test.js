/**
 * Taps through the real TDesign components (tests/helpers/tdesign.js), not page methods: the
 * stepper's plus and minus, t-button, t-switch. The page's bind:change / bind:tap handlers run
 * because the component fired its event, so a renamed event, a wrong detail shape or a button
 * left disabled fails here.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')

let wx

// the first real TDesign component of a file is compiled with babel: slow on a busy machine
jest.setTimeout(30000)

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

/** The element a finger lands on inside a TDesign component (its own root or a part of it). */
function part(component, selector) {
  const node = component.querySelector(selector)
  if (!node) throw new Error(`no ${selector} inside the component`)
  return node
}

describe('cart', () => {
  async function open(cart = fixtures.cart()) {
    wx.route('GET cart', () => [200, cart])
    const page = render('pages/cart/index', {}, { tdesign: ['t-stepper', 't-button'] })
    await page.instance.onShow()
    return page
  }

  test("the stepper's plus and minus change the line: the total, then a PATCH each", async () => {
    const patches = []
    wx.route('PATCH cart/items/1', (req) => (patches.push(req.data), [200, {}]))
    const page = await open()
    const stepper = page.querySelectorAll('.qty-stepper')[0] // 洁面乳 ×2, stock 3
    expect(stepper.instance.data.currentValue).toBe(2)

    part(stepper, '.t-stepper__plus').dispatchEvent('tap')
    await flush()
    expect(text(page, '.sum .price')).toBe('¥177.00')
    expect(patches).toEqual([{ qty: 3 }])
    expect(stepper.instance.data.currentValue).toBe(3)

    // at the stock the plus is spent: a tap sends nothing
    part(stepper, '.t-stepper__plus').dispatchEvent('tap')
    await flush()
    expect(patches).toEqual([{ qty: 3 }])

    part(stepper, '.t-stepper__minus').dispatchEvent('tap')
    await flush()
    expect(patches).toEqual([{ qty: 3 }, { qty: 2 }])
    expect(text(page, '.sum .price')).toBe('¥118.00')
  })

  test('结算 on the real t-button opens the checkout', async () => {
    const page = await open()
    part(page.querySelector('.checkout-button'), '.t-button').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate).toEqual([expect.objectContaining({ type: 'navigateTo', url: '/package-order/checkout/index' })])
  })

  test('with nothing selected 结算 is a disabled t-button: a tap goes nowhere', async () => {
    const cart = fixtures.cart()
    cart.items.forEach((it) => (it.selected = false))
    const page = await open(cart)
    const button = page.querySelector('.checkout-button')
    expect(button.instance.data.disabled).toBe(true)
    part(button, '.t-button').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate).toEqual([])
    expect(wx.__calls.toast).toEqual([]) // the component swallowed the tap: onCheckout never ran
  })
})

describe('checkout', () => {
  const ADDRESS = { id: 5, receiver: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: true }

  async function open() {
    store.set('member', { points_balance: 500 })
    wx.route('GET addresses', () => [200, [ADDRESS]])
    wx.route('POST checkout/preview', (req) =>
      [200, req.data.points === 'max' ? fixtures.quote({ points_used: 500, points_discount: 500, payable_amount: 10300 }) : fixtures.quote()],
    )
    const page = render('package-order/checkout/index', {}, { tdesign: ['t-switch', 't-button'] })
    await page.instance.onLoad({ sku_id: '71', qty: '2' })
    return page
  }

  test('the points t-switch asks for "max" and shows the points row; off again asks for none', async () => {
    const page = await open()
    const toggle = page.querySelector('.points-switch')
    part(toggle, '.t-switch').dispatchEvent('tap')
    await flush()
    const previews = () => wx.__calls.request.filter((r) => r.path === 'checkout/preview').map((r) => r.data.points)
    expect(previews()).toEqual([0, 'max'])
    expect(page.dom.querySelector('price-breakdown').textContent).toContain('积分抵扣（500 积分）')
    expect(text(page, '.bottom-bar .payable')).toBe('¥103.00')

    part(toggle, '.t-switch').dispatchEvent('tap')
    await flush()
    expect(previews()).toEqual([0, 'max', 0])
    expect(text(page, '.bottom-bar .payable')).toBe('¥108.00')
  })

  test('提交订单 on the real t-button places one order even on a double tap, then pays', async () => {
    const keys = []
    wx.route('POST orders', (req) => (keys.push(req.header['Idempotency-Key']), [201, fixtures.order({ no: 'N1' })]))
    wx.route('POST orders/N1/pay', () => [200, { provider: 'sandbox', out_trade_no: 'S1', params: {} }])
    wx.route('POST payments/sandbox/S1/complete', () => [200, { out_trade_no: 'S1', outcome: 'paid', order_no: 'N1', order_status: 'paid' }])
    const page = await open()
    const submit = part(page.querySelector('.submit'), '.t-button')
    submit.dispatchEvent('tap')
    submit.dispatchEvent('tap')
    await flush(40)
    expect(keys).toHaveLength(1)
    expect(wx.__calls.request.find((r) => r.path === 'orders').data).toEqual({ items: [{ sku_id: 71, qty: 2 }], points: 0, address_id: 5 })
    expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-order/pay-result/index?no=N1' })
  })
})

describe('SKU picker', () => {
  function open() {
    const c = render('components/sku-picker/index', { product: fixtures.productDetail(), visible: true }, { tdesign: ['t-stepper', 't-button'] })
    const confirms = []
    c.addEventListener('confirm', (e) => confirms.push(e.detail))
    return { c, confirms }
  }

  test("the stepper's plus sets the quantity within the SKU's stock; 加入购物车 reports the choice", async () => {
    const { c, confirms } = open()
    c.querySelectorAll('.value')[0].dispatchEvent('tap') // 白
    await flush()
    c.querySelectorAll('.value')[2].dispatchEvent('tap') // 100ml: stock 3
    await flush()
    const stepper = c.querySelector('.qty-stepper')
    for (let i = 0; i < 4; i += 1) part(stepper, '.t-stepper__plus').dispatchEvent('tap')
    await flush()
    expect(c.instance.data.qty).toBe(3)

    part(c.querySelectorAll('.action')[0], '.t-button').dispatchEvent('tap')
    await flush()
    expect(confirms).toEqual([expect.objectContaining({ action: 'cart', qty: 3, sku: expect.objectContaining({ id: 71 }) })])
  })

  test('立即购买 before a full choice names what is missing and reports nothing', async () => {
    const { c, confirms } = open()
    part(c.querySelectorAll('.action')[1], '.t-button').dispatchEvent('tap')
    await flush()
    expect(confirms).toEqual([])
    expect(wx.__calls.toast.pop()).toBe('请选择 颜色、容量')
  })
})

describe('order list', () => {
  test('a tap on a real t-tabs item lists that status', async () => {
    wx.route('GET orders', (req) => [200, { count: 1, next: null, previous: null, results: [fixtures.orderSummary({ no: `N-${req.query.status || 'all'}`, status: req.query.status || 'completed' })] }])
    const page = render('package-order/orders/index', {}, { tdesign: ['t-tabs', 't-tab-panel'] })
    page.instance.onLoad({})
    await page.instance.onShow()
    const tabs = page.querySelector('.status-tabs')
    const items = tabs.querySelectorAll('.t-tabs__item')
    expect(items.map((n) => n.dom.textContent.trim())).toEqual(['全部', '待付款', '待发货', '待收货', '已完成'])

    items[2].dispatchEvent('tap') // 待发货
    await flush()
    expect(wx.__calls.request.map((r) => r.query.status || 'all')).toEqual(['all', 'paid'])
    expect(page.instance.data.orders.map((o) => o.no)).toEqual(['N-paid'])
    expect(tabs.instance.data.currentIndex).toBe(2)
  })
})
