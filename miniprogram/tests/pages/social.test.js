const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const countdown = require('../../core/countdown')
const routes = require('../../core/routes')
const { render, text, texts } = require('../helpers/page')

let wx

// shapes of marketing/api/group_buys.py and marketing/api/bargains.py
const ITEMS = [
  { sku_id: 71, specs: { 颜色: '白' }, list_price: 5900, group_price: 3900, leader_price: 3500, saving: 2000 },
  { sku_id: 73, specs: { 颜色: '粉' }, list_price: 6900, group_price: 4900, leader_price: null, saving: 2000 },
]
function groupPage(extra) {
  return Object.assign(
    {
      id: 5, status: 'open', status_text: '还差 2 人成团', outcome: '', size: 3, paid_count: 1, seats_left: 2, seats_available: 2,
      opened_at: '2026-12-01T10:00:00+08:00', expires_at: '2026-12-02T10:00:00+08:00', remaining_seconds: 3600, completed_at: null,
      campaign: { id: 9, name: '三人团', product_id: 7, title: '洁面乳', image: '/media/p.jpg', max_qty_per_order: 1, join_new_only: false, auto_complete: false },
      items: ITEMS,
      members: [{ nickname: '团长甲', avatar_url: '', is_leader: true, paid_at: '2026-12-01T10:00:00+08:00' }],
      share_token: 'tok5', share_path: '/package-social/group/index?token=tok5',
      mine: null, can_join: true, join_refusal: '', deal: { kind: 'group', ref: 9, params: { share_token: 'tok5' } },
    },
    extra,
  )
}
function bargainPage(extra) {
  return Object.assign(
    {
      id: 3, status: 'ongoing', progress_text: '再砍 ¥25.00 即可免费拿', start_price: 10000, floor_price: 0, current_price: 2500, cut_amount: 7500,
      remaining_amount: 2500, progress_percent: 75, helps_count: 2, expires_at: '2026-12-02T10:00:00+08:00', remaining_seconds: 7200,
      initiator: { nickname: '小多', avatar_url: '' },
      campaign: { id: 4, name: '砍价', product_id: 7, sku_id: 71, specs: {}, title: '洁面乳', image: '/media/p.jpg', list_price: 10000, start_price: 10000, floor_price: 0, helpers_min: 3, helpers_max: 5, duration_minutes: 1440, starts_at: '', ends_at: '', remaining_quantity: 10, sold_out: false, helper_new_only: false },
      helpers: [{ nickname: '甲', avatar_url: '', cut: 5000, helped_at: '2026-12-01T10:00:00+08:00' }, { nickname: '乙', avatar_url: '', cut: 2500, helped_at: '2026-12-01T11:00:00+08:00' }],
      share_token: 'btok', share_path: '/package-social/bargain/index?token=btok',
      is_owner: true, my_cut: null, can_help: false, help_refusal: 'bargain_self_help', can_buy: true, deal: { kind: 'bargain', ref: 3, params: {} }, sku_id: 71,
    },
    extra,
  )
}

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  store.set('member', { invite_code: 'AB12' })
})

