/**
 * 发布种草 (F23 compose) with real taps: pictures chosen with wx.chooseMedia, the large ones
 * compressed with wx.compressImage, each uploaded on its own with a progress bar from
 * UploadTask.onProgressUpdate; a failed upload is retried by a tap; a video comes alone; products
 * from `invitable` (the one from the order preselected) and topics; 发布 sends the ids once and
 * lands on 我的种草 (审核中). Upload answers are checked against the API's schema like requests.
 */
const { createWx, flush, contractProblems } = require('../helpers/wx')
const { responseProblems } = require('../helpers/openapi')
const store = require('../../core/store')
const { render, text, texts } = require('../helpers/page')
const { post, TOPICS } = require('../helpers/community')

let wx

const INVITABLE = [
  { product_id: 7, title: '氨基酸洁面乳', image: '/media/products/7.jpg', completed_at: '2026-03-08T10:00:00+08:00' },
  { product_id: 8, title: '爽肤水', image: '/media/products/8.jpg', completed_at: '2026-03-08T10:00:00+08:00' },
]

beforeEach(() => {
  wx = global.wx = createWx()
  store.reset()
  store.set('session', { access: 'A', refresh: 'R' })
  contractProblems.length = 0
})

afterEach(() => {
  expect(contractProblems).toEqual([])
})

/**
 * WeChat's album, compressor and uploader, played here. `files` are what chooseMedia hands back;
 * each upload reports progress 40 then 100 when `release()` is called for it, then answers with
 * the next of `answers` (checked against the schema of POST community/media).
 */
function withMedia(files, answers) {
  const uploads = []
  const compressed = []
  const pending = []
  wx.chooseMedia = (o) => {
    wx.__chosen = o
    Promise.resolve().then(() => o.success({ type: files[0] && files[0].fileType, tempFiles: files }))
  }
  wx.compressImage = (o) => (compressed.push(o.src), Promise.resolve().then(() => o.success({ tempFilePath: `${o.src}.80.jpg` })))
  wx.uploadFile = (o) => {
    const task = { listeners: [], onProgressUpdate: (fn) => task.listeners.push(fn), abort() {} }
    uploads.push(o)
    const [statusCode, body] = answers[uploads.length - 1]
    responseProblems('POST', 'community/media', statusCode, body).forEach((p) => contractProblems.push(p))
    pending.push(() => {
      task.listeners.forEach((fn) => fn({ progress: 40, totalBytesSent: 40, totalBytesExpectedToSend: 100 }))
      return () => {
        task.listeners.forEach((fn) => fn({ progress: 100, totalBytesSent: 100, totalBytesExpectedToSend: 100 }))
        o.success({ statusCode, data: JSON.stringify(body) })
      }
    })
    return task
  }
  return { uploads, compressed, pending }
}

async function open(query) {
  wx.route('GET community/topics', () => [200, TOPICS])
  wx.route('GET community/invitable', () => [200, INVITABLE])
  const page = render('package-community/compose/index', {}, { tdesign: ['t-button'] })
  await page.instance.onLoad(query || {})
  await flush()
  return page
}

const BIG = 3 * 1024 * 1024

