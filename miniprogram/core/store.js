/**
 * Tiny shared state: a few keys (session, member, cartCount, serverOffset, inviteCode) that pages
 * read and watch. Keys listed in PERSISTED survive restarts through wx storage.
 */
'use strict'

const PERSISTED = {
  session: 'duoying.session',
  // the shopper's profile (invite code for shares, points for checkout) survives a cold start
  member: 'duoying.member',
  inviteCode: 'duoying.inviteCode',
  devOpenid: 'duoying.devOpenid',
  deviceId: 'duoying.deviceId',
  promoterCode: 'duoying.promoterCode',
  myPromoterCode: 'duoying.myPromoterCode',
  // issue 15: the push or share that brought the shopper, sent with the order (core/share.js)
  trackingSrc: 'duoying.trackingSrc',
  // F24: a live room's share token per room id, for its 粉丝专属价 (core/live.js)
  liveShares: 'duoying.liveShares',
}

let state = {}
let listeners = {}

function storage() {
  return typeof wx !== 'undefined' && wx.getStorageSync ? wx : null
}

function get(key) {
  if (!(key in state) && PERSISTED[key]) {
    const s = storage()
    let value = null
    if (s) {
      try {
        value = s.getStorageSync(PERSISTED[key]) || null
      } catch (err) {
        value = null
      }
    }
    state[key] = value
  }
  return state[key] === undefined ? null : state[key]
}

function set(key, value) {
  const old = get(key)
  state[key] = value
  if (PERSISTED[key]) {
    const s = storage()
    if (s) {
      try {
        if (value === null || value === undefined) s.removeStorageSync(PERSISTED[key])
        else s.setStorageSync(PERSISTED[key], value)
      } catch (err) {
        // storage full or unavailable: state still lives in memory for this run
      }
    }
  }
  if (old !== value) (listeners[key] || []).slice().forEach((fn) => fn(value, old))
  return value
}

/** Call fn(value, old) whenever key changes; returns the unsubscribe function. */
function subscribe(key, fn) {
  ;(listeners[key] = listeners[key] || []).push(fn)
  return () => {
    listeners[key] = (listeners[key] || []).filter((f) => f !== fn)
  }
}

/** Forget everything in memory (tests, logout keeps persisted keys unless set to null). */
function reset() {
  state = {}
  listeners = {}
}

module.exports = { get, set, subscribe, reset, PERSISTED }
