/**
 * The one way to talk to the API.
 *
 * - URL from config (apiBase, or apiBaseByEnv for the running envVersion).
 * - Bearer token from the session in the store.
 * - 401: refresh the token pair through auth/refresh once (one refresh shared by every request
 *   that got a 401 at the same time), retry once; when refresh is impossible, re-login through the
 *   registered re-login hook (auth.js) and retry once; if that fails too, emit onAuthRequired.
 * - Errors become ApiError with a friendly Chinese message (errors.js).
 * - Retries with exponential backoff ONLY when wx.request itself fails (no HTTP answer), never for
 *   a 4xx/5xx. POST is retried only when it is safe: it carries an Idempotency-Key or the caller
 *   says retry: true (a POST that may have reached the server must not be repeated blindly).
 * - 403 captcha_required (F45): the registered captcha handler (core/captcha.js) shows the
 *   slider for details.action and resolves with a pass; the refused request is repeated with
 *   `X-Captcha-Pass` (the server refused it before doing anything, so repeating is safe). A
 *   pass the server then refuses (expired, used) gets one more slider; a closed slider leaves
 *   the original refusal.
 * - Every request carries `X-Device-Id`, a random id kept on this device (block lists and risk
 *   signals of the anti-abuse guard read it).
 */
'use strict'

const config = require('../config')
const store = require('./store')
const { ApiError, fromResponse, fromNetworkFailure } = require('./errors')

const SAFE_TO_RETRY = { GET: true, HEAD: true, PUT: true, DELETE: true, PATCH: true }

// the captcha's pass was refused: show the slider again (once)
const CAPTCHA_AGAIN = ['captcha_pass_invalid', 'captcha_pass_expired', 'captcha_pass_used']
const MAX_CAPTCHA_ROUNDS = 2

/** A stable random id for this device (letters, digits and - only: the server's X-Device-Id rule). */
function deviceId() {
  let id = store.get('deviceId')
  if (!id) {
    id = `d-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`
    store.set('deviceId', id)
  }
  return id
}

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (err) {
    return 'develop'
  }
}

function apiBase(cfg) {
  const byEnv = cfg.apiBaseByEnv || {}
  return String(byEnv[envVersion()] || cfg.apiBase).replace(/\/+$/, '')
}

function encodeQuery(query) {
  if (!query) return ''
  const parts = []
  Object.keys(query).forEach((key) => {
    const value = query[key]
    if (value === undefined || value === null || value === '') return
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
  })
  return parts.length ? `?${parts.join('&')}` : ''
}

