/**
 * 组队瓜分 (F22): the team domain for the mini-program — the API calls it makes (through
 * core/api.js, the one list of endpoints) and the view-models of the activity and team pages.
 * The server says everything that matters (progress line, who is in, whether I may join); this
 * turns it into what the page shows: yuan, avatars or initials, empty seats, the status.
 */
'use strict'

const api = require('../core/api')
const money = require('../core/money')

const STATUS = {
  open: '组队中',
  reached: '已达标，售后期满后瓜分',
  settled: '已瓜分，奖励券已发放',
  failed: '活动已截止，未达标',
}

function activityView(a) {
  return {
    id: a.id,
    name: a.name,
    sizeText: `${a.team_size} 人成团`,
    goalText: money.price(a.goal),
    rewardText: money.price(a.reward_total),
    splitText: a.split_mode_label || (a.split_mode === 'contribution' ? '按贡献瓜分' : '平均瓜分'),
    hoursText: `开团后 ${a.team_hours} 小时内的消费计入团队`,
    ruleText: a.rule_text || '',
    myTeamToken: a.my_team_token || '',
  }
}

/** Members (leader first as the server sends), then the empty seats still to fill. */
function seatsView(members, size) {
  const seats = (members || []).map((m, i) => ({
    key: `m${i}`,
    filled: true,
    nickname: m.nickname,
    initial: String(m.nickname || '友').slice(0, 1),
    avatar: m.avatar_url || '',
    leader: !!m.is_leader,
    me: !!m.is_me,
    contributionText: money.price(m.contribution),
    shareText: Number(m.share) > 0 ? money.price(m.share) : '',
  }))
  for (let i = seats.length; i < (Number(size) || 0); i += 1) seats.push({ key: `e${i}`, filled: false })
  return seats
}

function teamView(t) {
  const goal = Number(t.goal) || 0
  const spent = Number(t.spent) || 0
  return {
    token: t.token,
    status: t.status,
    statusText: STATUS[t.status] || t.status_label || '',
    name: (t.activity && t.activity.name) || '',
    progressText: t.progress_text,
    percent: goal > 0 ? Math.min(100, Math.floor((spent * 100) / goal)) : 0,
    rewardText: money.price(t.activity ? t.activity.reward_total : 0),
    splitText: (t.activity && t.activity.split_mode_label) || '',
    ruleText: (t.activity && t.activity.rule_text) || '',
    countText: `${t.members_count}/${t.size} 人`,
    seats: seatsView(t.members, t.size),
    isMember: !!t.is_member,
    canJoin: !!t.can_join,
    canShare: !!t.is_member && t.status === 'open' && t.members_count < t.size,
    myShareText: ((t.members || []).find((m) => m.is_me && Number(m.share) > 0) || {}).share
      ? money.price((t.members || []).find((m) => m.is_me).share)
      : '',
  }
}

module.exports = {
  STATUS,
  activityView,
  seatsView,
  teamView,
  activity: (id) => api.teamActivity(id),
  open: (activityId) => api.teamOpen(activityId),
  team: (token) => api.team(token),
  join: (token) => api.teamJoin(token),
}
