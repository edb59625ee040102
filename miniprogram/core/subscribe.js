/**
 * Subscribe messages (F48): ask the shopper, at the moments that matter, for the WeChat
 * templates of the messages that follow from them, and tell the server what they answered.
 *
 * WeChat delivers a subscribe message only after the shopper accepted its template in
 * wx.requestSubscribeMessage, one push per accept. The server says which templates the merchant
 * mapped and which to ask for at each moment (GET subscribe/templates, loaded once):
 *   paid             after paying an order
 *   group_open/join  after paying a group order (拼团成功 / 拼团失败)
 *   bargain_start    starting a bargain (砍价成功 / 砍价结束)
 *   restock_reserve  reserving a restock (补货提醒)
 *   coupon_claim     claiming a coupon (优惠券即将过期)
 *   checkin          checking in (签到提醒 the next day)
 *   team             opening or joining a team split team (瓜分成功 / 组队未达标)
 * The answer ({tmplId: 'accept' | 'reject' | 'ban' | 'filter'}) goes to POST me/subscriptions.
 *
 * WeChat shows its dialog only from a tap or a payment callback, so ask() calls
 * wx.requestSubscribeMessage synchronously when the map is loaded (pages load it on load;
 * tap handlers call ask() before their first await). Asking never rejects and never blocks
 * what the shopper was doing: a refusal, an old WeChat or a network error resolves null.
 */
'use strict'

const api = require('./api')

// WeChat takes at most three template ids per call
const MAX_TMPL_IDS = 3

let map = null
let loading = null

function normalise(res) {
  const moments = {}
  const source = (res && res.moments) || {}
  Object.keys(source).forEach((moment) => {
    moments[moment] = (Array.isArray(source[moment]) ? source[moment] : []).filter((id) => typeof id === 'string' && id)
  })
  return { templates: (res && Array.isArray(res.templates) ? res.templates : []), moments }
}

/** The template map, fetched once (a failed fetch is tried again next time). */
function load() {
  if (map) return Promise.resolve(map)
  if (!loading) {
    loading = api.subscribeTemplates().then(
      (res) => {
        map = normalise(res)
        loading = null
        return map
      },
      (err) => {
        loading = null
        throw err
      },
    )
  }
  return loading
}

/** The template ids to ask for at these moments (distinct, at most three, in the server's order). */
function tmplIdsFor(moments, from) {
  const source = from || map
  const ids = []
  if (!source) return ids
  moments.forEach((moment) => {
    ;(source.moments[moment] || []).forEach((id) => {
      if (ids.indexOf(id) < 0) ids.push(id)
    })
  })
  return ids.slice(0, MAX_TMPL_IDS)
}

function requestSubscribe(tmplIds) {
  return new Promise((resolve) => {
    if (typeof wx.requestSubscribeMessage !== 'function') return resolve(null)
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => resolve(res || null),
      // the shopper switched subscriptions off, or WeChat refused the call: nothing to record
      fail: () => resolve(null),
    })
  })
}

/** Post WeChat's answer for the asked ids; resolves {results, credits} (credits null if not recorded). */
function record(tmplIds, answer, moment) {
  const results = {}
  tmplIds.forEach((id) => {
    if (typeof answer[id] === 'string') results[id] = answer[id]
  })
  if (!Object.keys(results).length) return Promise.resolve(null)
  return api.subscribeRecord(results, moment).then(
    (res) => ({ results, credits: (res && res.credits) || {} }),
    () => ({ results, credits: null }),
  )
}

function askWith(current, moments) {
  const tmplIds = tmplIdsFor(moments, current)
  if (!tmplIds.length) return Promise.resolve(null)
  return requestSubscribe(tmplIds).then((answer) => (answer ? record(tmplIds, answer, moments[moments.length - 1]) : null))
}

/**
 * Ask for the templates of `moment` (a name or a list of names). Resolves {results, credits}
 * when the shopper answered, null when there was nothing to ask or no answer.
 */
function ask(moment) {
  const moments = (Array.isArray(moment) ? moment : [moment]).filter(Boolean)
  // loaded: straight to WeChat, still inside the tap or payment callback
  if (map) return askWith(map, moments)
  return load().then(
    (loaded) => askWith(loaded, moments),
    () => null,
  )
}

/** The moments after paying `order` (group orders: opening or joining the group). */
function momentsAfterPaying(order, deal) {
  const kind = (deal && deal.kind) || (order && order.deal_kind) || ''
  if (kind !== 'group') return ['paid']
  if (!deal) return ['paid', 'group_open', 'group_join'] // paid later from the order pages
  return ['paid', deal.params && deal.params.share_token ? 'group_join' : 'group_open']
}

/** Tests: forget the loaded map. */
function reset() {
  map = null
  loading = null
}

module.exports = { load, ask, tmplIdsFor, momentsAfterPaying, reset, MAX_TMPL_IDS }