test('two pictures: compressed, uploaded one by one with their own progress, then 发布 sends everything once', async () => {
  const page = await open({ product_id: '7' })
  expect(texts(page, '.product-title')).toEqual(['氨基酸洁面乳', '爽肤水'])
  expect(page.querySelectorAll('.product.selected')).toHaveLength(1) // the order's product, preselected
  const media = withMedia(
    [
      { tempFilePath: 'wxfile://a.jpg', fileType: 'image', size: BIG },
      { tempFilePath: 'wxfile://b.jpg', fileType: 'image', size: 80 * 1024 },
    ],
    [
      [201, { id: 31, kind: 'image', url: '/media/community/a.jpg' }],
      [201, { id: 32, kind: 'image', url: '/media/community/b.jpg' }],
    ],
  )
  page.querySelector('.tile-add').dispatchEvent('tap')
  await flush()
  expect(wx.__chosen).toMatchObject({ count: 9, mediaType: ['image', 'video'], maxDuration: 60 })
  expect(media.compressed).toEqual(['wxfile://a.jpg']) // the small one goes as it is
  expect(media.uploads.map((u) => [u.filePath, u.name])).toEqual([['wxfile://a.jpg.80.jpg', 'file']])
  expect(media.uploads[0].url).toBe('http://127.0.0.1:8000/api/v1/community/media')
  expect(media.uploads[0].header).toEqual({ Authorization: 'Bearer A' })
  expect(texts(page, '.tile-percent')).toEqual(['0%', '等待上传'])
  const finishFirst = media.pending[0]()
  await flush()
  expect(texts(page, '.tile-percent')).toEqual(['40%', '等待上传'])
  expect(page.querySelector('.tile-bar').dom.getAttribute('style')).toContain('width: 40%')
  // 发布 while a picture is still on its way is refused
  page.querySelector('.text').dispatchEvent('input', { detail: { value: '真的好用，已回购' } })
  page.querySelector('.submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('图片还在上传，请稍候')
  finishFirst()
  await flush()
  expect(media.uploads.map((u) => u.filePath)).toEqual(['wxfile://a.jpg.80.jpg', 'wxfile://b.jpg'])
  media.pending[1]()()
  await flush()
  expect(page.querySelectorAll('.tile-progress')).toHaveLength(0)
  expect(page.instance.data.items.map((i) => [i.state, i.id])).toEqual([['done', 31], ['done', 32]])

  page.querySelectorAll('.chip')[1].dispatchEvent('tap')
  const bodies = []
  wx.route('POST community/posts', (req) => (bodies.push(req.data), [201, post({ id: 77, status: 'pending', status_label: '审核中', published_at: null, is_mine: true })]))
  page.querySelector('.submit').querySelector('.t-button').dispatchEvent('tap')
  page.querySelector('.submit').querySelector('.t-button').dispatchEvent('tap') // a double tap sends once
  await flush()
  expect(bodies).toEqual([{ text: '真的好用，已回购', media_ids: [31, 32], product_ids: [7], topic_ids: [4] }])
  expect(wx.__calls.toast.pop()).toBe('已发布，审核中')
  expect(wx.__calls.navigate.pop()).toEqual({ type: 'redirectTo', url: '/package-community/mine/index' })
  expect(page.querySelector('.submit').querySelector('.t-button').dom.textContent.trim()).toBe('审核中')
})

test('a refused upload says why; a tap on the tile tries again; removing a tile frees its place', async () => {
  const page = await open()
  const media = withMedia(
    [{ tempFilePath: 'wxfile://a.png', fileType: 'image', size: 1024 }],
    [
      [400, { code: 'community_media_invalid', message: '图片或视频不可用，请重新上传。', details: {} }],
      [201, { id: 33, kind: 'image', url: '/media/community/a.png' }],
    ],
  )
  page.querySelector('.tile-add').dispatchEvent('tap')
  await flush()
  media.pending[0]()()
  await flush()
  expect(wx.__calls.toast.pop()).toBe('图片或视频不可用，请重新上传。')
  expect(text(page, '.tile-failed')).toBe('上传失败，点击重试')
  page.querySelector('.text').dispatchEvent('input', { detail: { value: '好物' } })
  page.querySelector('.submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('有文件上传失败，请点击重试或删除')
  page.querySelector('.tile').dispatchEvent('tap')
  await flush()
  media.pending[1]()()
  await flush()
  expect(page.instance.data.items[0]).toMatchObject({ state: 'done', id: 33 })
  page.querySelector('.tile-remove').dispatchEvent('tap')
  await flush()
  expect(page.querySelectorAll('.tile')).toHaveLength(1) // only 添加
  expect(text(page, '.tile-add')).toBe('图片 / 视频')
})

test('a video comes alone: no more can be added; one over 60 seconds is refused before upload', async () => {
  const page = await open()
  let media = withMedia([{ tempFilePath: 'wxfile://long.mp4', fileType: 'video', size: 5e6, duration: 90, thumbTempFilePath: 'wxfile://long.jpg' }], [])
  page.querySelector('.tile-add').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('视频不能超过 60 秒')
  expect(media.uploads).toHaveLength(0)
  media = withMedia([{ tempFilePath: 'wxfile://v.mp4', fileType: 'video', size: 5e6, duration: 12, thumbTempFilePath: 'wxfile://v.jpg' }], [[201, { id: 40, kind: 'video', url: '/media/community/v.mp4' }]])
  page.querySelector('.tile-add').dispatchEvent('tap')
  await flush()
  expect(media.compressed).toEqual([]) // a video is not run through the picture compressor
  media.pending[0]()()
  await flush()
  expect(page.instance.data.items).toMatchObject([{ kind: 'video', state: 'done', id: 40, preview: 'wxfile://v.jpg' }])
  expect(page.querySelector('.tile-add')).toBeFalsy()
})

test('an empty text is refused here; at most 3 topics', async () => {
  const page = await open()
  page.querySelector('.submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('写点种草心得吧')
  expect(wx.__calls.request.filter((r) => r.path === 'community/posts')).toHaveLength(0)
  page.setData({ topics: [1, 2, 3, 4].map((id) => ({ id, name: `话题${id}`, selected: false })) })
  page.querySelectorAll('.chip').forEach((chip) => chip.dispatchEvent('tap'))
  await flush()
  expect(page.querySelectorAll('.chip.active')).toHaveLength(3)
  expect(wx.__calls.toast.pop()).toBe('最多选择 3 个话题')
})

test('a refusal of the post itself is shown and the form stays for another try', async () => {
  const page = await open()
  wx.route('POST community/posts', () => [400, { code: 'community_post_invalid', message: '帖子内容不符合要求。', details: {} }])
  page.querySelector('.text').dispatchEvent('input', { detail: { value: '好物分享' } })
  page.querySelector('.submit').querySelector('.t-button').dispatchEvent('tap')
  await flush()
  expect(wx.__calls.toast.pop()).toBe('帖子内容不符合要求。')
  expect(page.instance.data).toMatchObject({ submitting: false, submitted: false, text: '好物分享' })
  expect(wx.__calls.navigate).toEqual([])
})
