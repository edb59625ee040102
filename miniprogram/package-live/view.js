/**
 * 直播 (F24) view-models of the live pages: what a room card's button does in either state of
 * the plugin switch, the room's 整点秒杀 slots, 评论抽奖 and 粉丝专属价 as the companion page
 * shows them, and the draw re-computed on the phone. Kept in the subpackage so the main package
 * does not carry them (core/live.js holds what the main package needs).
 */
'use strict'

const countdown = require('../core/countdown')
const flash = require('../core/flash')
const live = require('../core/live')
const money = require('../core/money')
const routes = require('../core/routes')
const sha = require('./sha256')

const DAY = 24 * 3600 * 1000

/** "12月06日 20:00" from "2026-12-06T20:00:00+08:00" (the shop's zone is what the API writes). */
function dayTimeText(iso) {
  if (typeof iso !== 'string' || iso.length < 16) return ''
  return `${iso.slice(5, 7)}月${iso.slice(8, 10)}日 ${iso.slice(11, 16)}`
}

/**
 * A room card (the server's room: wx_room_id, status, status_label, followed, followers …): its
 * texts and the one button it carries —
 *   upcoming: 开播提醒 / 已预约 (follow, with the subscribe message asked in the same tap);
 *   live:     进入直播间 (the player) — plugin off: 查看直播间 (the companion page);
 *   replay:   看回放 (the player plays the replay) — plugin off: 查看回放信息.
 */
function roomCard(room) {
  const on = live.pluginOn()
  const status = room.status
  let action
  if (status === 'upcoming') action = room.followed ? { kind: 'unfollow', text: '已预约' } : { kind: 'follow', text: '开播提醒' }
  else if (status === 'live') action = on ? { kind: 'player', text: '进入直播间' } : { kind: 'open', text: '查看直播间' }
  else if (status === 'replay') action = on ? { kind: 'player', text: '看回放' } : { kind: 'open', text: '查看回放信息' }
  else action = { kind: 'open', text: '查看' }
  return {
    key: room.id,
    id: room.id,
    wxRoomId: room.wx_room_id,
    source: room,
    name: room.name,
    cover: room.cover_img || room.share_img || '',
    anchor: room.anchor_name || '',
    statusText: room.status_label || '',
    status,
    followed: !!room.followed,
    timeText: status === 'upcoming' ? `${dayTimeText(room.start_time)} 开播` : dayTimeText(room.start_time),
    followersText: room.followers ? `${room.followers} 人${status === 'upcoming' ? '已预约' : '关注'}` : '',
    // a preview starting within a day counts down to its start (on the server's clock)
    startTarget: status === 'upcoming' && room.start_time_ms > countdown.now() && room.start_time_ms - countdown.now() < DAY ? room.start_time_ms : '',
    action,
  }
}

/** Where the companion page sends the shopper for a room's player, or '' (plugin off). */
function enterUrl(room) {
  if (!room || !room.wx_room_id || (room.status !== 'live' && room.status !== 'replay')) return ''
  return live.playerUrl(room.wx_room_id, room.id)
}

/** The companion page's own path for sharing: the room, its share token, and its src. */
function sharePath(roomId, token, sharerQuery) {
  return routes.withQuery(routes.PAGES.liveRoom, Object.assign({}, sharerQuery || {}, { room_id: roomId, share: token || undefined, src: live.roomSrc(roomId) }))
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
 * A room's 整点秒杀 slot (the flash page's own slot shape): "20:00 开抢" with a countdown to the
 * hour while upcoming, to its end while 抢购中; its items as the flash page shows them. Buying
 * is the flash page's (its gate, throttle and captcha), opened on this slot.
 */
function slotView(slot, at) {
  const state = flash.stateAt(slot, at)
  const target = flash.targetFor(slot, state)
  return {
    key: slot.id,
    id: slot.id,
    title: slot.title || '',
    clock: `${clockText(slot.starts_at)} 开抢`,
    state,
    stateText: flash.labelFor(state, slot.kind),
    target: target === null ? '' : target,
    prefix: state === 'upcoming' ? '距开抢 ' : '距结束 ',
    items: (slot.items || []).map((item) => Object.assign({ key: item.id }, flash.itemView(item, state, slot.kind))),
    url: routes.withQuery(routes.PAGES.flash, { slot: slot.id }),
  }
}

/** The lottery's state at server time `at`: the server's, moved on by the clock (no reload needed). */
function lotteryState(lottery, at) {
  const t = at === undefined || at === null ? countdown.now() : at
  const opens = countdown.toMs(lottery.opens_at_ms !== undefined ? lottery.opens_at_ms : lottery.opens_at)
  const closes = countdown.toMs(lottery.closes_at_ms !== undefined ? lottery.closes_at_ms : lottery.closes_at)
  let state = lottery.state
  if (state === 'upcoming' && opens !== null && t >= opens) state = 'open'
  if (state === 'open' && closes !== null && t >= closes) state = 'closed'
  return { state, target: state === 'upcoming' ? opens : state === 'open' ? closes : null }
}