describe('拼团', () => {
  test('a friend opens the share card: 还差 N 人成团, avatars with empty seats, countdown, 参团 with the share token', async () => {
    wx.route('GET groups/share/tok5', () => [200, groupPage()])
    const page = render('package-social/group/index')
    await page.instance.onLoad({ token: 'tok5' })
    expect(text(page, '.group-state')).toBe('还差 2 人成团')
    expect(text(page, '.group-progress')).toBe('还差 2 人成团')
    expect(page.querySelectorAll('.seat')).toHaveLength(3)
    expect(page.querySelectorAll('.seat-empty')).toHaveLength(2)
    expect(text(page, '.seat-leader')).toBe('团长')
    expect(text(page, '.group-clock')).toMatch(/^剩余 ?00:59:5\d ?结束$/)
    page.instance.onItem({ currentTarget: { dataset: { index: 1 } } })
    await page.instance.onJoin()
    expect(wx.__calls.navigate.pop().url).toBe('/package-order/checkout/index?sku_id=73&qty=1&deal=group&ref=9&dp=%7B%22share_token%22%3A%22tok5%22%7D')
  })

  test('my group invites friends with its token (and my codes); a full group says why', async () => {
    wx.route('GET groups/5', () => [200, groupPage({ mine: { status: 'paid', is_leader: true, order_id: 1 }, can_join: false, join_refusal: 'group_already_joined' })])
    const page = render('package-social/group/index')
    await page.instance.onLoad({ id: '5' })
    expect(page.querySelector('.invite-button')).toBeTruthy()
    expect(page.instance.onShareAppMessage()).toEqual({ title: '还差 2 人成团，快来和我一起拼「洁面乳」', path: '/package-social/group/index?token=tok5&invite=AB12&src=share', imageUrl: 'http://127.0.0.1:8000/media/p.jpg' })

    wx.route('GET groups/share/full', () => [200, groupPage({ status: 'completed', status_text: '已成团', paid_count: 3, seats_left: 0, remaining_seconds: 0, can_join: false, join_refusal: 'group_full', members: [{ nickname: 'a', is_leader: true }, { nickname: 'b' }, { nickname: 'c' }] })])
    const full = render('package-social/group/index')
    await full.instance.onLoad({ token: 'full' })
    expect(text(full, '.refusal')).toBe('该团已满员')
    expect(full.querySelectorAll('.seat-empty')).toHaveLength(0)
    expect(full.querySelector('.group-clock')).toBeFalsy()
    expect(await full.instance.onJoin()).toBe(false)
  })

  test('the campaign: prices, open groups to join, 开团 with the deal the API hands out', async () => {
    wx.route('GET group-buys/9', () => [200, {
      id: 9, name: '三人团', product_id: 7, title: '洁面乳', image: '', group_size: 3, duration_minutes: 1440, lowest_price: 3500, list_price: 5900,
      starts_at: '', ends_at: '', items: ITEMS, is_open: true, auto_complete: false, max_qty_per_order: 1, per_member_limit: null, my_participations: 0,
      join_new_only: false, open_groups: [{ id: 5, share_token: 'tok5', leader: { nickname: '团长甲', avatar_url: '' }, seats_left: 2, expires_at: new Date(Date.now() + 3600e3).toISOString() }],
      deal: { kind: 'group', ref: 9, params: {} },
    }])
    const page = render('package-social/group/index')
    await page.instance.onLoad({ campaign: '9' })
    expect(text(page, '.big')).toBe('¥35.00')
    expect(text(page, '.open-body')).toMatch(/^团长甲 的团 ?还差 2 人 · 剩 ?00:59:5\d$/)
    await page.instance.onOpenGroup({ currentTarget: { dataset: { token: 'tok5' } } })
    expect(wx.__calls.navigate.pop().url).toBe('/package-social/group/index?token=tok5')
    await page.instance.onOpen()
    expect(wx.__calls.navigate.pop().url).toBe('/package-order/checkout/index?sku_id=71&qty=1&deal=group&ref=9')
    expect(routes.marketingTarget({ type: 'group_buy', id: 9, product_id: 7 })).toBe('/package-social/group/index?campaign=9')
  })
})

