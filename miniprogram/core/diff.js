/**
 * Small setData payloads (F40): setData sends its whole argument across the bridge, so only the
 * paths that changed are sent ({"items[2].qty": 3} instead of the whole list).
 */
'use strict'

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function same(a, b) {
  if (a === b) return true
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * Paths that turn `prev` into `next`. Objects are compared key by key; arrays of the same length
 * item by item; arrays that changed length, and values of another type, are replaced whole.
 * Keys that disappeared are set to null (setData cannot delete).
 */
function diff(prev, next, prefix = '', out = {}) {
  if (isPlainObject(prev) && isPlainObject(next)) {
    Object.keys(next).forEach((key) => {
      const path = prefix ? `${prefix}.${key}` : key
      if (!(key in prev)) out[path] = next[key]
      else diff(prev[key], next[key], path, out)
    })
    Object.keys(prev).forEach((key) => {
      if (!(key in next)) out[prefix ? `${prefix}.${key}` : key] = null
    })
    return out
  }
  if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length && prefix) {
    next.forEach((item, i) => diff(prev[i], item, `${prefix}[${i}]`, out))
    return out
  }
  if (!same(prev, next)) out[prefix] = next
  return out
}

/** setData with only the changed paths of `next` relative to the page's data; returns the payload. */
function patch(ctx, next) {
  const payload = {}
  Object.keys(next).forEach((key) => diff(ctx.data[key], next[key], key, payload))
  if (Object.keys(payload).length) ctx.setData(payload)
  return payload
}

module.exports = { diff, patch }
