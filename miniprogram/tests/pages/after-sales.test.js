const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const fixtures = require('../helpers/fixtures')
const afterSales = require('../../core/after_sales')

let wx

const LINE = { id: 11, title: '氨基酸洁面乳', specs: { 颜色: '白' }, image: '/media/p/1.jpg', qty: 3, paid_amount: 17700 }
const OTHER = { id: 12, title: '爽肤水小样', specs: {}, image: '', qty: 1, paid_amount: 0 }
const REASONS = [
  { value: 'not_wanted', label: '不想要了' },
  { value: 'quality', label: '质量问题' },
  { value: 'damaged', label: '商品破损' },
]

function options(overrides = {}) {
  return Object.assign(
    {
      order_no: 'D1',
      lines: [
        { line: LINE, kind: 'refund_only', max_qty: 3, open_after_sale_no: '' },
        { line: OTHER, kind: 'refund_only', max_qty: 1, open_after_sale_no: 'AS9' },
      ],
      reasons: REASONS,
      max_photos: 6,
    },
    overrides,
  )
}

function afterSale(overrides = {}) {
  return Object.assign(
    {
      no: 'AS1',
      order_no: 'D1',
      kind: 'refund_only',
      kind_display: '仅退款',
      status: 'pending',
      status_display: '待审核',
      qty: 2,
      amount: 11800,
      line: { id: 11, title: '氨基酸洁面乳', specs: { 颜色: '白' }, image: '/media/p/1.jpg', qty: 3, paid_amount: 17700 },
      created_at: '2026-12-01T10:00:00+08:00',
      reason: 'damaged',
      reason_display: '商品破损',
      description: '外盒压坏了',
      reject_reason: '',
      return_carrier: '',
      return_tracking_no: '',
      refund_amount: null,
      photos: [{ id: 5, image: '/media/after_sales/2026/12/a.jpg' }],
      history: [{ status: 'pending', at: '2026-12-01T10:00:00+08:00', note: '' }],
      can_cancel: true,
      can_ship_return: false,
      deadline: '2026-12-03T10:00:00+08:00',
    },
    overrides,
  )
}

/** WeChat's album and upload, played here: chooseMedia hands back paths, uploadFile answers like the API. */
function withUploads(answers) {
  const uploads = []
  wx.chooseMedia = (o) => Promise.resolve().then(() => o.success({ tempFiles: answers.map((_, i) => ({ tempFilePath: `wxfile://tmp_${i}.jpg` })) }))
  wx.uploadFile = (o) => {
    uploads.push(o)
    const [statusCode, body] = answers[uploads.length - 1]
    Promise.resolve().then(() => o.success({ statusCode, data: JSON.stringify(body) }))
  }
  return uploads
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

describe('申请售后', () => {
  test('choose units, a reason and photos by tapping; one tap submits once and opens the request', async () => {
    wx.route('GET orders/D1/after-sale-options', () => [200, options()])
    const bodies = []
    wx.route('POST after-sales', (req) => (bodies.push(req.data), [201, afterSale({ no: 'AS7' })]))
    const uploads = withUploads([
      [201, { id: 31, image: '/media/after_sales/a.jpg' }],
      [201, { id: 32, image: '/media/after_sales/b.jpg' }],
    ])
    const page = render('package-order/after-sale-apply/index')
    await page.instance.onLoad({ no: 'D1', line: '11' })
    expect(text(page, '.kind')).toBe('仅退款')
    expect(text(page, '.qty-value')).toBe('3')
    expect(texts(page, '.line-tag')).toEqual(['售后中'])

    page.querySelector('.qty-plus').dispatchEvent('tap') // already the most
    page.querySelector('.qty-minus').dispatchEvent('tap')
    await flush()
    expect(text(page, '.qty-value')).toBe('2')

    page.querySelectorAll('.reason')[2].dispatchEvent('tap')
    await flush()
    expect(page.querySelectorAll('.reason')[2].dom.className).toContain('selected')

    page.querySelector('.photo-add').dispatchEvent('tap')
    await flush()
    expect(uploads.map((u) => [u.url, u.name, u.filePath, u.header.Authorization])).toEqual([
      ['http://127.0.0.1:8000/api/v1/after-sales/photos', 'file', 'wxfile://tmp_0.jpg', 'Bearer A'],
      ['http://127.0.0.1:8000/api/v1/after-sales/photos', 'file', 'wxfile://tmp_1.jpg', 'Bearer A'],
    ])
    expect(page.instance.data.photos).toEqual([
      { id: 31, image: 'http://127.0.0.1:8000/media/after_sales/a.jpg' },
      { id: 32, image: 'http://127.0.0.1:8000/media/after_sales/b.jpg' },
    ])
    page.querySelectorAll('.photo-remove')[0].dispatchEvent('tap')
    await flush()
    expect(page.querySelectorAll('.photo-image')).toHaveLength(1)

    page.instance.onDescription({ detail: { value: ' 外盒压坏了 ' } })
    page.querySelector('.submit').dispatchEvent('tap')
    page.querySelector('.submit').dispatchEvent('tap')
    await flush()
    expect(bodies).toEqual([
      { order_no: 'D1', line_id: 11, qty: 2, kind: 'refund_only', reason: 'damaged', description: '外盒压坏了', photo_ids: [32] },
    ])
    expect(wx.__calls.navigate).toEqual([{ type: 'redirectTo', url: '/package-order/after-sale-detail/index?no=AS7' }])
  })

  test('the form says what is missing; a refusal shows the server reason and keeps the form', async () => {
    wx.route('GET orders/D1/after-sale-options', () => [200, options()])
    wx.route('POST after-sales', () => [409, { code: 'after_sale_open_exists', message: '该商品已有处理中的售后申请。', details: {} }])
    const page = render('package-order/after-sale-apply/index')
    await page.instance.onLoad({ no: 'D1' })
    page.querySelector('.submit').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast).toEqual(['请选择售后原因'])
    expect(wx.__calls.request.filter((r) => r.method === 'POST')).toHaveLength(0)

    page.querySelectorAll('.reason')[0].dispatchEvent('tap')
    page.querySelector('.submit').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast.pop()).toBe('该商品已有处理中的售后申请。')
    expect(text(page, '.submit')).toBe('提交申请')
    expect(wx.__calls.navigate).toEqual([])
  })

  test('a refused photo is not added; a line with an open request opens that request', async () => {
    wx.route('GET orders/D1/after-sale-options', () => [200, options()])
    withUploads([[400, { code: 'after_sale_photo_invalid', message: '图片无效：仅支持 JPG、PNG、WEBP 格式，且不超过 5 MB。', details: {} }]])
    const page = render('package-order/after-sale-apply/index')
    await page.instance.onLoad({ no: 'D1' })
    page.querySelector('.photo-add').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast).toEqual(['图片无效：仅支持 JPG、PNG、WEBP 格式，且不超过 5 MB。'])
    expect(page.instance.data.photos).toEqual([])

    page.querySelectorAll('.line-option')[1].dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate).toEqual([{ type: 'navigateTo', url: '/package-order/after-sale-detail/index?no=AS9', events: undefined }])
  })

  test('an order with nothing left to ask for says so', async () => {
    wx.route('GET orders/D1/after-sale-options', () => [200, options({ lines: [{ line: LINE, kind: '', max_qty: 0, open_after_sale_no: '' }] })])
    const page = render('package-order/after-sale-apply/index')
    await page.instance.onLoad({ no: 'D1' })
    expect(text(page, '.error-box')).toContain('该订单暂无可申请售后的商品')
  })
})

