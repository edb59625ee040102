#!/usr/bin/env node
/**
 * Offline WXML check, no DevTools needed.
 *
 * 1. Every .wxml of ours (pages, package-*, components) is compiled by WeChat's own WXML compiler
 *    (`wcc` from the miniprogram-compiler package): tag balance, attribute and {{ }} expression
 *    syntax, wx:for / wx:if usage — the same errors DevTools would report.
 * 2. Project rules on top, from a quote-aware tag scan:
 *    - every custom tag (with a dash) is registered in that file's usingComponents, and every
 *      usingComponents entry points at an existing component;
 *    - every wx:for has a wx:key (list diffing, F40);
 *    - every <image> has a mode (explicit sizing, F40);
 *    - <wxs src>, <import src>, <include src> files exist.
 * 3. Every .wxss of ours (and app.wxss) is compiled by WeChat's WXSS compiler (`wcsc`), which
 *    catches syntax errors DevTools would stop on.
 * Exit 1 with file:line messages on any problem.
 */
'use strict'

const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')

const ROOT = path.resolve(__dirname, '..')
const SKIP_DIRS = new Set(['node_modules', 'miniprogram_npm', 'tests', 'scripts', 'coverage', '.git'])
const NATIVE_TAGS = new Set(
  (
    'view scroll-view swiper swiper-item movable-area movable-view cover-view cover-image icon text rich-text progress ' +
    'button checkbox checkbox-group editor form input keyboard-accessory label picker picker-view picker-view-column ' +
    'radio radio-group slider switch textarea navigator functional-page-navigator audio camera image live-player ' +
    'live-pusher video voip-room map canvas ad ad-custom official-account open-data web-view page-meta ' +
    'navigation-bar block template import include wxs slot match-media page-container share-element grid-view ' +
    'list-view sticky-header sticky-section root-portal'
  ).split(/\s+/),
)

function walk(dir, ext, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(full, ext, found)
    } else if (entry.name.endsWith(ext)) {
      found.push(full)
    }
  }
  return found
}

function compilerPath(name) {
  const pkgDir = path.dirname(require.resolve('miniprogram-compiler/package.json'))
  const sub = process.platform === 'darwin' ? `mac/${name}` : process.platform === 'win32' ? `windows/${name}.exe` : `linux/${name}`
  const bin = path.join(pkgDir, 'bin', sub)
  try {
    fs.chmodSync(bin, 0o755) // npm unpacks it without the executable bit
  } catch (err) {
    // read-only install: spawn reports it below
  }
  return bin
}

function wccPath() {
  return compilerPath('wcc')
}

/** Compile one .wxss with wcsc; returns error text or ''. */
function compileWxss(bin, rel, cwd = ROOT) {
  const res = spawnSync(bin, ['-db', '-pc', '1', rel], { cwd, maxBuffer: 16 * 1024 * 1024 })
  if (res.error) throw new Error(`cannot run WeChat's WXSS compiler (${bin}): ${res.error.message}`)
  if (res.status === 0) return ''
  return (res.stderr.toString() || `wcsc exited ${res.status}`).replace(/\s*error file count: \d+\s*$/, '').trim()
}

/** Compile one file with wcc; returns error text or ''. */
function compile(bin, rel, wxsFiles = [], cwd = ROOT) {
  const res = spawnSync(bin, ['-d', rel].concat(wxsFiles), { cwd, maxBuffer: 16 * 1024 * 1024 })
  if (res.error) throw new Error(`cannot run WeChat's WXML compiler (${bin}): ${res.error.message}`)
  if (res.status === 0) return ''
  return (res.stderr.toString() || res.stdout.toString() || `wcc exited ${res.status}`).trim()
}

/** Quote-aware scan of start tags: [{name, attrs: {name: value}, line}]. */
function scanTags(text) {
  const tags = []
  let i = 0
  let line = 1
  const n = text.length
  while (i < n) {
    const ch = text[i]
    if (ch === '\n') line += 1
    if (ch !== '<') {
      i += 1
      continue
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4)
      const stop = end < 0 ? n : end + 3
      for (let k = i; k < stop; k += 1) if (text[k] === '\n') line += 1
      i = stop
      continue
    }
    const m = /^<([A-Za-z][\w:-]*)/.exec(text.slice(i, i + 100))
    if (!m) {
      i += 1
      continue
    }
    const tag = { name: m[1], attrs: {}, line }
    i += m[0].length
    while (i < n && text[i] !== '>') {
      if (text[i] === '\n') line += 1
      const am = /^([^\s=/>]+)(\s*=\s*)?/.exec(text.slice(i, i + 200))
      if (!am || /^\s/.test(text[i]) || text[i] === '/') {
        i += 1
        continue
      }
      i += am[0].length
      let value = true
      if (am[2]) {
        const q = text[i]
        if (q === '"' || q === "'") {
          const end = text.indexOf(q, i + 1)
          value = text.slice(i + 1, end < 0 ? n : end)
          for (const c of value) if (c === '\n') line += 1
          i = end < 0 ? n : end + 1
        } else {
          const vm = /^[^\s>]*/.exec(text.slice(i))
          value = vm[0]
          i += value.length
        }
      }
      tag.attrs[am[1]] = value
    }
    i += 1
    tags.push(tag)
  }
  return tags
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (err) {
    return null
  }
}

