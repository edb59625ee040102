/**
 * Paying an order (P04). orders/{no}/pay answers with the provider the server runs:
 *   wechat  → wx.requestPayment(params); the order turns paid when WeChat's notice reaches the
 *             server, so waitForPaid() polls the order a few times before giving up politely;
 *   sandbox → (development) the shopper confirms a simulated payment and the client calls
 *             payments/sandbox/{out_trade_no}/complete, which marks it paid through the same
 *             service as a verified notice.
 * Once paid, the shopper is asked for the subscribe messages that follow from the order
 * (core/subscribe.js: a payment callback may open WeChat's dialog); that never fails the payment.
 */
'use strict'

const api = require('./api')
const money = require('./money')
const subscribe = require('./subscribe')
const ui = require('./ui')
const { ApiError } = require('./errors')

function requestPayment(params) {
  return new Promise((resolve, reject) => {
    wx.requestPayment(
      Object.assign({}, params, {
        success: resolve,
        fail: (res) => {
          const cancelled = /cancel/i.test((res && res.errMsg) || '')
          reject(new ApiError({ code: cancelled ? 'payment_cancelled' : 'payment_failed', details: { errMsg: res && res.errMsg } }))
        },
      }),
    )
  })
}

function confirmSandbox(order) {
  const amount = order && order.payable_amount !== undefined ? `${money.price(order.payable_amount)}，` : ''
  return ui.confirm(`开发环境模拟支付，${amount}确认支付？`, { title: '沙箱支付', confirmText: '确认支付' })
}

/**
 * Pay order `no`. Resolves {provider, outTradeNo, paid}; paid is true when the server already
 * knows (sandbox), false when WeChat's notice may still be on its way. Rejects with ApiError
 * (payment_cancelled when the shopper backed out). opts.order / opts.deal (the checkout's deal)
 * tell which subscribe moment this payment is (a group opened or joined).
 */
async function payOrder(no, opts = {}) {
  const res = await api.payOrder(no)
  const provider = res && res.provider
  if (provider === 'wechat') {
    await requestPayment(res.params || {})
    await subscribe.ask(subscribe.momentsAfterPaying(opts.order, opts.deal))
    return { provider, outTradeNo: res.out_trade_no, paid: false }
  }
  if (provider === 'sandbox') {
    const ok = await (opts.confirmSandbox || confirmSandbox)(opts.order || null)
    if (!ok) throw new ApiError({ code: 'payment_cancelled' })
    await api.sandboxComplete(res.out_trade_no)
    await subscribe.ask(subscribe.momentsAfterPaying(opts.order, opts.deal))
    return { provider, outTradeNo: res.out_trade_no, paid: true }
  }
  throw new ApiError({ code: 'payment_provider_error' })
}

/** Poll orders/{no} until it leaves pending_payment (at most `tries` times); resolves the order. */
async function waitForPaid(no, opts = {}) {
  const tries = opts.tries || 5
  const interval = opts.interval || 1500
  const sleep = opts.sleep || ((ms) => new Promise((r) => setTimeout(r, ms)))
  let order = null
  for (let i = 0; i < tries; i += 1) {
    order = await api.order(no)
    if (order && order.status !== 'pending_payment') return order
    if (i < tries - 1) await sleep(interval)
  }
  return order
}

module.exports = { payOrder, waitForPaid, requestPayment }
