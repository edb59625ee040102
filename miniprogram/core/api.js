/**
 * Every endpoint of the API contract the mini-program uses, in one place, so pages never build
 * paths by hand. All go through request.js.
 */
'use strict'

const client = require('./request')
const countdown = require('./countdown')

function enc(value) {
  return encodeURIComponent(String(value))
}

/** GET with the server clock taken from the answer (field `server_time`). */
async function timed(path, query) {
  const sentAt = Date.now()
  const data = await client.get(path, query)
  if (data && data.server_time) countdown.syncServerTime(data.server_time, sentAt, Date.now())
  return data
}

module.exports = {
  // catalogue
  home: () => timed('home'),
  serverTime: async () => {
    const sentAt = Date.now()
    const data = await client.get('server-time', null, { auth: false })
    countdown.syncServerTime(data, sentAt, Date.now())
    return data
  },
  categoryTree: () => client.get('categories/tree'),
  products: (query) => client.get('products', query),
  product: (id) => client.get(`products/${enc(id)}`),

  // members
  me: () => client.get('me'),
  updateMe: (patch) => client.patch('me', patch),
  points: (page) => client.get('me/points', { page }),
  addresses: () => client.get('addresses'),
  createAddress: (body) => client.post('addresses', body),
  updateAddress: (id, body) => client.patch(`addresses/${enc(id)}`, body),
  deleteAddress: (id) => client.del(`addresses/${enc(id)}`),
  setDefaultAddress: (id) => client.post(`addresses/${enc(id)}/set-default`, {}, { retry: true }),

  // cart and orders
  cart: () => client.get('cart'),
  // not retried: the endpoint increments, a repeat after a lost answer would add twice
  addToCart: (skuId, qty) => client.post('cart/items', { sku_id: skuId, qty }),
  updateCartItem: (id, patch) => client.patch(`cart/items/${enc(id)}`, patch),
  removeCartItem: (id) => client.del(`cart/items/${enc(id)}`),
  checkoutPreview: (body) => client.post('checkout/preview', body, { retry: true }),
  placeOrder: (body, idempotencyKey) => client.post('orders', body, { idempotencyKey }),
  orders: (query) => client.get('orders', query),
  order: (no) => client.get(`orders/${enc(no)}`),
  cancelOrder: (no) => client.post(`orders/${enc(no)}/cancel`, {}),
  confirmReceipt: (no) => client.post(`orders/${enc(no)}/confirm-receipt`, {}),
  payOrder: (no) => client.post(`orders/${enc(no)}/pay`, {}),
  sandboxComplete: (outTradeNo) => client.post(`payments/sandbox/${enc(outTradeNo)}/complete`, {}),
}
