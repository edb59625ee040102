/**
 * No duplicate orders (F-P03): one Idempotency-Key per checkout attempt.
 *
 * A CheckoutAttempt hands out the same key for the same order body, so a double tap, a network
 * retry or a tap after a lost answer all reach the server with one key and it returns the one
 * order it made. The key changes only when the body changes (another address, quantity or
 * points choice is a new attempt) or after the server definitively refused the attempt (4xx
 * other than an in-progress conflict), when reusing it could replay the refusal. A second submit
 * while one is in flight gets the first one's promise instead of a second request.
 */
'use strict'

function randomHex(bytes) {
  let out = ''
  for (let i = 0; i < bytes; i += 1) out += Math.floor(Math.random() * 256).toString(16).padStart(2, '0')
  return out
}

/** A UUID-v4-shaped key (server stores up to 64 chars). */
function newKey() {
  const h = randomHex(16)
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** JSON with sorted keys, so {a,b} and {b,a} are the same attempt. */
function stableStringify(value) {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value === undefined ? null : value)
}

// "the same request is still being processed": the key must stay, the next try gets the answer
const IN_PROGRESS_CODES = ['idempotency_key_conflict', 'idempotency_conflict', 'idempotency_in_progress']

/** Whether the key must be retired after this error (the server answered and said no). */
function isDefinitiveRefusal(err) {
  if (!err || !err.status) return false // network failure: the order may exist, keep the key
  if (err.status >= 500) return false // unknown outcome, keep the key
  if (IN_PROGRESS_CODES.indexOf(err.code) >= 0) return false
  if (err.status === 429) return false
  return err.status >= 400
}

class CheckoutAttempt {
  constructor(makeKey = newKey) {
    this.makeKey = makeKey
    this.key = null
    this.fingerprint = null
    this.pending = null
  }

  keyFor(body) {
    const fp = stableStringify(body)
    if (!this.key || fp !== this.fingerprint) {
      this.key = this.makeKey()
      this.fingerprint = fp
    }
    return this.key
  }

  reset() {
    this.key = null
    this.fingerprint = null
  }

  /** submit(body, send) where send(key) performs the request; one in flight at a time. */
  submit(body, send) {
    if (this.pending) return this.pending
    const key = this.keyFor(body)
    const run = Promise.resolve()
      .then(() => send(key))
      .then(
        (result) => {
          this.pending = null
          return result
        },
        (err) => {
          this.pending = null
          if (isDefinitiveRefusal(err) && this.key === key) this.reset()
          throw err
        },
      )
    this.pending = run
    return run
  }
}

module.exports = { newKey, stableStringify, CheckoutAttempt, isDefinitiveRefusal }