describe('砍价', () => {
  test('my bargain: current price, 再砍 ¥X with the bar, helpers and their cuts; buy at the current price', async () => {
    wx.route('GET bargains/3', () => [200, bargainPage()])
    const page = render('package-social/bargain/index')
    await page.instance.onLoad({ id: '3' })
    expect(text(page, '.current')).toBe('¥25.00')
    expect(text(page, '.bargain-progress')).toBe('再砍 ¥25.00 即可免费拿')
    expect(page.querySelector('.bargain-progress').dom.innerHTML).toContain('width: 75%')
    expect(texts(page, '.helper-cut')).toEqual(['砍掉 ¥50.00', '砍掉 ¥25.00'])
    expect(page.querySelector('.share-button')).toBeTruthy()
    await page.instance.onBuy()
    expect(wx.__calls.navigate.pop().url).toBe('/package-order/checkout/index?sku_id=71&qty=1&deal=bargain&ref=3')
    expect(page.instance.onShareAppMessage().path).toBe('/package-social/bargain/index?token=btok&invite=AB12&src=share')
  })

  test('a friend helps once: the cut is shown and the bargain moves; the slider may be asked for first', async () => {
    wx.route('GET bargains/share/btok', () => [200, bargainPage({ is_owner: false, can_help: true, help_refusal: '', can_buy: false, deal: null })])
    let n = 0
    wx.route('POST bargains/share/btok/help', (req) =>
      ++n === 1 && !req.header['X-Captcha-Pass']
        ? [403, { code: 'captcha_required', message: '', details: { action: 'help' } }]
        : [201, { cut: 1200, bargain: bargainPage({ is_owner: false, can_help: false, help_refusal: 'bargain_already_helped', my_cut: 1200, current_price: 1300, remaining_amount: 1300, progress_text: '再砍 ¥13.00 即可免费拿', helps_count: 3, can_buy: false, deal: null }) }],
    )
    const client = require('../../core/request')
    client.setCaptchaHandler(() => Promise.resolve('PASS'))
    const page = render('package-social/bargain/index')
    await page.instance.onLoad({ token: 'btok' })
    expect(text(page, '.initiator')).toBe('小多 邀你帮TA砍价')
    expect(await page.instance.onHelp()).toBe(true)
    client.setCaptchaHandler(null)
    expect(wx.__calls.request.filter((r) => r.path === 'bargains/share/btok/help').map((r) => r.header['X-Captcha-Pass'])).toEqual([undefined, 'PASS'])
    expect(wx.__calls.toast.pop()).toBe('帮TA砍掉了 ¥12.00')
    expect(text(page, '.my-cut')).toBe('你帮TA砍掉了 ¥12.00')
    expect(text(page, '.bargain-progress')).toBe('再砍 ¥13.00 即可免费拿')
    expect(text(page, '.refusal')).toBe('你已经帮砍过了')
    expect(page.querySelector('.help-button')).toBeFalsy()
    page.instance.onMine()
    expect(wx.__calls.navigate.pop().url).toBe('/package-social/bargain/index?campaign=4')
  })

  test('a refused help says why and shows the bargain as it is now', async () => {
    wx.route('GET bargains/share/btok', () => [200, bargainPage({ is_owner: false, can_help: true, help_refusal: '', can_buy: false, deal: null })])
    wx.route('POST bargains/share/btok/help', () => [409, { code: 'bargain_help_limited', message: '今天帮砍次数已用完，明天再来吧。', details: {} }])
    const page = render('package-social/bargain/index')
    await page.instance.onLoad({ token: 'btok' })
    expect(await page.instance.onHelp()).toBe(false)
    expect(wx.__calls.toast.pop()).toBe('今天帮砍次数已用完，明天再来吧。')
    await flush()
    expect(wx.__calls.request.filter((r) => r.path === 'bargains/share/btok')).toHaveLength(2)
  })

  test('the campaign: 发起砍价 starts one and shows it; a campaign I already bargain in opens mine', async () => {
    const campaign = { id: 4, name: '砍价', product_id: 7, sku_id: 71, specs: {}, title: '洁面乳', image: '', list_price: 10000, start_price: 10000, floor_price: 0, helpers_min: 3, helpers_max: 5, duration_minutes: 1440, starts_at: '', ends_at: '', remaining_quantity: null, sold_out: false, helper_new_only: false, is_open: true, per_member_limit: 1, my_bargain_id: null }
    wx.route('GET bargains/campaigns/4', () => [200, campaign])
    wx.route('POST bargains/campaigns/4/start', () => [201, bargainPage({ current_price: 10000, cut_amount: 0, remaining_amount: 10000, helps_count: 0, helpers: [], progress_text: '再砍 ¥100.00 即可免费拿' })])
    const page = render('package-social/bargain/index')
    await page.instance.onLoad({ campaign: '4' })
    expect(text(page, '.floor')).toBe('砍到 0 元免费拿')
    expect(await page.instance.onStart()).toBe(true)
    expect(text(page, '.current')).toBe('¥100.00')
    expect(wx.__calls.toast.pop()).toBe('砍价已发起，快邀请好友帮砍')

    wx.route('GET bargains/campaigns/4', () => [200, Object.assign({}, campaign, { my_bargain_id: 3 })])
    wx.route('GET bargains/3', () => [200, bargainPage()])
    const again = render('package-social/bargain/index')
    await again.instance.onLoad({ campaign: '4' })
    expect(text(again, '.current')).toBe('¥25.00')
    expect(routes.marketingTarget({ type: 'bargain', id: 4 })).toBe('/package-social/bargain/index?campaign=4')
  })

  test('countdowns run to now + remaining_seconds on the server clock', () => {
    const social = require('../../core/social')
    store.set('serverOffset', 60e3)
    const at = countdown.now()
    expect(social.bargainView(bargainPage({ remaining_seconds: 10 }), at).target).toBe(at + 10000)
    expect(social.bargainView(bargainPage({ status: 'expired', remaining_seconds: 0 }), at).target).toBeNull()
    expect(social.groupView(groupPage({ status: 'pending' }), at).target).toBeNull()
  })
})

