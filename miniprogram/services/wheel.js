/**
 * The lucky wheel's API (F21): the live wheel with the shopper's chances, the draw (the server
 * picks the prize; the page only animates to it), and the prizes won.
 */
'use strict'

const client = require('../core/request')

module.exports = {
  wheel: () => client.get('wheel'),
  // no Idempotency-Key: a draw is never repeated blindly (request.js retries a POST only when told)
  draw: () => client.post('wheel/draw', {}),
  myPrizes: () => client.get('wheel/prizes'),
}
