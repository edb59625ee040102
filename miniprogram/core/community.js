/**
 * The 种草 community's view-models (F23), shared by the feed, the post, my posts and the product
 * page's 买家秀: the API's post rows turned into what the templates draw — counts as 1.2万, times
 * as 3分钟前, the review state in the shopper's words (审核中 / 已发布 / 未通过 + the merchant's
 * reason), the 已购 badge on products the author bought.
 */
'use strict'

const countdown = require('./countdown')

const STATUS = {
  pending: { text: '审核中', tone: 'pending' },
  published: { text: '已发布', tone: 'published' },
  rejected: { text: '未通过', tone: 'rejected' },
  deleted: { text: '已删除', tone: 'removed' },
}

const REPORT_REASONS = [
  { value: 'spam', label: '广告引流' },
  { value: 'false', label: '虚假种草' },
  { value: 'offensive', label: '低俗或不友善' },
  { value: 'illegal', label: '违法违规' },
  { value: 'other', label: '其他' },
]

const TEXT_MAX = 1000
const COMMENT_MAX = 300

/** 9 → "9", 12345 → "1.2万"; 0 → "" unless `zero` (a bare icon reads better than "0"). */
function countText(n, zero) {
  const v = Math.max(0, Number(n) || 0)
  if (!v) return zero || ''
  if (v < 10000) return String(v)
  return `${(Math.floor(v / 1000) / 10).toFixed(1).replace(/\.0$/, '')}万`
}

/** "刚刚" / "5分钟前" / "3小时前" / "昨天 10:00" / "03-10" / "2025-03-10" on the server's clock. */
function timeText(iso, nowMs) {
  const at = countdown.toMs(iso)
  if (!at) return ''
  const now = nowMs === undefined ? countdown.now() : nowMs
  const minutes = Math.floor((now - at) / 60000)
  if (minutes < 1) return '刚刚'
  if (minutes < 60) return `${minutes}分钟前`
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}小时前`
  const text = countdown.dateTimeText(iso) // shop-zone wall time, cut not converted
  if (minutes < 48 * 60) return `昨天 ${text.slice(11, 16)}`
  const thisYear = countdown.dateTimeText(new Date(now + 8 * 3600 * 1000).toISOString()).slice(0, 4)
  return text.slice(0, 4) === thisYear ? text.slice(5, 10) : text.slice(0, 10)
}

function author(p) {
  const a = p.author || {}
  return { nickname: a.nickname || '微信用户', avatar: a.avatar_url || '', letter: (a.nickname || '多').slice(0, 1) }
}

/** The post's media rows [{kind, url}] → its pictures (in order) and its one video, if any. */
function mediaOf(p) {
  const rows = p.media || []
  const images = rows.filter((m) => m.kind !== 'video' && m.url).map((m) => m.url)
  const clip = rows.find((m) => m.kind === 'video' && m.url)
  return { images, video: clip ? { url: clip.url } : null }
}

/** A card of the feed / 买家秀: cover, text excerpt, author, likes and my favourite. */
function postCard(p) {
  const { images, video } = mediaOf(p)
  return {
    id: p.id,
    text: (p.text || '').slice(0, 60),
    cover: images[0] || '', // a video has no picture of its own: the card draws a ▶ tile
    isVideo: !!video,
    imageCount: images.length,
    author: author(p),
    liked: !!p.liked,
    likeCount: Number(p.like_count) || 0,
    likeText: countText(p.like_count, '赞'),
    favourited: !!p.favourited,
    favouriteCount: Number(p.favourite_count) || 0,
    favouriteText: countText(p.favourite_count, ''),
    featured: !!p.is_featured,
  }
}

function productRow(prod) {
  return { id: prod.id, title: prod.title || '', image: prod.image || '', purchased: !!prod.purchased }
}

/** The post page: every picture or the video, products (已购), topics, counts, my like/favourite. */
function postDetail(p) {
  const { images, video } = mediaOf(p)
  return {
    id: p.id,
    text: p.text || '',
    images,
    video,
    author: author(p),
    time: timeText(p.created_at),
    topics: (p.topics || []).map((t) => ({ id: t.id, slug: t.slug, name: t.name })),
    products: (p.products || []).map(productRow),
    featured: !!p.is_featured,
    liked: !!p.liked,
    favourited: !!p.favourited,
    likeCount: Number(p.like_count) || 0,
    favouriteCount: Number(p.favourite_count) || 0,
    commentCount: Number(p.comment_count) || 0,
    likeText: countText(p.like_count, '点赞'),
    favouriteText: countText(p.favourite_count, '收藏'),
    commentText: countText(p.comment_count, '评论'),
    mine: !!p.is_mine,
  }
}

/** A comment; the shopper's own one still under review says 审核中 (only they see it). */
function commentRow(c) {
  return { id: c.id, text: c.text || '', author: author(c), time: timeText(c.created_at), pending: c.status === 'pending', statusText: c.status === 'pending' ? c.status_label || '审核中' : '' }
}

/** My post: its review state and, when refused, the merchant's reason. */
function mineRow(p) {
  const card = postCard(p)
  const status = STATUS[p.status] || { text: '', tone: 'pending' }
  return Object.assign(card, {
    status: p.status,
    statusText: p.status_label || status.text,
    tone: status.tone,
    rejectReason: p.status === 'rejected' ? p.reject_reason || '' : '',
    time: timeText(p.created_at),
    open: p.status === 'published',
  })
}

/** After a like/favourite tap: the server's count when it sends one, else ours moved by one. */
function toggled(count, on, answer, key) {
  if (answer && typeof answer[key] === 'number') return answer[key]
  return Math.max(0, (Number(count) || 0) + (on ? 1 : -1))
}

module.exports = { STATUS, REPORT_REASONS, TEXT_MAX, COMMENT_MAX, countText, timeText, postCard, postDetail, commentRow, mineRow, toggled }
