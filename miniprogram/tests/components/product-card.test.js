const { createWx } = require('../helpers/wx')
const { render, texts } = require('../helpers/page')

beforeEach(() => {
  global.wx = createWx()
})

// the shape of mall/selectors/catalogue.py product_card_data
function card(extra) {
  return Object.assign({ id: 7, title: '洁面乳', subtitle: '', image: 'p.jpg', min_price: 5900, sales_count: 3, tags: [], is_on_shelf: true, limited_discount: null, group_buy: null, bargain: null, flash_sale: null }, extra)
}

test('a product in a flash sale, a group buy or a bargain says so on its picture', () => {
  const c = render('components/product-card/index', {
    product: card({ flash_sale: { state: 'live' }, group_buy: { campaign_id: 1 }, bargain: { campaign_id: 2 } }),
  })
  expect(texts(c, '.badge')).toEqual(['秒杀中', '拼团', '砍价'])
  const soon = render('components/product-card/index', { product: card({ flash_sale: { state: 'upcoming' } }) })
  expect(texts(soon, '.badge')).toEqual(['秒杀预告'])
})

test('an ordinary product has no badges', () => {
  const c = render('components/product-card/index', { product: card({}) })
  expect(c.querySelector('.badges')).toBeUndefined()
})