describe('售后详情', () => {
  test('pending: the review deadline, progress, photos; 撤销 asks, posts and reloads', async () => {
    let status = 'pending'
    wx.route('GET after-sales/AS1', () =>
      [200, status === 'pending' ? afterSale() : afterSale({ status: 'cancelled', status_display: '已撤销', can_cancel: false, history: [afterSale().history[0], { status: 'cancelled', at: '2026-12-01T11:00:00+08:00', note: '买家撤销' }] })],
    )
    wx.route('POST after-sales/AS1/cancel', () => ((status = 'cancelled'), [200, {}]))
    const page = render('package-order/after-sale-detail/index')
    await page.instance.onLoad({ no: 'AS1' })
    expect(text(page, '.status-text')).toBe('待审核')
    expect(text(page, '.status-note')).toBe('商家将在 2026-12-03 10:00 前处理，超时将自动同意')
    expect(texts(page, '.step-title')).toEqual(['提交申请', '商家同意', '退款成功'])
    expect(page.querySelectorAll('.step.done')).toHaveLength(1)
    expect(text(page, '.amount')).toBe('¥118.00')
    expect(page.querySelectorAll('.photo')).toHaveLength(1)
    expect(page.instance.data.item.photos[0].image).toBe('http://127.0.0.1:8000/media/after_sales/2026/12/a.jpg')

    page.querySelector('.cancel').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.modal).toEqual(['确定撤销该售后申请吗？'])
    expect(text(page, '.status-text')).toBe('已撤销')
    expect(texts(page, '.step-title')).toEqual(['提交申请', '已撤销'])
    expect(page.querySelector('.cancel')).toBeUndefined()
  })

  test('待退货: the shopper enters the carrier and tracking number, then sees them', async () => {
    let sent = null
    const waiting = afterSale({ kind: 'return_refund', status: 'awaiting_return', can_ship_return: true, deadline: '2026-12-08T10:00:00+08:00' })
    wx.route('GET after-sales/AS1', () => [200, sent ? Object.assign({}, waiting, { status: 'returned', can_ship_return: false, can_cancel: false, return_carrier: sent.carrier, return_tracking_no: sent.tracking_no }) : waiting])
    wx.route('POST after-sales/AS1/return-shipment', (req) => ((sent = req.data), [200, {}]))
    const page = render('package-order/after-sale-detail/index')
    await page.instance.onLoad({ no: 'AS1' })
    expect(text(page, '.status-note')).toBe('请在 2026-12-08 10:00 前寄回商品并填写运单号，逾期申请将关闭')
    page.querySelector('.ship-submit').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.toast).toEqual(['请填写快递公司和运单号'])
    page.instance.onCarrier({ detail: { value: '顺丰 ' } })
    page.instance.onTrackingNo({ detail: { value: 'SF1234567' } })
    page.querySelector('.ship-submit').dispatchEvent('tap')
    await flush()
    expect(sent).toEqual({ carrier: '顺丰', tracking_no: 'SF1234567' })
    expect(text(page, '.status-text')).toBe('已寄回')
    expect(text(page, '.return-info')).toBe('退货物流顺丰 SF1234567复制')
    expect(page.querySelector('.return-form')).toBeUndefined()
    expect(texts(page, '.step-title')).toEqual(['提交申请', '寄回商品', '已寄回', '商家收货', '退款成功'])
  })

  test('refunded: the amount returned; rejected: the reason', async () => {
    wx.route('GET after-sales/AS1', () => [200, afterSale({ status: 'refunded', refund_amount: 11800, can_cancel: false, deadline: null, history: [{ status: 'pending', at: '2026-12-01T10:00:00+08:00' }, { status: 'approved', at: '2026-12-01T12:00:00+08:00' }, { status: 'refunded', at: '2026-12-01T12:00:01+08:00' }] })])
    wx.route('GET after-sales/AS2', () => [200, afterSale({ no: 'AS2', status: 'rejected', reject_reason: '已超过售后期', can_cancel: false })])
    const page = render('package-order/after-sale-detail/index')
    await page.instance.onLoad({ no: 'AS1' })
    expect(text(page, '.status-note')).toBe('¥118.00 已原路退回')
    expect(text(page, '.refund-amount')).toBe('¥118.00')
    expect(page.querySelectorAll('.step.done')).toHaveLength(3)
    const rejected = render('package-order/after-sale-detail/index')
    await rejected.instance.onLoad({ no: 'AS2' })
    expect(text(rejected, '.reject-reason')).toBe('拒绝原因：已超过售后期')
    rejected.querySelector('.order-link').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-order/order-detail/index?no=D1' })
  })
})

