/**
 * The shared fixtures are whole API answers: checked against the OpenAPI document generated from
 * this checkout (tests/helpers/openapi.js), required fields included, so a field the API stops
 * sending (or never sent) fails here rather than in a page that quietly reads undefined.
 */
const fixtures = require('../helpers/fixtures')
const { componentProblems, responseProblems } = require('../helpers/openapi')

test.each([
  ['ProductDetail', fixtures.productDetail()],
  ['CartOutput', fixtures.cart()],
  ['QuoteOutput', fixtures.quote()],
  ['OrderDetailOutput', fixtures.order()],
  ['OrderSummaryOutput', fixtures.orderSummary()],
])('%s fixture is what the API sends', (component, value) => {
  expect(componentProblems(component, value)).toEqual([])
})

test('the fixtures answer the operations the pages call them for', () => {
  expect(responseProblems('GET', 'products/7', 200, fixtures.productDetail())).toEqual([])
  expect(responseProblems('GET', 'cart', 200, fixtures.cart())).toEqual([])
  expect(responseProblems('POST', 'checkout/preview', 200, fixtures.quote())).toEqual([])
  expect(responseProblems('GET', 'orders/D202501010001', 200, fixtures.order())).toEqual([])
  expect(responseProblems('GET', 'orders', 200, { count: 1, next: null, previous: null, results: [fixtures.orderSummary()] })).toEqual([])
})

test('the check catches drift: an extra field, a missing one, a wrong type, an undeclared error code', () => {
  expect(componentProblems('OrderSummaryOutput', Object.assign(fixtures.orderSummary(), { pricing: {} }))).toEqual([expect.stringContaining('"pricing"')])
  const noStatus = fixtures.order()
  delete noStatus.status
  expect(componentProblems('OrderDetailOutput', noStatus)).toEqual([expect.stringContaining("required property 'status'")])
  expect(responseProblems('GET', 'home', 200, { banners: [{ product_id: 7, title: 'x', image: 'b.jpg', link: '/pages/x' }] })).toEqual([expect.stringContaining('"link"')])
  expect(responseProblems('GET', 'cart', 200, { items: 'none' })).toEqual([expect.stringContaining('/items must be array')])
  expect(responseProblems('POST', 'flash/items/3/reservation', 429, { code: 'throttled', message: '', details: {} })).toEqual([expect.stringContaining('"throttled"')])
  expect(responseProblems('GET', 'no/such/thing', 200, {})).toEqual([expect.stringContaining('no such operation')])
})
