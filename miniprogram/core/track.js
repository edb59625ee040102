/**
 * Behaviour tracker (F37): events of the server's catalogue (analytics/catalogue.py) queued here
 * and sent in batches of at most 50 to POST events/batch — when the app goes to the background
 * (wx.onAppHide), every FLUSH_MS while it runs, and at once when 50 are waiting.
 *
 * - Anonymous before sign-in: every batch names this device's id (the same `deviceId` request.js
 *   sends as X-Device-Id); a batch sent signed in carries the token, and the server then joins
 *   the device — and the events it sent before — to the shopper.
 * - Page dwell: pages call pageShow(route) / pageHide(route) (onShow, onHide, onUnload); the hide
 *   sends page_view with the time since the show (`withPage` wires the three for a page).
 * - Marked taps: an element with data-track="home.banner" calls tap(e, route) in its handler.
 * - Never in the shopper's way: a failed send keeps the events for the next flush (at most
 *   MAX_QUEUE, oldest dropped), a refused batch (4xx) is dropped, nothing is ever shown.
 */
'use strict'

const client = require('./request')
const store = require('./store')

const MAX_BATCH = 50
const MAX_QUEUE = 500
const FLUSH_MS = 15000
const MAX_DWELL_MS = 6 * 60 * 60 * 1000

let queue = []
let shown = {} // route → {at, props}
let sending = null
let timer = null
const sessionId = `s-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`

function anonId() {
  let id = store.get('deviceId')
  if (!id) {
    id = `d-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`
    store.set('deviceId', id)
  }
  return id
}

/** A route without its leading slash and query ("/pages/home/index?x=1" → "pages/home/index"). */
function routeOf(route) {
  return String(route || '').replace(/^\//, '').split('?')[0]
}

/** Only the properties that have a value (the server refuses null for a typed property). */
function clean(props) {
  const out = {}
  Object.keys(props || {}).forEach((key) => {
    const value = props[key]
    if (value !== undefined && value !== null && value !== '' && !(typeof value === 'number' && isNaN(value))) out[key] = value
  })
  return out
}

/** Queue one event; sends at once when a full batch waits. */
function track(name, props, at) {
  queue.push({ name, session: sessionId, ts: at || Date.now(), props: clean(props) })
  if (queue.length > MAX_QUEUE) queue = queue.slice(queue.length - MAX_QUEUE)
  if (queue.length >= MAX_BATCH) flush()
}

function post(batch, withToken) {
  const session = store.get('session')
  const header = withToken && session && session.access ? { Authorization: `Bearer ${session.access}` } : {}
  return client.post('events/batch', { anon_id: anonId(), events: batch }, { auth: false, retry: false, captcha: false, header })
}

async function sendBatch(batch) {
  try {
    await post(batch, true)
  } catch (err) {
    if (err && err.status === 401) {
      // an expired token: the events still count, for the device
      return post(batch, false).then(() => true, () => false)
    }
    // refused as malformed: dropping it is all we can do; no answer, 429 or 5xx: try again later
    return !!(err && err.status && err.status < 500 && err.status !== 429)
  }
  return true
}

/** Send everything queued, a batch at a time; resolves when done (one flush at a time). */
function flush() {
  if (sending) return sending
  if (!queue.length) return Promise.resolve()
  sending = (async () => {
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH)
      if (!(await sendBatch(batch))) {
        queue = batch.concat(queue).slice(0, MAX_QUEUE)
        break
      }
    }
  })().finally(() => {
    sending = null
  })
  return sending
}

function pageShow(route, props) {
  shown[routeOf(route)] = { at: Date.now(), props: props || {} }
}

/** The page left: page_view with its dwell (props given here add to those of the show). */
function pageHide(route, props) {
  const page = routeOf(route)
  const seen = shown[page]
  if (!seen) return
  delete shown[page]
  const dwell = Math.max(0, Math.min(MAX_DWELL_MS, Date.now() - seen.at))
  track('page_view', Object.assign({ page }, seen.props, props, { dwell_ms: dwell }), seen.at)
}

/** A tap on an element marked data-track="<element id>" (other data-track-* fields are ignored). */
function tap(e, route, props) {
  const dataset = (e && e.currentTarget && e.currentTarget.dataset) || {}
  if (!dataset.track) return
  track('tap', Object.assign({ page: routeOf(route), element: String(dataset.track).slice(0, 64) }, props))
}

/**
 * A page's methods with dwell tracking around onShow / onHide / onUnload (each still runs the
 * page's own). `this.trackProps` (e.g. {product_id}) is added to the page view when it is sent.
 */
function withPage(route, methods) {
  const own = Object.assign({}, methods)
  const chain = (name, before) => {
    const original = own[name]
    return function chained(...args) {
      before.call(this)
      return original ? original.apply(this, args) : undefined
    }
  }
  return Object.assign({}, own, {
    onShow: chain('onShow', function show() {
      pageShow(route)
    }),
    onHide: chain('onHide', function hide() {
      pageHide(route, this.trackProps)
    }),
    onUnload: chain('onUnload', function unload() {
      pageHide(route, this.trackProps)
    }),
  })
}

/** The app starts the clock and sends what is queued whenever it goes to the background. */
function start() {
  if (timer) return
  timer = setInterval(() => flush(), FLUSH_MS)
  if (wx.onAppHide) wx.onAppHide(() => flush())
}

function stop() {
  if (timer) clearInterval(timer)
  timer = null
}

/** Tests: forget the queue and the shown pages. */
function reset() {
  stop()
  queue = []
  shown = {}
  sending = null
}

module.exports = {
  MAX_BATCH,
  FLUSH_MS,
  track,
  flush,
  pageShow,
  pageHide,
  tap,
  withPage,
  start,
  stop,
  reset,
  anonId,
  sessionId,
  pending: () => queue.slice(),
}
