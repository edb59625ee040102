/**
 * 签到 (F20): the month's calendar with the days checked in, the streak, today's reward and the next
 * milestone ("再签 N 天得 30 积分"), the check-in button, and 补签 on a missed day within the shop's
 * window for points. The server decides everything (the shop day is Beijing time); the page shows it.
 */
'use strict'

const api = require('../../core/api')
const subscribe = require('../../core/subscribe')
const ui = require('../../core/ui')

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日']

function pad(n) {
  return n < 10 ? `0${n}` : `${n}`
}

/** The month as rows of seven cells (Monday first), blanks before the 1st. */
function monthCells(month, checked, makeup, today) {
  const [year, mon] = month.split('-').map(Number)
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate()
  const lead = (new Date(Date.UTC(year, mon - 1, 1)).getUTCDay() + 6) % 7
  const checkedSet = new Set(checked)
  const makeupSet = new Set(makeup)
  const cells = []
  for (let i = 0; i < lead; i += 1) cells.push({ key: `b${i}`, blank: true })
  for (let d = 1; d <= days; d += 1) {
    const date = `${month}-${pad(d)}`
    cells.push({
      key: date,
      date,
      day: d,
      checked: checkedSet.has(date),
      makeup: makeupSet.has(date),
      today: date === today,
    })
  }
  return cells
}

function view(cal) {
  const reward = cal.today_bonus ? `${cal.today_points} + ${cal.today_bonus} 积分` : `${cal.today_points} 积分`
  return {
    enabled: cal.enabled,
    month: cal.month,
    monthText: `${Number(cal.month.slice(0, 4))} 年 ${Number(cal.month.slice(5, 7))} 月`,
    cells: monthCells(cal.month, cal.checked_days, cal.makeup_days, cal.today),
    checkedToday: cal.checked_today,
    streakText: `已连续签到 ${cal.streak} 天`,
    rewardText: cal.checked_today ? `今日已得 ${reward}` : `今日签到可得 ${reward}`,
    milestoneText: cal.milestone_text,
    makeupCost: cal.makeup_cost,
    makeupHint: cal.makeup_days.length ? `点日历上的“补”可补签，每次消耗 ${cal.makeup_cost} 积分` : '',
    points: cal.points_balance,
  }
}

Component({
  data: { loading: true, error: '', cal: null, busy: false, weekdays: WEEKDAYS },
  methods: {
    onLoad() {
      subscribe.load().catch(() => {}) // ready before the 立即签到 tap (F48)
      return this.load()
    },
    async load() {
      try {
        const cal = await api.checkin()
        this.setData({ loading: false, error: '', cal: view(cal) })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    async onCheckIn() {
      const cal = this.data.cal
      if (!cal || cal.checkedToday || this.data.busy) return false
      this.setData({ busy: true })
      // tomorrow's 签到提醒 needs the shopper's grant: asked inside the tap (F48)
      await subscribe.ask('checkin')
      try {
        const done = await api.checkIn()
        this.setData({ busy: false, cal: view(done.calendar) })
        const bonus = done.bonus_points ? `，连续奖励 ${done.bonus_points} 积分` : ''
        ui.toast(`签到成功 +${done.points} 积分${bonus}`, 'success')
        return true
      } catch (err) {
        this.setData({ busy: false })
        ui.toastError(err)
        if (err && err.code === 'already_checked_in') await this.load()
        return false
      }
    },
    async onMakeup(e) {
      const date = e.currentTarget.dataset.date
      const cal = this.data.cal
      if (!cal || !date || this.data.busy) return false
      const ok = await ui.confirm(`补签 ${date} 将消耗 ${cal.makeupCost} 积分，确定吗？`)
      if (!ok) return false
      this.setData({ busy: true })
      try {
        const done = await api.checkInMakeup(date)
        this.setData({ busy: false, cal: view(done.calendar) })
        ui.toast('补签成功', 'success')
        return true
      } catch (err) {
        this.setData({ busy: false })
        ui.toastError(err)
        return false
      }
    },
  },
})
