/**
 * A stand-in for the `wx` global: network through a fake server (routes keyed "METHOD path",
 * path relative to the API base), in-memory storage, and recorded calls for every UI API.
 * Each network answer is delivered asynchronously, as WeChat does.
 */
'use strict'

const { responseProblems } = require('./openapi')

const BASE = 'http://127.0.0.1:8000/api/v1/'
// what the fake server says to a request no test routed (not a fixture: not checked)
const UNROUTED = Object.freeze([404, Object.freeze({ code: 'not_found', message: '找不到该对象。', details: {} })])

/** Answers the fake server gave that the real API could not, since the last check. */
const contractProblems = []

function createWx(options = {}) {
  const storage = {}
  const calls = { request: [], toast: [], modal: [], navigate: [], payment: [], subscribe: [], login: 0 }
  const routes = {}
  let loginCount = 0
  const wx = {
    __calls: calls,
    __storage: storage,
    __modalAnswer: true,
    __paymentResult: { errMsg: 'requestPayment:ok' },
    __paymentFails: false,
    __loginFails: false,
    // wx.requestSubscribeMessage: the shopper's answer per tmplId ('accept' unless set), or
    // __subscribeFails = {errMsg, errCode} (subscriptions switched off, not from a tap …)
    __subscribeAnswer: {},
    __subscribeFails: null,
    __envVersion: options.envVersion || 'develop',
    // transport tests with made-up paths ("GET x") set this to skip the OpenAPI check
    __offContract: false,

    /** route('GET products/1', (req) => [200, body]) ; a handler may return {fail: 'errMsg'} */
    route(key, handler) {
      routes[key] = handler
      return wx
    },

    request(req) {
      const full = req.url
      const [pathPart, queryPart] = full.slice(full.startsWith(BASE) ? BASE.length : 0).split('?')
      const query = {}
      ;(queryPart || '').split('&').filter(Boolean).forEach((kv) => {
        const [k, v] = kv.split('=')
        query[decodeURIComponent(k)] = decodeURIComponent(v || '')
      })
      const record = { method: req.method || 'GET', path: pathPart, query, data: req.data, header: req.header || {} }
      calls.request.push(record)
      const handler = routes[`${record.method} ${pathPart}`]
      Promise.resolve().then(() => {
        let out
        try {
          out = handler ? handler(record) : UNROUTED
        } catch (err) {
          out = [500, 'server exploded']
        }
        if (out && out.fail) {
          req.fail && req.fail({ errMsg: out.fail })
          req.complete && req.complete()
          return
        }
        const [statusCode, data] = out
        // the fake server may only say what the real API can (tests/helpers/contract.js fails the test)
        if (!wx.__offContract && out !== UNROUTED) responseProblems(record.method, pathPart, statusCode, data).forEach((p) => contractProblems.push(p))
        req.success && req.success({ statusCode, data, header: {} })
        req.complete && req.complete()
      })
      return { abort() {} }
    },

    login(opts) {
      calls.login += 1
      loginCount += 1
      Promise.resolve().then(() => {
        if (wx.__loginFails) opts.fail && opts.fail({ errMsg: 'login:fail' })
        else opts.success && opts.success({ code: `wx-code-${loginCount}`, errMsg: 'login:ok' })
      })
    },

    requestPayment(opts) {
      calls.payment.push(opts)
      Promise.resolve().then(() => {
        if (wx.__paymentFails) opts.fail && opts.fail(wx.__paymentFails === 'cancel' ? { errMsg: 'requestPayment:fail cancel' } : { errMsg: 'requestPayment:fail' })
        else opts.success && opts.success(wx.__paymentResult)
      })
    },

    requestSubscribeMessage(opts) {
      calls.subscribe.push({ tmplIds: opts.tmplIds.slice() })
      Promise.resolve().then(() => {
        if (wx.__subscribeFails) {
          opts.fail && opts.fail(wx.__subscribeFails)
          return
        }
        const res = { errMsg: 'requestSubscribeMessage:ok' }
        opts.tmplIds.forEach((id) => (res[id] = wx.__subscribeAnswer[id] || 'accept'))
        opts.success && opts.success(res)
      })
    },

    getStorageSync: (k) => (k in storage ? storage[k] : ''),
    setStorageSync: (k, v) => {
      storage[k] = v
    },
    removeStorageSync: (k) => {
      delete storage[k]
    },
    getAccountInfoSync: () => ({ miniProgram: { envVersion: wx.__envVersion, appId: 'touristappid' } }),

    showToast: (o) => calls.toast.push(o.title),
    // the address WeChat keeps for the shopper; set __chosenAddress to null to act as a cancel
    __chosenAddress: null,
    chooseAddress(o) {
      Promise.resolve().then(() => (wx.__chosenAddress ? o.success(wx.__chosenAddress) : o.fail({ errMsg: 'chooseAddress:fail cancel' })))
    },
    showModal: (o) => {
      calls.modal.push(o.content)
      Promise.resolve().then(() => o.success && o.success({ confirm: !!wx.__modalAnswer, cancel: !wx.__modalAnswer }))
    },
    navigateTo: (o) => {
      calls.navigate.push({ type: 'navigateTo', url: o.url, events: o.events })
      o.success && o.success({ eventChannel: { emit() {} } })
    },
    redirectTo: (o) => {
      calls.navigate.push({ type: 'redirectTo', url: o.url })
      o.success && o.success()
    },
    switchTab: (o) => {
      calls.navigate.push({ type: 'switchTab', url: o.url })
      o.success && o.success()
    },
    navigateBack: (o) => {
      calls.navigate.push({ type: 'navigateBack', delta: (o && o.delta) || 1 })
      o && o.complete && o.complete()
    },
    // what TDesign asks of the device when its components load (common/version.js, utils.js)
    getAppBaseInfo: () => ({ SDKVersion: '3.0.0', platform: 'devtools', language: 'zh_CN', theme: 'light' }),
    getDeviceInfo: () => ({ platform: 'devtools', system: 'iOS 17.0', brand: 'devtools', model: 'iPhone 13' }),
    getWindowInfo: () => ({ pixelRatio: 2, screenWidth: 375, screenHeight: 812, windowWidth: 375, windowHeight: 812, statusBarHeight: 44, safeArea: { top: 44, bottom: 778, left: 0, right: 375, width: 375, height: 734 } }),
    getSystemInfoSync: () => Object.assign(wx.getAppBaseInfo(), wx.getDeviceInfo(), wx.getWindowInfo()),
    nextTick: (fn) => Promise.resolve().then(fn),
    setNavigationBarTitle() {},
    stopPullDownRefresh() {},
    previewImage() {},
    setClipboardData() {},
    setTabBarBadge() {},
    removeTabBarBadge() {},
  }
  return wx
}

/** Let every pending promise and fake network answer settle. */
async function flush(times = 20) {
  for (let i = 0; i < times; i += 1) await new Promise((r) => setTimeout(r, 0))
}

module.exports = { createWx, flush, BASE, contractProblems }
