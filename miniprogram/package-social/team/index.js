/**
 * 组队瓜分 (F22). One page, two ways in:
 *   ?activity=ID  the activity: goal, reward, team size, the refund rule; 开团 → POST
 *                 teams/activities/{id}/open (my team in this activity opens instead, if I have one).
 *   ?token=T      a team (mine, or a friend's share card): "团队已消费 ¥1,340 / ¥2,000，还差 ¥660"
 *                 with the bar, members' avatars and contributions, empty seats; 邀请好友组队
 *                 (share card with the token and my codes); 加入团队 → POST teams/{token}/join
 *                 (guarded: the slider appears when asked for).
 * Paid orders count by themselves on the server; the page only shows where the team stands.
 */
'use strict'

const routes = require('../../core/routes')
const share = require('../../core/share')
const subscribe = require('../../core/subscribe')
const track = require('../../core/track')
const ui = require('../../core/ui')
const teams = require('../../services/team')

const ROUTE = 'package-social/team/index'

Component({
  data: { loading: true, error: '', mode: '', activity: null, team: null, busy: false },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this._query = { activity: q.activity, token: q.token }
      subscribe.load().catch(() => {}) // ready before the 开团 / 加入 tap (F48)
      return this.load()
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    async load() {
      const q = this._query || {}
      try {
        if (q.token) {
          this.showTeam(await teams.team(q.token))
        } else if (q.activity) {
          const a = await teams.activity(q.activity)
          if (a.my_team_token) {
            this._query = { token: a.my_team_token }
            this.showTeam(await teams.team(a.my_team_token))
          } else {
            this.setData({ loading: false, error: '', mode: 'activity', activity: teams.activityView(a) })
          }
        } else {
          this.setData({ loading: false, error: '活动不存在' })
        }
        return true
      } catch (err) {
        this.setData({ loading: false, error: err.message })
        return false
      }
    },
    showTeam(t) {
      this.setData({ loading: false, error: '', mode: 'team', team: teams.teamView(t) })
    },

    async onOpen() {
      const a = this.data.activity
      if (!a || this.data.busy) return false
      this.setData({ busy: true })
      // 瓜分成功 / 组队未达标 need the shopper's grant: asked inside the tap (F48)
      await subscribe.ask('team')
      try {
        const t = await teams.open(a.id)
        this._query = { token: t.token }
        this.setData({ busy: false })
        this.showTeam(t)
        ui.toast('开团成功，快邀请好友组队')
        return true
      } catch (err) {
        this.setData({ busy: false })
        ui.toastError(err)
        return false
      }
    },

    async onJoin() {
      const t = this.data.team
      if (!t || !t.canJoin || this.data.busy) return false
      this.setData({ busy: true })
      await subscribe.ask('team')
      try {
        this.showTeam(await teams.join(t.token))
        this.setData({ busy: false })
        ui.toast('已加入团队，一起买买买', 'success')
        return true
      } catch (err) {
        this.setData({ busy: false })
        ui.toastError(err)
        this.load() // the team may be full or closed now: show it as it is
        return false
      }
    },

    onShop() {
      return routes.go(routes.PAGES.home).then(() => true, () => false)
    },

    onShareAppMessage() {
      const t = this.data.team
      if (t && t.token) {
        return share.shareMessage({ title: `一起组队瓜分 ${t.rewardText}！${t.progressText}`, page: routes.PAGES.team, query: { token: t.token } })
      }
      const a = this.data.activity
      return share.shareMessage({ title: a ? `${a.name}：${a.sizeText}，消费满 ${a.goalText} 瓜分 ${a.rewardText}` : '组队瓜分优惠券', page: routes.PAGES.team, query: { activity: a && a.id } })
    },
  }),
})
