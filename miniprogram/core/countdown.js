/**
 * Honest countdowns (F02, F11, F43, F46): the phone's clock may be minutes off, so every
 * countdown runs on server time = Date.now() + offset, where the offset comes from
 * GET server-time ({now, timestamp_ms}) or the home payload's server_time. Each tick recomputes
 * from the clock instead of decrementing, so a paused or throttled timer never drifts.
 */
'use strict'

const store = require('./store')

const STATE_LABELS = {
  upcoming: '即将开始',
  running: '进行中',
  ended: '已结束',
}

function toMs(value) {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value // seconds or ms
  if (value instanceof Date) return value.getTime()
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : ms
}

/**
 * Record the server clock. serverTime: ISO string, ms, or {now, timestamp_ms}. sentAt/receivedAt
 * (local ms around the request) let half the round trip be credited to the server's answer.
 */
function syncServerTime(serverTime, sentAt, receivedAt) {
  let serverMs = null
  if (serverTime && typeof serverTime === 'object' && !(serverTime instanceof Date)) {
    serverMs = toMs(serverTime.timestamp_ms !== undefined ? serverTime.timestamp_ms : serverTime.now)
  } else {
    serverMs = toMs(serverTime)
  }
  if (serverMs === null) return offset()
  const local = receivedAt || Date.now()
  const rtt = sentAt && receivedAt ? Math.max(0, receivedAt - sentAt) : 0
  const value = Math.round(serverMs + rtt / 2 - local)
  store.set('serverOffset', value)
  return value
}

function offset() {
  return store.get('serverOffset') || 0
}

/** The server's "now" in ms. */
function now() {
  return Date.now() + offset()
}

function pad(n) {
  return n < 10 ? `0${n}` : String(n)
}

/** Split ms into parts; negative → zeros. text: "01:02:03", or "2天 01:02:03" past a day. */
function format(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000))
  const days = Math.floor(total / 86400)
  const hours = Math.floor((total % 86400) / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const clock = `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`
  return {
    days,
    hours: pad(hours),
    minutes: pad(minutes),
    seconds: pad(seconds),
    totalSeconds: total,
    text: days > 0 ? `${days}天 ${clock}` : clock,
  }
}

/**
 * Where a time window stands at server time `at`:
 * {state: 'upcoming'|'running'|'ended', label, remaining (ms to the next edge), target (ms)}.
 */
function slotState(startAt, endAt, at, labels) {
  const t = at === undefined || at === null ? now() : at
  const start = toMs(startAt)
  const end = toMs(endAt)
  const names = Object.assign({}, STATE_LABELS, labels)
  let state
  let target = null
  if (start !== null && t < start) {
    state = 'upcoming'
    target = start
  } else if (end === null || t < end) {
    state = 'running'
    target = end
  } else {
    state = 'ended'
  }
  return { state, label: names[state], target, remaining: target === null ? 0 : Math.max(0, target - t) }
}

/**
 * Tick every `interval` ms until `target` (server ms); onTick(format(remaining)) then onEnd() once.
 * Returns stop(). The first tick is synchronous so the screen never shows a blank.
 */
function startTicker({ target, onTick, onEnd, interval = 1000 }) {
  const targetMs = toMs(target)
  let timer = null
  let done = false
  function stop() {
    if (timer !== null) clearInterval(timer)
    timer = null
  }
  function tick() {
    if (done) return
    const remaining = targetMs === null ? 0 : targetMs - now()
    if (onTick) onTick(format(remaining), remaining)
    if (remaining <= 0) {
      done = true
      stop()
      if (onEnd) onEnd()
    }
  }
  tick()
  if (!done) timer = setInterval(tick, interval)
  return stop
}

/**
 * "2025-06-18T10:00:00.123+08:00" → "2025-06-18 10:00". The API writes times in the shop's zone
 * (Asia/Shanghai), which is what the shopper reads, so the text is cut, not converted.
 */
function dateTimeText(iso) {
  if (!iso || typeof iso !== 'string') return ''
  return iso.replace('T', ' ').slice(0, 16)
}

module.exports = { STATE_LABELS, dateTimeText, toMs, syncServerTime, offset, now, format, slotState, startTicker }
