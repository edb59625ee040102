/**
 * The in-house slider captcha on the client (F45).
 *
 * A scarce-spending endpoint (coupon claim, flash purchase, bargain help …) may answer
 * 403 `captcha_required` with `details.action`. request.js then calls ask(action): a slider is
 * shown (the `slider-captcha` component of the current page when it has one, otherwise the
 * 安全验证 page), the shopper drags the piece into the gap, POST captcha/verify answers with a
 * single-use pass, and request.js repeats the refused request once with `X-Captcha-Pass`.
 *
 * Puzzle coordinates are the server's (captcha.width × captcha.height px, 300 × 150); the
 * component draws them scaled to the screen, so every x sent is divided back by the scale. The
 * trail is what the finger did: [[x, y, t_ms], …] with x the piece's left edge from its start
 * (puzzle px), y the finger's height from where it started (screen px) and t ms since touch
 * start — the server judges its shape (duration, wobble, changing speed).
 */
'use strict'

const client = require('./request')
const routes = require('./routes')

const MAX_POINTS = 2000 // the server's limit (members/captcha.py)

function round1(n) {
  return Math.round(n * 10) / 10
}

/**
 * Records one drag. start(touch, t) → move(touch, t) … → offset of the piece on screen (clamped
 * to [0, maxOffset]); finish() → {x, trail} in puzzle px for captcha/verify.
 */
class DragRecorder {
  constructor({ scale = 1, maxOffset = Infinity } = {}) {
    this.scale = scale > 0 ? scale : 1
    this.maxOffset = maxOffset
    this.reset()
  }

  reset() {
    this.trail = []
    this.offset = 0
    this.startX = null
    this.startY = null
    this.t0 = null
  }

  get started() {
    return this.startX !== null
  }

  point(offset, touch, t) {
    if (this.trail.length >= MAX_POINTS) return
    const last = this.trail[this.trail.length - 1]
    const ms = Math.max(0, Math.round(t - this.t0))
    // time never goes back in the trail, even when two events share a timestamp
    this.trail.push([round1(offset / this.scale), round1(touch.clientY - this.startY), last && ms < last[2] ? last[2] : ms])
  }

  start(touch, t) {
    this.reset()
    this.startX = touch.clientX
    this.startY = touch.clientY
    this.t0 = t
    this.point(0, touch, t)
    return 0
  }

  move(touch, t) {
    if (!this.started) return this.offset
    this.offset = Math.max(0, Math.min(this.maxOffset, touch.clientX - this.startX))
    this.point(this.offset, touch, t)
    return this.offset
  }

  finish() {
    return { x: round1(this.offset / this.scale), trail: this.trail.slice() }
  }
}

/**
 * How to draw a puzzle on a screen `available` px wide: {scale, width, height, pieceSize,
 * pieceTop, maxOffset} in screen px (never enlarged past the puzzle's own size).
 */
function layout(challenge, available) {
  const width = Number(challenge.width) || 300
  const height = Number(challenge.height) || 150
  const scale = Math.min(1, Math.max(0.1, (Number(available) || width) / width))
  const pieceSize = Math.round((Number(challenge.piece_size) || 56) * scale)
  return {
    scale,
    width: Math.round(width * scale),
    height: Math.round(height * scale),
    pieceSize,
    pieceTop: Math.round((Number(challenge.piece_y) || 0) * scale),
    maxOffset: Math.round(width * scale) - pieceSize,
  }
}

// --- who shows the slider -------------------------------------------------------------------

let presenters = []
let pending = null

/** A slider-captcha component on screen offers itself (the last one attached wins). */
function register(presenter) {
  presenters.push(presenter)
  return () => {
    presenters = presenters.filter((p) => p !== presenter)
  }
}

/** The 安全验证 page: opened when no page of ours hosts a slider; answers through its events. */
function askWithPage(action) {
  return new Promise((resolve) => {
    let settled = false
    const settle = (value) => {
      if (settled) return
      settled = true
      resolve(value || null)
    }
    routes
      .go(routes.withQuery(routes.PAGES.captcha, { action }), {
        events: { pass: (token) => settle(token), cancel: () => settle(null) },
      })
      .catch(() => settle(null))
  })
}

/**
 * Resolve with a captcha pass for `action`, or null when the shopper closed the slider.
 * Concurrent refusals share one slider (one drag answers all of them is not possible — each pass
 * opens one request — so later ones wait for the first and then ask again).
 */
function ask(action) {
  const run = async () => {
    const top = presenters[presenters.length - 1]
    return top ? (await top.present(action)) || null : askWithPage(action)
  }
  const next = (pending || Promise.resolve()).then(run, run)
  pending = next.then(
    () => null,
    () => null,
  )
  return next
}

function resetForTests() {
  presenters = []
  pending = null
}

client.setCaptchaHandler(({ action }) => ask(action))

module.exports = { DragRecorder, layout, register, ask, MAX_POINTS, resetForTests }
