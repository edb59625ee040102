#!/usr/bin/env node
/**
 * The live plugin build switch (F24). WeChat's 小程序直播 player is a plugin (live-player-plugin,
 * appid wx2b03c6e691cd7370) that only AppIDs granted 直播 may declare: a shop without it must not
 * ship the declaration (upload is refused), and a shop with it should not carry the plugin in
 * the main package (it weighs on the first download). So the plugin is declared in the
 * package-live subpackage only, and only when config.js `live.plugin` is on.
 *
 *   node scripts/live-plugin.js          write app.json to match config.js
 *   node scripts/live-plugin.js --check  fail when app.json and config.js disagree (CI)
 *
 * app.json is edited in place (only the package-live entry's "plugins" line), so the file keeps
 * its hand-made layout and a merge with other subpackages stays a one-line affair.
 */
'use strict'

const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '..')
const PLUGIN_NAME = 'live-player-plugin'
const PLUGIN_APPID = 'wx2b03c6e691cd7370'
const LIVE_ROOT = 'package-live'

/** The switch as config.js says it: {enabled, version}; a bad version is refused. */
function liveSwitch(config) {
  const live = (config && config.live) || {}
  const enabled = live.plugin === true
  const version = String(live.pluginVersion || '')
  if (enabled && !/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`config.js live.pluginVersion "${version}" is not a version like 1.3.5`)
  return { enabled, version }
}

function liveEntry(app) {
  const entry = (app.subPackages || app.subpackages || []).find((s) => String(s.root).replace(/\/+$/, '') === LIVE_ROOT)
  if (!entry) throw new Error(`app.json has no "${LIVE_ROOT}" subpackage`)
  return entry
}

/** Disagreements between app.json (parsed) and the switch; [] when they agree. */
function problems(app, sw) {
  const out = []
  if (app.plugins && app.plugins[PLUGIN_NAME]) out.push(`app.json declares ${PLUGIN_NAME} in the main package: declare it in ${LIVE_ROOT} only`)
  const declared = (liveEntry(app).plugins || {})[PLUGIN_NAME]
  if (sw.enabled) {
    if (!declared) out.push(`config.js live.plugin is on but ${LIVE_ROOT} does not declare ${PLUGIN_NAME}: run npm run live:plugin`)
    else if (declared.provider !== PLUGIN_APPID || declared.version !== sw.version) {
      out.push(`${LIVE_ROOT} declares ${PLUGIN_NAME} ${declared.version} from ${declared.provider}; config.js wants ${sw.version} from ${PLUGIN_APPID}: run npm run live:plugin`)
    }
  } else if (declared) {
    out.push(`config.js live.plugin is off but ${LIVE_ROOT} declares ${PLUGIN_NAME}: run npm run live:plugin`)
  }
  return out
}

/** The index just past the JSON value (object) opening at `start` (quote-aware). */
function objectEnd(text, start) {
  let depth = 0
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i]
    if (ch === '"') {
      i += 1
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    } else if (ch === '{') depth += 1
    else if (ch === '}') {
      depth -= 1
      if (depth === 0) return i + 1
    }
  }
  throw new Error('app.json: unbalanced braces')
}

/** app.json's text with the package-live entry's plugin declaration set to the switch. */
function rewrite(text, sw) {
  const at = text.search(new RegExp(`"root"\\s*:\\s*"${LIVE_ROOT}/?"`))
  if (at < 0) throw new Error(`app.json has no "${LIVE_ROOT}" subpackage`)
  const open = text.lastIndexOf('{', at)
  const close = objectEnd(text, open)
  let entry = text.slice(open, close)
  // drop a "plugins" member (with the comma before it), whatever it holds
  const member = entry.search(/,\s*"plugins"\s*:/)
  if (member >= 0) {
    const valueStart = entry.indexOf('{', entry.indexOf('"plugins"', member))
    entry = entry.slice(0, member) + entry.slice(objectEnd(entry, valueStart))
  }
  if (sw.enabled) {
    const indent = (/\n([ \t]+)"root"/.exec(entry) || [null, '      '])[1]
    const declaration = `"plugins": { "${PLUGIN_NAME}": { "version": "${sw.version}", "provider": "${PLUGIN_APPID}" } }`
    entry = entry.replace(/(\s*)\}$/, `,\n${indent}${declaration}$1}`)
  }
  const out = text.slice(0, open) + entry + text.slice(close)
  const app = JSON.parse(out) // a broken edit stops here, before anything is written
  const left = problems(app, sw)
  if (left.length) throw new Error(left.join('\n'))
  return out
}

function main(argv) {
  const appFile = path.join(ROOT, 'app.json')
  const sw = liveSwitch(require(path.join(ROOT, 'config.js')))
  const text = fs.readFileSync(appFile, 'utf8')
  if (argv.includes('--check')) {
    const found = problems(JSON.parse(text), sw)
    if (found.length) {
      console.error(found.join('\n'))
      process.exit(1)
    }
    console.log(`check:live: ${sw.enabled ? `${PLUGIN_NAME} ${sw.version} declared in ${LIVE_ROOT}` : 'live plugin off, not declared'}`)
    return
  }
  const out = rewrite(text, sw)
  if (out !== text) fs.writeFileSync(appFile, out)
  console.log(`live:plugin: ${sw.enabled ? `${PLUGIN_NAME} ${sw.version} declared in ${LIVE_ROOT}` : 'live plugin off, declaration removed'}`)
}

if (require.main === module) main(process.argv.slice(2))

module.exports = { liveSwitch, problems, rewrite, PLUGIN_NAME, PLUGIN_APPID, LIVE_ROOT }
