/**
 * 直播 (F24) in the main package: what the app and the product page need before the live
 * subpackage is loaded — the build switch, the live player's URL and how a room's attribution
 * and share token travel to the order. The pages' view-models are package-live/view.js.
 *
 * - The plugin is a build switch (config.js `live.plugin`, scripts/live-plugin.js). Off, nothing
 *   here ever names a plugin-private:// URL: a room opens its companion page instead.
 * - Attribution: an order placed after watching a room carries `src=live:<room id>` (issue 15's
 *   tracking parameter, core/share.js). Entering the player passes it in `custom_params`; WeChat
 *   hands custom_params back to the product page a shopper opens from the room's goods, whose
 *   onLoad remembers it (share.rememberSrc reads custom_params). The room's share link carries
 *   `src=live:<id>` and the room's signed share token; the token is kept for the 粉丝专属价 deal.
 */
'use strict'

const config = require('../config')
const store = require('./store')

const PLUGIN_APPID = 'wx2b03c6e691cd7370'
// the deal kind of a 粉丝专属价 line at checkout (core/deals.js, marketing/services/deals.py)
const FAN_DEAL = 'live_fan'
// the subscribe-message moment of following a room: the server maps it to the 开播提醒 template
const FOLLOW_MOMENT = 'live_follow'

const TABS = [
  { key: 'upcoming', label: '预告' },
  { key: 'live', label: '直播中' },
  { key: 'replay', label: '回放' },
]

// a share token is kept as long as a shared card is worth anything
const SHARE_DAYS = 7

function pluginOn() {
  return !!(config.live && config.live.plugin === true)
}

function roomSrc(roomId) {
  const id = Number(roomId)
  return Number.isInteger(id) && id > 0 ? `live:${id}` : ''
}

/** The live player page for WeChat room `wechatRoomId`, carrying our room's attribution. */
function playerUrl(wechatRoomId, roomId) {
  if (!pluginOn()) return ''
  const custom = encodeURIComponent(JSON.stringify({ src: roomSrc(roomId), room: Number(roomId) }))
  return `plugin-private://${PLUGIN_APPID}/pages/live-player-plugin?room_id=${encodeURIComponent(wechatRoomId)}&custom_params=${custom}`
}

/** `src` from a page query's custom_params (JSON, URL-encoded once or twice), else ''. */
function srcFromCustomParams(query) {
  let raw = query && query.custom_params
  if (!raw || typeof raw !== 'string') return ''
  for (let i = 0; i < 2 && raw.charAt(0) !== '{'; i += 1) {
    try {
      raw = decodeURIComponent(raw)
    } catch (err) {
      return ''
    }
  }
  try {
    const parsed = JSON.parse(raw)
    return parsed && typeof parsed.src === 'string' ? parsed.src : ''
  } catch (err) {
    return ''
  }
}

/** Keep the room's share token (from its share link) for the 粉丝专属价 deal at checkout. */
function rememberShare(roomId, token, now) {
  const id = Number(roomId)
  const clean = String(token || '').replace(/[^A-Za-z0-9:_.-]/g, '').slice(0, 200)
  if (!Number.isInteger(id) || id <= 0 || !clean) return ''
  const kept = Object.assign({}, store.get('liveShares') || {})
  kept[id] = { token: clean, at: now || Date.now() }
  store.set('liveShares', kept)
  return clean
}

/** The kept share token of `roomId` while fresh, else ''. */
function shareToken(roomId, now) {
  const kept = (store.get('liveShares') || {})[Number(roomId)]
  if (!kept || !kept.token) return ''
  return (now || Date.now()) - kept.at > SHARE_DAYS * 24 * 3600 * 1000 ? '' : kept.token
}

module.exports = {
  PLUGIN_APPID,
  FAN_DEAL,
  FOLLOW_MOMENT,
  TABS,
  SHARE_DAYS,
  pluginOn,
  roomSrc,
  playerUrl,
  srcFromCustomParams,
  rememberShare,
  shareToken,
}
