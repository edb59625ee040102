#!/usr/bin/env node
/**
 * Package size guard (F40): WeChat refuses a main package over 2 MB and a subpackage over 2 MB,
 * and a slow first download is the first thing a shopper feels. Sums the files that would be
 * uploaded (everything not in project.config.json packOptions.ignore), split into the main
 * package and each subpackage root from app.json, and fails over the limits. Sizes are source
 * sizes: DevTools' minification only makes the upload smaller.
 */
'use strict'

const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '..')
const LIMIT_MAIN = 2 * 1024 * 1024
const LIMIT_SUB = 2 * 1024 * 1024
const LIMIT_TOTAL = 20 * 1024 * 1024
const NEVER_UPLOADED = new Set(['project.config.json', 'project.private.config.json'])
// a plugin declared by a subpackage counts toward that subpackage (the live player when
// config.js live.plugin is on, scripts/live-plugin.js): room kept for it under the limit
const PLUGIN_RESERVE = 1024 * 1024

function readJson(file) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'))
}

function ignoredBy(rules) {
  return (rel, isDir) => {
    const base = path.posix.basename(rel)
    if (base.startsWith('.')) return true
    if (!isDir && NEVER_UPLOADED.has(rel)) return true
    return rules.some((r) => {
      if (r.type === 'folder') return isDir && (rel === r.value || base === r.value)
      if (r.type === 'file') return !isDir && (rel === r.value || base === r.value)
      if (r.type === 'suffix') return !isDir && rel.endsWith(r.value)
      if (r.type === 'prefix') return base.startsWith(r.value)
      if (r.type === 'regexp') return new RegExp(r.value).test(rel)
      return false
    })
  }
}

function collect(dir, ignored, prefix = '', acc = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    const full = path.join(dir, entry.name)
    if (ignored(rel, entry.isDirectory())) continue
    if (entry.isDirectory()) collect(full, ignored, rel, acc)
    else acc.push({ rel, size: fs.statSync(full).size })
  }
  return acc
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`
}

/** Sizes per package; `app` (parsed app.json) may be given to measure another build's layout. */
function measure(app = readJson('app.json')) {
  const project = readJson('project.config.json')
  const rules = (project.packOptions && project.packOptions.ignore) || []
  const files = collect(ROOT, ignoredBy(rules))
  const subRoots = (app.subPackages || app.subpackages || []).map((s) => s.root.replace(/\/+$/, ''))
  const packages = { main: { size: 0, files: 0, dirs: {} } }
  subRoots.forEach((r) => (packages[r] = { size: 0, files: 0, dirs: {} }))
  for (const f of files) {
    const root = subRoots.find((r) => f.rel === r || f.rel.startsWith(`${r}/`)) || 'main'
    const pkg = packages[root]
    pkg.size += f.size
    pkg.files += 1
    const top = f.rel.includes('/') ? f.rel.split('/').slice(0, f.rel.startsWith('miniprogram_npm/') ? 2 : 1).join('/') : '(root files)'
    pkg.dirs[top] = (pkg.dirs[top] || 0) + f.size
  }
  for (const sub of app.subPackages || app.subpackages || []) {
    const plugins = Object.keys(sub.plugins || {})
    if (!plugins.length) continue
    const pkg = packages[sub.root.replace(/\/+$/, '')]
    pkg.size += PLUGIN_RESERVE * plugins.length
    pkg.dirs['(plugins)'] = PLUGIN_RESERVE * plugins.length
  }
  return packages
}

function main() {
  const packages = measure()
  const problems = []
  let total = 0
  for (const [name, pkg] of Object.entries(packages)) {
    total += pkg.size
    const limit = name === 'main' ? LIMIT_MAIN : LIMIT_SUB
    console.log(`${name === 'main' ? 'main package' : `subpackage ${name}`}: ${kb(pkg.size)} in ${pkg.files} files (limit ${kb(limit)})`)
    if (name === 'main') {
      Object.entries(pkg.dirs)
        .sort((a, b) => b[1] - a[1])
        .forEach(([dir, size]) => console.log(`  ${dir.padEnd(40)} ${kb(size)}`))
    }
    if (pkg.size > limit) problems.push(`${name} is ${kb(pkg.size)}, over ${kb(limit)}`)
  }
  console.log(`total: ${kb(total)} (limit ${kb(LIMIT_TOTAL)})`)
  if (total > LIMIT_TOTAL) problems.push(`total is ${kb(total)}, over ${kb(LIMIT_TOTAL)}`)
  if (problems.length) {
    console.error(`check:size FAILED: ${problems.join('; ')}`)
    process.exit(1)
  }
  console.log('check:size OK')
}

if (require.main === module) main()

module.exports = { measure, LIMIT_MAIN, PLUGIN_RESERVE }