function componentExists(fromFile, ref) {
  let base
  if (ref.startsWith('/')) base = path.join(ROOT, ref)
  else if (ref.startsWith('.')) base = path.join(path.dirname(fromFile), ref)
  else base = path.join(ROOT, 'miniprogram_npm', ref) // npm package path, as DevTools resolves it
  return fs.existsSync(`${base}.json`) && (fs.existsSync(`${base}.js`) || fs.existsSync(`${base}.ts`))
}

// Glyphs standing in for icons: a chevron, a close cross, a tick, an arrow. Use <t-icon> (TDesign's
// chevron-right / close / check / arrow-right …) instead. "×" between a price and a quantity is text.
const ICON_GLYPHS = /[›‹✓✔✕✗→←]|>\s*×\s*</

function projectRules(file, appUsing) {
  const problems = []
  const rel = path.relative(ROOT, file)
  const text = fs.readFileSync(file, 'utf8')
  const json = readJson(file.replace(/\.wxml$/, '.json')) || {}
  const using = Object.assign({}, appUsing, json.usingComponents)
  for (const [name, ref] of Object.entries(json.usingComponents || {})) {
    if (!componentExists(file, ref)) problems.push(`${rel}: usingComponents "${name}" → ${ref} does not exist`)
  }
  text.split('\n').forEach((line, index) => {
    const outsideComments = line.replace(/<!--.*?-->/g, '')
    const glyph = outsideComments.match(ICON_GLYPHS)
    if (glyph) problems.push(`${rel}:${index + 1}: "${glyph[0].replace(/[>\s<]/g, '')}" drawn as text: use <t-icon>`)
  })
  for (const tag of scanTags(text)) {
    const at = `${rel}:${tag.line}`
    if (tag.name.includes('-') && !NATIVE_TAGS.has(tag.name) && !using[tag.name]) {
      problems.push(`${at}: <${tag.name}> is not registered in usingComponents`)
    } else if (!tag.name.includes('-') && !NATIVE_TAGS.has(tag.name) && !using[tag.name]) {
      problems.push(`${at}: unknown tag <${tag.name}>`)
    }
    if ('wx:for' in tag.attrs && !('wx:key' in tag.attrs)) problems.push(`${at}: wx:for without wx:key`)
    if (tag.name === 'image' && !('mode' in tag.attrs)) problems.push(`${at}: <image> without mode`)
    if (['wxs', 'import', 'include'].includes(tag.name) && typeof tag.attrs.src === 'string') {
      const src = tag.attrs.src
      let target = src.startsWith('/') ? path.join(ROOT, src) : path.join(path.dirname(file), src)
      if (!path.extname(target)) target += tag.name === 'wxs' ? '.wxs' : '.wxml'
      if (!fs.existsSync(target)) problems.push(`${at}: <${tag.name} src="${src}"> not found`)
    }
  }
  return problems
}

function main() {
  const files = walk(ROOT, '.wxml').sort()
  if (!files.length) {
    console.error('no .wxml files found')
    process.exit(1)
  }
  const app = readJson(path.join(ROOT, 'app.json')) || {}
  const bin = wccPath()
  // wcc resolves <wxs src> only among the .wxs files it is given
  const wxsFiles = walk(ROOT, '.wxs').map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
  const problems = []
  for (const file of files) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/')
    const err = compile(bin, rel, wxsFiles)
    if (err) problems.push(`${rel}: ${err}`)
    problems.push(...projectRules(file, app.usingComponents || {}))
  }
  const wcsc = compilerPath('wcsc')
  const styles = walk(ROOT, '.wxss').sort()
  for (const file of styles) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/')
    const err = compileWxss(wcsc, rel)
    if (err) problems.push(`${rel}: ${err}`)
  }
  if (problems.length) {
    console.error(problems.join('\n'))
    console.error(`\nlint:wxml: ${problems.length} problem(s) in ${files.length} .wxml and ${styles.length} .wxss files`)
    process.exit(1)
  }
  console.log(`lint:wxml: ${files.length} .wxml compiled by wcc and checked, ${styles.length} .wxss compiled by wcsc, no problems`)
}

if (require.main === module) main()

module.exports = { scanTags, projectRules, compile, compileWxss, wccPath, compilerPath }
