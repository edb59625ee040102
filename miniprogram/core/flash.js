/**
 * Flash sales (F02 整点秒杀, F12 限量发售) on the client: slot tabs and item buttons from the
 * server's list (marketing/selectors/flash_sales.py: days → slots → items, each with `state`
 * and the window in ms), kept honest on the server clock between requests — an upcoming slot
 * turns 抢购中 at its start and 已结束 at its end without a reload (core/countdown.js offset).
 * Sold-out is the server's to say (counts), never guessed here.
 */
'use strict'

const countdown = require('./countdown')
const money = require('./money')

const LABELS = {
  upcoming: '即将开始',
  live: '抢购中',
  sold_out: '已抢光',
  ended: '已结束',
  paused: '已暂停',
  draft: '未发布',
}

function ms(value, fallback) {
  const n = countdown.toMs(value)
  return n === null ? countdown.toMs(fallback) : n
}

/** The slot's state at server time `at`: the server's, moved on by the clock. */
function stateAt(slot, at) {
  const t = at === undefined || at === null ? countdown.now() : at
  const start = ms(slot.starts_at_ms, slot.starts_at)
  const end = ms(slot.ends_at_ms, slot.ends_at)
  const state = slot.state || 'upcoming'
  if (state === 'ended' || state === 'draft') return state
  if (end !== null && t >= end) return 'ended'
  if (state === 'upcoming' && start !== null && t >= start) return 'live'
  return state
}

function labelFor(state, kind) {
  if (state === 'sold_out' && kind === 'release') return '补货中，可预约'
  return LABELS[state] || ''
}

/** What the countdown counts to: the start while upcoming, else the end; null once over. */
function targetFor(slot, state) {
  if (state === 'upcoming') return ms(slot.starts_at_ms, slot.starts_at)
  if (state === 'live' || state === 'sold_out' || state === 'paused') return ms(slot.ends_at_ms, slot.ends_at)
  return null
}

/** "10:00" from "2026-12-01T10:00:00+08:00" (the shop's zone is what the API writes). */
function clockText(iso) {
  return typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : ''
}

/**
 * Tabs over today's and tomorrow's slots: [{id, time, dayLabel, state, label, target}] and the
 * index to open — the slot 抢购中 (or sold out) now, else the next to start, else the last.
 */
function slotTabs(days, at) {
  const tabs = []
  ;(days || []).forEach((day, d) => {
    ;(day.slots || []).forEach((slot) => {
      const state = stateAt(slot, at)
      tabs.push({
        id: slot.id,
        time: clockText(slot.starts_at) || slot.title || '',
        title: slot.title || '',
        dayLabel: d === 0 ? '' : day.title || day.label || '明天',
        state,
        label: labelFor(state, slot.kind),
        target: targetFor(slot, state),
      })
    })
  })
  let current = tabs.findIndex((t) => t.state === 'live' || t.state === 'sold_out')
  if (current < 0) current = tabs.findIndex((t) => t.state === 'upcoming')
  if (current < 0) current = tabs.length - 1
  return { tabs, current }
}

/**
 * One item's card: prices, "已抢 X%", and its button {action: 'buy'|'reserve'|'', text}.
 * An item sold out in a live slot may be reserved (notified on restock) unless already so.
 */
function itemView(item, slotState, kind) {
  let state = item.state || slotState
  // the clock moved the slot on: its items follow (a sold-out item stays sold out until the end)
  if (slotState === 'ended') state = 'ended'
  else if (slotState === 'live' && state === 'upcoming') state = Number(item.remaining) > 0 ? 'live' : 'sold_out'
  let button = { action: '', text: labelFor(state, kind) }
  if (state === 'live') button = { action: 'buy', text: '马上抢' }
  else if (state === 'upcoming') button = { action: '', text: '即将开抢' }
  else if (state === 'sold_out') button = item.reserved ? { action: 'unreserve', text: '已预约' } : { action: 'reserve', text: kind === 'release' ? '预约补货' : '到货提醒' }
  const price = Number(item.price) || 0
  const flashPrice = Number(item.flash_price) || 0
  return {
    id: item.id,
    skuId: item.sku_id,
    productId: item.product_id,
    title: item.title || '',
    image: item.image || '',
    flashPriceText: money.price(flashPrice),
    priceText: price > flashPrice ? money.price(price) : '',
    freeShipping: item.free_shipping === true,
    quota: Number(item.quota) || 0,
    soldPercent: Math.max(0, Math.min(100, Math.floor(Number(item.sold_percent) || 0))),
    limit: Number(item.per_order_limit) || 1,
    limitText: Number(item.per_shopper_limit) > 0 ? `每人限购 ${Number(item.per_shopper_limit)} 件` : '',
    state,
    reserved: !!item.reserved,
    button,
  }
}

module.exports = { LABELS, stateAt, labelFor, targetFor, clockText, slotTabs, itemView }
