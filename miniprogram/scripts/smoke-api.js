#!/usr/bin/env node
/**
 * Drive the mini-program's own client core (core/*.js) against a running server, with `wx`
 * replaced by a thin shim over HTTP: the shopper's whole wave-1 path, end to end.
 *
 *   API_BASE=http://127.0.0.1:8000/api/v1 node scripts/smoke-api.js
 *
 * Needs a development server (`make run`: DEV_LOGIN_ENABLED, sandbox payment, demo shop). Steps:
 * sign in (wx.login → wechat-login → dev-login fallback), home, category tree, product list and
 * detail (SKU picker model), add to cart, cart totals vs the server's summary, checkout preview
 * breakdown, an address, place the order twice with the same Idempotency-Key (one order), pay
 * in the sandbox, order detail paid, order list, the inbox (read all), a slider-captcha puzzle, a
 * group opened through the checkout's deal and paid, a bargain started (when the shop runs them).
 * Exit 1 on the first failure.
 */
'use strict'

const config = require('../config')

config.apiBase = process.env.API_BASE || config.apiBase
config.loginMode = 'auto'

const storage = {}
global.wx = {
  request({ url, method, data, header, success, fail }) {
    const init = { method: method || 'GET', headers: header || {} }
    if (data !== undefined && init.method !== 'GET') init.body = JSON.stringify(data)
    fetch(url, init)
      .then(async (res) => {
        const text = await res.text()
        let body = text
        try {
          body = text ? JSON.parse(text) : ''
        } catch (err) {
          // not JSON: keep the text
        }
        success({ statusCode: res.status, data: body, header: {} })
      })
      .catch((err) => fail({ errMsg: `request:fail ${err.message}` }))
  },
  login({ success }) {
    success({ code: `smoke-${Date.now()}` })
  },
  getStorageSync: (k) => storage[k] || '',
  setStorageSync: (k, v) => (storage[k] = v),
  removeStorageSync: (k) => delete storage[k],
  getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
  showModal: ({ success }) => success({ confirm: true }),
  showToast() {},
  requestPayment({ fail }) {
    fail({ errMsg: 'requestPayment:fail not in a mini-program' })
  },
}

const store = require('../core/store')
const api = require('../core/api')
const captchaCore = require('../core/captcha')
const deals = require('../core/deals')
const social = require('../core/social')
const auth = require('../core/auth')
const cart = require('../core/cart')
const countdown = require('../core/countdown')
const money = require('../core/money')
const pay = require('../core/pay')
const pricing = require('../core/pricing')
const sku = require('../core/sku')
const { CheckoutAttempt } = require('../core/idempotency')
const community = require('../services/community')

