/**
 * 直播 (F24) on the shopper's side: which rooms go under which tab, what a room card's button
 * does, the live plugin's URL, and how a room's attribution travels to the order.
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
const countdown = require('./countdown')
const money = require('./money')
const routes = require('./routes')
const store = require('./store')
const sha = require('./sha256')

const PLUGIN_APPID = 'wx2b03c6e691cd7370'
// the deal kind of a 粉丝专属价 line at checkout (core/deals.js, marketing/services/deals.py)
const FAN_DEAL = 'live_fan'

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

/** "12月06日 20:00" from "2026-12-06T20:00:00+08:00" (the shop's zone is what the API writes). */
function dayTimeText(iso) {
  if (typeof iso !== 'string' || iso.length < 16) return ''
  return `${iso.slice(5, 7)}月${iso.slice(8, 10)}日 ${iso.slice(11, 16)}`
}

/**
 * A room card: its texts and the one button it carries —
 *   upcoming: 开播提醒 / 已预约 (follow, with the subscribe message asked in the same tap);
 *   live:     进入直播间 (the player) — plugin off: 查看直播间 (the companion page);
 *   replay:   看回放 (the player plays the replay) — plugin off: 查看回放信息.
 */
function roomCard(room) {
  const on = pluginOn()
  const status = room.status
  let action
  if (status === 'upcoming') action = room.following ? { kind: 'unfollow', text: '已预约' } : { kind: 'follow', text: '开播提醒' }
  else if (status === 'live') action = on ? { kind: 'player', text: '进入直播间' } : { kind: 'open', text: '查看直播间' }
  else if (status === 'replay') action = on ? { kind: 'player', text: '看回放' } : { kind: 'open', text: '查看回放信息' }
  else action = { kind: 'open', text: '查看' }
  return {
    key: room.id,
    id: room.id,
    roomid: room.roomid,
    source: room,
    name: room.name,
    cover: room.cover_img || room.share_img || '',
    anchor: room.anchor_name || '',
    statusText: room.status_text || '',
    status,
    timeText: status === 'upcoming' ? `${dayTimeText(room.start_time)} 开播` : dayTimeText(room.start_time),
    followers: room.follower_count || 0,
    action,
  }
}

/** Where the companion page sends the shopper for a room's player, or '' (plugin off). */
function enterUrl(room) {
  if (!room || !room.roomid || (room.status !== 'live' && room.status !== 'replay')) return ''
  return playerUrl(room.roomid, room.id)
}

/** The companion page's own path for sharing: the room, its share token, and its src. */
function sharePath(roomId, token, sharerQuery) {
  return routes.withQuery(routes.PAGES.liveRoom, Object.assign({}, sharerQuery || {}, { id: roomId, token: token || undefined, src: roomSrc(roomId) }))
}

/**
 * The 评论抽奖 draw, checked on the phone: the revealed seed hashes to the hash published when
 * the lottery opened, and the winners are the first N entries ordered by HMAC-SHA256(seed, entry
 * id) (the backend's documented rule). entryIds may be absent: then only the hash is checked.
 * → {hashOk, winnersOk (null when not checkable)}
 */
