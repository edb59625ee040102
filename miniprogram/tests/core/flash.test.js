const store = require('../../core/store')
const flash = require('../../core/flash')

const T10 = Date.parse('2026-12-01T10:00:00+08:00')
const H = 3600e3

function slot(id, startMs, extra) {
  const start = new Date(startMs).toISOString()
  return Object.assign({ id, kind: 'slot', title: '', starts_at: `2026-12-0${id < 10 ? 1 : 2}T${String(new Date(startMs + 8 * H).getUTCHours()).padStart(2, '0')}:00:00+08:00`, ends_at: start, starts_at_ms: startMs, ends_at_ms: startMs + 2 * H, state: 'upcoming', items: [] }, extra)
}

beforeEach(() => store.reset())

describe('slot states move on with the server clock', () => {
  test('upcoming → live at its start → ended at its end; sold out stays until the end', () => {
    const s = slot(1, T10)
    expect(flash.stateAt(s, T10 - 1)).toBe('upcoming')
    expect(flash.stateAt(s, T10)).toBe('live')
    expect(flash.stateAt(s, T10 + 2 * H)).toBe('ended')
    const sold = slot(1, T10, { state: 'sold_out' })
    expect(flash.stateAt(sold, T10 + H)).toBe('sold_out')
    expect(flash.stateAt(sold, T10 + 2 * H)).toBe('ended')
    expect(flash.targetFor(s, 'upcoming')).toBe(T10)
    expect(flash.targetFor(s, 'live')).toBe(T10 + 2 * H)
    expect(flash.targetFor(s, 'ended')).toBeNull()
  })

  test('the clock used is the server one (offset), not the phone', () => {
    store.set('serverOffset', -10 * 60e3) // the phone is 10 minutes fast
    const realNow = Date.now
    Date.now = () => T10 + 5 * 60e3 // phone says 10:05, the server 09:55
    try {
      expect(flash.stateAt(slot(1, T10))).toBe('upcoming')
    } finally {
      Date.now = realNow
    }
  })

  test('tabs open on the running slot, else the next one; tomorrow is labelled', () => {
    const days = [
      { title: '今天', slots: [slot(1, T10, { state: 'ended' }), slot(2, T10 + 5 * H, { state: 'live' }), slot(3, T10 + 10 * H)] },
      { title: '周三', slots: [slot(11, T10 + 24 * H)] },
    ]
    const at = T10 + 5.5 * H
    const { tabs, current } = flash.slotTabs(days, at)
    expect(tabs.map((t) => [t.time, t.dayLabel, t.label])).toEqual([
      ['10:00', '', '已结束'],
      ['15:00', '', '抢购中'],
      ['20:00', '', '即将开始'],
      ['10:00', '周三', '即将开始'], // the day's title from the API
    ])
    expect(current).toBe(1)
    expect(flash.slotTabs(days, T10 + 8 * H).current).toBe(2) // 15:00 is over: the 20:00 one
    expect(flash.slotTabs([{ slots: [slot(1, T10, { state: 'ended' })] }], T10 + 3 * H).current).toBe(0)
  })
})

describe('item buttons', () => {
  const item = { id: 5, sku_id: 71, product_id: 7, title: '洁面乳', price: 5900, flash_price: 990, quota: 100, sold_percent: 62, remaining: 38, per_shopper_limit: 1, per_order_limit: 1, state: 'live' }

  test('live: 马上抢 with 已抢 X%; upcoming: 即将开抢; ended: 已结束', () => {
    expect(flash.itemView(item, 'live', 'slot')).toMatchObject({ flashPriceText: '¥9.90', priceText: '¥59.00', soldPercent: 62, button: { action: 'buy', text: '马上抢' }, limitText: '每人限购 1 件' })
    expect(flash.itemView(Object.assign({}, item, { state: 'upcoming' }), 'upcoming', 'slot').button).toEqual({ action: '', text: '即将开抢' })
    expect(flash.itemView(item, 'ended', 'slot').button).toEqual({ action: '', text: '已结束' })
    // the slot started on the clock: an item the server sent as upcoming is now buyable
    expect(flash.itemView(Object.assign({}, item, { state: 'upcoming' }), 'live', 'slot').button.action).toBe('buy')
  })

  test('sold out: reserve (到货提醒 / 预约补货) unless already reserved', () => {
    const sold = Object.assign({}, item, { state: 'sold_out', remaining: 0, sold_percent: 100 })
    expect(flash.itemView(sold, 'live', 'slot').button).toEqual({ action: 'reserve', text: '到货提醒' })
    expect(flash.itemView(sold, 'sold_out', 'release').button).toEqual({ action: 'reserve', text: '预约补货' })
    expect(flash.itemView(Object.assign({}, sold, { reserved: true }), 'live', 'slot').button).toEqual({ action: 'unreserve', text: '已预约' })
    expect(flash.labelFor('sold_out', 'release')).toBe('补货中，可预约')
  })
})
