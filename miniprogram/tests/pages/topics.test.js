/**
 * Topic pages (F25): the list (GET topics) with cover cards in the merchant's order, a topic page
 * drawn by the page renderer from GET pages/{slug}, its guide block's product cards, the page
 * view carrying tool=topic and the page id, the topic remembered as the next order's source, the
 * share card with the sharer's codes, and the entries from home and the member page.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const track = require('../../core/track')
const share = require('../../core/share')
const { render, text, texts } = require('../helpers/page')
const { productDetail, quote } = require('../helpers/fixtures')

let wx
const now = Date.now()
const iso = (ms) => new Date(ms).toISOString()
const card = { id: 8, title: '护眼台灯', subtitle: '', image: 'https://cdn.example.com/lamp.jpg', min_price: 12900, sales_count: 3, tags: [], is_on_shelf: true, free_shipping: false, limited_discount: null, group_buy: null, bargain: null, flash_sale: null }
// as GET topics answers (marketing/api/topics.py)
const TOPICS = {
  results: [
    { id: 3, slug: 'back-to-school', title: '开学季必备', subtitle: '书桌、网课、早餐一次备齐', cover: '/media/topics/school.jpg', share_title: '开学季必备｜多营商城', published_at: iso(now) },
    { id: 4, slug: 'business-trip', title: '出差便携套装', subtitle: '', cover: '', share_title: '出差便携套装', published_at: null },
  ],
}
// as GET pages/{slug} answers for a topic: a guide block (F25) and a product grid
const PAGE = {
  id: 3,
  slug: 'back-to-school',
  title: '开学季必备',
  share_title: '开学季必备｜多营商城',
  is_home: false,
  version: 2,
  blocks: [
    {
      key: 'g1',
      type: 'guide',
      settings: {},
      data: {
        title: '开学季必备',
        items: [
          { kind: 'text', text: '新学期开始了。' },
          { kind: 'heading', text: '书桌上的好帮手' },
          { kind: 'product', product: Object.assign({}, card, { stock: 12, in_stock: true }) },
          { kind: 'product', product: Object.assign({}, card, { id: 9, title: '启蒙绘本', min_price: 5990, stock: 0, in_stock: false }) },
        ],
      },
    },
    { key: 'g2', type: 'product_grid', settings: {}, data: { title: '本期清单', columns: '2', products: [card] } },
  ],
  server_time: { now: iso(now), timestamp_ms: now },
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  track.reset()
  store.set('member', { id: 1, invite_code: 'AB12' })
})

describe('the topic list', () => {
  test('cards in the merchant order; a tap opens the topic', async () => {
    wx.route('GET topics', () => [200, TOPICS])
    const page = render('package-topic/index/index')
    await page.instance.onLoad({})
    expect(wx.__calls.request.map((r) => r.path)).toEqual(['topics'])
    expect(texts(page, '.title')).toEqual(['开学季必备', '出差便携套装'])
    expect(texts(page, '.subtitle')).toEqual(['书桌、网课、早餐一次备齐'])
    expect(text(page, '.cover-letter')).toBe('出') // no cover: the title's first character
    expect(page.instance.data.topics[0].cover).toBe('http://127.0.0.1:8000/media/topics/school.jpg') // like every picture
    page.querySelectorAll('.topic')[1].dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-topic/page/index?slug=business-trip'])
    expect(track.pending().filter((e) => e.name === 'tap').pop().props).toEqual({ page: 'package-topic/index/index', element: 'topics.open', tool: 'topic', campaign_id: 4 })
  })

  test('no topics: an empty state; a failure can be retried', async () => {
    let n = 0
    wx.route('GET topics', () => (++n === 1 ? [503, { code: 'unavailable', message: '服务暂时不可用', details: {} }] : [200, { results: [] }]))
    const page = render('package-topic/index/index')
    await page.instance.onLoad({})
    expect(page.querySelector('.error-box')).toBeDefined()
    page.querySelector('.retry').dispatchEvent('tap')
    await flush()
    await flush()
    expect(page.querySelector('.topic')).toBeUndefined()
    expect(page.instance.data.topics).toEqual([])
    expect(page.instance.data.error).toBe('')
  })
})

describe('a topic page', () => {
  async function open(query = { slug: 'back-to-school' }) {
    wx.route('GET pages/back-to-school', () => [200, PAGE])
    const page = render('package-topic/page/index')
    await page.instance.onLoad(query)
    return page
  }

  test('drawn by the page renderer: the guide with its inline product cards', async () => {
    const page = await open()
    expect(wx.__calls.request.map((r) => r.path)).toEqual(['pages/back-to-school'])
    const blocks = page.querySelector('#blocks')
    expect(blocks.querySelectorAll('.pb').map((n) => n.dom.getAttribute('data-type'))).toEqual(['guide', 'product_grid'])
    expect(texts(blocks, '.para')).toEqual(['新学期开始了。'])
    expect(text(blocks, '.guide-heading')).toBe('书桌上的好帮手')
    expect(texts(blocks, '.guide-card .name')).toEqual(['护眼台灯', '启蒙绘本'])
    expect(texts(blocks, '.guide-card .price')).toEqual(['¥129.00', '¥59.90'])
    expect(texts(blocks, '.guide-card .badge')).toEqual(['已售罄'])
    blocks.querySelectorAll('.guide-card')[0].dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/pages/product/index?id=8'])
  })

  test('the topic becomes the source of the next order, and its page view names it', async () => {
    store.set('trackingSrc', { src: 'share', at: now })
    const page = await open()
    expect(share.currentSrc()).toBe('topic:3')
    page.instance.onShow()
    page.instance.onHide()
    const view = track.pending().filter((e) => e.name === 'page_view').pop()
    expect(view.props).toMatchObject({ page: 'package-topic/page/index', tool: 'topic', campaign_id: 3 })
  })

  test('a cart add and a checkout after the topic count for it; a deal or a newer source does not', async () => {
    store.set('session', { access: 'A', refresh: 'R' })
    await open()
    wx.route('GET products/7', () => [200, productDetail()])
    wx.route('POST cart/items', () => [201, { id: 1 }])
    const product = render('pages/product/index')
    await product.instance.onLoad({ id: '7' })
    await product.instance.onConfirm({ detail: { action: 'cart', sku: { id: 73 }, qty: 2 } })
    const added = track.pending().filter((e) => e.name === 'add_to_cart').pop()
    expect(added.props).toEqual({ page: 'pages/product/index', product_id: 7, sku_id: 73, quantity: 2, tool: 'topic', campaign_id: 3 })

    wx.route('GET addresses', () => [200, []])
    wx.route('POST checkout/preview', () => [200, quote()])
    const checkout = render('package-order/checkout/index')
    await checkout.instance.onLoad({ sku_id: '73', qty: '1' })
    const started = () => track.pending().filter((e) => e.name === 'checkout_start').pop().props
    expect(started()).toEqual({ page: 'package-order/checkout/index', items: 1, tool: 'topic', campaign_id: 3 })

    await render('package-order/checkout/index').instance.onLoad({ sku_id: '71', qty: '1', deal: 'flash', ref: '9' })
    expect(started()).toEqual({ page: 'package-order/checkout/index', items: 1, tool: 'flash' })

    share.rememberSrc({ src: 'msg:12' })
    await render('package-order/checkout/index').instance.onLoad({ sku_id: '73', qty: '1' })
    expect(started()).toEqual({ page: 'package-order/checkout/index', items: 1 })
    await flush()
  })

  test('the share cards reopen this topic with the sharer codes', async () => {
    const page = await open()
    const card = page.instance.onShareAppMessage()
    expect(card.title).toBe('开学季必备｜多营商城')
    expect(card.path).toBe('/package-topic/page/index?slug=back-to-school&invite=AB12&src=share')
    expect(page.instance.onShareTimeline()).toEqual({ title: '开学季必备｜多营商城', query: 'slug=back-to-school&invite=AB12&src=share' })
  })

  test('an ended topic says so and offers the other topics', async () => {
    wx.route('GET pages/gone', () => [404, { code: 'page_not_found', message: '页面不存在或未发布。', details: { page: 'gone' } }])
    const page = render('package-topic/page/index')
    await page.instance.onLoad({ slug: 'gone' })
    expect(text(page, '.error-box')).toContain('专题已结束')
    expect(store.get('trackingSrc')).toBeFalsy() // nothing to attribute
    page.querySelector('.more-topics').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-topic/index/index'])
  })
})

describe('entries', () => {
  test('the standard home screen leads to the topic list', async () => {
    wx.route('GET home', () => [200, { banners: [], categories: [], hot: [], new: [], server_time: iso(now), page: null }])
    const page = render('pages/home/index')
    await page.instance.onLoad({})
    page.querySelector('.topics-entry').dispatchEvent('tap')
    await flush()
    expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-topic/index/index'])
  })

  test('the member page lists 专题精选', async () => {
    store.set('session', { access: 'A', refresh: 'R' })
    wx.route('GET me', () => [200, { id: 1, nickname: '小多', avatar_url: '', phone: '', birthday: null, tier: 'gold', invite_code: 'AB12', points_balance: 0 }])
    const page = render('pages/member/index', {}, { tdesign: ['t-cell'] })
    await page.instance.onShow()
    const entry = page.querySelector('.topics-entry')
    expect(entry.querySelector('.t-cell__title-text').dom.textContent).toBe('专题精选')
    entry.querySelector('.t-cell').dispatchEvent('tap') // a finger on the real t-cell
    await flush()
    expect(wx.__calls.navigate.map((n) => n.url)).toEqual(['/package-topic/index/index'])
  })

  test('a nav icon of a designed page may lead to the topic list', () => {
    const pages = require('../../services/pages')
    expect(pages.targetPath({ type: 'topics' })).toBe('/package-topic/index/index')
  })
})
