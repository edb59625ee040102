const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '../..')
const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))

function pngSize(file) {
  const buf = fs.readFileSync(file)
  expect(buf.slice(1, 4).toString()).toBe('PNG')
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bytes: buf.length }
}

test('every tab has its own icon and a selected one: PNG files within WeChat\'s 40 KB limit', () => {
  expect(app.tabBar.list).toHaveLength(4)
  const seen = new Set()
  app.tabBar.list.forEach((tab) => {
    ;[tab.iconPath, tab.selectedIconPath].forEach((icon) => {
      expect(icon).toMatch(/^assets\/tab\/.+\.png$/)
      const { width, height, bytes } = pngSize(path.join(ROOT, icon))
      expect([width, height]).toEqual([81, 81])
      expect(bytes).toBeLessThan(40 * 1024)
      seen.add(icon)
    })
  })
  expect(seen.size).toBe(8)
})
