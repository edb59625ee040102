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

/** Remember a promoter code from the launch; it is reported once per code (reportPromoter). */
function rememberPromoter(query) {
  const code = clean(launchParams(query).pc)
  if (!code) return ''
  const current = store.get('promoterCode')
  if (!current || current.code !== code) store.set('promoterCode', { code, reported: false })
  return code
}

/**
 * Report a remembered, unreported promoter code with send(code) → Promise (the growth API).
 * Reported only once; a failure keeps it for the next launch.
 */
async function reportPromoter(send) {
  const current = store.get('promoterCode')
  if (!current || current.reported || typeof send !== 'function') return false
  try {
    await send(current.code)
  } catch (err) {
    return false
  }
  store.set('promoterCode', Object.assign({}, current, { reported: true }))
  return true
}

/** The sharer's codes to put in a shared path: {invite, pc} (empty ones left out). */
function sharerQuery() {
  const member = store.get('member')
  const out = {}
  const invite = clean(member && member.invite_code)
  if (invite) out.invite = invite
  const promoter = store.get('myPromoterCode')
  if (clean(promoter)) out.pc = clean(promoter)
  return out
}

/** A path with the tool's query and the sharer's codes: "/package-social/group/index?token=…&invite=…". */
function sharePath(page, query) {
  return routes.withQuery(page, Object.assign({}, query, sharerQuery()))
}

/** What onShareAppMessage returns: {title, path, imageUrl?}. */
function shareMessage({ title, page, query, imageUrl }) {
  const out = { title: title || '多营商城', path: sharePath(page || routes.PAGES.home, query) }
  if (imageUrl) out.imageUrl = imageUrl
  return out
}

module.exports = { launchParams, rememberPromoter, reportPromoter, sharerQuery, sharePath, shareMessage, clean }
