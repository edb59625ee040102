const { createWx } = require('../helpers/wx')
const store = require('../../core/store')
const { mediaUrl, absolutize } = require('../../core/media')
const { productDetail } = require('../helpers/fixtures')

beforeEach(() => {
  global.wx = createWx()
  store.reset()
})

test('paths on the API host become absolute; CDN, wxfile and protocol-relative URLs are kept or completed', () => {
  expect(mediaUrl('/media/p/1.jpg')).toBe('http://127.0.0.1:8000/media/p/1.jpg')
  expect(mediaUrl('https://cdn.example/p.jpg')).toBe('https://cdn.example/p.jpg')
  expect(mediaUrl('//cdn.example/p.jpg')).toBe('https://cdn.example/p.jpg')
  expect(mediaUrl('wxfile://tmp_1.jpg')).toBe('wxfile://tmp_1.jpg')
  expect(mediaUrl('')).toBe('')
})

test('every picture field of an answer is rewritten, nothing else', () => {
  const data = absolutize({
    image: '/media/a.jpg',
    images: ['/media/b.jpg', 'https://cdn/c.jpg'],
    title: '/not/an/image',
    children: [{ icon: '/media/i.png', items: [{ image: '/media/d.jpg' }] }],
  })
  expect(data).toEqual({
    image: 'http://127.0.0.1:8000/media/a.jpg',
    images: ['http://127.0.0.1:8000/media/b.jpg', 'https://cdn/c.jpg'],
    title: '/not/an/image',
    children: [{ icon: 'http://127.0.0.1:8000/media/i.png', items: [{ image: 'http://127.0.0.1:8000/media/d.jpg' }] }],
  })
})

test('the API module applies it to answers', async () => {
  global.wx.route('GET products/7', () => [200, productDetail({ images: ['/media/products/7-1.jpg'] })])
  const detail = await require('../../core/api').product(7)
  expect(detail.images).toEqual(['http://127.0.0.1:8000/media/products/7-1.jpg'])
  expect(detail.image).toBe('http://127.0.0.1:8000/media/products/7-1.jpg')
})
