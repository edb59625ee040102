/**
 * 直播 (F24) API for the mini-program: a tab of the room list, one room's companion payload
 * (its 整点秒杀 slots, 评论抽奖, 粉丝专属价 and the shopper's follow; `share` = the share link's
 * token, which opens the fan prices), follow / unfollow, the room's share link, the lottery entry
 * and a drawn lottery's proof. The contract is docs/lanes/live-api.md (branch live).
 */
'use strict'

const client = require('../core/request')

function enc(value) {
  return encodeURIComponent(String(value))
}

module.exports = {
  rooms: (tab) => client.get('live/rooms', { tab }),
  room: (roomId, share) => client.get(`live/rooms/${enc(roomId)}`, share ? { share } : undefined),
  // following is a state: repeating it is harmless
  follow: (roomId) => client.post(`live/rooms/${enc(roomId)}/follow`, {}, { retry: true }),
  unfollow: (roomId) => client.del(`live/rooms/${enc(roomId)}/follow`),
  share: (roomId) => client.post(`live/rooms/${enc(roomId)}/share`, {}, { retry: true }),
  // one entry per shopper (the server's unique constraint): a repeat is refused, never doubled
  enterLottery: (lotteryId, keyword) => client.post(`live/lotteries/${enc(lotteryId)}/entries`, { keyword }),
  lottery: (lotteryId) => client.get(`live/lotteries/${enc(lotteryId)}`),
  lotteryEntryIds: (lotteryId) => client.get(`live/lotteries/${enc(lotteryId)}/entries`),
}
