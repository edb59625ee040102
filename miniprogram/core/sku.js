/**
 * SKU picker logic (P01), pure so it is tested without a screen.
 *
 * products/{id} gives spec_names (["颜色", "尺码"]), skus ([{id, specs, price, stock}], specs as
 * {"颜色": "红"} or ["红", "M"]) and spec_matrix. Value order comes from spec_matrix when it lists
 * values per spec (the API's {specs: [{name, values}], combinations}, or {"颜色": ["红", "蓝"]},
 * [["红", "蓝"], …], [{name, values}]), otherwise
 * from the order values first appear in skus. A value is disabled when no in-stock SKU carries
 * it together with the values chosen in the other specs — the shopper can never pick a
 * combination that does not exist or is sold out.
 */
'use strict'

function specValues(sku, names) {
  const specs = sku.specs
  if (Array.isArray(specs)) return names.map((_, i) => (specs[i] === undefined ? null : String(specs[i])))
  if (specs && typeof specs === 'object') return names.map((n) => (specs[n] === undefined ? null : String(specs[n])))
  return names.map(() => null)
}

function matrixValues(matrix, names) {
  if (!matrix) return null
  if (Array.isArray(matrix.specs)) {
    // the API's shape: {specs: [{name, values}], combinations: [{values, sku_id, price, stock}]}
    const byName = {}
    matrix.specs.forEach((s) => s && Array.isArray(s.values) && (byName[s.name] = s.values.map(String)))
    return names.every((n) => byName[n]) ? names.map((n) => byName[n]) : null
  }
  if (Array.isArray(matrix) && matrix.length === names.length) {
    if (matrix.every((m) => Array.isArray(m))) return matrix.map((list) => list.map(String))
    if (matrix.every((m) => m && Array.isArray(m.values))) return matrix.map((m) => m.values.map(String))
  }
  if (!Array.isArray(matrix) && typeof matrix === 'object' && names.every((n) => Array.isArray(matrix[n]))) {
    return names.map((n) => matrix[n].map(String))
  }
  return null
}

/** Normalise a product detail into {names, values: [[…]], skus: [{id, price, stock, key: […]}]}. */
function buildModel(detail) {
  const rawSkus = (detail && detail.skus) || []
  let names = (detail && Array.isArray(detail.spec_names) && detail.spec_names.slice()) || []
  if (!names.length && rawSkus[0] && rawSkus[0].specs && !Array.isArray(rawSkus[0].specs)) {
    names = Object.keys(rawSkus[0].specs)
  }
  const skus = rawSkus.map((s) => ({
    id: s.id,
    code: s.code,
    price: Number(s.price) || 0,
    stock: Math.max(0, Number(s.stock) || 0),
    key: specValues(s, names),
  }))
  let values = matrixValues(detail && detail.spec_matrix, names)
  if (!values) {
    values = names.map((_, i) => {
      const seen = []
      skus.forEach((s) => {
        if (s.key[i] !== null && seen.indexOf(s.key[i]) < 0) seen.push(s.key[i])
      })
      return seen
    })
  }
  return { names, values, skus }
}

function matches(sku, selected, skipIndex) {
  for (let i = 0; i < selected.length; i += 1) {
    if (i !== skipIndex && selected[i] !== null && selected[i] !== undefined && sku.key[i] !== selected[i]) return false
  }
  return true
}

/** First selection: every spec with a single value is chosen; a single-SKU product is chosen whole. */
function initialSelection(model) {
  if (model.skus.length === 1) return model.skus[0].key.slice()
  return model.values.map((list) => (list.length === 1 ? list[0] : null))
}

/** Tap on a value: choose it, or clear it when it is already chosen. Returns a new array. */
function toggle(selected, index, value) {
  const next = selected.slice()
  next[index] = next[index] === value ? null : value
  return next
}

/**
 * What the picker shows for a selection:
 * {specs: [{name, values: [{value, selected, disabled}]}], sku, complete, missing: [names], missingText,
 *  minPrice, maxPrice, stock}
 */
function pickerState(model, selected) {
  const sel = model.names.map((_, i) => (selected && selected[i] !== undefined ? selected[i] : null))
  const specs = model.names.map((name, i) => ({
    name,
    values: model.values[i].map((value) => ({
      value,
      selected: sel[i] === value,
      disabled: !model.skus.some((s) => s.stock > 0 && s.key[i] === value && matches(s, sel, i)),
    })),
  }))
  const missing = model.names.filter((_, i) => sel[i] === null)
  const candidates = model.skus.filter((s) => matches(s, sel, -1))
  const inStock = candidates.filter((s) => s.stock > 0)
  const priced = inStock.length ? inStock : candidates
  const prices = priced.map((s) => s.price)
  const complete = missing.length === 0
  const sku = complete ? candidates[0] || null : null
  return {
    specs,
    sku,
    complete,
    missing,
    missingText: missing.join('、'),
    minPrice: prices.length ? Math.min.apply(null, prices) : null,
    maxPrice: prices.length ? Math.max.apply(null, prices) : null,
    stock: sku ? sku.stock : inStock.reduce((sum, s) => sum + s.stock, 0),
  }
}

/** Keep a quantity within 1…stock (at least 1 so the stepper never shows 0). */
function clampQty(qty, stock) {
  const n = Math.floor(Number(qty) || 1)
  const max = Math.max(1, Number(stock) || 1)
  return Math.min(Math.max(1, n), max)
}

/** "红 / M" for a SKU's specs (object or array). */
function specText(specs, names) {
  if (!specs) return ''
  if (Array.isArray(specs)) return specs.join(' / ')
  const keys = names && names.length ? names.filter((n) => specs[n] !== undefined) : Object.keys(specs)
  return keys.map((k) => specs[k]).join(' / ')
}

module.exports = { buildModel, initialSelection, toggle, pickerState, clampQty, specText }
