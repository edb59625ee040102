const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const share = require('../../core/share')
const { render, text, texts } = require('../helpers/page')

let wx

// shapes of marketing/api/invites.py and marketing/api/distribution.py
const INVITE = {
  invite_code: 'AB12CD',
  share_path: '/pages/home/index?invite=AB12CD',
  program: { active: true, threshold: 3, reward_limit: 5, reward_name: '邀请奖励券', reward_summary: '无门槛减20.00', points_rate: '0.100', ends_at: null },
  invited: 4,
  counted: 4,
  progress: 1,
  remaining: 2,
  limit_reached: false,
  rewards: [{ seq: 1, created_at: '2026-11-30T10:00:00+08:00', coupon_id: 9, coupon_name: '邀请奖励券' }],
  points_earned: 320,
}
const PROGRAM = { active: true, default_rate: '0.100', attribution_days: 7, settle_days: 7, min_withdrawal: 1000 }
function promoter(status, extra) {
  return Object.assign({ status, code: status === 'approved' ? 'P1A2B3C4D' : '', share_query: '', product_share_path: '', real_name: '张三', phone: '13800000000', reason: '', review_note: '', applied_at: '2026-12-01T09:00:00+08:00', approved_at: null }, extra)
}
const EARNINGS = { pending: 500, frozen: 1200, available: 2550, withdrawing: 0, withdrawn: 1000, reversed: 300, total: 5250 }
const ORDERS = {
  count: 1,
  next: null,
  previous: null,
  results: [{ order_no: '2612****1479', buyer_nickname: '小*', buyer_avatar_url: '', placed_at: '2026-12-01T10:00:00+08:00', amount: 590, held_amount: 590, lines: [{ id: 1, title: '速干短裤', qty: 1, base_amount: 5900, rate: '0.100', amount: 590, held_amount: 590, status: 'frozen', available_at: null }] }],
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', { invite_code: 'AB12CD' })
})

describe('邀请有礼', () => {
  test('code, rule, progress 再邀请 N 位好友, rewards and invitees from two requests', async () => {
    wx.route('GET me/invite', () => [200, INVITE])
    wx.route('GET me/invite/invitees', () => [200, { count: 2, next: null, previous: null, results: [{ nickname: '小*', avatar_url: '', joined_at: '2026-12-01T08:00:00+08:00', has_ordered: true, counts: true, rewarded: true }, { nickname: '王*', avatar_url: '', joined_at: '2026-12-01T09:00:00+08:00', has_ordered: false, counts: false, rewarded: false }] }])
    const page = render('package-growth/invite/index')
    await page.instance.onLoad()
    expect(wx.__calls.request.map((r) => r.path).sort()).toEqual(['me/invite', 'me/invite/invitees'])
    expect(text(page, '.code')).toBe('AB12CD')
    expect(text(page, '.hero-rule')).toBe('每邀请 3 位新朋友注册，得「邀请奖励券」（无门槛减20.00）')
    expect(text(page, '.invite-progress')).toBe('再邀请 2 位好友得无门槛减20.00')
    expect(texts(page, '.stat-value')).toEqual(['4', '1', '320'])
    expect(text(page, '.reward-name')).toBe('第 1 份 · 邀请奖励券')
    expect(texts(page, '.invitee-status')).toEqual(['已计入奖励已下单', '活动外注册'])
    expect(texts(page, '.rule')[0]).toBe('好友每笔实付订单，你得实付金额 10% 的积分')
  })

  test('sharing sends the home page with the code (and the promoter code when there is one)', async () => {
    wx.route('GET me/invite', () => [200, INVITE])
    wx.route('GET me/invite/invitees', () => [200, { count: 0, next: null, previous: null, results: [] }])
    store.set('myPromoterCode', 'P1A2B3C4D')
    const page = render('package-growth/invite/index')
    await page.instance.onLoad()
    expect(page.instance.onShareAppMessage()).toEqual({ title: '送你一份新人好礼，一起来逛多营商城', path: '/pages/home/index?invite=AB12CD&pc=P1A2B3C4D&src=share' })
    expect(text(page, '.empty')).toBe('还没有邀请好友，快去分享吧')
  })
})

