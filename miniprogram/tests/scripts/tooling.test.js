/** The offline checks CI runs: WXML lint, npm subset build, package size. */
const fs = require('fs')
const os = require('os')
const path = require('path')
const { scanTags, projectRules, compile, compileWxss, wccPath, compilerPath } = require('../../scripts/lint-wxml')
const { plan } = require('../../scripts/build-npm')
const { measure, LIMIT_MAIN } = require('../../scripts/check-size')

function tmpPage(wxml, json) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxml-'))
  fs.writeFileSync(path.join(dir, 'index.wxml'), wxml)
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(json || { usingComponents: {} }))
  return path.join(dir, 'index.wxml')
}

test('the tag scan reads attributes with ">" inside {{ }} and counts lines', () => {
  const tags = scanTags('<view wx:if="{{a > 1}}">\n<image src="{{x}}" mode="aspectFill" lazy-load />\n</view>')
  expect(tags.map((t) => [t.name, t.line])).toEqual([['view', 1], ['image', 2]])
  expect(tags[0].attrs['wx:if']).toBe('{{a > 1}}')
  expect(tags[1].attrs['lazy-load']).toBe(true)
})

test('project rules catch missing wx:key, <image> without mode, unregistered or unknown tags', () => {
  const file = tmpPage('<view wx:for="{{list}}">{{item}}</view>\n<image src="a.png" />\n<t-button>x</t-button>\n<vew />', { usingComponents: {} })
  const problems = projectRules(file, {}).map((p) => p.replace(/^.*index\.wxml/, 'index.wxml'))
  expect(problems).toEqual([
    'index.wxml:1: wx:for without wx:key',
    'index.wxml:2: <image> without mode',
    'index.wxml:3: <t-button> is not registered in usingComponents',
    'index.wxml:4: unknown tag <vew>',
  ])
})

test('glyphs drawn as icons ("›", "×" alone, "✓", "→") are refused; a price × quantity is text', () => {
  const file = tmpPage(
    '<text>查看详情 ›</text>\n<view class="close">×</view>\n<view>{{ok ? \'✓\' : \'\'}}</view>\n<text>¥9.90 × 2</text>\n<t-icon name="chevron-right" />',
    { usingComponents: { 't-icon': 'tdesign-miniprogram/icon/icon' } },
  )
  const problems = projectRules(file, {}).map((p) => p.replace(/^.*index\.wxml/, 'index.wxml'))
  expect(problems).toEqual([
    'index.wxml:1: "›" drawn as text: use <t-icon>',
    'index.wxml:2: "×" drawn as text: use <t-icon>',
    'index.wxml:3: "✓" drawn as text: use <t-icon>',
  ])
})

test("WeChat's compiler (wcc) rejects broken templates and accepts ours", () => {
  const bin = wccPath()
  const badExpr = tmpPage('<view wx:if="{{a >}}">x</view>')
  expect(compile(bin, 'index.wxml', [], path.dirname(badExpr))).toMatch(/Bad attr `wx:if`/)
  const unbalanced = tmpPage('<view><text>hi</view>')
  expect(compile(bin, 'index.wxml', [], path.dirname(unbalanced))).toMatch(/expect end-tag `text`/)
  expect(compile(bin, 'pages/home/index.wxml', ['wxs/money.wxs'])).toBe('')
})

test("WeChat's WXSS compiler (wcsc) rejects broken styles and accepts ours", () => {
  const bin = compilerPath('wcsc')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxss-'))
  fs.writeFileSync(path.join(dir, 'bad.wxss'), '.a { color: red;\n.b {}')
  expect(compileWxss(bin, 'bad.wxss', dir)).toMatch(/unexpected `\{`/)
  expect(compileWxss(bin, 'app.wxss')).toBe('')
})

test('the TDesign subset holds only used components and what they reach, and is committed up to date', () => {
  const { components, out } = plan()
  expect(components).toEqual(expect.arrayContaining(['button/button', 'stepper/stepper', 'popup/popup']))
  expect(components).not.toContain('calendar/calendar')
  const files = [...out.keys()]
  expect(files).toEqual(expect.arrayContaining(['button/button.js', 'icon/icon.wxss', 'common/utils.wxs']))
  expect(files.some((f) => f.startsWith('calendar/') || f.startsWith('chat-'))).toBe(false)
  expect(files.some((f) => f.endsWith('.d.ts'))).toBe(false)
  const root = path.resolve(__dirname, '../../miniprogram_npm/tdesign-miniprogram')
  for (const [rel, buf] of out) expect(fs.readFileSync(path.join(root, rel)).equals(buf)).toBe(true)
})

test('the main package is under 2 MB and counts no tests, scripts or node_modules', () => {
  const packages = measure()
  expect(packages.main.size).toBeLessThan(LIMIT_MAIN)
  const dirs = Object.keys(packages.main.dirs)
  expect(dirs).toEqual(expect.arrayContaining(['core', 'pages', 'miniprogram_npm/tdesign-miniprogram']))
  expect(dirs.some((d) => /^(tests|scripts|node_modules)/.test(d))).toBe(false)
  expect(packages['package-order'].files).toBeGreaterThan(0)
  expect(packages['package-member'].files).toBeGreaterThan(0)
})
