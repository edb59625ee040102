/**
 * Cart arithmetic for optimistic updates: the screen changes at once on a tap, and the server's
 * cart (GET cart → summary) replaces it when it answers. Unavailable lines (off shelf, sold out)
 * never count, even when selected.
 */
'use strict'

function isBuyable(item) {
  return item.available !== false && Number(item.stock) > 0
}

/** {selectedQty, goodsAmount, selectedCount, buyableCount, allSelected} over the cart lines. */
function totals(items) {
  let selectedQty = 0
  let goodsAmount = 0
  let selectedCount = 0
  let buyableCount = 0
  ;(items || []).forEach((item) => {
    if (!isBuyable(item)) return
    buyableCount += 1
    if (!item.selected) return
    const qty = Number(item.qty) || 0
    selectedCount += 1
    selectedQty += qty
    goodsAmount += qty * (Number(item.price) || 0)
  })
  return {
    selectedQty,
    goodsAmount,
    selectedCount,
    buyableCount,
    allSelected: buyableCount > 0 && selectedCount === buyableCount,
  }
}

/** Lines whose `selected` must change so that every buyable line is `selected`. */
function selectAllChanges(items, selected) {
  return (items || []).filter((item) => isBuyable(item) && !!item.selected !== !!selected)
}

/** Total pieces in the cart, for the tab bar badge. */
function count(items) {
  return (items || []).reduce((sum, item) => sum + (Number(item.qty) || 0), 0)
}

const fen = (m) => (m && typeof m === 'object' ? Number(m.fen) || 0 : Number(m) || 0)

/**
 * The bar's figures from a `cart/quote` answer (money as {fen, yuan}): what the goods cost after
 * every discount, what was taken off, shipping, and the 凑单 hints in the server's words.
 */
function quoteView(q) {
  if (!q) return null
  return {
    payable: fen(q.payable),
    discount: fen(q.discount),
    shipping: fen(q.shipping_fee),
    total: fen(q.total),
    hints: (q.hints || []).map((h, i) => ({ key: `${h.rule_id || 'hint'}-${i}`, text: h.text })).filter((h) => h.text),
  }
}

module.exports = { isBuyable, totals, selectAllChanges, count, quoteView }