describe('我的拼团 / 砍价', () => {
  test('my groups with their state and avatars, then my bargains; a row opens its page', async () => {
    wx.route('GET me/groups', () => [200, { count: 1, next: null, previous: null, results: [{ group_id: 5, status: 'open', status_text: '还差 2 人成团', size: 3, seats_left: 2, expires_at: '', campaign_name: '三人团', title: '洁面乳', image: '', is_leader: true, my_status: 'paid', order_no: 'N1', paid_amount: 3500, share_token: 'tok5', avatars: ['/media/a.jpg'] }] }])
    wx.route('GET me/bargains', () => [200, { count: 1, next: null, previous: null, results: [{ id: 3, status: 'ongoing', progress_text: '再砍 ¥25.00 即可免费拿', campaign_name: '砍价', title: '洁面乳', image: '', start_price: 10000, current_price: 2500, floor_price: 0, helps_count: 2, expires_at: '2026-12-02T10:00:00+08:00', share_token: 'btok' }] }])
    const page = render('package-social/mine/index')
    await page.instance.onLoad({})
    expect(text(page, '.state')).toBe('还差 2 人成团')
    expect(text(page, '.sub')).toBe('3人团 · 我是团长 · 实付 ¥35.00')
    expect(page.querySelectorAll('.avatar')).toHaveLength(1)
    page.instance.onOpen({ currentTarget: { dataset: { index: 0 } } })
    expect(wx.__calls.navigate.pop().url).toBe('/package-social/group/index?id=5')
    await page.instance.onTab({ currentTarget: { dataset: { value: 'bargains' } } })
    expect(text(page, '.state')).toBe('再砍 ¥25.00 即可免费拿')
    expect(text(page, '.sub')).toBe('当前价 ¥25.00 · 2 人帮砍 · 2026-12-02 10:00 截止')
    page.instance.onOpen({ currentTarget: { dataset: { index: 0 } } })
    expect(wx.__calls.navigate.pop().url).toBe('/package-social/bargain/index?id=3')
  })
})

test('an order bought through a group says so and opens its group; a plain order shows nothing', async () => {
  const fixtures = require('../helpers/fixtures')
  wx.route('GET orders/G1', () => [200, fixtures.order({ no: 'G1', status: 'paid', status_display: '待发货', deal_kind: 'group', deal_ref: 5 })])
  wx.route('GET orders/N1', () => [200, fixtures.order({ no: 'N1', deal_kind: '', deal_ref: null })])
  const page = render('package-order/order-detail/index')
  await page.instance.onLoad({ no: 'G1' })
  expect(text(page, '.order-deal')).toBe('拼团订单成团后发货，未成团自动退款查看详情')
  page.instance.onDeal()
  expect(wx.__calls.navigate.pop().url).toBe('/package-social/group/index?id=5')
  const plain = render('package-order/order-detail/index')
  await plain.instance.onLoad({ no: 'N1' })
  expect(plain.querySelector('.order-deal')).toBeFalsy()
})
