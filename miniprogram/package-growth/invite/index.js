/**
 * 邀请有礼 (F04): the shopper's invite code, the programme's rule ("每邀请 3 位新朋友得
 * 无门槛减20.00"), progress to the next reward (再邀请 N 位好友得…), rewards received, points from
 * friends' orders, and the invitees (masked), paged. Sharing sends the home page with the code
 * (a friend's FIRST login names the inviter: app.js → auth.js invite_code).
 * GET me/invite (one request for the screen) and me/invite/invitees.
 */
'use strict'

const api = require('../../core/api')
const { dateTimeText } = require('../../core/countdown')
const routes = require('../../core/routes')
const share = require('../../core/share')
const ui = require('../../core/ui')

function centreView(res) {
  const program = res.program || {}
  const rate = Number(program.points_rate) || 0
  return {
    code: res.invite_code || '',
    active: !!program.active,
    rule: program.threshold ? `每邀请 ${program.threshold} 位新朋友注册，得「${program.reward_name || '优惠券'}」${program.reward_summary ? `（${program.reward_summary}）` : ''}` : '',
    limitText: program.reward_limit ? `最多可得 ${program.reward_limit} 次奖励` : '',
    pointsRule: rate > 0 ? `好友每笔实付订单，你得实付金额 ${Math.round(rate * 1000) / 10}% 的积分` : '',
    endsText: program.ends_at ? `活动截止 ${dateTimeText(program.ends_at)}` : '',
    progress: Number(res.progress) || 0,
    remaining: Number(res.remaining) || 0,
    limitReached: !!res.limit_reached,
    reward: program.reward_summary || program.reward_name || '奖励',
    threshold: Number(program.threshold) || 0,
    invited: Number(res.invited) || 0,
    pointsEarned: Number(res.points_earned) || 0,
    rewards: (res.rewards || []).map((r) => ({ seq: r.seq, name: r.coupon_name || '奖励', time: dateTimeText(r.created_at) })),
  }
}

function inviteeView(row, i) {
  return {
    key: `${i}-${row.joined_at}`,
    nickname: row.nickname || '新朋友',
    avatar: row.avatar_url || '',
    time: dateTimeText(row.joined_at),
    status: row.rewarded ? '已计入奖励' : row.counts ? '已计入' : '活动外注册',
    ordered: !!row.has_ordered,
  }
}

Component({
  data: { loading: true, error: '', centre: null, invitees: [], page: 0, hasMore: true, listLoading: false },
  methods: {
    onLoad() {
      return Promise.all([this.load(), this.fetch(1)])
    },
    onPullDownRefresh() {
      return Promise.all([this.load(), this.fetch(1)]).then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      if (!this.data.hasMore || this.data.listLoading) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },
    async load() {
      try {
        const res = await api.invite()
        this.setData({ loading: false, error: '', centre: centreView(res || {}) })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    async fetch(page) {
      this.setData({ listLoading: true })
      try {
        const res = (await api.invitees(page)) || {}
        const rows = res.results || []
        const offset = page === 1 ? 0 : this.data.invitees.length
        const payload = { listLoading: false, page, hasMore: !!res.next }
        if (page === 1) payload.invitees = rows.map(inviteeView)
        else rows.forEach((r, i) => (payload[`invitees[${offset + i}]`] = inviteeView(r, offset + i)))
        this.setData(payload)
      } catch (err) {
        this.setData({ listLoading: false })
      }
    },
    onCopy() {
      const code = this.data.centre && this.data.centre.code
      if (!code) return
      wx.setClipboardData({ data: code, success: () => ui.toast('邀请码已复制') })
    },
    onShareAppMessage() {
      const code = this.data.centre && this.data.centre.code
      return share.shareMessage({ title: '送你一份新人好礼，一起来逛多营商城', page: routes.PAGES.home, query: code ? { invite: code } : {} })
    },
  },
})
