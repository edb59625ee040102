/**
 * Pictures and video for a community post (F23 compose): choose with wx.chooseMedia (up to 9
 * pictures OR one video, never both), make each picture smaller with wx.compressImage before it
 * leaves the phone (a 12-megapixel photo is 4–8 MB; the shopper's data plan and the upload limit
 * both care), and upload one file at a time so each tile can show its own progress
 * (UploadTask.onProgressUpdate). The server checks type and size again; this only saves the
 * shopper a wasted upload.
 */
'use strict'

const MAX_IMAGES = 9
const MAX_VIDEOS = 1
const MAX_VIDEO_SECONDS = 60
const MAX_VIDEO_BYTES = 50 * 1024 * 1024
const COMPRESS_QUALITY = 80
// below this a picture is already small: compressing would only cost time and sharpness
const COMPRESS_FROM_BYTES = 200 * 1024

/** What may still be added, given the tiles already there: {kind: 'image'|'video'|'mix'|null, count}. */
function room(items) {
  const images = items.filter((i) => i.kind === 'image').length
  const videos = items.filter((i) => i.kind === 'video').length
  if (videos) return { mediaType: [], count: 0 }
  if (images) return { mediaType: ['image'], count: MAX_IMAGES - images }
  return { mediaType: ['image', 'video'], count: MAX_IMAGES }
}

/**
 * Ask WeChat for files → [{path, kind, size, thumb, duration}] fitting the room; refused files come
 * back with `problem` (a too long or too large video) so the page can say why. A cancel gives [].
 */
function choose(items) {
  const space = room(items)
  if (!space.count) return Promise.resolve([])
  return new Promise((resolve) => {
    wx.chooseMedia({
      count: space.count,
      mediaType: space.mediaType,
      sourceType: ['album', 'camera'],
      sizeType: ['original', 'compressed'],
      maxDuration: MAX_VIDEO_SECONDS,
      success: (res) => resolve(fit(res.tempFiles || [], res.type, space)),
      fail: () => resolve([]),
    })
  })
}

/** One video alone, or pictures up to the room left; a mixed choice keeps the pictures. */
function fit(files, type, space) {
  const typed = files.map((f) => ({
    path: f.tempFilePath,
    kind: (f.fileType || type) === 'video' ? 'video' : 'image',
    size: Number(f.size) || 0,
    thumb: f.thumbTempFilePath || '',
    duration: Number(f.duration) || 0,
  }))
  const images = typed.filter((f) => f.kind === 'image')
  if (images.length || space.mediaType.indexOf('video') < 0) return images.slice(0, space.count)
  const video = typed.find((f) => f.kind === 'video')
  if (!video) return []
  if (video.duration > MAX_VIDEO_SECONDS + 0.5) video.problem = `视频不能超过 ${MAX_VIDEO_SECONDS} 秒`
  else if (video.size > MAX_VIDEO_BYTES) video.problem = '视频不能超过 50 MB'
  return [video].slice(0, MAX_VIDEOS)
}

/** A smaller copy of a picture (the original when small already, or when WeChat can't). */
function compress(file) {
  if (file.kind !== 'image' || (file.size && file.size < COMPRESS_FROM_BYTES) || typeof wx.compressImage !== 'function') return Promise.resolve(file.path)
  return new Promise((resolve) => {
    wx.compressImage({
      src: file.path,
      quality: COMPRESS_QUALITY,
      success: (res) => resolve(res.tempFilePath || file.path),
      fail: () => resolve(file.path),
    })
  })
}

/**
 * Compress (pictures) and upload one file with `upload(path, {kind, onProgress})` → the API's
 * media row; `onProgress(percent)` follows WeChat's upload progress (0–100).
 */
async function send(file, upload, onProgress) {
  const path = await compress(file)
  return upload(path, { kind: file.kind, onProgress: (p) => onProgress(Math.max(0, Math.min(100, Number(p && p.progress) || 0))) })
}

module.exports = { MAX_IMAGES, MAX_VIDEO_SECONDS, COMPRESS_QUALITY, COMPRESS_FROM_BYTES, room, choose, fit, compress, send }
