/**
 * 拼团 (F03) and 砍价 (F05) pages' view logic, from the API's group and bargain pages
 * (marketing/api/group_buys.py, bargains.py). Countdowns run to now + remaining_seconds on the
 * server clock (the answer says how long is left, so the phone's own clock never matters).
 */
'use strict'

const countdown = require('./countdown')
const money = require('./money')

const JOIN_REFUSALS = {
  group_closed: '该团已结束',
  group_full: '该团已满员',
  group_already_joined: '你已在团中',
  group_join_new_only: '仅限新用户参团',
  group_limit_reached: '你的参团次数已用完',
}

const HELP_REFUSALS = {
  bargain_self_help: '',
  bargain_closed: '砍价已结束',
  bargain_already_helped: '你已经帮砍过了',
  bargain_helper_new_only: '仅限新用户帮砍',
}

const GROUP_STATUS = {
  pending: '待开团（团长支付后开始计时）',
  open: '拼团中',
  completed: '拼团成功',
  failed: '拼团失败，款项将原路退回',
  cancelled: '已取消',
}

const BARGAIN_STATUS = {
  ongoing: '砍价中',
  reached: '已砍到底价',
  ordered: '已下单，待支付',
  bought: '已购买',
  expired: '砍价已结束',
}

function endsAt(remainingSeconds, at) {
  const s = Number(remainingSeconds) || 0
  return s > 0 ? (at === undefined ? countdown.now() : at) + s * 1000 : null
}

function itemView(item, i) {
  const group = Number(item.group_price) || 0
  return {
    key: `${item.sku_id}-${i}`,
    skuId: item.sku_id,
    specs: Object.keys(item.specs || {}).map((k) => item.specs[k]).join(' / ') || '默认',
    groupPriceText: money.price(group),
    leaderPriceText: item.leader_price !== null && item.leader_price !== undefined ? money.price(item.leader_price) : '',
    listPriceText: Number(item.list_price) > group ? money.price(item.list_price) : '',
  }
}

/** Seats for the avatars row: paid members first (leader marked), then empty seats "?". */
function seatsView(members, size) {
  const seats = (members || []).map((m, i) => ({ key: `m-${i}`, avatar: m.avatar_url || '', letter: (m.nickname || '团')[0], leader: !!m.is_leader, empty: false }))
  for (let i = seats.length; i < Number(size || 0); i += 1) seats.push({ key: `e-${i}`, avatar: '', letter: '?', leader: false, empty: true })
  return seats
}

/** The group page: {status, statusText, joined, size, seats, target, canJoin, refusal, deal, …}. */
function groupView(g, at) {
  const mine = g.mine || null
  const open = g.status === 'open'
  return {
    id: g.id,
    status: g.status,
    statusText: g.status_text || GROUP_STATUS[g.status] || '',
    stateLabel: GROUP_STATUS[g.status] || '',
    joined: Number(g.paid_count) || 0,
    size: Number(g.size) || 0,
    missing: Number(g.seats_left) || 0,
    seats: seatsView(g.members, g.size),
    target: open ? endsAt(g.remaining_seconds, at) : null,
    title: (g.campaign && g.campaign.title) || '',
    image: (g.campaign && g.campaign.image) || '',
    campaignId: g.campaign && g.campaign.id,
    productId: g.campaign && g.campaign.product_id,
    autoComplete: !!(g.campaign && g.campaign.auto_complete),
    freeShipping: !!(g.campaign && g.campaign.free_shipping === true),
    items: (g.items || []).map(itemView),
    shareToken: g.share_token || '',
    sharePath: g.share_path || '',
    isMember: !!mine,
    isLeader: !!(mine && mine.is_leader),
    canJoin: !!g.can_join,
    refusal: g.can_join ? '' : JOIN_REFUSALS[g.join_refusal] || '',
    deal: g.deal || null,
    canInvite: !!mine && (g.status === 'open' || g.status === 'pending') && Number(g.seats_left) > 0,
  }
}

/** A campaign (开团 page): prices, rules, groups open to join with their countdown. */
function campaignView(c, at) {
  return {
    id: c.id,
    name: c.name || '',
    title: c.title || '',
    image: c.image || '',
    productId: c.product_id,
    groupSize: Number(c.group_size) || 0,
    lowestText: money.price(c.lowest_price),
    listText: Number(c.list_price) > Number(c.lowest_price) ? money.price(c.list_price) : '',
    hours: Math.round(((Number(c.duration_minutes) || 0) / 60) * 10) / 10,
    isOpen: c.is_open !== false,
    autoComplete: !!c.auto_complete,
    joinNewOnly: !!c.join_new_only,
    freeShipping: c.free_shipping === true,
    items: (c.items || []).map(itemView),
    openGroups: (c.open_groups || []).map((o) => ({
      id: o.id,
      token: o.share_token,
      leader: (o.leader && o.leader.nickname) || '团长',
      avatar: (o.leader && o.leader.avatar_url) || '',
      missing: Number(o.seats_left) || 0,
      target: countdown.toMs(o.expires_at),
    })),
    deal: c.deal || null,
  }
}

/** The bargain page: prices, progress, helpers, who may help or buy. */
function bargainView(b, at) {
  const c = b.campaign || {}
  const active = b.status === 'ongoing' || b.status === 'reached'
  return {
    id: b.id,
    status: b.status,
    stateLabel: BARGAIN_STATUS[b.status] || '',
    progressText: b.progress_text || '',
    startPrice: Number(b.start_price) || 0,
    currentPrice: Number(b.current_price) || 0,
    floorPrice: Number(b.floor_price) || 0,
    remaining: Number(b.remaining_amount) || 0,
    currentText: money.price(b.current_price),
    startText: money.price(b.start_price),
    cutText: money.price(b.cut_amount),
    floorText: Number(b.floor_price) > 0 ? money.price(b.floor_price) : '免费拿',
    helpsCount: Number(b.helps_count) || 0,
    target: active ? endsAt(b.remaining_seconds, at) : null,
    initiator: (b.initiator && b.initiator.nickname) || '好友',
    initiatorAvatar: (b.initiator && b.initiator.avatar_url) || '',
    title: c.title || '',
    image: c.image || '',
    productId: c.product_id,
    campaignId: c.id,
    freeShipping: c.free_shipping === true,
    helpers: (b.helpers || []).map((h, i) => ({ key: `h-${i}`, nickname: h.nickname || '好友', avatar: h.avatar_url || '', cutText: money.price(h.cut), time: countdown.dateTimeText(h.helped_at) })),
    shareToken: b.share_token || '',
    sharePath: b.share_path || '',
    isOwner: !!b.is_owner,
    myCutText: b.my_cut ? money.price(b.my_cut) : '',
    canHelp: !!b.can_help,
    refusal: b.can_help ? '' : HELP_REFUSALS[b.help_refusal] || '',
    canBuy: !!b.can_buy && !!b.deal,
    deal: b.deal || null,
    skuId: b.sku_id,
  }
}

module.exports = { JOIN_REFUSALS, HELP_REFUSALS, GROUP_STATUS, BARGAIN_STATUS, groupView, campaignView, bargainView, seatsView, itemView }
