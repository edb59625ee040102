const { render, text } = require('../helpers/page')

test('a known percent draws the bar at that width', () => {
  const c = render('components/progress-hint/index', { text: '还差 2 人成团', percent: 60 })
  expect(text(c, '.hint-text')).toBe('还差 2 人成团')
  expect(c.querySelector('.bar-fill').dom.getAttribute('style')).toContain('width: 60%')
})

test('no percent, no bar; no text, nothing at all', () => {
  const c = render('components/progress-hint/index', { text: '再买 ¥9.00 可减 ¥20.00', percent: null })
  expect(c.querySelector('.bar')).toBeUndefined()
  expect(c.querySelector('.hint-action')).toBeUndefined()
  const empty = render('components/progress-hint/index', { text: '' })
  expect(empty.querySelector('.hint')).toBeUndefined()
})

test('percent is clamped to 0…100', () => {
  const c = render('components/progress-hint/index', { text: 'x', percent: 140 })
  expect(c.querySelector('.bar-fill').dom.getAttribute('style')).toContain('width: 100%')
})