/** A row of GET after-sales: the list sends the summary, not the request's photos and history. */
function afterSaleSummary(overrides = {}) {
  const full = afterSale(overrides)
  const row = {}
  ;['no', 'order_no', 'kind', 'kind_display', 'status', 'status_display', 'qty', 'amount', 'line', 'created_at'].forEach((k) => (row[k] = full[k]))
  return row
}

describe('售后列表 and the entries to it', () => {
  test('tabs filter by state; a tap opens the request', async () => {
    wx.route('GET after-sales', (req) => [200, { count: 1, next: null, previous: null, results: [afterSaleSummary({ status: req.query.status || 'pending', status_display: '' })] }])
    const page = render('package-order/after-sales/index')
    await page.instance.onShow()
    expect(texts(page, '.status')).toEqual(['待审核'])
    expect(text(page, '.after-sale .muted')).toBe('申请 2 件 · 金额 ¥118.00')
    page.querySelectorAll('.tab')[3].dispatchEvent('tap')
    await flush()
    expect(wx.__calls.request.pop().query).toEqual({ status: 'refunded', page: '1' })
    expect(texts(page, '.status')).toEqual(['已退款'])
    page.querySelector('.after-sale').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-order/after-sale-detail/index?no=AS1' })
  })

  test('the order page offers 申请售后 once paid, and 我的 has 退款/售后', async () => {
    wx.route('GET orders/D1', () => [200, fixtures.order({ no: 'D1', status: 'paid' })])
    wx.route('GET orders/D2', () => [200, fixtures.order({ no: 'D2' })])
    const order = render('package-order/order-detail/index')
    await order.instance.onLoad({ no: 'D1' })
    order.querySelector('.after-sale-apply').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-order/after-sale-apply/index?no=D1' })
    order.querySelector('.after-sale-records').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-order/after-sales/index' })
    const unpaid = render('package-order/order-detail/index')
    await unpaid.instance.onLoad({ no: 'D2' })
    expect(unpaid.querySelector('.after-sale-entry')).toBeUndefined()

    wx.route('GET me', () => [200, { id: 1, nickname: '小多', tier: 'normal', invite_code: 'AB', points_balance: 0 }])
    const member = render('pages/member/index')
    await member.instance.onShow()
    member.querySelector('.after-sales-entry').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.pop()).toMatchObject({ url: '/package-order/after-sales/index' })
  })
})

describe('core/after_sales', () => {
  test('which orders may ask', () => {
    expect(afterSales.canApply(fixtures.order({ status: 'completed' }))).toBe(true)
    expect(afterSales.canApply(fixtures.order({ status: 'paid', ship_hold: 'group' }))).toBe(false)
    expect(afterSales.canApply(fixtures.order({ status: 'refunded' }))).toBe(false)
    const done = fixtures.order({ status: 'shipped' })
    done.lines[0].refunded_qty = done.lines[0].qty
    expect(afterSales.canApply(done)).toBe(false)
  })
})
