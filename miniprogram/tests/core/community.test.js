/**
 * The community's client logic (F23): counts and times as the shopper reads them, the review
 * states, the pager's cursor, and the compose page's media rules — 9 pictures or 1 video,
 * pictures compressed before upload, each upload's progress reported.
 */
const { createWx, flush } = require('../helpers/wx')
const store = require('../../core/store')
const community = require('../../core/community')
const paging = require('../../core/paging')
const media = require('../../core/compose-media')
const { uploadFile } = require('../../core/upload')

let wx

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
})

test('counts read as 赞 / 9 / 1.2万 and times as 刚刚 / 分钟前 / 昨天 / a date', () => {
  expect(community.countText(0, '赞')).toBe('赞')
  expect(community.countText(9)).toBe('9')
  expect(community.countText(12345)).toBe('1.2万')
  expect(community.countText(30000)).toBe('3万')
  const now = Date.parse('2026-03-10T12:00:00+08:00')
  expect(community.timeText('2026-03-10T11:59:40+08:00', now)).toBe('刚刚')
  expect(community.timeText('2026-03-10T11:55:00+08:00', now)).toBe('5分钟前')
  expect(community.timeText('2026-03-10T09:00:00+08:00', now)).toBe('3小时前')
  expect(community.timeText('2026-03-09T08:15:00+08:00', now)).toBe('昨天 08:15')
  expect(community.timeText('2026-02-01T08:15:00+08:00', now)).toBe('02-01')
  expect(community.timeText('2025-12-31T08:15:00+08:00', now)).toBe('2025-12-31')
})

test('my posts say 审核中 / 已发布 / 未通过 with the reason; only a published one opens', () => {
  const rejected = community.mineRow({ id: 1, text: 't', status: 'rejected', status_label: '未通过', reject_reason: '含站外引流', media: [], created_at: '' })
  expect(rejected).toMatchObject({ statusText: '未通过', rejectReason: '含站外引流', open: false })
  const pending = community.mineRow({ id: 2, text: 't', status: 'pending', reject_reason: '', media: [] })
  expect(pending).toMatchObject({ statusText: '审核中', rejectReason: '', open: false })
  expect(community.mineRow({ id: 3, text: 't', status: 'published', media: [] })).toMatchObject({ statusText: '已发布', open: true })
})

test('media rows become pictures in order or the one video; a text-only post has no cover', () => {
  const card = community.postCard({ id: 1, text: 'x', media: [{ id: 9, kind: 'video', url: 'https://v/1.mp4' }], author: { nickname: '阿多' } })
  expect(card).toMatchObject({ cover: '', isVideo: true, imageCount: 0, author: { nickname: '阿多', letter: '阿' } })
  const detail = community.postDetail({ id: 2, text: 'y', media: [{ id: 1, kind: 'image', url: 'a' }, { id: 2, kind: 'image', url: 'b' }] })
  expect(detail).toMatchObject({ images: ['a', 'b'], video: null })
  expect(community.postCard({ id: 3, text: 'z', media: [] }).cover).toBe('')
})

test('the pager follows the cursor, appends by index and drops an answer for a reloaded list', async () => {
  const answers = []
  const calls = []
  const fake = { data: { rows: [] }, setData(d) { Object.keys(d).forEach((k) => { const m = /^rows\[(\d+)\]$/.exec(k); if (m) this.data.rows[Number(m[1])] = d[k]; else this.data[k] = d[k] }) } }
  const pager = paging.create(fake, { key: 'rows', fetch: (p) => (calls.push(p), new Promise((r) => answers.push(r))) })
  const first = pager.reload()
  answers.shift()({ results: [1, 2], next_cursor: 'c2' })
  await first
  const more = pager.more()
  await expect(pager.more()).resolves.toBe(false) // one page at a time
  answers.shift()({ results: [3], next: 'http://x/api/v1/community/feed?cursor=c3&limit=2' })
  await more
  expect(fake.data.rows).toEqual([1, 2, 3])
  expect(calls.map((c) => c.cursor)).toEqual([null, 'c2'])
  // a reload while page 3 is on its way: the late page 3 is not appended to the new list
  const stale = pager.more()
  const fresh = pager.reload()
  answers.shift()({ results: [99], next_cursor: null })
  answers.shift()({ results: [7], next_cursor: null })
  await Promise.all([stale, fresh])
  expect(fake.data.rows).toEqual([7])
  expect(fake.data.rowsMore).toBe(false)
  expect(paging.cursorOf({ next: 'https://h/api?page=2' })).toBe(null)
})

test('9 pictures or 1 video: a video leaves no room, pictures leave the rest of 9', () => {
  expect(media.room([])).toEqual({ mediaType: ['image', 'video'], count: 9 })
  expect(media.room([{ kind: 'image' }, { kind: 'image' }])).toEqual({ mediaType: ['image'], count: 7 })
  expect(media.room([{ kind: 'video' }])).toEqual({ mediaType: [], count: 0 })
  const long = media.fit([{ tempFilePath: 'v.mp4', fileType: 'video', duration: 75, size: 1000 }], 'video', media.room([]))
  expect(long[0].problem).toBe('视频不能超过 60 秒')
  const mixed = media.fit([{ tempFilePath: 'a.jpg', fileType: 'image' }, { tempFilePath: 'v.mp4', fileType: 'video', duration: 5 }], 'mix', media.room([]))
  expect(mixed.map((f) => f.kind)).toEqual(['image'])
})

test('a large picture is compressed before upload, a small one and a video are not', async () => {
  const compressed = []
  wx.compressImage = (o) => (compressed.push(o), Promise.resolve().then(() => o.success({ tempFilePath: `${o.src}.small.jpg` })))
  expect(await media.compress({ kind: 'image', path: 'big.jpg', size: 3 * 1024 * 1024 })).toBe('big.jpg.small.jpg')
  expect(compressed[0]).toMatchObject({ src: 'big.jpg', quality: 80 })
  expect(await media.compress({ kind: 'image', path: 'tiny.jpg', size: 50 * 1024 })).toBe('tiny.jpg')
  expect(await media.compress({ kind: 'video', path: 'v.mp4', size: 9e6 })).toBe('v.mp4')
  wx.compressImage = (o) => Promise.resolve().then(() => o.fail({ errMsg: 'compressImage:fail' }))
  expect(await media.compress({ kind: 'image', path: 'odd.heic', size: 9e6 })).toBe('odd.heic') // WeChat can't: send the original
  expect(compressed).toHaveLength(1)
})

test('an upload reports WeChat\'s progress events and resolves with the API\'s row', async () => {
  wx.__offContract = true // transport only; the media answer is checked in the compose page test
  let progress
  wx.uploadFile = (o) => {
    Promise.resolve().then(() => {
      progress({ progress: 30, totalBytesSent: 30, totalBytesExpectedToSend: 100 })
      progress({ progress: 100, totalBytesSent: 100, totalBytesExpectedToSend: 100 })
      o.success({ statusCode: 201, data: JSON.stringify({ id: 5, url: '/media/community/5.jpg' }) })
    })
    return { onProgressUpdate: (fn) => (progress = fn), abort() {} }
  }
  const seen = []
  const row = await uploadFile('community/media', 'wxfile://a.jpg', { onProgress: (p) => seen.push(p.progress), formData: { kind: 'image' } })
  await flush()
  expect(seen).toEqual([30, 100])
  expect(row.id).toBe(5)
})