function createClient(options = {}) {
  const cfg = Object.assign({}, config, options.config)
  const reqCfg = Object.assign({ timeout: 10000, retries: 2, backoffMs: 300 }, config.request, options.request)
  const sleep = options.sleep || ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  let relogin = null
  let captchaHandler = null
  let authRequiredHandlers = []
  let refreshing = null

  function urlFor(path, query) {
    if (/^https?:\/\//.test(path)) return path + encodeQuery(query)
    return `${apiBase(cfg)}/${String(path).replace(/^\/+/, '')}${encodeQuery(query)}`
  }

  /** One wx.request; resolves with the HTTP answer whatever its status, rejects on no answer. */
  function send({ url, method, data, header }) {
    return new Promise((resolve, reject) => {
      wx.request({
        url,
        method,
        data,
        header,
        timeout: reqCfg.timeout,
        dataType: 'json',
        success: (res) => resolve(res),
        fail: (res) => reject(fromNetworkFailure(res)),
      })
    })
  }

  /** send() again after network failures only, waiting backoffMs × 2^n between attempts. */
  async function sendWithRetry(req, retryable) {
    const retries = retryable ? reqCfg.retries : 0
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await send(req)
      } catch (err) {
        if (!(err instanceof ApiError) || !err.isNetwork || attempt >= retries) throw err
        await sleep(reqCfg.backoffMs * Math.pow(2, attempt))
      }
    }
  }

  function session() {
    return store.get('session') || null
  }

  /** One refresh for everyone: concurrent 401s share the same promise. Resolves true/false. */
  function refreshTokens() {
    if (refreshing) return refreshing
    const current = session()
    if (!current || !current.refresh) return Promise.resolve(false)
    refreshing = (async () => {
      let res
      try {
        res = await sendWithRetry(
          { url: urlFor('auth/refresh'), method: 'POST', data: { refresh: current.refresh }, header: { 'content-type': 'application/json' } },
          true,
        )
      } catch (err) {
        if (err instanceof ApiError && err.isNetwork) throw err
        return false
      }
      if (res.statusCode >= 200 && res.statusCode < 300 && res.data && res.data.access) {
        store.set('session', Object.assign({}, session(), { access: res.data.access, refresh: res.data.refresh || current.refresh }))
        return true
      }
      return false
    })()
    const clear = () => {
      refreshing = null
    }
    refreshing.then(clear, clear)
    return refreshing
  }

  function authRequired(err) {
    store.set('session', null)
    authRequiredHandlers.forEach((fn) => {
      try {
        fn(err)
      } catch (e) {
        // a handler's failure must not hide the original error
      }
    })
  }

  /**
   * request(path, {method, data, query, auth, header, idempotencyKey, retry})
   * auth: true (default) attaches the token when there is one and recovers from 401;
   *       false sends no token (login endpoints).
   * captcha: false leaves a 403 captcha_required to the caller (the captcha endpoints themselves).
   */
  async function request(path, opts = {}) {
    const method = (opts.method || 'GET').toUpperCase()
    const useAuth = opts.auth !== false
    const header = Object.assign({ 'content-type': 'application/json', 'X-Device-Id': deviceId() }, opts.header)
    if (opts.idempotencyKey) header['Idempotency-Key'] = opts.idempotencyKey
    const retryable = opts.retry !== undefined ? !!opts.retry : !!(SAFE_TO_RETRY[method] || opts.idempotencyKey)
    const url = urlFor(path, opts.query)

    const attempt = () => {
      const token = useAuth && session() ? session().access : null
      const h = Object.assign({}, header)
      if (token) h.Authorization = `Bearer ${token}`
      return sendWithRetry({ url, method, data: opts.data, header: h }, retryable).then((res) => ({ res, token }))
    }

    let { res, token } = await attempt()
    if (res.statusCode === 401 && useAuth) {
      const now = session()
      let recovered = false
      if (token && now && now.access && now.access !== token) {
        recovered = true // someone refreshed or logged in while this request was in flight
      } else if (token && (await refreshTokens())) {
        recovered = true
      } else if (relogin) {
        try {
          await relogin()
          recovered = !!(session() && session().access)
        } catch (err) {
          if (err instanceof ApiError && err.isNetwork) throw err
          recovered = false
        }
      }
      if (recovered) ({ res } = await attempt())
      if (res.statusCode === 401) {
        const err = fromResponse(res)
        authRequired(err)
        throw err
      }
    }
    let captchaAction = ''
    for (let round = 0; res.statusCode === 403 && captchaHandler && opts.captcha !== false && round < MAX_CAPTCHA_ROUNDS; round += 1) {
      const err = fromResponse(res)
      // a pass refused after the slider (expired while the shopper hesitated, used): slide again
      if (err.code !== 'captcha_required' && !(round > 0 && CAPTCHA_AGAIN.indexOf(err.code) >= 0)) break
      captchaAction = (err.details && err.details.action) || captchaAction
      const pass = await captchaHandler({ action: captchaAction, error: err })
      if (!pass) throw err
      header['X-Captcha-Pass'] = pass // attempt() reads the header afresh
      ;({ res } = await attempt())
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return res.data === '' || res.data === undefined ? null : res.data
    }
    throw fromResponse(res)
  }

  return {
    request,
    get: (path, query, opts) => request(path, Object.assign({}, opts, { method: 'GET', query })),
    post: (path, data, opts) => request(path, Object.assign({}, opts, { method: 'POST', data })),
    patch: (path, data, opts) => request(path, Object.assign({}, opts, { method: 'PATCH', data })),
    put: (path, data, opts) => request(path, Object.assign({}, opts, { method: 'PUT', data })),
    del: (path, opts) => request(path, Object.assign({}, opts, { method: 'DELETE' })),
    refreshTokens,
    urlFor,
    /** auth.js registers how to sign in again when refresh is impossible. */
    setRelogin(fn) {
      relogin = fn
    },
    /** core/captcha.js registers how to get a pass: fn({action, error}) → Promise<pass | null>. */
    setCaptchaHandler(fn) {
      captchaHandler = fn
    },
    /** Called (with the ApiError) when the shopper must sign in by hand. */
    onAuthRequired(fn) {
      authRequiredHandlers.push(fn)
      return () => {
        authRequiredHandlers = authRequiredHandlers.filter((f) => f !== fn)
      }
    },
  }
}

const client = createClient()

module.exports = client
module.exports.createClient = createClient
module.exports.encodeQuery = encodeQuery
