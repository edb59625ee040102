/**
 * Sharing (F03, F04, F05, F06): every shared card carries who shared it.
 *
 * - `invite` = the sharer's member invite code (F04): a friend's FIRST login names them as
 *   inviter (auth.js rememberInvite → invite_code at login).
 * - `pc` = the sharer's promoter code when they are a promoter (F06): the visit is reported
 *   to the server once per code after sign-in (attribution: the last click counts).
 * - the tool's own token (a group's or a bargain's share token) is the page's own query.
 *
 * Launch query or QR scene (`scene=invite%3DAB12%26pc%3DP1A2B3C4D`) both work. Codes are cut to
 * 16 characters (the server's length) and only [A-Za-z0-9] is kept.
 */
'use strict'

const live = require('./live')
const routes = require('./routes')
const store = require('./store')

function clean(code) {
  const s = String(code || '').replace(/[^A-Za-z0-9]/g, '').slice(0, 16)
  return s || ''
}

/** The launch query with a QR scene's pairs merged in (the scene wins nothing over the query). */
function launchParams(query) {
  const q = Object.assign({}, query || {})
  if (q.scene) {
    decodeURIComponent(String(q.scene))
      .split('&')
      .forEach((pair) => {
        const [k, v] = pair.split('=')
        if (k && v !== undefined && q[k] === undefined) q[k] = v
      })
  }
  return q
}

/**
 * Remember a promoter code from the launch (with the product when the link was a product page);
 * it is reported once per code (reportPromoter). `path` is the launch page ("pages/product/index").
 */
function rememberPromoter(query, path) {
  const q = launchParams(query)
  const code = clean(q.pc)
  if (!code) return ''
  const current = store.get('promoterCode')
  if (!current || current.code !== code) {
    const productId = /product\/index$/.test(String(path || '')) && Number(q.id) > 0 ? Number(q.id) : null
    store.set('promoterCode', { code, productId, reported: false })
  }
  return code
}

/**
 * Issue 15: the tracking parameter of the push or share that opened the mini-program
 * (`src=msg:12`, `src=seg:3`, `src=journey:5`, `src=share`, `src=live:7`; a topic page sets `topic:7`),
 * kept for SRC_DAYS and sent with the order placement so the server can attribute the order to the
 * campaign. Anything else is ignored. A product opened from a live room's goods gets the room's
 * `src` inside the live plugin's `custom_params` (core/live.js).
 */
const SRC_PATTERN = /^(msg|message|seg|segment|journey|share|topic|live)(:\d{1,18})?$/
const SRC_DAYS = 7

function cleanSrc(value) {
  let text = String(value || '').trim().toLowerCase().slice(0, 64)
  try {
    text = decodeURIComponent(text)
  } catch (e) {
    return ''
  }
  return SRC_PATTERN.test(text) ? text : ''
}

/** Remember `src` from a launch or show query (the latest one wins); returns it or ''. */
function rememberSrc(query, now) {
  const q = launchParams(query)
  const src = cleanSrc(q.src) || cleanSrc(live.srcFromCustomParams(q))
  if (src) store.set('trackingSrc', { src, at: now || Date.now() })
  return src
}

/** The remembered `src` while it is fresh, else ''. */
function currentSrc(now) {
  const kept = store.get('trackingSrc')
  if (!kept || !kept.src) return ''
  if ((now || Date.now()) - kept.at > SRC_DAYS * 24 * 3600 * 1000) return ''
  return cleanSrc(kept.src)
}

/**
 * Report a remembered, unreported promoter code with send(code, productId) → Promise
 * (POST promoter/clicks). Reported once: an answer of the server settles it — a click counted,
 * or refused for good (unknown code, the shopper's own code, distribution closed); only a
 * network failure or a 5xx keeps it for the next launch.
 */
let reporting = null

function reportPromoter(send) {
  // launch and show both ask: one report in flight at a time
  if (!reporting) reporting = sendReport(send).finally(() => (reporting = null))
  return reporting
}

async function sendReport(send) {
  const current = store.get('promoterCode')
  if (!current || current.reported || typeof send !== 'function') return false
  let counted = true
  try {
    await send(current.code, current.productId || null)
  } catch (err) {
    if (!err || !err.status || err.status >= 500 || err.status === 401 || err.status === 429) return false
    counted = false
  }
  store.set('promoterCode', Object.assign({}, current, { reported: true }))
  return counted
}

/**
 * The sharer's codes to put in a shared path: {invite, pc} (empty ones left out), and
 * `src=share` so an order placed from a shared card is attributed to sharing (issue 15) —
 * `src=share:<id>` when the card names what was shared (a campaign's card: its id), which the
 * order keeps as its `src` and the attribution reports per campaign.
 */
function sharerQuery(src) {
  const member = store.get('member')
  const out = {}
  const invite = clean(member && member.invite_code)
  if (invite) out.invite = invite
  const promoter = store.get('myPromoterCode')
  if (clean(promoter)) out.pc = clean(promoter)
  const named = cleanSrc(src)
  out.src = /^share(:\d+)?$/.test(named) ? named : 'share'
  return out
}

/** A path with the tool's query and the sharer's codes: "/package-social/group/index?token=…&invite=…". */
function sharePath(page, query, src) {
  return routes.withQuery(page, Object.assign({}, query, sharerQuery(src)))
}

/** What onShareAppMessage returns: {title, path, imageUrl?}. */
function shareMessage({ title, page, query, imageUrl, src }) {
  const out = { title: title || '多营商城', path: sharePath(page || routes.PAGES.home, query, src) }
  if (imageUrl) out.imageUrl = imageUrl
  return out
}

/**
 * What onShareTimeline returns: {title, query, imageUrl?}. A 朋友圈 share reopens the page it was
 * shared from, so only the query travels (with the sharer's invite and promoter codes).
 */
function shareTimeline({ title, query, imageUrl, src }) {
  const path = routes.withQuery('', Object.assign({}, query, sharerQuery(src)))
  const out = { title: title || '多营商城', query: path.charAt(0) === '?' ? path.slice(1) : path }
  if (imageUrl) out.imageUrl = imageUrl
  return out
}

module.exports = {
  cleanSrc,
  rememberSrc,
  currentSrc,
  SRC_DAYS,
  launchParams,
  rememberPromoter,
  reportPromoter,
  sharerQuery,
  sharePath,
  shareMessage,
  shareTimeline,
  clean,
}
