/**
 * Money arrives as integer fen (5900 = ¥59.00). Only this module (and wxs/money.wxs, its twin for
 * templates) turns fen into text, with integer arithmetic so 0.1 + 0.2 never shows up.
 */
'use strict'

function toFen(value) {
  const n = Number(value)
  return Number.isFinite(n) ? Math.round(n) : null
}

/** 1250 → "12.50"; -500 → "-5.00"; null/garbage → "". */
function yuan(fen) {
  const n = toFen(fen)
  if (n === null || fen === null || fen === undefined || fen === '') return ''
  const abs = Math.abs(n)
  const cents = abs % 100
  return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${cents < 10 ? '0' : ''}${cents}`
}

/** 1250 → "¥12.50"; -500 → "-¥5.00". */
function price(fen) {
  const text = yuan(fen)
  if (!text) return ''
  return text[0] === '-' ? `-¥${text.slice(1)}` : `¥${text}`
}

/** A discount shown as a minus: 500 → "-¥5.00" (0 → "¥0.00"). */
function minus(fen) {
  const n = toFen(fen)
  if (!n) return price(0)
  return price(-Math.abs(n))
}

/** "¥10.00" or "¥10.00 - ¥20.00". */
function range(minFen, maxFen) {
  if (maxFen === null || maxFen === undefined || maxFen === minFen) return price(minFen)
  return `${price(minFen)} - ${price(maxFen)}`
}

/** Parse what a shopper typed ("12.5", "12.50", "12") into fen; null when it is not money. */
function parseYuan(text) {
  const m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(String(text))
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

module.exports = { yuan, price, minus, range, parseYuan }