function verifyDraw({ seed, seedHash, entryIds, winnerIds }) {
  if (!seed || !seedHash) return { hashOk: false, winnersOk: null }
  const hashOk = sha.sha256(seed) === String(seedHash).toLowerCase()
  if (!Array.isArray(entryIds) || !Array.isArray(winnerIds)) return { hashOk, winnersOk: null }
  const ordered = entryIds
    .map((id) => ({ id, key: sha.hmacSha256(seed, String(id)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id))
    .slice(0, winnerIds.length)
    .map((e) => e.id)
  const winnersOk = ordered.length === winnerIds.length && ordered.every((id, i) => id === winnerIds[i])
  return { hashOk, winnersOk }
}

/** "20:00" from "2026-12-06T20:00:00+08:00". */
function clockText(iso) {
  return typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : ''
}

/**
 * A room's 整点秒杀 slot: "20:00 开抢" with a countdown to the hour while upcoming, 抢购中 with
 * a countdown to its end while running; its items priced in yuan. Buying is the flash page's
 * (its gate, throttle and captcha), opened on this slot.
 */
function slotView(slot, at) {
  const state = countdown.slotState(slot.starts_at, slot.ends_at, at)
  return {
    key: slot.id,
    id: slot.id,
    title: slot.title || '',
    clock: `${clockText(slot.starts_at)} 开抢`,
    state: state.state,
    stateText: { upcoming: '即将开抢', running: '抢购中', ended: '已结束' }[state.state],
    target: state.target === null ? '' : state.target,
    prefix: state.state === 'upcoming' ? '距开抢 ' : '距结束 ',
    items: (slot.items || []).map((item) => ({
      key: item.id,
      name: item.product_name || item.name || '',
      image: item.image || '',
      priceText: money.price(item.flash_price),
      listText: item.list_price > item.flash_price ? money.price(item.list_price) : '',
    })),
    url: routes.withQuery(routes.PAGES.flash, { slot: slot.id }),
  }
}

const LOTTERY_TEXT = {
  upcoming: '即将开始',
  open: '参与中',
  closed: '等待开奖',
  drawn: '已开奖',
  cancelled: '已取消',
}

/**
 * A 评论抽奖: its window, the keyword to send, my entry, and once drawn the winners with the
 * revealed seed checked on this phone (verifyDraw).
 */
function lotteryView(lottery, at) {
  const t = at === undefined || at === null ? countdown.now() : at
  const opens = countdown.toMs(lottery.opens_at)
  const closes = countdown.toMs(lottery.closes_at)
  let state = lottery.state
  if (state === 'upcoming' && opens !== null && t >= opens) state = closes !== null && t >= closes ? 'closed' : 'open'
  else if (state === 'open' && closes !== null && t >= closes) state = 'closed'
  const mine = lottery.my_entry || null
  const winners = (lottery.winners || []).map((w, i) => ({ key: `w${i}`, rank: i + 1, nickname: w.nickname || '幸运观众', entryId: w.entry_id, me: !!(mine && mine.id === w.entry_id) }))
  const check = state === 'drawn' ? verifyDraw({ seed: lottery.seed, seedHash: lottery.seed_hash, entryIds: lottery.entry_ids, winnerIds: winners.map((w) => w.entryId) }) : null
  let checkText = ''
  if (check) {
    if (!check.hashOk) checkText = '本机校验未通过：公布的种子与开奖前的哈希不符'
    else if (check.winnersOk === false) checkText = '本机校验未通过：中奖名单与种子算出的顺序不符'
    else checkText = check.winnersOk ? '本机已校验：种子与开奖前公布的哈希一致，中奖名单可由种子复算' : '本机已校验：种子与开奖前公布的哈希一致'
  }
  return {
    key: lottery.id,
    id: lottery.id,
    title: lottery.title || '评论抽奖',
    prizeText: lottery.prize_text || '',
    winnersText: `抽 ${lottery.winner_count} 人`,
    keyword: lottery.keyword || '',
    windowText: `${clockText(lottery.opens_at)} - ${clockText(lottery.closes_at)} 发送口令参与`,
    state,
    stateText: LOTTERY_TEXT[state] || '',
    target: state === 'upcoming' ? opens : state === 'open' ? closes : '',
    entered: !!mine,
    myEntryText: mine ? `已参与，参与编号 ${mine.id}` : '',
    won: winners.some((w) => w.me),
    winners,
    seedHash: lottery.seed_hash || '',
    seed: lottery.seed || '',
    checkOk: !!(check && check.hashOk && check.winnersOk !== false),
    checkText,
  }
}

/** What a 粉丝专属价 item lets the shopper do: buy, follow first, or come through a share link. */
function fanItemView(item, room, token) {
  let action
  if (!room.following) action = { kind: 'follow', text: '关注直播间享粉丝价' }
  else if (!token) action = { kind: 'need_link', text: '通过直播间分享链接进入可享' }
  else if (item.quota_left === 0) action = { kind: 'sold_out', text: '粉丝价已抢完' }
  else action = { kind: 'buy', text: '粉丝价购买' }
  return {
    key: item.id,
    id: item.id,
    skuId: item.sku_id,
    productId: item.product_id,
    name: item.product_name || '',
    skuText: item.sku_text || '',
    image: item.image || '',
    priceText: money.price(item.fan_price),
    listText: item.list_price > item.fan_price ? money.price(item.list_price) : '',
    quotaText: item.quota_left === null || item.quota_left === undefined ? '' : `剩 ${item.quota_left} 件`,
    action,
  }
}

module.exports = {
  PLUGIN_APPID,
  FAN_DEAL,
  clockText,
  slotView,
  lotteryView,
  fanItemView,
  TABS,
  SHARE_DAYS,
  pluginOn,
  roomSrc,
  playerUrl,
  srcFromCustomParams,
  rememberShare,
  shareToken,
  dayTimeText,
  roomCard,
  enterUrl,
  sharePath,
  verifyDraw,
}
