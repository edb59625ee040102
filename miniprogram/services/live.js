/**
 * 直播 (F24) API for the mini-program: the rooms under a tab, one room's companion payload
 * (its 整点秒杀 slots, 评论抽奖, 粉丝专属价 and the shopper's follow), follow / unfollow, the lottery
 * entry and the room's share token. The contract is docs/lanes/live-api.md.
 */
'use strict'

const client = require('../core/request')

function enc(value) {
  return encodeURIComponent(String(value))
}

module.exports = {
  rooms: (status, page) => client.get('live/rooms', { status, page }),
  room: (roomId) => client.get(`live/rooms/${enc(roomId)}`),
  // following is a state, so repeating it is harmless
  follow: (roomId) => client.post(`live/rooms/${enc(roomId)}/follow`, {}, { retry: true }),
  unfollow: (roomId) => client.del(`live/rooms/${enc(roomId)}/follow`),
  // one entry per shopper (the server's unique constraint); a repeat answers the same entry
  enterLottery: (lotteryId, keyword) => client.post(`live/lotteries/${enc(lotteryId)}/entries`, { keyword }),
  shareToken: (roomId) => client.post(`live/rooms/${enc(roomId)}/share`, {}),
}