function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`)
}

function step(text) {
  console.log(`✓ ${text}`)
}

async function main() {
  const login = await auth.login({ nickname: 'smoke' })
  check(login.access && login.member, 'login returns tokens and member')
  step(`signed in as member ${login.member.id} (is_new=${login.is_new})`)

  // an access token the server refuses: request.js refreshes once and retries
  const session = store.get('session')
  store.set('session', Object.assign({}, session, { access: `${session.access}x` }))
  const me = await api.me()
  check(me.id === login.member.id && store.get('session').access !== `${session.access}x`, 'refreshed after a 401')
  step('401 → auth/refresh → retried')

  const home = await api.home()
  check(Array.isArray(home.hot) && home.server_time, 'home has hot and server_time')
  step(`home: ${home.banners.length} banners, ${home.categories.length} categories, ${home.hot.length} hot, offset ${countdown.offset()} ms`)
  check(!home.hot[0] || /^https?:\/\//.test(home.hot[0].image) || !home.hot[0].image, 'images are absolute')

  const tree = await api.categoryTree()
  check(Array.isArray(tree) && tree.length, 'category tree')
  const list = await api.products({ category: tree[0].id, sort: 'price', page: 1, page_size: 5 })
  check(Array.isArray(list.results), 'product list paginated')
  step(`category ${tree[0].name}: ${list.count} products`)

  let detail = null
  let chosen = null
  for (const card of home.hot) {
    detail = await api.product(card.id)
    const model = sku.buildModel(detail)
    chosen = model.skus.find((s) => s.stock >= 2)
    if (chosen) {
      const state = sku.pickerState(model, chosen.key)
      check(state.complete && state.sku.id === chosen.id, 'picker finds the chosen SKU')
      break
    }
  }
  check(chosen, 'a product with stock')
  step(`product ${detail.id} ${detail.title}: SKU ${chosen.id} ${sku.specText(chosen.key)} ${money.price(chosen.price)}`)

  const before = await api.cart()
  for (const item of before.items) await api.removeCartItem(item.id)
  await api.addToCart(chosen.id, 2)
  const after = await api.cart()
  const totals = cart.totals(after.items)
  check(totals.goodsAmount === after.summary.goods_amount, `cart totals ${totals.goodsAmount} == server ${after.summary.goods_amount}`)
  step(`cart: ${totals.selectedQty} pieces, ${money.price(totals.goodsAmount)}`)

  let addresses = await api.addresses()
  if (!addresses.length) {
    await api.createAddress({ receiver: '测试', phone: '13800000000', province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道 1 号', is_default: true })
    addresses = await api.addresses()
  }
  const address = addresses.find((a) => a.is_default) || addresses[0]

  const quote = await api.checkoutPreview({ address_id: address.id, points: 0 })
  const view = pricing.breakdown(quote)
  // the chosen SKU's line, plus any gift or per-step line the shop's rules add
  check(
    view.payable === quote.payable_amount && view.lines.length === quote.lines.length && quote.lines.some((l) => l.sku_id === chosen.id && !l.is_gift),
    `breakdown of the quote (${quote.lines.length} lines: ${quote.lines.map((l) => `${l.sku_id}×${l.qty}${l.is_gift ? ' gift' : ''}`).join(', ')})`,
  )
  step(`quote: ${view.rows.map((r) => `${r.label} ${r.text}`).join(', ')}, 应付 ${view.payableText}`)
  const withPoints = pricing.breakdown(await api.checkoutPreview({ address_id: address.id, points: 'max' }))
  step(`quote with points "max": ${withPoints.rows.map((r) => `${r.label} ${r.text}`).join(', ')}${withPoints.rejected.map((r) => `; ${r.name}: ${r.reason}`).join('')}`)

  const attempt = new CheckoutAttempt()
  const body = { address_id: address.id, points: 0 }
  const order = await attempt.submit(body, (key) => api.placeOrder(body, key))
  const again = await attempt.submit(body, (key) => api.placeOrder(body, key))
  check(order.no === again.no, `same Idempotency-Key → same order (${order.no} / ${again.no})`)
  check(order.status === 'pending_payment', 'new order is pending payment')
  step(`order ${order.no} placed once (twice submitted), expires ${order.expires_at}`)

  const paid = await pay.payOrder(order.no, { order })
  check(paid.provider === 'sandbox' && paid.paid, 'sandbox payment')
  const detailAfter = await api.order(order.no)
  check(detailAfter.status === 'paid', `order paid (status ${detailAfter.status})`)
  step(`paid in the sandbox: ${detailAfter.status_display}`)

  const orders = await api.orders({ status: 'paid', page: 1 })
  check(orders.results.some((o) => o.no === order.no), 'order listed under 待发货')
  step('order listed under 待发货')

  const inbox = await api.messages(1)
  check(typeof inbox.unread === 'number' && Array.isArray(inbox.results), 'inbox answers {unread, results}')
  const read = await api.readMessages()
  check(read.unread === 0, 'every message read')
  step(`inbox: ${inbox.count} messages, ${inbox.unread} unread → 0`)

  const puzzle = await api.captchaCreate('claim')
  const box = captchaCore.layout(puzzle, 240)
  check(/^data:image\/png;base64,/.test(puzzle.background) && /^data:image\/png;base64,/.test(puzzle.piece), 'captcha images are data URLs')
  step(`captcha puzzle ${puzzle.width}×${puzzle.height}, piece ${puzzle.piece_size}px at y ${puzzle.piece_y}; drawn ${box.width}×${box.height}`)

  // the tools the demo shop runs: open a group through the checkout's deal, start a bargain
  const campaigns = await api.groupCampaigns()
  if (campaigns.length) {
    const campaign = social.campaignView(await api.groupCampaign(campaigns[0].id))
    const dealUrl = deals.checkoutUrl({ skuId: campaign.items[0].skuId, qty: 1, kind: campaign.deal.kind, ref: campaign.deal.ref, params: campaign.deal.params })
    const q = {}
    dealUrl.split('?')[1].split('&').forEach((kv) => (q[kv.split('=')[0]] = decodeURIComponent(kv.split('=')[1])))
    const deal = deals.dealFromQuery(q)
    const groupBody = { items: [{ sku_id: Number(q.sku_id), qty: 1 }], deal, address_id: address.id, points: 0 }
    const line = deals.dealPriceLine(await api.checkoutPreview(groupBody), deal)
    const groupOrder = await new CheckoutAttempt().submit(groupBody, (key) => api.placeOrder(groupBody, key))
    await pay.payOrder(groupOrder.no, { order: groupOrder })
    const mine = await api.myGroups(1)
    const group = social.groupView(await api.group(mine.results[0].group_id))
    check(group.isLeader && group.joined >= 1, 'the group is mine, paid')
    step(`group buy: ${line.label} ${line.unitText}, order ${groupOrder.no}, ${group.statusText}, share ${group.sharePath}`)
  } else {
    step('group buy: no campaign running in this shop')
  }
  const bargainCampaigns = await api.bargainCampaigns()
  if (bargainCampaigns.length) {
    const bargain = social.bargainView(await api.bargainStart(bargainCampaigns[0].id))
    check(bargain.isOwner && bargain.currentPrice > 0, 'a bargain of mine')
    step(`bargain: ${bargain.currentText}, ${bargain.progressText}, share ${bargain.sharePath}`)
  } else {
    step('bargain: no campaign running in this shop')
  }
  const topics = await community.topics()
  const feed = await community.feed({ sort: 'recommended', limit: 3 })
  const mine = await community.mine({ page: 1 })
  check(Array.isArray(topics) && Array.isArray(feed.results) && 'next_cursor' in feed && Array.isArray(mine.results), 'the community answers')
  step(`community: ${topics.length} topics, ${feed.results.length} posts in 推荐, ${mine.count} of mine`)
  console.log('smoke: OK')
}

main().catch((err) => {
  console.error(err.code ? `${err.code} (${err.status}): ${err.message}` : err.stack || err.message)
  process.exit(1)
})
