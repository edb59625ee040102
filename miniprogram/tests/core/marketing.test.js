const marketing = require('../../core/marketing')
const routes = require('../../core/routes')

const T0 = Date.parse('2025-06-18T09:00:00+08:00')
const H = 3600e3
const centre = {
  ongoing: [{ id: 1, type: 'flash_sale', title: '10点秒杀', start_at: T0 - H, end_at: T0 + 2 * H }],
  upcoming: [
    { id: 3, type: 'flash_sale', title: '20点秒杀', start_at: T0 + 11 * H, end_at: T0 + 12 * H },
    { id: 2, type: 'flash_sale', title: '15点秒杀', start_at: T0 + 6 * H, end_at: T0 + 7 * H },
  ],
}

test('absent or empty marketing centre → null (the home page draws nothing)', () => {
  expect(marketing.centreFrom({ banners: [] })).toBeNull()
  expect(marketing.splitCentre(null, T0)).toBeNull()
  expect(marketing.splitCentre({ ongoing: [], upcoming: [] }, T0)).toBeNull()
})

test('entries split into 正在进行 / 即将开始 on server time, soonest first', () => {
  const view = marketing.splitCentre(marketing.centreFrom({ marketing_center: centre }), T0)
  expect(view.ongoing.map((e) => [e.title, e.stateLabel])).toEqual([['10点秒杀', '进行中']])
  expect(view.upcoming.map((e) => e.title)).toEqual(['15点秒杀', '20点秒杀'])
  expect(view.upcoming[0].target).toBe(T0 + 6 * H)
})

test('as time passes an entry moves from upcoming to ongoing, and ended ones disappear', () => {
  const later = marketing.splitCentre(centre, T0 + 6.5 * H)
  expect(later.ongoing.map((e) => e.title)).toEqual(['15点秒杀'])
  expect(later.upcoming.map((e) => e.title)).toEqual(['20点秒杀'])
  expect(marketing.splitCentre(centre, T0 + 13 * H)).toBeNull()
})

test('entries open their own page when registered, else their product, else nothing', () => {
  expect(routes.marketingTarget({ type: 'flash_sale', id: 1 })).toBeNull()
  expect(routes.marketingTarget({ type: 'flash_sale', id: 1, product_id: 7 })).toBe('/pages/product/index?id=7')
  expect(routes.marketingTarget({ path: '/pages/category/index' })).toBe('/pages/category/index')
  routes.MARKETING_PAGES.flash_sale = '/package-flash/slot/index'
  expect(routes.marketingTarget({ type: 'flash_sale', id: 1, product_id: 7 })).toBe('/package-flash/slot/index?id=1')
  delete routes.MARKETING_PAGES.flash_sale
})
