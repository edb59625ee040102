const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { render } = require('../helpers/page')

let wx
const TREE = [
  { id: 1, name: '美妆', icon: '', children: [{ id: 11, name: '洁面', children: [] }, { id: 12, name: '面膜', children: [] }] },
  { id: 2, name: '零食', icon: '', children: [] },
]

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  wx.route('GET categories/tree', () => [200, TREE])
  wx.route('GET products', (req) => {
    const page = Number(req.query.page)
    return [200, { count: 3, next: page < 2 ? 'more' : null, results: [{ id: page * 10, title: `p${page}`, min_price: 100 }] }]
  })
})

function productQueries() {
  return wx.__calls.request.filter((r) => r.path === 'products').map((r) => r.query)
}

test('loads the tree and the first page together; paging appends', async () => {
  const page = render('pages/category/index')
  await page.instance.onLoad({})
  expect(page.instance.data.tree).toHaveLength(2)
  expect(productQueries()[0]).toEqual({ page: '1', page_size: '20' })
  await page.instance.onReachBottom()
  expect(page.instance.data.products.map((p) => p.id)).toEqual([10, 20])
  await page.instance.onReachBottom()
  expect(productQueries()).toHaveLength(2) // no next page
})

test('category, sub-category, sort and keyword filters restart at page 1', async () => {
  const page = render('pages/category/index')
  await page.instance.onLoad({})
  await page.instance.onSideBar({ detail: { value: 1 } })
  expect(page.instance.data.children.map((c) => c.name)).toEqual(['洁面', '面膜'])
  await page.instance.onChild({ currentTarget: { dataset: { id: 12 } } })
  await page.instance.onSort({ currentTarget: { dataset: { value: 'price' } } })
  await page.instance.onSort({ currentTarget: { dataset: { value: 'price' } } })
  await page.instance.onSearch({ detail: { value: ' 面膜 ' } })
  const q = productQueries()
  expect(q[1]).toMatchObject({ category: '1', page: '1' })
  expect(q[2]).toMatchObject({ category: '12' })
  expect(q[3]).toMatchObject({ category: '12', sort: 'price' })
  expect(q[4]).toMatchObject({ category: '12', sort: '-price' })
  expect(q[5]).toMatchObject({ category: '12', sort: '-price', q: '面膜', page: '1' })
})

test('a category handed over from home through the store is applied', async () => {
  store.set('categoryIntent', { category: 11, q: '' })
  const page = render('pages/category/index')
  const loading = page.instance.onLoad({})
  const showing = page.instance.onShow()
  await Promise.all([loading, showing])
  expect(page.instance.data.active).toBe(1)
  expect(page.instance.data.child).toBe(11)
  expect(productQueries().pop()).toMatchObject({ category: '11' })
  expect(store.get('categoryIntent')).toBeNull()
})