const LOTTERY_TEXT = { upcoming: '即将开始', open: '进行中', closed: '待开奖', drawn: '已开奖', cancelled: '已取消' }

/**
 * A 评论抽奖 card: its window, the keyword to send, my entry and, once drawn, my result. The
 * winners and the proof come with the lottery's own answer (proofView).
 */
function lotteryView(lottery, at) {
  const { state, target } = lotteryState(lottery, at)
  const mine = lottery.my_entry || null
  let myText = ''
  if (mine && state === 'drawn') myText = mine.won ? `恭喜中奖！第 ${mine.rank} 名，${mine.prize_issued ? '奖品已发放到你的账户' : '奖品发放中'}` : '很遗憾没有中奖，下次好运'
  else if (mine) myText = `已参与，参与编号 ${mine.id}`
  return {
    key: lottery.id,
    id: lottery.id,
    title: lottery.title || '评论抽奖',
    prizeText: lottery.prize_text || '',
    winnersText: `抽 ${lottery.winners_count} 人`,
    entriesText: `${lottery.entries_count || 0} 人已参与`,
    keyword: lottery.keyword || '',
    windowText: `${clockText(lottery.opens_at)} - ${clockText(lottery.closes_at)} 发送口令参与`,
    state,
    stateText: (state === lottery.state && lottery.state_label) || LOTTERY_TEXT[state] || '',
    target: target === null ? '' : target,
    prefix: state === 'upcoming' ? '距开始 ' : '距截止 ',
    canEnter: state === 'open' && !mine,
    entered: !!mine,
    won: !!(mine && mine.won),
    myText,
    seedHash: lottery.seed_hash || '',
    seed: lottery.seed || '',
  }
}

/**
 * A drawn lottery's proof, re-computed on this phone: the winners (masked), the seed checked
 * against the hash published at the start, and — given every entry id — the winners re-ranked.
 */
function proofView(detail, entryIds) {
  const winners = (detail.winners || []).map((w) => ({ key: w.entry_id, rank: w.rank, nickname: w.nickname, entryId: w.entry_id, score: w.score || '' }))
  const check = verifyDraw({ seed: detail.seed, seedHash: detail.seed_hash, entryIds, winnerIds: winners.map((w) => w.entryId) })
  // each published score must be the winner's HMAC too (cheap, and it holds without the entry list)
  const scoresOk = check.hashOk && winners.every((w) => !w.score || w.score === sha.hmacSha256(detail.seed, String(w.entryId)))
  if (!scoresOk && check.hashOk) check.winnersOk = false
  let checkText
  if (!check.hashOk) checkText = '本机校验未通过：公布的种子与开奖前的哈希不符'
  else if (!scoresOk) checkText = '本机校验未通过：中奖者的分数与种子算出的不符'
  else if (check.winnersOk === false) checkText = '本机校验未通过：中奖名单与种子算出的顺序不符'
  else if (check.winnersOk) checkText = `本机已校验：种子与开奖前公布的哈希一致，按种子复算 ${entryIds.length} 个参与编号，中奖名单一致`
  else checkText = '本机已校验：种子与开奖前公布的哈希一致'
  return { winners, checkOk: check.hashOk && check.winnersOk !== false, checkText, rule: detail.verification || '' }
}

/** A 粉丝专属价 item and what the shopper may do: buy, follow first, or come through a share link. */
function fanItemView(item, companion) {
  let action
  if (!companion.followed) action = { kind: 'follow', text: '关注享粉丝价' }
  else if (!companion.share_valid) action = { kind: 'need_link', text: '需通过分享链接' }
  else if (item.quota !== null && item.quota !== undefined && item.left === 0) action = { kind: 'sold_out', text: '已抢完' }
  else action = { kind: 'buy', text: '粉丝价购买' }
  const specs = item.specs && typeof item.specs === 'object' ? Object.keys(item.specs).map((k) => item.specs[k]).join(' / ') : ''
  return {
    key: item.id,
    id: item.id,
    skuId: item.sku_id,
    productId: item.product_id,
    name: item.title || '',
    skuText: specs,
    image: item.image || '',
    priceText: money.price(item.fan_price),
    listText: item.price > item.fan_price ? money.price(item.price) : '',
    quotaText: item.quota === null || item.quota === undefined ? '' : `剩 ${item.left} 件`,
    action,
  }
}

module.exports = {
  dayTimeText,
  roomCard,
  enterUrl,
  sharePath,
  verifyDraw,
  clockText,
  slotView,
  lotteryState,
  lotteryView,
  proofView,
  fanItemView,
}