describe('推广中心', () => {
  test('not a promoter: the programme and the application; the phone is checked; applying shows 审核中', async () => {
    let state = 'none'
    wx.route('GET me/promoter', () => [200, { promoter: state === 'none' ? promoter('none', { real_name: '', phone: '' }) : promoter('applied'), earnings: null, program: PROGRAM }])
    const applies = []
    wx.route('POST promoter/apply', (req) => (applies.push(req.data), (state = 'applied'), [201, promoter('applied')]))
    const page = render('package-growth/promoter/index')
    await page.instance.onLoad()
    expect(texts(page, '.hero-rule')).toEqual(['好友通过你的分享下单，得实付金额 10% 起的佣金', '分享后 7 天内下单都算你的；订单完成 7 天后可提现，满 ¥10.00 起提'])
    page.instance.onField({ currentTarget: { dataset: { field: 'real_name' } }, detail: { value: '张三' } })
    page.instance.onField({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '1380000' } })
    expect(await page.instance.onApply()).toBe(false)
    expect(wx.__calls.toast.pop()).toBe('请填写正确的手机号')
    page.instance.onField({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '13800000000' } })
    expect(await page.instance.onApply()).toBe(true)
    expect(applies).toEqual([{ real_name: '张三', phone: '13800000000', reason: '' }])
    expect(text(page, '.applied .status-text')).toBe('申请审核中')
    expect(store.get('myPromoterCode')).toBeNull()
  })

  test('rejected: the merchant note and the form again', async () => {
    wx.route('GET me/promoter', () => [200, { promoter: promoter('rejected', { review_note: '资料不全' }), earnings: null, program: PROGRAM }])
    const page = render('package-growth/promoter/index')
    await page.instance.onLoad()
    expect(text(page, '.rejected')).toContain('原因：资料不全')
    expect(page.instance.data.form.real_name).toBe('张三')
  })

  test('approved: the code is kept for shares, earnings by state, orders with each line commission', async () => {
    wx.route('GET me/promoter', () => [200, { promoter: promoter('approved'), earnings: EARNINGS, program: PROGRAM }])
    wx.route('GET me/promoter/orders', () => [200, ORDERS])
    const page = render('package-growth/promoter/index')
    await page.instance.onLoad()
    expect(store.get('myPromoterCode')).toBe('P1A2B3C4D')
    expect(share.sharePath('/pages/product/index', { id: 7 })).toBe('/pages/product/index?id=7&invite=AB12CD&pc=P1A2B3C4D&src=share')
    expect(text(page, '.available')).toBe('¥25.50')
    expect(texts(page, '.earning')).toEqual(['¥12.00冻结中', '¥5.00待付款', '¥0.00提现中', '¥10.00已提现', '¥3.00已退回', '¥52.50累计收益'])
    expect(text(page, '.row-title')).toBe('小* · 2612****1479')
    expect(text(page, '.line')).toBe('速干短裤 ×1 · 佣金 ¥5.90（10%）冻结中')
  })

  test('withdraw: minimum and balance checked here; a double tap asks once with one Idempotency-Key', async () => {
    let withdrawn = false
    wx.route('GET me/promoter', () => [200, { promoter: promoter('approved'), earnings: withdrawn ? Object.assign({}, EARNINGS, { available: 550, withdrawing: 2000 }) : EARNINGS, program: PROGRAM }])
    wx.route('GET me/promoter/orders', () => [200, ORDERS])
    wx.route('GET me/promoter/withdrawals', () => [200, { count: 1, next: null, previous: null, results: [{ id: 4, amount: 2000, status: 'requested', requested_at: '2026-12-01T11:00:00+08:00', reviewed_at: null, payout_reference: '', note: '' }] }])
    const keys = []
    wx.route('POST me/promoter/withdrawals', (req) => (keys.push(req.header['Idempotency-Key']), (withdrawn = true), [201, { id: 4, amount: req.data.amount, status: 'requested' }]))
    const page = render('package-growth/promoter/index')
    await page.instance.onLoad()
    page.instance.onAmount({ detail: { value: '5' } })
    await page.instance.onWithdraw()
    expect(wx.__calls.toast.pop()).toBe('最低提现 ¥10.00')
    page.instance.onAmount({ detail: { value: '30' } })
    await page.instance.onWithdraw()
    expect(wx.__calls.toast.pop()).toBe('最多可提现 ¥25.50')
    page.instance.onAmount({ detail: { value: '20.00' } })
    await Promise.all([page.instance.onWithdraw(), page.instance.onWithdraw()])
    expect(keys).toHaveLength(1)
    expect(wx.__calls.request.find((r) => r.path === 'me/promoter/withdrawals' && r.method === 'POST').data).toEqual({ amount: 2000 })
    expect(text(page, '.available')).toBe('¥5.50')
    expect(page.instance.data.list).toBe('withdrawals')
    expect(text(page, '.row-title')).toBe('提现 ¥20.00')
    expect(text(page, '.row-amount')).toBe('处理中')
  })

  test('a refused withdrawal says why; the lists switch', async () => {
    wx.route('GET me/promoter', () => [200, { promoter: promoter('approved'), earnings: EARNINGS, program: PROGRAM }])
    wx.route('GET me/promoter/orders', () => [200, ORDERS])
    wx.route('GET me/promoter/customers', () => [200, { count: 1, next: null, previous: null, results: [{ nickname: '李*', avatar_url: '', first_clicked_at: '2026-11-29T10:00:00+08:00', last_clicked_at: '2026-12-01T10:00:00+08:00', clicks: 3, orders: 2 }] }])
    wx.route('POST me/promoter/withdrawals', () => [409, { code: 'withdrawal_exceeds_balance', message: '可提现余额不足。', details: {} }])
    const page = render('package-growth/promoter/index')
    await page.instance.onLoad()
    page.instance.onAll()
    expect(page.instance.data.amountText).toBe('25.50')
    await page.instance.onWithdraw()
    expect(wx.__calls.toast.pop()).toBe('可提现余额不足。')
    await page.instance.onList({ currentTarget: { dataset: { value: 'customers' } } })
    expect(text(page, '.row-title')).toBe('李*')
    expect(text(page, '.row-amount')).toBe('2 单')
  })
})
