/**
 * App entry: remember an inviter code from the launch (F04), sign in silently, send the shopper to
 * the login page only when silent sign-in and token refresh both failed, and keep the cart badge.
 */
'use strict'

const api = require('./core/api')
const auth = require('./core/auth')
const cartLogic = require('./core/cart')
require('./core/captcha') // registers the slider with request.js (403 captcha_required)
const client = require('./core/request')
const routes = require('./core/routes')
const share = require('./core/share')
const store = require('./core/store')
const ui = require('./core/ui')
const subscribe = require('./core/subscribe')
const track = require('./core/track')

function currentRoute() {
  const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : []
  const top = pages[pages.length - 1]
  return top ? `/${top.route}` : ''
}

function showCartBadge(count) {
  const done = { fail() {} } // only tab pages have a tab bar; elsewhere the call is refused
  if (count > 0) wx.setTabBarBadge(Object.assign({ index: 2, text: count > 99 ? '99+' : String(count) }, done))
  else wx.removeTabBarBadge(Object.assign({ index: 2 }, done))
}

/** The cart badge from the first screen on, not only once the cart tab was opened. */
function loadCartCount() {
  return api.cart().then((cart) => store.set('cartCount', cartLogic.count((cart && cart.items) || [])), () => {})
}

/** The shopper's answer to WeChat's privacy check: agree after reading the guide, or not. */
function askPrivacy(resolve) {
  return ui
    .confirm('使用该功能前，请阅读并同意《隐私保护指引》。', { title: '隐私保护提示', confirmText: '同意', cancelText: '拒绝' })
    .then((ok) => resolve({ event: ok ? 'agree' : 'disagree' }))
}

/** F06: a promoter's link (pc=CODE) opened this launch: tell the server once, after sign-in. */
function reportClick() {
  return share.reportPromoter((code, productId) => api.promoterClick(code, productId))
}

App({
  onLaunch(options) {
    auth.rememberInvite(options && options.query)
    share.rememberPromoter(options && options.query, options && options.path)
    share.rememberSrc(options && options.query)
    client.onAuthRequired(() => {
      if (currentRoute() !== routes.PAGES.login) routes.go(routes.PAGES.login).catch(() => {})
    })
    store.subscribe('cartCount', showCartBadge)
    // behaviour events (F37): sent every few seconds and whenever the app goes to the background
    track.start()
    // WeChat asks before a privacy-protected API (chooseAddress, getPhoneNumber …) is first used
    if (wx.onNeedPrivacyAuthorization) wx.onNeedPrivacyAuthorization(askPrivacy)
    // silent: pages that need a session retry through request.js; failures surface there
    auth.ensureLogin().then(() => Promise.all([reportClick(), loadCartCount()]), () => {})
    // the subscribe-message template map, ready before the first tap that asks (F48)
    subscribe.load().catch(() => {})
  },

  onShow(options) {
    auth.rememberInvite(options && options.query)
    share.rememberSrc(options && options.query)
    // a promoter's link opened while the app was in the background counts too
    if (share.rememberPromoter(options && options.query, options && options.path) && auth.isLoggedIn()) reportClick()
    showCartBadge(store.get('cartCount') || 0)
  },
})
