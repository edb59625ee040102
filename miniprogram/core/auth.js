/**
 * Signing in (P02). wx.login gives a one-time code; auth/wechat-login turns it into a JWT pair
 * (the server keeps session_key). A first login passes the inviter's code (F04) remembered from
 * the launch query. In development (or with config.loginMode 'dev') auth/dev-login signs in a
 * development shopper instead, with an openid kept on this device so the same one comes back.
 *
 * In development the server usually has no WECHAT_APPID: auth/wechat-login answers 503
 * wechat_unavailable and (with loginMode 'auto', outside release builds) auth/dev-login is used.
 *
 * login() is single-flight: a launch login, a re-login after a failed refresh and a tap on the
 * login button share one round trip.
 */
'use strict'

const config = require('../config')
const store = require('./store')
const client = require('./request')
const { ApiError } = require('./errors')

// Failures of the WeChat login after which a development build tries auth/dev-login: the server
// cannot reach WeChat (a server without WECHAT_APPID answers 503 wechat_unavailable), or wx.login
// itself failed (DevTools with the touristappid placeholder). If dev-login is not there either
// (404: DEV_LOGIN_ENABLED off), the original WeChat error is reported.
const DEV_LOGIN_SIGNALS = ['wechat_unavailable', 'wechat_login_failed', 'wechat_not_configured', 'dev_login_required']

let inflight = null

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (err) {
    return 'develop'
  }
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => {
        if (res && res.code) resolve(res.code)
        else reject(new ApiError({ code: 'wechat_login_failed', details: { errMsg: res && res.errMsg } }))
      },
      fail: (res) => reject(new ApiError({ code: 'wechat_login_failed', details: { errMsg: res && res.errMsg } })),
    })
  })
}

function saysDevLogin(err) {
  if (!(err instanceof ApiError)) return false
  return DEV_LOGIN_SIGNALS.indexOf(err.code) >= 0 || !!(err.details && err.details.dev_login)
}

function devOpenid() {
  let openid = store.get('devOpenid')
  if (!openid) {
    openid = `dev-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
    store.set('devOpenid', openid)
  }
  return openid
}

function saveSession(res) {
  store.set('session', { access: res.access, refresh: res.refresh })
  if (res.member) store.set('member', res.member)
  // the inviter code counts at the first registration only; after any login it is spent
  store.set('inviteCode', null)
  return res
}

async function devLogin({ nickname } = {}) {
  const body = { nickname: nickname || config.devNickname, openid: devOpenid() }
  const invite = store.get('inviteCode')
  if (invite) body.invite_code = invite
  const res = await client.post('auth/dev-login', body, { auth: false })
  return saveSession(res)
}

async function wechatLogin() {
  const code = await wxLogin()
  const body = { code }
  const invite = store.get('inviteCode')
  if (invite) body.invite_code = invite
  // not retried: a code is single use, a retry after a lost answer would be refused
  const res = await client.post('auth/wechat-login', body, { auth: false, retry: false })
  return saveSession(res)
}

async function doLogin(opts) {
  const mode = config.loginMode
  if (mode === 'dev') return devLogin(opts)
  try {
    return await wechatLogin()
  } catch (err) {
    if (mode !== 'auto' || envVersion() === 'release' || !saysDevLogin(err)) throw err
    try {
      return await devLogin(opts)
    } catch (devErr) {
      throw devErr instanceof ApiError && devErr.code === 'not_found' ? err : devErr
    }
  }
}

/** Sign in; resolves with {access, refresh, is_new, member}. Concurrent callers share one login. */
function login(opts = {}) {
  if (inflight) return inflight
  inflight = doLogin(opts).then(
    (res) => {
      inflight = null
      return res
    },
    (err) => {
      inflight = null
      throw err
    },
  )
  return inflight
}

function isLoggedIn() {
  const s = store.get('session')
  return !!(s && s.access)
}

/** Make sure there is a session (silent wx.login when missing). */
function ensureLogin() {
  return isLoggedIn() ? Promise.resolve(store.get('session')) : login()
}

function logout() {
  store.set('session', null)
  store.set('member', null)
  store.set('cartCount', 0)
}

/** Remember an inviter code from the launch query / scene (F04) for the first login. */
function rememberInvite(query) {
  if (!query) return
  let code = query.invite || query.invite_code
  if (!code && query.scene) {
    const scene = decodeURIComponent(query.scene)
    const m = /(?:^|&)invite=([^&]+)/.exec(scene)
    if (m) code = m[1]
  }
  if (code && !isLoggedIn()) store.set('inviteCode', String(code).slice(0, 16))
}

client.setRelogin(() => login())

module.exports = { login, devLogin, ensureLogin, isLoggedIn, logout, rememberInvite, DEV_LOGIN_SIGNALS, saysDevLogin }
