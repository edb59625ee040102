/**
 * The live plugin build switch (F24): config.js live.plugin decides whether app.json's
 * package-live subpackage declares WeChat's live-player-plugin; the script writes only that
 * entry (the rest of app.json keeps its layout), --check fails on any disagreement, and the
 * size guard keeps room for the plugin in the subpackage that declares it.
 */
const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync } = require('child_process')
const { liveSwitch, problems, rewrite, PLUGIN_NAME, PLUGIN_APPID, LIVE_ROOT } = require('../../scripts/live-plugin')
const { measure, PLUGIN_RESERVE } = require('../../scripts/check-size')
const config = require('../../config')

const ROOT = path.resolve(__dirname, '../..')
const APP_TEXT = fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')

test('the shipped project has the plugin off, and app.json agrees (npm run check:live)', () => {
  expect(config.live.plugin).toBe(false)
  const app = JSON.parse(APP_TEXT)
  expect(problems(app, liveSwitch(config))).toEqual([])
  expect(app.plugins).toBeUndefined()
  expect(app.subPackages.find((s) => s.root === LIVE_ROOT).plugins).toBeUndefined()
  const res = spawnSync(process.execPath, ['scripts/live-plugin.js', '--check'], { cwd: ROOT })
  expect(res.status).toBe(0)
  expect(res.stdout.toString()).toContain('live plugin off')
})

test('on: the plugin is declared in package-live only, one line added, the rest untouched', () => {
  const on = rewrite(APP_TEXT, { enabled: true, version: '1.3.5' })
  const app = JSON.parse(on)
  expect(app.subPackages.find((s) => s.root === LIVE_ROOT).plugins).toEqual({ [PLUGIN_NAME]: { version: '1.3.5', provider: PLUGIN_APPID } })
  expect(app.plugins).toBeUndefined() // never in the main package
  const before = APP_TEXT.split('\n')
  const after = on.split('\n')
  expect(after.length).toBe(before.length + 1)
  expect(after.filter((line) => !before.includes(line)).map((l) => l.trim())).toEqual([
    '"pages": ["rooms/index", "room/index"],',
    `"plugins": { "${PLUGIN_NAME}": { "version": "1.3.5", "provider": "${PLUGIN_APPID}" } }`,
  ])
  expect(problems(app, { enabled: true, version: '1.3.5' })).toEqual([])
  // the off build disagrees with an on app.json, and says how to mend it
  expect(problems(app, { enabled: false, version: '1.3.5' })).toEqual([`config.js live.plugin is off but ${LIVE_ROOT} declares ${PLUGIN_NAME}: run npm run live:plugin`])
  // a version change rewrites the one declaration; switching off gives back the original text
  const bumped = rewrite(on, { enabled: true, version: '1.4.0' })
  expect(JSON.parse(bumped).subPackages.find((s) => s.root === LIVE_ROOT).plugins[PLUGIN_NAME].version).toBe('1.4.0')
  expect(rewrite(bumped, { enabled: false, version: '1.4.0' })).toBe(APP_TEXT)
  expect(rewrite(APP_TEXT, { enabled: false, version: '' })).toBe(APP_TEXT)
})

test('--check fails when the switch is on but app.json was not rebuilt, or the plugin sits in the main package', () => {
  const app = JSON.parse(APP_TEXT)
  expect(problems(app, { enabled: true, version: '1.3.5' })).toEqual([
    `config.js live.plugin is on but ${LIVE_ROOT} does not declare ${PLUGIN_NAME}: run npm run live:plugin`,
  ])
  const inMain = Object.assign({}, app, { plugins: { [PLUGIN_NAME]: { version: '1.3.5', provider: PLUGIN_APPID } } })
  expect(problems(inMain, { enabled: false, version: '' })[0]).toMatch(/in the main package/)
  const wrongVersion = JSON.parse(rewrite(APP_TEXT, { enabled: true, version: '1.2.0' }))
  expect(problems(wrongVersion, { enabled: true, version: '1.3.5' })[0]).toMatch(/declares live-player-plugin 1\.2\.0/)
  expect(() => liveSwitch({ live: { plugin: true, pluginVersion: 'latest' } })).toThrow(/not a version/)
  expect(liveSwitch({})).toEqual({ enabled: false, version: '' })
})

test('both states through the real script on a copy of the project: write, check, size', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-switch-'))
  fs.mkdirSync(path.join(dir, 'scripts'))
  fs.copyFileSync(path.join(ROOT, 'scripts/live-plugin.js'), path.join(dir, 'scripts/live-plugin.js'))
  fs.writeFileSync(path.join(dir, 'app.json'), APP_TEXT)
  const run = (args) => spawnSync(process.execPath, ['scripts/live-plugin.js'].concat(args), { cwd: dir })
  const setSwitch = (on) => fs.writeFileSync(path.join(dir, 'config.js'), `module.exports = { live: { plugin: ${on}, pluginVersion: '1.3.5' } }\n`)
  setSwitch(true)
  expect(run(['--check']).status).toBe(1) // switched on, not rebuilt
  expect(run([]).status).toBe(0)
  expect(run(['--check']).status).toBe(0)
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')).subPackages.find((s) => s.root === LIVE_ROOT).plugins[PLUGIN_NAME].provider).toBe(PLUGIN_APPID)
  setSwitch(false)
  expect(run(['--check']).status).toBe(1)
  expect(run([]).status).toBe(0)
  expect(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')).toBe(APP_TEXT)
})

test('the size guard counts the plugin toward package-live when declared, and not otherwise', () => {
  const off = measure()
  expect(off[LIVE_ROOT].dirs['(plugins)']).toBeUndefined()
  const on = measure(JSON.parse(rewrite(APP_TEXT, { enabled: true, version: '1.3.5' })))
  expect(on[LIVE_ROOT].size - off[LIVE_ROOT].size).toBe(PLUGIN_RESERVE)
  expect(on.main.size).toBe(off.main.size)
})
