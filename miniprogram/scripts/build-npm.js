#!/usr/bin/env node
/**
 * Build miniprogram_npm/tdesign-miniprogram the way WeChat DevTools' "构建 npm" does (copy the
 * package's miniprogram_dist), but keep only the components our pages use and the files they
 * reach (usingComponents, JS import/require, WXSS @import, WXML import/include/wxs), so the
 * main package stays small. The result is committed, so the project opens in DevTools as it is.
 *
 *   node scripts/build-npm.js          write the folder
 *   node scripts/build-npm.js --check  fail if the committed folder differs from a fresh build
 */
'use strict'

const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '..')
const PKG = 'tdesign-miniprogram'
const DIST = path.join(ROOT, 'node_modules', PKG, 'miniprogram_dist')
const OUT = path.join(ROOT, 'miniprogram_npm', PKG)
const SOURCE_EXTS = ['.js', '.json', '.wxml', '.wxss', '.wxs']
const SKIP_DIRS = new Set(['node_modules', 'miniprogram_npm', 'tests', 'scripts', 'coverage', '.git'])

/** Every JSON file of ours (app, pages, components) that may declare usingComponents. */
function ownJsonFiles(dir = ROOT, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) ownJsonFiles(full, found)
    } else if (entry.name.endsWith('.json') && !/^(package|package-lock|project\.config|project\.private\.config|tsconfig|jsconfig)\.json$/.test(entry.name)) {
      found.push(full)
    }
  }
  return found
}

/** Component entry points (paths without extension, relative to miniprogram_dist) that we use. */
function usedComponents() {
  const used = new Set()
  for (const file of ownJsonFiles()) {
    let json
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (err) {
      throw new Error(`${path.relative(ROOT, file)}: invalid JSON (${err.message})`)
    }
    const using = Object.assign({}, json.usingComponents)
    for (const sub of json.subpackages || json.subPackages || []) Object.assign(using, sub.usingComponents)
    for (const value of Object.values(using)) {
      if (typeof value === 'string' && value.startsWith(`${PKG}/`)) used.add(value.slice(PKG.length + 1))
    }
  }
  return [...used].sort()
}

function exists(rel) {
  const full = path.join(DIST, rel)
  return fs.existsSync(full) && fs.statSync(full).isFile()
}

/** Resolve a JS module specifier the way the mini-program runtime does (x, x.js, x/index.js). */
function resolveJs(fromRel, spec) {
  let base
  if (spec.startsWith('.')) {
    base = path.posix.join(path.posix.dirname(fromRel), spec)
  } else {
    base = path.posix.join('miniprogram_npm', spec)
  }
  for (const candidate of [base, `${base}.js`, `${base}/index.js`]) {
    if (exists(candidate)) return candidate
  }
  throw new Error(`cannot resolve "${spec}" imported by ${fromRel}`)
}

function relativeRef(fromRel, ref, ext) {
  let target = path.posix.join(path.posix.dirname(fromRel), ref)
  if (!path.posix.extname(target)) target += ext
  if (!exists(target)) throw new Error(`cannot resolve "${ref}" referenced by ${fromRel}`)
  return target
}

/** Files a file depends on, relative to miniprogram_dist. */
function dependencies(rel) {
  const text = fs.readFileSync(path.join(DIST, rel), 'utf8')
  const ext = path.posix.extname(rel)
  const deps = []
  if (ext === '.js' || ext === '.wxs') {
    const re = /(?:\bimport\s*(?:[\w*${}\s,]+from\s*)?|\bexport\s*[\w*${}\s,]+from\s*|\brequire\s*\(\s*)["']([^"']+)["']/g
    let m
    while ((m = re.exec(text))) deps.push(ext === '.wxs' ? relativeRef(rel, m[1], '.wxs') : resolveJs(rel, m[1]))
  } else if (ext === '.json') {
    const json = JSON.parse(text)
    for (const value of Object.values(json.usingComponents || {})) {
      const base = value.startsWith(`${PKG}/`) ? value.slice(PKG.length + 1) : path.posix.join(path.posix.dirname(rel), value)
      deps.push(...componentFiles(base))
    }
  } else if (ext === '.wxss') {
    const re = /@import\s+["']([^"']+)["']/g
    let m
    while ((m = re.exec(text))) deps.push(relativeRef(rel, m[1], '.wxss'))
  } else if (ext === '.wxml') {
    const re = /<(import|include|wxs)\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/g
    let m
    while ((m = re.exec(text))) deps.push(relativeRef(rel, m[2], m[1] === 'wxs' ? '.wxs' : '.wxml'))
  }
  return deps
}

function componentFiles(base) {
  const files = SOURCE_EXTS.map((ext) => base + ext).filter(exists)
  if (!files.some((f) => f.endsWith('.json'))) throw new Error(`${PKG}/${base} is not a component`)
  return files
}

/** The closure of files reachable from the used components. */
function closure(components) {
  const seen = new Set()
  const queue = []
  for (const c of components) queue.push(...componentFiles(c))
  while (queue.length) {
    const rel = queue.pop()
    if (seen.has(rel)) continue
    seen.add(rel)
    queue.push(...dependencies(rel))
  }
  return [...seen].sort()
}

function plan() {
  if (!fs.existsSync(DIST)) throw new Error(`${PKG} is not installed: run npm ci first`)
  const components = usedComponents()
  const files = closure(components)
  const license = path.join(ROOT, 'node_modules', PKG, 'LICENSE')
  const out = new Map(files.map((rel) => [rel, fs.readFileSync(path.join(DIST, rel))]))
  if (fs.existsSync(license)) out.set('LICENSE', fs.readFileSync(license))
  return { components, out }
}

function listTree(dir, prefix = '', acc = []) {
  if (!fs.existsSync(dir)) return acc
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) listTree(path.join(dir, entry.name), rel, acc)
    else acc.push(rel)
  }
  return acc
}

function main() {
  const check = process.argv.includes('--check')
  const { components, out } = plan()
  if (check) {
    const problems = []
    const present = new Set(listTree(OUT))
    for (const [rel, buf] of out) {
      const full = path.join(OUT, rel)
      if (!present.has(rel)) problems.push(`missing ${rel}`)
      else if (!fs.readFileSync(full).equals(buf)) problems.push(`stale ${rel}`)
    }
    for (const rel of present) if (!out.has(rel)) problems.push(`unused ${rel}`)
    if (problems.length) {
      console.error(`miniprogram_npm is out of date (run npm run build:npm):\n  ${problems.slice(0, 20).join('\n  ')}`)
      process.exit(1)
    }
    console.log(`miniprogram_npm/${PKG} is up to date: ${components.length} components, ${out.size} files`)
    return
  }
  fs.rmSync(OUT, { recursive: true, force: true })
  let bytes = 0
  for (const [rel, buf] of out) {
    const full = path.join(OUT, rel)
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.writeFileSync(full, buf)
    bytes += buf.length
  }
  console.log(`built miniprogram_npm/${PKG}: ${components.join(', ')}`)
  console.log(`${out.size} files, ${(bytes / 1024).toFixed(1)} KB`)
}

if (require.main === module) {
  try {
    main()
  } catch (err) {
    console.error(err.message)
    process.exit(1)
  }
}

module.exports = { usedComponents, closure, plan }
