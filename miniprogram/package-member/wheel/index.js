/**
 * 幸运大转盘 (F21): the wheel with its sectors, the chances left and today's draws left, the
 * 抽奖 button, and the prizes won. The server draws (a cryptographic random source, stock and
 * limits held there); this page only turns the wheel to the sector the answer names and, when
 * the turn ends, shows what was won.
 */
'use strict'

const wheelApi = require('../../services/wheel')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

const TURNS = 6 // whole turns before landing
const COLORS = ['#fff1e6', '#ffd8bf']

/** Each sector's label angle (the wheel's top is 0°, clockwise). */
function sectors(prizes) {
  const size = prizes.length ? 360 / prizes.length : 360
  return prizes.map((prize, index) => ({ key: prize.id, name: prize.name, kind: prize.kind, angle: index * size }))
}

/** Alternating colours, each sector centred on its label's angle. */
function background(count) {
  if (!count) return COLORS[0]
  const size = 360 / count
  const stops = []
  for (let i = 0; i < count; i += 1) stops.push(`${COLORS[i % COLORS.length]} ${i * size}deg ${(i + 1) * size}deg`)
  return `conic-gradient(from ${-size / 2}deg, ${stops.join(', ')})`
}

/** The rotation (degrees) that brings sector ``position`` under the pointer at the top, after
 * ``current`` degrees of earlier turns. */
function targetRotation(current, position, count) {
  const size = 360 / count
  const base = current - (current % 360) + TURNS * 360
  return base + (360 - position * size) % 360
}

function view(wheel) {
  return {
    open: wheel.open,
    name: wheel.name,
    rulesText: wheel.rules_text,
    thresholdText: wheel.open ? `每笔订单实付满 ¥${wheel.threshold} 得 1 次抽奖机会` : '',
    sectors: sectors(wheel.prizes),
    background: background(wheel.prizes.length),
    chancesLeft: wheel.chances_left,
    drawsLeftToday: wheel.draws_left_today,
    chancesText: `还有 ${wheel.chances_left} 次抽奖机会`,
    todayText: wheel.chances_left ? `今天还可抽 ${wheel.draws_left_today} 次（每天最多 ${wheel.daily_draw_limit} 次）` : '下单满额即可获得抽奖机会',
  }
}

function prizeRows(list) {
  const statusText = { unused: '未使用', used: '已使用', expired: '已过期' }
  return list.map((row) => ({
    key: row.id,
    text: row.text,
    status: row.coupon_status ? statusText[row.coupon_status] || '' : '已到账',
    date: row.drawn_at.slice(0, 10),
  }))
}

Component({
  data: { loading: true, error: '', wheel: null, prizes: [], rotation: 0, spinning: false, result: null },
  methods: {
    onLoad() {
      return this.load()
    },
    async load() {
      try {
        const [wheel, prizes] = await Promise.all([wheelApi.wheel(), wheelApi.myPrizes()])
        this.setData({ loading: false, error: '', wheel: view(wheel), prizes: prizeRows(prizes) })
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    async onDraw() {
      const wheel = this.data.wheel
      if (!wheel || !wheel.open || this.data.spinning) return false
      if (!wheel.chancesLeft) {
        ui.toast('还没有抽奖机会，下单满额即可获得')
        return false
      }
      this.setData({ spinning: true, result: null })
      try {
        const done = await wheelApi.draw()
        this.pending = done
        const rotation = targetRotation(this.data.rotation, done.prize.position, wheel.sectors.length)
        this.setData({ rotation })
        return true
      } catch (err) {
        this.setData({ spinning: false })
        ui.toastError(err)
        if (err && (err.code === 'wheel_no_chance' || err.code === 'wheel_daily_limit' || err.code === 'wheel_closed')) await this.load()
        return false
      }
    },
    /** The turn ended (bindtransitionend): show what the server drew, refresh chances and prizes. */
    async onSpinEnd() {
      const done = this.pending
      if (!done) return
      this.pending = null
      const won = done.won
      const lucky = won.kind !== 'thanks'
      const wheel = Object.assign({}, this.data.wheel, {
        chancesLeft: done.chances_left,
        drawsLeftToday: done.draws_left_today,
        chancesText: `还有 ${done.chances_left} 次抽奖机会`,
      })
      wheel.todayText = done.chances_left ? `今天还可抽 ${done.draws_left_today} 次` : '下单满额即可获得抽奖机会'
      this.setData({ spinning: false, wheel, result: { lucky, text: lucky ? `恭喜获得 ${won.text}` : '谢谢参与，下次好运' } })
      if (lucky) {
        const prizes = await wheelApi.myPrizes().catch(() => null)
        if (prizes) this.setData({ prizes: prizeRows(prizes) })
      }
    },
    onCoupons() {
      routes.go(routes.PAGES.coupons).catch(() => {})
    },
    onShop() {
      routes.go(routes.PAGES.home).catch(() => {})
    },
  },
})
