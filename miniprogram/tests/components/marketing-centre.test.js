const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')

const H = 3600e3

beforeEach(() => {
  store.reset()
  jest.useRealTimers()
})

test('renders nothing when the home payload has no marketing centre', () => {
  const c = render('components/marketing-centre/index', { centre: null })
  expect(c.querySelector('.centre')).toBeUndefined()
})

test('shows 正在进行 / 即将开始 counts, states and live countdowns; tapping opens the entry', async () => {
  const now = Date.now()
  const centre = {
    ongoing: [{ id: 1, type: 'flash_sale', title: '10点秒杀', price: 990, original_price: 5900, start_at: now - H, end_at: now + H + 5000 }],
    upcoming: [{ id: 2, type: 'flash_sale', title: '15点秒杀', start_at: now + 2 * H, end_at: now + 3 * H }],
  }
  const c = render('components/marketing-centre/index', { centre })
  expect(texts(c, '.centre-tab')).toEqual(['正在进行 1', '即将开始 1'])
  expect(text(c, '.entry-title')).toBe('10点秒杀')
  expect(text(c, '.entry-state')).toBe('进行中')
  expect(text(c, '.entry .price')).toBe('¥9.90')
  expect(text(c, '.entry-time')).toMatch(/^距结束 01:00:0[45]$/)
  const opened = []
  c.addEventListener('open', (e) => opened.push(e.detail.item))
  c.querySelectorAll('.centre-tab')[1].dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(text(c, '.entry-state')).toBe('即将开始')
  expect(text(c, '.entry-time')).toMatch(/^距开始 0[12]:/)
  c.querySelector('.entry').dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
  expect(opened.map((i) => i.id)).toEqual([2])
})

test('when an upcoming entry starts, it moves to 正在进行 without a reload', () => {
  jest.useFakeTimers()
  const now = Date.now()
  const centre = { upcoming: [{ id: 3, type: 'flash_sale', title: '马上开始', start_at: now + 2000, end_at: now + H }] }
  const c = render('components/marketing-centre/index', { centre })
  expect(texts(c, '.centre-tab')).toEqual(['正在进行 0', '即将开始 1'])
  jest.advanceTimersByTime(3000)
  expect(texts(c, '.centre-tab')).toEqual(['正在进行 1', '即将开始 0'])
  expect(text(c, '.entry-state')).toBe('进行中')
})

test('entries of the API without a picture (promotions, coupons) show their wording on a card', () => {
  const now = Date.now()
  const centre = {
    ongoing: [{ type: 'promotion', id: 4, kind: 'full_reduction', title: '双十二满减', subtitle: '满减', start_at: new Date(now - H).toISOString(), end_at: new Date(now + H).toISOString() }],
    upcoming: [],
  }
  const c = render('components/marketing-centre/index', { centre })
  expect(c.querySelector('image.entry-image')).toBeUndefined()
  expect(text(c, '.entry-card-promotion')).toBe('满减')
  expect(text(c, '.entry-title')).toBe('双十二满减')
})
