const sku = require('../../core/sku')
const { productDetail } = require('../helpers/fixtures')

function values(state, i) {
  return state.specs[i].values.map((v) => `${v.value}${v.selected ? '*' : ''}${v.disabled ? '!' : ''}`)
}

test("reads the API's spec_matrix {specs: [{name, values}], combinations}", () => {
  const detail = productDetail()
  detail.spec_matrix.specs[0].values = ['粉', '白']
  const model = sku.buildModel(detail)
  expect(model.values).toEqual([['粉', '白'], ['100ml', '200ml']])
  expect(model.skus.map((s) => [s.id, s.key.join('/')])).toEqual([[71, '白/100ml'], [72, '白/200ml'], [73, '粉/100ml']])
})

test('builds the model from spec_names, object specs and an older {spec: [values]} matrix', () => {
  const model = sku.buildModel(productDetail({ spec_matrix: { 颜色: ['粉', '白'], 容量: ['200ml', '100ml'] } }))
  expect(model.names).toEqual(['颜色', '容量'])
  expect(model.values).toEqual([['粉', '白'], ['200ml', '100ml']])
  expect(model.skus.map((s) => s.key)).toEqual([['白', '100ml'], ['白', '200ml'], ['粉', '100ml']])
})

test('array specs and no spec_matrix: values in order of first appearance', () => {
  const model = sku.buildModel({
    spec_names: ['尺码'],
    skus: [{ id: 1, specs: ['M'], price: 100, stock: 1 }, { id: 2, specs: ['S'], price: 90, stock: 1 }, { id: 3, specs: ['M'], price: 100, stock: 0 }],
  })
  expect(model.values).toEqual([['M', 'S']])
})

test('sold-out and missing combinations are disabled given the other choices', () => {
  const model = sku.buildModel(productDetail())
  const none = sku.pickerState(model, [null, null])
  expect(values(none, 0)).toEqual(['白', '粉'])
  expect(values(none, 1)).toEqual(['100ml', '200ml!']) // 白/200ml is sold out, 粉/200ml does not exist
  const pink = sku.pickerState(model, ['粉', null])
  expect(values(pink, 1)).toEqual(['100ml', '200ml!'])
  const big = sku.pickerState(model, [null, '200ml'])
  expect(values(big, 0)).toEqual(['白!', '粉!'])
})

test('a partial choice shows the price range and stock of what is still possible', () => {
  const model = sku.buildModel(productDetail())
  const none = sku.pickerState(model, [null, null])
  expect([none.minPrice, none.maxPrice, none.stock]).toEqual([5900, 6900, 8])
  expect(none.complete).toBe(false)
  expect(none.missingText).toBe('颜色、容量')
  const small = sku.pickerState(model, [null, '100ml'])
  expect([small.minPrice, small.maxPrice]).toEqual([5900, 6900])
})

test('a complete choice gives that SKU with its own price and stock', () => {
  const model = sku.buildModel(productDetail())
  const state = sku.pickerState(model, ['粉', '100ml'])
  expect(state.complete).toBe(true)
  expect(state.sku).toMatchObject({ id: 73, price: 6900, stock: 5 })
  expect([state.minPrice, state.maxPrice, state.stock]).toEqual([6900, 6900, 5])
})

test('toggle chooses and un-chooses; initialSelection pre-picks single values and single SKUs', () => {
  expect(sku.toggle(['白', null], 0, '白')).toEqual([null, null])
  expect(sku.toggle(['白', null], 1, '100ml')).toEqual(['白', '100ml'])
  const one = sku.buildModel({ spec_names: [], skus: [{ id: 9, specs: {}, price: 990, stock: 4 }] })
  expect(sku.pickerState(one, sku.initialSelection(one)).sku).toMatchObject({ id: 9 })
  const model = sku.buildModel({ spec_names: ['颜色', '尺码'], skus: [{ id: 1, specs: { 颜色: '黑', 尺码: 'S' }, price: 1, stock: 1 }, { id: 2, specs: { 颜色: '黑', 尺码: 'M' }, price: 1, stock: 1 }] })
  expect(sku.initialSelection(model)).toEqual(['黑', null])
})

test('clampQty keeps 1…stock and specText joins specs', () => {
  expect(sku.clampQty(0, 5)).toBe(1)
  expect(sku.clampQty(9, 5)).toBe(5)
  expect(sku.clampQty('3', 5)).toBe(3)
  expect(sku.clampQty(2, 0)).toBe(1)
  expect(sku.specText({ 颜色: '白', 容量: '100ml' })).toBe('白 / 100ml')
  expect(sku.specText(['M', '红'])).toBe('M / 红')
})
